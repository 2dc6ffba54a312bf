# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_net: DHCP or a static address, the hostname, the time zone.

Reads ``get_miner_info`` (``proto``, ``ip``, ``netmask``, ``gateway``, ``dns``, ``hostname``;
protocol.md 11) and ``summary``. On API V2 the time zone has no readback: it is sent only when the task
sets it, on every run, and listed under ``unverifiable``. On a miner read through API V3 the network comes
from ``get.device.info`` ``network`` (the facade's ``get_miner_info``) and the hostname, ``timezone`` and
``zonename`` from ``get.system.setting`` (matroskin's get.system.setting page), so all are compared and
verified there.

Writes ``set_hostname`` and ``set_zone`` first, then ``net_config`` (``param: dhcp``, or ``ip``,
``mask``, ``gate``, ``dns`` space-separated and ``host``), which restarts the miner's network with no
reply as the normal outcome (protocol.md 7.2). Through V3 these are ``set.system.hostname``,
``set.system.timezone`` and ``set.system.net_config`` (the facade's WRITES); V3's net_config carries no
hostname, so there the hostname is always its own write, first. After a new static address the miner is
waited for and verified at that address, through the same API, which the result returns as ``address``.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    WAIT_SPEC,
    InvalidOption,
    Reading,
    Step,
    runner,
    known,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import read as joined_read

NETWORK = ("dhcp", "ip", "netmask", "gateway", "dns")
STATIC = ("ip", "netmask", "gateway", "dns")
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?$")
ZONE = re.compile(r"^[A-Za-z0-9_+:/.,-]{1,64}$")

ARGUMENT_SPEC = dict(WAIT_SPEC, **{
    "dhcp": {"type": "bool"},
    "ip": {"type": "str"},
    "netmask": {"type": "str"},
    "gateway": {"type": "str"},
    "dns": {"type": "list", "elements": "str"},
    "hostname": {"type": "str"},
    "timezone": {"type": "str"},
    "zonename": {"type": "str"},
})
ARGUMENT_RULES = {
    "required_together": [list(STATIC), ["timezone", "zonename"]],
    "required_if": [("dhcp", False, list(STATIC))],
}

READS = ("summary", "get_miner_info")
SUBSETS = ("identity",)


def desired(params: dict, host: str) -> dict:
    want = {}
    if params["ip"] is not None:
        if params["dhcp"]:
            raise InvalidOption(host, "dhcp", "dhcp: true cannot be combined with a static ip, netmask, "
                                              "gateway and dns")
        want.update(dhcp=False, ip=_address(host, "ip", params["ip"]),
                    netmask=_netmask(host, params["netmask"]), gateway=_address(host, "gateway", params["gateway"]),
                    dns=_dns(host, params["dns"]))
    elif params["dhcp"]:
        want["dhcp"] = True
    if params["hostname"] is not None:
        if not HOSTNAME.match(params["hostname"]):
            raise InvalidOption(host, "hostname", f"{params['hostname']!r} is not a hostname: letters, digits, "
                                                  "'-' and '.', at most 63, starting and ending with a letter or digit")
        want["hostname"] = params["hostname"]
    for name in ("timezone", "zonename"):
        if params[name] is not None:
            if not ZONE.match(params[name]):
                raise InvalidOption(host, name, f"{params[name]!r} is not a time zone (e.g. timezone CST-8, "
                                                "zonename Asia/Shanghai)")
            want[name] = params[name]
    return want


def _address(host, option, value) -> str:
    try:
        return str(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        raise InvalidOption(host, option, f"{value!r} is not an IPv4 address") from None


def _netmask(host, value) -> str:
    mask = _address(host, "netmask", value)
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{mask}")
    except ValueError:
        raise InvalidOption(host, "netmask", f"{value!r} is not a netmask such as 255.255.255.0") from None
    return mask


def _dns(host, servers) -> list:
    if not 1 <= len(servers) <= 3:
        raise InvalidOption(host, "dns", f"give one to three DNS servers (got {len(servers)})")
    return [_address(host, "dns", server) for server in servers]


def read(client, params: dict) -> Reading:  # pylint: disable=unused-argument
    """The joined V2 read; on a V3 miner also get.system.setting (hostname, timezone, zonename)."""
    reading = joined_read(client, READS, SUBSETS)
    if getattr(client, "api", "v2") == "v3":
        reading.state["api"] = "v3"
        system = client.read_v3("get.system.setting") or {}
        for name in ("hostname", "timezone", "zonename"):
            value = system.get(name)
            if isinstance(value, str) and value.strip():
                reading.state[name] = value.strip()
    return reading


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    state = reading.state
    have = known(dhcp=state.get("dhcp"), ip=state.get("ip"), netmask=state.get("netmask"),
                 gateway=state.get("gateway"), dns=state.get("dns"), hostname=state.get("hostname"),
                 timezone=state.get("timezone"), zonename=state.get("zonename"))
    if state.get("api") == "v3":
        have["api"] = "v3"  # not a setting (never in want): tells plan() that net_config carries no hostname
    return have


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    steps = []
    network = [name for name in NETWORK if name in differ]
    # V2's net_config carries the hostname for a static address only; with DHCP, or through V3 (whose
    # set.system.net_config has no hostname), it is set on its own, first
    if "hostname" in differ and (not network or want["dhcp"] or have.get("api") == "v3"):
        steps.append(Step("set_hostname", {"hostname": want["hostname"]}, ("hostname",)))
    if "timezone" in differ or "zonename" in differ:
        steps.append(Step("set_zone", {"timezone": want["timezone"], "zonename": want["zonename"]},
                          ("timezone", "zonename")))
    if network and want["dhcp"]:
        steps.append(Step("net_config", {"param": "dhcp"}, ("dhcp",), restarts="network",
                          note="with DHCP the miner may get another address; the module looks for it at the current "
                               "one: if it moved, find it again with the inventory plugin (hosts are named by MAC)"))
    elif network:
        hostname = want.get("hostname", have.get("hostname", ""))
        settings = STATIC + ("dhcp",) + (("hostname",) if "hostname" in want else ())
        steps.append(Step("net_config", {"ip": want["ip"], "mask": want["netmask"], "gate": want["gateway"],
                                         "dns": " ".join(want["dns"]), "host": hostname},
                          settings, restarts="network", address=want["ip"]))
    return steps


run = runner(__name__)
