# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_net through API V3 against the simulated farm over real TCP: the V3 writes the miner received
(its write log), what it holds (its state) and that the time zone is read back and verified there."""

from __future__ import annotations

import ipaddress

import module_run
from simclient import V3COMPAT, listening

from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import net
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade


def run(host, check=False, **options):
    return module_run.run(net, host, check, **dict({"wait": True, "wait_timeout": 30}, **options))


def logged(farm, host) -> list:
    return [(w["command"], w.get("api", "v2"), w.get("v2_command"), w["params"], w["code"])
            for w in farm.writes(host)]


def test_hostname_and_time_zone_converge_through_v3_and_are_verified(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, hostname="rack7-m3", timezone="UTC0", zonename="UTC")
    assert isinstance(client, V3Facade)
    assert result["changed"] and not result.get("failed") and result["unverifiable"] == []
    assert result["diff"] == {"before": {"hostname": "WhatsMiner", "timezone": "CST-8", "zonename": "Asia/Shanghai"},
                              "after": {"hostname": "rack7-m3", "timezone": "UTC0", "zonename": "UTC"}}
    assert client.commands_sent == [{"api": "v3", "command": "set.system.hostname"},
                                    {"api": "v3", "command": "set.system.timezone"}]
    assert logged(farm, host) == [
        ("set.system.hostname", "v3", "set_hostname", {"param": "rack7-m3"}, 0),
        ("set.system.timezone", "v3", "set_zone", {"param": {"timezone": "UTC0", "zonename": "UTC"}}, 0)]
    state = farm.state(host)
    assert (state["hostname"], state["timezone"], state["zonename"]) == ("rack7-m3", "UTC0", "UTC")

    again, client = run(host, hostname="rack7-m3", timezone="UTC0", zonename="UTC")
    assert not again["changed"] and again["commands"] == [] and again["unverifiable"] == []
    assert client.commands_sent == [] and len(farm.writes(host)) == 2


def test_check_mode_sends_nothing_on_either_port(farm):
    host = farm.miners[V3COMPAT]
    result, client = run(host, check=True, hostname="other", timezone="EST5EDT", zonename="America/New_York")
    assert result["changed"] and [c["command"] for c in result["commands"]] == ["set_hostname", "set_zone"]
    assert client.commands_sent == [] and farm.writes(host) == []
    assert farm.state(host)["timezone"] == "CST-8"


def test_a_new_static_address_through_v3_moves_the_miner_and_is_verified_there(farm):
    host = farm.miners[V3COMPAT]
    new = str(ipaddress.ip_address(host) + 200)
    result, client = run(host, hostname="moved", ip=new, netmask="255.255.255.0", gateway="127.0.0.1",
                         dns=["127.0.0.1"])
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] and result["restarted"] and result["address"] == new
    # V3's net_config has no hostname: the hostname goes first, on its own
    assert client.commands_sent == [{"api": "v3", "command": "set.system.hostname"},
                                    {"api": "v3", "command": "set.system.net_config"}]
    assert logged(farm, new)[-1] == (
        "set.system.net_config", "v3", "net_config",
        {"param": {"ip": new, "netmask": "255.255.255.0", "gateway": "127.0.0.1", "dns": "127.0.0.1"}}, 0)
    state = farm.state(new)
    assert state["network"]["proto"] == "static" and state["network"]["ip"] == new and state["hostname"] == "moved"
    assert listening(new, 4433) and not listening(host, 4433)

    again, client = run(new, hostname="moved", ip=new, netmask="255.255.255.0", gateway="127.0.0.1",
                        dns=["127.0.0.1"])
    assert not again["changed"] and isinstance(client, V3Facade) and client.commands_sent == []


def test_a_v2_miner_still_sends_the_time_zone_every_run_and_cannot_verify_it(farm):
    host = farm.miners[0]  # api205: no API V3
    for _run in range(2):
        result, client = run(host, timezone="UTC0", zonename="UTC")
        assert not isinstance(client, V3Facade)
        assert result["changed"] and result["unverifiable"] == ["timezone", "zonename"]
    assert [w["command"] for w in farm.writes(host)] == ["set_zone", "set_zone"]
