"""WhatsMinerV3Client, V3Facade and the api selection against the simulated farm over real TCP."""

from __future__ import annotations

import json
import socket
import struct
import tarfile
import threading

import pytest
from simclient import API205, PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils import _connection, _identify
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import converge
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    CommandFailed,
    ConnectionFailed,
    InvalidCommand,
    OutcomeUnknown,
    UsageError,
    WriteApiDisabled,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import facts, logs, password, pools, power, settings
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade


def v3client(farm, index=V3COMPAT, password=PASSWORD, **options):
    options.setdefault("timeout", 3)
    return WhatsMinerV3Client(farm.miners[index], password=password, **options)


def params(farm, index, api="auto", **more):
    base = {"host": farm.miners[index], "port": 4028, "password": PASSWORD, "timeout": 3.0, "api": api,
            "v3_port": 4433, "gather_subset": ["all"]}
    return dict(base, **more)


def test_reads_answer_the_miners_own_values(farm):
    host = farm.miners[V3COMPAT]
    info = v3client(farm).get("get.device.info")["msg"]
    state = farm.state(host)
    assert info["miner"]["type"] == state["variant"] and info["network"]["mac"] == state["mac"]
    assert info["salt"] == state["password_salt"]


def test_a_signed_write_reaches_the_miner_once_and_changes_it(farm):
    host = farm.miners[V3COMPAT]
    client = v3client(farm)
    assert client.set("set.system.led", [{"color": "red", "period": 1000, "duration": 500, "start": 0}])["code"] == 0
    assert farm.state(host)["led"]["color"] == "red"
    assert client.set("set.system.led", "auto")["code"] == 0
    assert farm.state(host)["led"] == {"mode": "auto"}
    log = farm.writes(host)
    assert [(e["command"], e["api"], e["code"]) for e in log] == [("set.system.led", "v3", 0)] * 2


def test_encrypted_pools_arrive_whole_and_no_password_is_logged(farm):
    host = farm.miners[V3COMPAT]
    pools = [{"pool": "stratum+tcp://a.example:3333", "worker": "w.1", "passwd": "p00lpass"},
             {"pool": "stratum+tcp://b.example:3333", "worker": "w.2", "passwd": "x"}]
    assert v3client(farm).set("set.miner.pools", pools)["code"] == 0
    held = farm.state(host)["pools"]
    assert [(p["url"], p["user"]) for p in held[:2]] == [(p["pool"], p["worker"]) for p in pools]
    assert "p00lpass" not in json.dumps(farm.writes(host))


def test_v3_codes_raise_the_v2_exception_classes_with_operator_sentences(farm):
    host = farm.miners[V3COMPAT]
    with pytest.raises(WriteApiDisabled, match="write API off or default password unchanged"):
        v3client(farm, password="wrong").set("set.miner.service", "stop")
    with pytest.raises(CommandFailed, match=r"error -1 .*refused the command"):
        v3client(farm).set("set.miner.service", "pause")
    with pytest.raises(InvalidCommand, match=r"error -2"):
        v3client(farm).get("get.nothing")
    farm.api("POST", "/miners/%s/write_api" % host, {"enabled": False})
    with pytest.raises(WriteApiDisabled, match=host):
        v3client(farm).set("set.miner.service", "stop")
    assert farm.state(host)["mining"] is True


def test_a_write_without_password_sends_nothing(farm):
    host = farm.miners[V3COMPAT]
    with pytest.raises(UsageError, match="needs the miner's admin password"):
        v3client(farm, password=None).set("set.miner.service", "stop")
    assert farm.writes(host) == []


def test_a_stale_salt_is_fetched_again_once_after_minus_4(farm):
    host = farm.miners[V3COMPAT]
    client = v3client(farm, password="n3wpass")
    client.salt()
    farm.api("POST", "/miners/%s/password" % host, {"password": "n3wpass"})  # a new salt with it
    assert client.set("set.miner.service", "stop")["code"] == 0
    assert [e["code"] for e in farm.writes(host)] == [-4, 0]


def test_a_lost_write_reply_is_outcome_unknown_and_never_sent_twice(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "no_reply", "commands": ["power_off"], "times": 2})
    with pytest.raises(OutcomeUnknown, match="may or may not have been applied"):
        v3client(farm).set("set.miner.service", "stop")
    assert len(farm.writes(host)) == 1


def test_a_read_is_tried_once_more_after_a_transient_failure(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "no_reply", "commands": ["summary"], "times": 1})
    assert v3client(farm).get("get.miner.status", "summary")["code"] == 0
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "no_reply", "commands": ["summary"], "times": 2})
    with pytest.raises(ConnectionFailed, match="tried twice"):
        v3client(farm).get("get.miner.status", "summary")


def test_heartbeat_frames_before_the_reply_are_skipped():
    server = socket.socket()
    server.bind(("127.0.150.200", 0))
    server.listen(1)

    def miner():
        conn, _peer = server.accept()
        with conn:
            size = struct.unpack("<I", conn.recv(4, socket.MSG_WAITALL))[0]
            conn.recv(size, socket.MSG_WAITALL)
            body = json.dumps({"code": 0, "when": 1, "msg": {"salt": "abcdefgh"}, "desc": "get.device.info"}).encode()
            conn.sendall(b"\0\0\0\0" * 2 + struct.pack("<I", len(body)) + body[:5])
            conn.sendall(body[5:])
    thread = threading.Thread(target=miner, daemon=True)
    thread.start()
    try:
        reply = WhatsMinerV3Client("127.0.150.200", port=server.getsockname()[1], timeout=3).get("get.device.info", "salt")
    finally:
        thread.join(5)
        server.close()
    assert reply["msg"]["salt"] == "abcdefgh"


# ---- V3Facade: the V2 commands the resources send, answered through V3 --------------------------

def test_facts_through_v3_have_the_v2_keys_and_values(farm):
    through_v3 = facts.run(_connection.client_from_params(params(farm, V3COMPAT), facts), params(farm, V3COMPAT),
                           False, False)["ansible_facts"]["whatsminer"]
    through_v2 = facts.run(WhatsMinerClient(farm.miners[V3COMPAT], timeout=3), params(farm, V3COMPAT),
                           False, False)["ansible_facts"]["whatsminer"]
    assert (through_v3["api"], through_v2["api"]) == ("v3", "v2")
    assert set(through_v3) == set(through_v2)
    same = ("model", "model_raw", "firmware_version", "platform", "mac", "serial", "hostname", "ip", "dhcp",
            "netmask", "gateway", "dns", "led", "is_mining", "power_mode", "power_pct", "target_freq_pct", "pools",
            "fast_boot", "upfreq_speed", "errors")
    assert {k: through_v3[k] for k in same} == {k: through_v2[k] for k in same}
    assert through_v3["model"] == "M60SVK40"  # V2 no longer gives it: devdetails answers 132 there
    assert [b["chips"] for b in through_v3["hashboards"]] == [b["chips"] for b in through_v2["hashboards"]]


def test_error_codes_come_with_the_firmwares_reasons(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/errors" % host, {"errors": [{"code": 264, "time": "2026-05-23 09:19:10"}]})
    got = facts.run(_connection.client_from_params(params(farm, V3COMPAT), facts),
                    dict(params(farm, V3COMPAT), gather_subset=["errors", "raw"]), False, False)
    found = got["ansible_facts"]["whatsminer"]
    assert found["errors"] == [{"code": 264, "time": "2026-05-23 09:19:10", "reason": found["errors"][0]["reason"]}]
    assert found["errors"][0]["reason"]
    assert "get.device.info" in found["raw"]


def test_a_facade_write_goes_out_as_its_v3_command(farm):
    host = farm.miners[V3COMPAT]
    client = _connection.client_from_params(params(farm, V3COMPAT, api="v3"), facts)
    assert isinstance(client, V3Facade)
    client.write("power_off", respbefore="true")
    assert farm.state(host)["mining"] is False
    assert [(e["command"], e.get("v2_command")) for e in farm.writes(host)] == [("set.miner.service", "power_off")]


# ---- api selection ----------------------------------------------------------------------------

def test_auto_falls_back_to_v2_and_says_why(farm):
    said = []
    client = _connection.client_from_params(params(farm, API205), facts, say=said.append)
    assert isinstance(client, WhatsMinerClient)
    assert "API V3 did not answer get.device.info on port 4433" in said[0] and "using API V2" in said[0]


def test_auto_falls_back_when_only_the_v3_port_is_down(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "refuse", "api": "v3"})
    said = []
    for _attempt in range(50):
        said.clear()
        client = _connection.client_from_params(params(farm, V3COMPAT), facts, say=said.append)
        if not isinstance(client, V3Facade):
            break
    assert isinstance(client, WhatsMinerClient) and "connection refused on port 4433" in said[0]
    assert facts.run(client, params(farm, V3COMPAT), False, False)["ansible_facts"]["whatsminer"]["api"] == "v2"


def test_v2_is_used_as_asked_and_a_module_without_v3_refuses_api_v3(farm):
    assert isinstance(_connection.client_from_params(params(farm, V3COMPAT, api="v2"), facts), WhatsMinerClient)
    assert isinstance(_connection.client_from_params(params(farm, V3COMPAT), password), WhatsMinerClient)
    with pytest.raises(UsageError, match="whatsminer_password does not work through API V3 yet"):
        _connection.client_from_params(params(farm, V3COMPAT, api="v3"), password)


def test_discovery_records_which_api_each_miner_answers(farm):
    v3_miner = _identify.identify_one(farm.miners[V3COMPAT], 4028, 2.0, v3_port=4433)
    v2_miner = _identify.identify_one(farm.miners[API205], 4028, 2.0, v3_port=4433)
    assert (v3_miner.facts["api"], v2_miner.facts["api"]) == ("v3", "v2")
    assert _identify.identify_one(farm.miners[V3COMPAT], 4028, 2.0).facts["api"] == "v2"  # v3_port 0: not asked


@pytest.mark.parametrize("resource", [power, pools, logs, settings])
def test_the_v3_modules_use_v3_under_auto_on_v3_miners_only(farm, resource):
    assert isinstance(_connection.client_from_params(params(farm, V3COMPAT), resource), V3Facade)
    assert isinstance(_connection.client_from_params(params(farm, V3COMPAT, api="v3"), resource), V3Facade)
    assert isinstance(_connection.client_from_params(params(farm, API205), resource), WhatsMinerClient)


def test_settings_reads_heat_and_fan_settings_back_through_v3_and_writes_them_through_v2(farm):
    host = farm.miners[V3COMPAT]
    task = dict(params(farm, V3COMPAT), **dict(dict.fromkeys(settings.ARGUMENT_SPEC), heat_mode="heating"))
    client = _connection.client_from_params(task, settings)
    first = converge(client, task, False, settings)
    assert first["changed"] and first["unverifiable"] == []
    assert first["diff"] == {"before": {"heat_mode": "anti-icing"}, "after": {"heat_mode": "heating"}}
    assert client.commands_sent == [{"api": "v2", "command": "set_heat_mode"}]
    second = converge(_connection.client_from_params(task, settings), task, False, settings)
    assert not second["changed"] and second["commands"] == [] and second["unverifiable"] == []
    assert [(e["command"], e.get("api", "v2")) for e in farm.writes(host)] == [("set_heat_mode", "v2")]
    assert farm.state(host)["heat_mode"] == "heating"
    fans = dict(task, heat_mode=None, poweroff_cool=True, temp_offset=-5)
    first = converge(_connection.client_from_params(fans, settings), fans, False, settings)
    assert first["changed"] and first["unverifiable"] == []
    assert first["diff"]["before"] == {"poweroff_cool": False, "temp_offset": 0}
    assert not converge(_connection.client_from_params(fans, settings), fans, False, settings)["changed"]
    assert (farm.state(host)["poweroff_cool"], farm.state(host)["temp_offset"]) == (True, -5)
    assert [e["command"] for e in farm.writes(host)][1:] == ["set_poweroff_cool", "set_temp_offset"]
    # a V2 miner reports no heat mode: the option stays unverifiable there
    v2_task = dict(task, host=farm.miners[API205])
    assert converge(_connection.client_from_params(v2_task, settings), v2_task, True, settings)["unverifiable"] == [
        "heat_mode"]


def test_the_log_tarball_streams_to_the_file_and_is_logged(farm, tmp_path):
    host = farm.miners[V3COMPAT]
    dest = tmp_path / "logs.tgz"
    written = v3client(farm).download_logs(str(dest))
    assert written == dest.stat().st_size > 0
    with tarfile.open(dest) as tar:
        assert sorted(tar.getnames()) == ["api.log", "miner.log"]
    entry = farm.writes(host)[-1]
    assert (entry["command"], entry["v2_command"], entry["logsize"]) == ("get.log.download", "download_logs", written)
    with pytest.raises(UsageError):
        v3client(farm, password=None).download_logs(str(tmp_path / "none.tgz"))
    assert not (tmp_path / "none.tgz").exists()


def test_power_converges_through_v3_across_a_btminer_restart_and_then_sends_nothing(farm):
    host = farm.miners[V3COMPAT]
    task = dict(params(farm, V3COMPAT, api="v3"), **{name: None for name in power.ARGUMENT_SPEC})
    task.update(wait=True, wait_timeout=30, power_percent_mode="normal", mode="high", power_limit=3000)
    first = converge(_connection.client_from_params(task, power), task, False, power)
    assert first["changed"] and first["restarted"] and not first.get("failed"), first
    state = farm.state(host)
    assert (state["power_mode"], state["power_limit_w"]) == ("high", 3000)
    assert [(e["command"], e["params"], e["code"]) for e in farm.writes(host)] == [
        ("set.miner.power_mode", {"param": "high"}, 0), ("set.miner.power_limit", {"param": 3000}, 0)]
    second = converge(_connection.client_from_params(task, power), task, False, power)
    assert not second["changed"] and len(farm.writes(host)) == 2
