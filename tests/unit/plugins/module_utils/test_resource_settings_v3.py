# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_settings' time_randomized, web_pools and syslog through API V3 against the simulated farm over
real TCP (what the miner received and holds), and the refusal of time_randomized on a V2 miner."""

from __future__ import annotations

import pytest
import module_run
from simclient import PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils import _connection
from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import settings
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade

SYSLOG = {"ip": "127.0.0.9", "port": 5514, "proto": "tcp"}


def run(host, check=False, **options):
    return module_run.run(settings, host, check, **options)


def system_setting(host) -> dict:
    """What the miner itself reports, asked over its V3 port."""
    return WhatsMinerV3Client(host, password=PASSWORD, timeout=3.0).get("get.system.setting")["msg"]


def test_time_randomized_is_written_only_when_it_differs_and_verified(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, time_randomized={"start": 30, "stop": 90})
    assert isinstance(client, V3Facade) and not result.get("failed")
    assert result["changed"] and result["unverifiable"] == []
    assert result["diff"] == {"before": {"time_randomized": {"start": 0, "stop": 0}},
                              "after": {"time_randomized": {"start": 30, "stop": 90}}}
    assert client.commands_sent == [{"api": "v3", "command": "set.system.time_randomized"}]
    log = farm.writes(host)
    assert [(w["command"], w["api"], w.get("v2_command"), w["params"], w["code"]) for w in log] == [
        ("set.system.time_randomized", "v3", None, {"param": {"start": 30, "stop": 90}}, 0)]
    assert system_setting(host)["time-randomized"] == {"start": 30, "stop": 90}

    again, client = run(host, time_randomized={"start": 30, "stop": 90})
    assert not again["changed"] and client.commands_sent == [] and len(farm.writes(host)) == 1


def test_web_pools_and_syslog_are_verified_through_v3(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, web_pools=False, syslog=SYSLOG)
    assert result["changed"] and result["unverifiable"] == [] and not result.get("failed")
    assert client.commands_sent == [{"api": "v3", "command": "set.system.webpools"},
                                    {"api": "v3", "command": "set.log.upload"}]
    state = farm.state(host)
    assert state["web_pools"] is False and state["rsyslog"] == SYSLOG
    assert [w["params"] for w in farm.writes(host)] == [
        {"param": "disable"}, {"param": {"ip": "127.0.0.9", "port": "5514", "proto": "tcp"}}]
    again, client = run(host, web_pools=False, syslog=SYSLOG)
    assert not again["changed"] and client.commands_sent == []


def test_check_mode_sends_nothing_on_either_port(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, check=True, time_randomized={"start": 1, "stop": 2}, web_pools=False)
    assert result["changed"] and client.commands_sent == [] and farm.writes(host) == []


def test_btminer_init_stays_unverifiable_on_v3(farm):
    host = farm.miners[V3COMPAT]
    result, _client = run(host, btminer_init=False, time_randomized={"start": 0, "stop": 0})
    assert result["unverifiable"] == ["btminer_init"]
    assert [w["command"] for w in farm.writes(host)] == ["disable_btminer_init"]


def test_time_randomized_on_a_v2_miner_fails_before_anything_is_sent(farm):
    host = farm.miners[0]  # api205: no API V3
    p = module_run.options(settings, host, time_randomized={"start": 10, "stop": 10}, web_pools=True)
    client = _connection.client_from_params(p, settings)
    with pytest.raises(InvalidOption) as err:
        settings.run(client, p, False, True)
    message = str(err.value)
    assert host in message and "time_randomized" in message and "needs API V3 firmware" in message
    assert "nothing was sent" in message
    assert farm.writes(host) == []


@pytest.mark.parametrize("delays", [{"start": -1, "stop": 0}, {"start": 0, "stop": 121}])
def test_time_randomized_out_of_range_is_refused(delays):
    with pytest.raises(InvalidOption) as err:
        settings.desired(module_run.options(settings, "h", time_randomized=delays), "h")
    assert "from 0 to 120" in str(err.value)
