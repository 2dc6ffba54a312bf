# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_net: validation, comparison against a real get_miner_info, what is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption, Reading
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import decode_json
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import net

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INFO_2026 = "whatsminer-pulse/get_miner_info__M60S-class_2026-02.json"
OPTIONS = ("dhcp", "ip", "netmask", "gateway", "dns", "hostname", "timezone", "zonename")


def params(**options):
    base = dict.fromkeys(OPTIONS)
    base.update(wait=True, wait_timeout=600)
    base.update(options)
    return base


def reading() -> Reading:
    reply = decode_json((FIXTURES / INFO_2026).read_bytes(), "h", "get_miner_info")
    return Reading(_state.normalise({"get_miner_info": reply}, ["identity"]), {"get_miner_info": reply})


STATIC = dict(ip="10.0.0.50", netmask="255.255.255.0", gateway="10.0.0.1", dns=["10.0.0.1", "1.1.1.1"])


@pytest.mark.parametrize("options, option, message", [
    (dict(STATIC, dhcp=True), "dhcp", "cannot be combined"),
    (dict(STATIC, ip="10.0.0.300"), "ip", "not an IPv4 address"),
    (dict(STATIC, netmask="255.0.255.0"), "netmask", "not a netmask"),
    (dict(STATIC, dns=[]), "dns", "one to three"),
    (dict(STATIC, dns=["1.1.1.1"] * 4), "dns", "one to three"),
    ({"hostname": "-bad-"}, "hostname", "is not a hostname"),
    ({"timezone": "CST 8", "zonename": "Asia/Shanghai"}, "timezone", "is not a time zone"),
])
def test_invalid_options_are_named_and_nothing_is_sent(options, option, message):
    with pytest.raises(InvalidOption) as err:
        net.desired(params(**options), "10.0.0.5")
    assert f"option '{option}'" in str(err.value) and message in str(err.value)


def test_the_miners_own_network_compares_equal():
    state = reading()
    info = state.replies["get_miner_info"]["Msg"]
    want = net.desired(params(ip=info["ip"], netmask=info["netmask"], gateway=info["gateway"],
                              dns=info["dns"].split(), hostname=info["hostname"]), "h")
    have = net.current(state, want)
    if info["proto"] == "static":
        assert {name: have[name] for name in want} == want
    else:
        assert have["dhcp"] is True and want["dhcp"] is False


def test_hostname_alone_is_set_hostname():
    steps = net.plan({"hostname": "m-r07-12"}, {"hostname": "WhatsMiner"}, ["hostname"], params(hostname="m-r07-12"))
    assert [(s.command, s.params, s.restarts) for s in steps] == [("set_hostname", {"hostname": "m-r07-12"}, None)]


def test_static_address_with_hostname_is_one_net_config_that_moves_the_miner():
    want = net.desired(params(hostname="m1", **STATIC), "h")
    steps = net.plan(want, {"dhcp": True, "hostname": "WhatsMiner"}, list(want), params())
    assert [s.command for s in steps] == ["net_config"]
    assert steps[0].params == {"ip": "10.0.0.50", "mask": "255.255.255.0", "gate": "10.0.0.1",
                               "dns": "10.0.0.1 1.1.1.1", "host": "m1"}
    assert steps[0].restarts == "network" and steps[0].address == "10.0.0.50"


def test_static_address_keeps_the_current_hostname():
    want = net.desired(params(**STATIC), "h")
    steps = net.plan(want, {"dhcp": True, "hostname": "rack7-m3"}, list(want), params())
    assert steps[0].params["host"] == "rack7-m3"


def test_dhcp_waits_at_the_current_address_and_says_so():
    steps = net.plan({"dhcp": True}, {"dhcp": False}, ["dhcp"], params(dhcp=True))
    assert steps[0].params == {"param": "dhcp"} and steps[0].address is None and "DHCP" in steps[0].note


def test_time_zone_is_never_readable():
    want = net.desired(params(timezone="UTC0", zonename="Etc/UTC"), "h")
    have = net.current(reading(), want)
    assert "timezone" not in have
    steps = net.plan(want, have, ["timezone", "zonename"], params())
    assert [s.command for s in steps] == ["set_zone"]


def test_dhcp_with_a_hostname_sets_the_hostname_first():
    want = net.desired(params(dhcp=True, hostname="rig-d"), "h")
    steps = net.plan(want, {"dhcp": False, "hostname": "WhatsMiner"}, ["dhcp", "hostname"], params())
    assert [s.command for s in steps] == ["set_hostname", "net_config"]
