# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_settings: the miner settings that API V2 can write but never reports back.

None of ``web_pools``, ``btminer_init``, ``temp_offset``, ``poweroff_cool``, ``fan_zero_speed``,
``heat_mode`` or ``syslog`` has a V2 readback (protocol.md 11), so on a V2 miner nothing is read: every
option the task sets is sent, on every run, and listed under ``unverifiable``. On a miner read through
API V3, ``get.miner.setting`` reports ``heat-mode`` (Tether ``wm-api-v3.js`` / mock ``get.miner.setting.js``,
pyasic ``get_miner_setting``), ``get.fan.setting`` the fan options (matroskin's get.fan.setting page, Tether
mock ``get.fan.setting.js``) and ``get.system.setting`` ``web-pool``, ``log-upload`` and ``time-randomized``
(matroskin's get.system.setting page): those are then compared, sent only when they differ and verified;
only ``btminer_init`` stays unverifiable. ``time_randomized`` exists only in API V3
(``set.system.time_randomized``, matroskin): on a V2 miner the task fails before anything is sent.
Through V3, ``web_pools`` and ``syslog`` are written with ``set.system.webpools`` and ``set.log.upload``
(matroskin documents both; the facade's WRITES); the heat mode and fan writes stay V2's (port 4028), as no
source shows V3's heat mode names for every V2 mode. Nothing restarts; the vendor says ``temp_offset`` takes
effect at the next start of the miner.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    InvalidOption,
    Reading,
    Step,
    runner,
)

# The manual's set_heat_mode names (3.30): anti-icing (also called anti-freezing), heating, power-keeping.
HEAT_MODES = ("anti-icing", "heating", "power-keeping")
# V3 get.miner.setting heat-mode -> the module's name. Tether's mock set.miner.heat_mode takes heating, normal
# and anti-freezing; anti-freezing is the manual's other name of anti-icing. V3's "normal" is left out: no
# source says which V2 mode it is, so a miner reporting it leaves heat_mode unverifiable.
V3_HEAT_MODES = {"anti-freezing": "anti-icing", "anti-icing": "anti-icing", "heating": "heating",
                 "power-keeping": "power-keeping"}
# V3 get.fan.setting keys per option: matroskin's get.fan.setting example first, then Tether's mock.
FAN_KEYS = {
    "poweroff_cool": ("fan-poweroff-cool", "poweroff-cool"),
    "fan_zero_speed": ("fan-zero-speed", "zero-speed"),
    "temp_offset": ("fan-temp-offset", "temp-offset"),
}
TOGGLES = {
    "web_pools": ("enable_web_pools", "disable_web_pools"),
    "btminer_init": ("enable_btminer_init", "disable_btminer_init"),
}
FLAGS = {"poweroff_cool": "set_poweroff_cool", "fan_zero_speed": "set_fan_zero_speed"}
# get.system.setting (matroskin) reports these; time_randomized is V3's only (set.system.time_randomized).
SYSTEM_SETTINGS = ("web_pools", "syslog", "time_randomized")
# What a miner read through API V3 reports back (roles/farm_state/vars/main.yml keeps the same list).
V3_READABLE = ("web_pools", "temp_offset", "poweroff_cool", "fan_zero_speed", "heat_mode", "syslog", "time_randomized")
MAX_RANDOM_DELAY_S = 120  # matroskin set.system.time_randomized: "should not exceed 120"

ARGUMENT_SPEC = {
    "web_pools": {"type": "bool"},
    "btminer_init": {"type": "bool"},
    "temp_offset": {"type": "int"},
    "poweroff_cool": {"type": "bool"},
    "fan_zero_speed": {"type": "bool"},
    "heat_mode": {"type": "str", "choices": list(HEAT_MODES)},
    "syslog": {
        "type": "dict",
        "options": {
            "ip": {"type": "str", "required": True},
            "port": {"type": "int", "default": 514},
            "proto": {"type": "str", "default": "udp", "choices": ["tcp", "udp"]},
        },
    },
    "time_randomized": {
        "type": "dict",
        "options": {
            "start": {"type": "int", "required": True},
            "stop": {"type": "int", "required": True},
        },
    },
}
ARGUMENT_RULES = {"required_one_of": [list(ARGUMENT_SPEC)]}


def desired(params: dict, host: str) -> dict:
    want = {name: params[name] for name in ARGUMENT_SPEC if params[name] is not None}
    if "temp_offset" in want and not -30 <= want["temp_offset"] <= 0:
        raise InvalidOption(host, "temp_offset", f"must be from -30 to 0 (degrees C), got {want['temp_offset']}")
    if "syslog" in want:
        syslog = want["syslog"]
        try:
            ipaddress.IPv4Address(syslog["ip"])
        except ValueError:
            raise InvalidOption(host, "syslog", f"ip {syslog['ip']!r} is not an IPv4 address") from None
        if not 1 <= syslog["port"] <= 65535:
            raise InvalidOption(host, "syslog", f"port must be from 1 to 65535, got {syslog['port']}")
    if "time_randomized" in want:
        for name in ("start", "stop"):
            value = want["time_randomized"][name]
            if not 0 <= value <= MAX_RANDOM_DELAY_S:
                raise InvalidOption(host, "time_randomized", f"{name} must be from 0 to {MAX_RANDOM_DELAY_S} "
                                                             f"(seconds), got {value}")
    return want


def read(client, params: dict) -> Reading:
    """API V2 reports none of these settings; API V3 reports all but btminer_init."""
    if getattr(client, "api", "v2") != "v3":
        if params.get("time_randomized") is not None:
            raise InvalidOption(client.host, "time_randomized",
                                "needs API V3 firmware (set.system.time_randomized); this miner is read through "
                                "API V2 (no V3 answer, or api: v2)")
        return Reading({})
    state = {}
    if any(params.get(name) is not None for name in SYSTEM_SETTINGS):
        state.update(_system_settings(client.read_v3("get.system.setting") or {}))
    if params.get("heat_mode") is not None:
        setting = client.read_v3("get.miner.setting") or {}
        reported = setting.get("heat-mode")
        _put(state, "heat_mode", V3_HEAT_MODES.get(reported.strip().lower()) if isinstance(reported, str) else None)
    if any(params.get(name) is not None for name in FAN_KEYS):
        fan = client.read_v3("get.fan.setting") or {}
        for name, keys in FAN_KEYS.items():
            value = next((fan[key] for key in keys if key in fan), None)
            _put(state, name, _offset(value) if name == "temp_offset" else _flag(value))
    return Reading(state)


def _system_settings(system: dict) -> dict:
    """web_pools, syslog and time_randomized as get.system.setting reports them (matroskin's example)."""
    state = {}
    _put(state, "web_pools", _flag(system.get("web-pool")))
    log = system.get("log-upload")
    if isinstance(log, dict):
        port = _number(log.get("port"))
        ip, proto = log.get("ip"), log.get("proto")
        if isinstance(ip, str) and isinstance(proto, str):
            # no upload set yet reads as empty strings: a value that differs from any wanted one
            state["syslog"] = {"ip": ip.strip(), "port": port, "proto": proto.strip().lower()}
    delays = system.get("time-randomized")
    if isinstance(delays, dict):
        start, stop = _number(delays.get("start")), _number(delays.get("stop"))
        if start is not None and stop is not None:
            state["time_randomized"] = {"start": start, "stop": stop}
    return state


def _number(value):
    """An integer sent as a JSON number or as decimal text (matroskin's log-upload port is a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isdigit() else None


def _put(state: dict, name: str, value) -> None:
    if value is not None:
        state[name] = value


def _flag(value):
    """1/0 (matroskin's example) or true/false (Tether's mock); anything else is not a reading."""
    if isinstance(value, bool):
        return value
    return {0: False, 1: True}.get(value) if isinstance(value, int) else None


def _offset(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    return dict(reading.state)


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    steps = []
    for name, (on, off) in TOGGLES.items():
        if name in differ:
            steps.append(Step(on if want[name] else off, {}, (name,)))
    for name, command in FLAGS.items():
        if name in differ:
            steps.append(Step(command, {name: "1" if want[name] else "0"}, (name,)))
    if "temp_offset" in differ:
        steps.append(Step("set_temp_offset", {"temp_offset": str(want["temp_offset"])}, ("temp_offset",),
                          note="temp_offset takes effect the next time the miner starts"))
    if "heat_mode" in differ:
        steps.append(Step("set_heat_mode", {"mode": want["heat_mode"]}, ("heat_mode",)))
    if "syslog" in differ:
        syslog = want["syslog"]
        steps.append(Step("load_log", {"ip": syslog["ip"], "port": str(syslog["port"]), "proto": syslog["proto"]},
                          ("syslog",)))
    if "time_randomized" in differ:
        steps.append(Step("set.system.time_randomized", dict(want["time_randomized"]), ("time_randomized",)))
    return steps


run = runner(__name__)
