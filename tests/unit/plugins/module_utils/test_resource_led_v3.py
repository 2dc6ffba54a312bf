# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_led through API V3 against the simulated farm over real TCP: the set.system.led writes the miner
received (its write log: a list of one pattern, or "auto"), what its LED holds, and the readback through
get.device.info system.ledstatus that makes the second run send nothing."""

from __future__ import annotations

import module_run
import pytest
from simclient import PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import CommandFailed
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import led
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade

GREEN = {"color": "green", "period": 2000, "duration": 1000, "start": 0}


def logged(farm, host) -> list:
    return [(w["command"], w.get("api", "v2"), w.get("v2_command"), w["params"], w["code"])
            for w in farm.writes(host)]


def test_a_blink_goes_through_v3_as_a_list_of_one_pattern_and_auto_reads_back(farm):
    host = farm.miners[V3COMPAT]
    blink, client = module_run.run(led, host, state="blink", **GREEN)
    assert isinstance(client, V3Facade)
    assert blink["changed"] and not blink.get("failed")
    assert client.commands_sent == [{"api": "v3", "command": "set.system.led"}]
    assert logged(farm, host) == [("set.system.led", "v3", "set_led", {"param": [GREEN]}, 0)]
    assert farm.state(host)["led"] == dict({"mode": "manual"}, **GREEN)

    auto, client = module_run.run(led, host, state="auto")
    assert auto["changed"] and auto["diff"] == {"before": {"state": "blink"}, "after": {"state": "auto"}}
    assert logged(farm, host)[1:] == [("set.system.led", "v3", "set_led", {"param": "auto"}, 0)]
    assert farm.state(host)["led"] == {"mode": "auto"}

    again, client = module_run.run(led, host, state="auto")
    assert not again["changed"] and again["commands"] == [] and client.commands_sent == []
    assert len(farm.writes(host)) == 2


def test_check_mode_sends_nothing_on_either_port(farm):
    host = farm.miners[V3COMPAT]
    result, client = module_run.run(led, host, check=True, state="blink", **GREEN)
    assert result["changed"] and result["commands"] == [{"command": "set_led", "params": GREEN}]
    assert client.commands_sent == [] and farm.writes(host) == []
    assert farm.state(host)["led"] == {"mode": "auto"}


def test_the_simulator_takes_two_colours_and_refuses_a_dict_or_a_colour_twice(farm):
    """The simulator's set.system.led against matroskin's shapes (tests/simulator/v3led.py)."""
    host = farm.miners[V3COMPAT]
    client = WhatsMinerV3Client(host, password=PASSWORD, timeout=3)
    red = {"color": "red", "period": 200, "duration": 100, "start": 0}
    assert client.set("set.system.led", [red, dict(GREEN, period=200, duration=150)])["code"] == 0
    assert farm.state(host)["led"] == dict({"mode": "manual"}, **red)  # the first pattern is the one kept
    for refused in (GREEN, [GREEN, GREEN], [dict(GREEN, duration=3000)], [dict(GREEN, color="blue")], []):
        with pytest.raises(CommandFailed):
            client.set("set.system.led", refused)
    assert farm.state(host)["led"] == dict({"mode": "manual"}, **red)
    assert [w["code"] for w in farm.writes(host)] == [0, -1, -1, -1, -1, -1]
