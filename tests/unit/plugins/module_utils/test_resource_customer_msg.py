# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_customer_msg through API V3 and V2 against the simulated farm over real TCP: what each miner
received (its write log) and holds (its state), not only what the module returned."""

from __future__ import annotations

import pytest
import module_run
from simclient import PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    CommandFailed,
    InvalidCommand,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import customer_msg
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade

TAGS = {"CustomerSn": "FARM-N-0042", "msg0": "rack 7"}


def run(farm, check=False, **options):
    return module_run.run(customer_msg, farm.miners[V3COMPAT], check, **options)


def logged(farm) -> list:
    return [(w["command"], w.get("api", "v2"), w.get("v2_command"), w["params"], w["code"])
            for w in farm.writes(farm.miners[V3COMPAT])]


def held(farm) -> dict:
    return farm.state(farm.miners[V3COMPAT])["customer_msg"]


def test_auto_converges_a_v3_miner_through_set_device_custom_data_and_reads_back(farm):
    result, client = run(farm, messages=TAGS)
    assert isinstance(client, V3Facade)
    assert result["changed"] and not result.get("failed")
    assert result["diff"] == {"before": {"CustomerSn": "", "msg0": ""}, "after": TAGS}
    assert result["commands"] == [{"command": "set_customer_msg", "params": {"key": "CustomerSn", "val": "FARM-N-0042"}},
                                  {"command": "set_customer_msg", "params": {"key": "msg0", "val": "rack 7"}}]
    assert client.commands_sent == [{"api": "v3", "command": "set.device.custom_data"}] * 2
    assert logged(farm) == [
        ("set.device.custom_data", "v3", "set_customer_msg", {"param": {"key": "CustomerSn", "value": "FARM-N-0042"}}, 0),
        ("set.device.custom_data", "v3", "set_customer_msg", {"param": {"key": "msg0", "value": "rack 7"}}, 0)]
    assert held(farm) == TAGS
    # the read-back: V3 lists every key, "" for one never set
    assert result["messages"] == dict({f"msg{i}": "" for i in range(10)}, **TAGS)


def test_second_run_and_check_mode_send_nothing_on_either_port(farm):
    run(farm, messages=TAGS)
    before = logged(farm)
    again, _client = run(farm, messages=TAGS)
    assert not again["changed"] and again["commands"] == []
    assert again["diff"] == {"before": TAGS, "after": TAGS}
    checked, client = run(farm, check=True, messages={"CustomerSn": "FARM-N-0043", "msg1": "slot 3"})
    assert checked["changed"] and checked["msg"] == "check mode: nothing was sent"
    assert [c["params"]["key"] for c in checked["commands"]] == ["CustomerSn", "msg1"]
    assert client.commands_sent == []
    assert logged(farm) == before  # the write log holds the writes of both ports
    assert held(farm) == TAGS


def test_v3_reads_without_a_password_but_will_not_write_without_one(farm):
    result, _client = run(farm, password=None)
    assert not result["changed"] and result["messages"]["CustomerSn"] == ""
    refused, _client = run(farm, password=None, key="CustomerSn", value="FARM-N-0042")
    assert refused["failed"] and not refused["changed"]
    assert "command 'set.device.custom_data'" in refused["msg"] and "password" in refused["msg"]
    assert logged(farm) == [] and held(farm) == {}


def test_what_one_api_writes_the_other_reads(farm):
    run(farm, api="v2", key="msg3", value="written through V2")
    through_v3, _client = run(farm, api="v3")
    assert through_v3["messages"]["msg3"] == "written through V2"
    run(farm, api="v3", key="msg4", value="written through V3")
    through_v2, client = run(farm, api="v2")
    assert not isinstance(client, V3Facade)
    assert through_v2["messages"] == {"msg3": "written through V2", "msg4": "written through V3"}
    assert [(c, api, code) for c, api, _v2, _p, code in logged(farm)] == [
        ("set_customer_msg", "v2", 131), ("set.device.custom_data", "v3", 0)]


def test_v2_still_writes_set_customer_msg(farm):
    result, _client = run(farm, api="v2", messages=TAGS)
    assert result["changed"] and result["messages"] == TAGS
    assert [(c, api, p["key"], p["val"], code) for c, api, _v2, p, code in logged(farm)] == [
        ("set_customer_msg", "v2", "CustomerSn", "FARM-N-0042", 131), ("set_customer_msg", "v2", "msg0", "rack 7", 131)]
    assert not run(farm, api="v2", messages=TAGS)[0]["changed"]


@pytest.mark.parametrize("value, words", [
    ("rack 7\n", "printable characters"), ("tab\there", "printable characters"),
    ("ü" * 64, "at most 127 bytes"), ("x" * 128, "at most 127 bytes"),
])
@pytest.mark.parametrize("api", ["v2", "v3"])
def test_values_the_firmware_refuses_are_refused_before_sending(farm, api, value, words):
    with pytest.raises(InvalidOption) as err:
        run(farm, api=api, messages={"msg2": value})
    assert "option 'messages': msg2: " in str(err.value) and words in str(err.value)
    assert logged(farm) == []


def test_the_longest_value_is_127_bytes(farm):
    longest = "ü" * 63 + "x"
    result, _client = run(farm, api="v3", key="msg9", value=longest)
    assert result["changed"] and held(farm)["msg9"] == longest


@pytest.mark.parametrize("param, cause", [
    ({"key": "msg10", "value": "x"}, "invalid key"), ({"key": "msg1", "value": "a\x07b"}, "printable"),
    ({"key": "msg1", "value": "x" * 128}, "less than 128 bytes"), ("msg1=x", "missing param"),
])
def test_the_simulated_miner_refuses_what_the_source_says_it_refuses(farm, param, cause):
    client = WhatsMinerV3Client(farm.miners[V3COMPAT], password=PASSWORD, timeout=3)
    with pytest.raises(CommandFailed) as err:
        client.set("set.device.custom_data", param)
    assert cause in str(err.value)
    assert [(c, code) for c, _api, _v2, _p, code in logged(farm)] == [("set.device.custom_data", -1)]
    assert held(farm) == {}


def test_a_fault_on_get_customer_msg_takes_the_v3_read_too(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "code", "code": 14, "commands": ["get_customer_msg"],
                                                 "times": 1, "api": "v3"})
    with pytest.raises(InvalidCommand) as err:
        run(farm, api="v3", key="CustomerSn", value="FARM-N-0042")
    assert "command 'get.device.custom_data'" in str(err.value)
    assert logged(farm) == []


@pytest.mark.parametrize("spelling", ["CustomerSn", "custom-sn"])
def test_both_spellings_of_the_sn_key_read_as_customer_sn(spelling):
    # matroskin's api-doc page says CustomerSn, its example response and struct custom-sn
    assert customer_msg.from_v3({spelling: "sn12345", "msg0": "msg"}) == {"CustomerSn": "sn12345", "msg0": "msg"}
