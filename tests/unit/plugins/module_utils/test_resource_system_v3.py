# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_system through API V3 against the simulated farm over real TCP: reboot and restart_btminer go out
as set.system.reboot and set.miner.service restart (the miner's write log), the restart is waited for by reads
through V3 (btminer's run time starts again), and factory_reset / pre_power_on stay on the V2 port."""

from __future__ import annotations

import module_run
import pytest
from simclient import V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import system
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade


def run(host, check=False, **options):
    return module_run.run(system, host, check, **dict({"wait": True, "wait_timeout": 30}, **options))


def logged(farm, host) -> list:
    return [(w["command"], w.get("api", "v2"), w.get("v2_command"), w["params"], w["code"], w.get("replied"))
            for w in farm.writes(host)]


@pytest.mark.parametrize("action, v3_command, param", [
    ("restart_btminer", "set.miner.service", "restart"),
    ("reboot", "set.system.reboot", None),
])
def test_a_restart_goes_through_v3_and_is_waited_for_through_v3(farm, action, v3_command, param):
    host = farm.miners[V3COMPAT]
    result, client = run(host, action=action)
    assert isinstance(client, V3Facade)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] and result["restarted"] and result["address"] == host
    assert client.commands_sent == [{"api": "v3", "command": v3_command}]
    (command, api, v2_command, params, code, replied), = logged(farm, host)
    assert (command, api, v2_command, code, replied) == (v3_command, "v3", action, 0, False)
    assert params == ({} if param is None else {"param": param})
    state = farm.state(host)
    assert state["listening"] and not state["restarting"]
    # the waiter read btminer's run time again through V3, after the restart: no read went to port 4028
    assert all(sent["api"] == "v3" for sent in client.commands_sent)


def test_check_mode_sends_nothing_on_either_port(farm):
    host = farm.miners[V3COMPAT]
    for action in ("reboot", "restart_btminer", "pre_power_on"):
        result, client = run(host, check=True, action=action)
        assert result["changed"] and result["commands"] == [{"command": action, "params": {}}]
        assert client.commands_sent == []
    assert farm.writes(host) == []


def test_pre_power_on_and_factory_reset_stay_on_the_v2_port(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, action="pre_power_on")
    assert result["changed"] and not result.get("failed")
    assert client.commands_sent == [{"api": "v2", "command": "pre_power_on"}]
    result, client = run(host, action="factory_reset", confirm=True)
    assert not result.get("failed"), result.get("msg")
    assert result["restarted"] and client.commands_sent == [{"api": "v2", "command": "factory_reset"}]
    assert [(w["command"], w.get("api", "v2"), w["code"]) for w in farm.writes(host)] == [
        ("pre_power_on", "v2", 131), ("factory_reset", "v2", 131)]
    assert not farm.state(host)["write_api"]


def test_restart_btminer_without_wait_returns_at_once_through_v3(farm):
    """set.miner.service restart closes without a reply, as V2's restart_btminer does (protocol.md 7.2): with
    wait false that silence is the normal outcome, not an unknown one."""
    host = farm.miners[V3COMPAT]
    result, client = run(host, action="restart_btminer", wait=False)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] and result["restarted"]
    assert result["notes"] == ["restart_btminer makes the miner restart; wait is false, so the change was not verified"]
    assert client.commands_sent == [{"api": "v3", "command": "set.miner.service"}]
    assert [(w["command"], w["api"], w["replied"]) for w in farm.writes(host)] == [("set.miner.service", "v3", False)]
