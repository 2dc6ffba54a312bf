"""API V3 system settings on 4433: `get.system.setting` and the writes with no V2 twin (docs/protocol_v3.md).

`get.system.setting` answers the shape of matroskin's get.system.setting example (crate 0.1.0,
docs/api-doc/get.system.setting.md): `web-pool` 1/0, `timezone`, `zonename`, `hostname`, `log-upload`
{ip, port as a string, proto}, `time-randomized` {start, stop}, `ntp-server`. Tether's mock
(mock/cmds-v3/get.system.setting.js) answers fewer keys (hostname, timezone, led-mode, mac); we follow
matroskin, whose get.* commands were tried on hardware.

`set.system.time_randomized` (matroskin docs/api-doc/set.system.time_randomized.md; Tether mock
set.system.time_randomized.js) has no V2 command: it is carried out here, into the miner's settings.
"""

from __future__ import annotations

import state as state_mod
import writes

# matroskin: "should not exceed 120"; Tether's mock refuses anything outside 0..120 with -1.
MAX_RANDOM_DELAY_S = 120


def time_randomized(settings) -> dict:
    return dict(settings.time_randomized)


def system_setting(view) -> dict:
    s = view.settings
    # no source shows log-upload before one is set: empty strings (simulator choice)
    log = s.rsyslog or {"ip": "", "port": "", "proto": ""}
    return {
        "web-pool": 1 if s.web_pools else 0,
        "timezone": s.timezone,
        "zonename": s.zonename,
        "hostname": s.hostname,
        "log-upload": {"ip": log["ip"], "port": str(log["port"]), "proto": log["proto"]},
        "time-randomized": time_randomized(s),
        "ntp-server": list(state_mod.DEFAULT_NTP),
    }


def _delay(param: dict, name: str) -> int:
    raw = param.get(name)
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).strip().lstrip("+").isdigit():
        raise writes.ParamError("invalid %s %r: seconds from 0 to %d" % (name, raw, MAX_RANDOM_DELAY_S))
    value = int(str(raw).strip())
    if not 0 <= value <= MAX_RANDOM_DELAY_S:
        raise writes.ParamError("invalid %s %d: seconds from 0 to %d" % (name, value, MAX_RANDOM_DELAY_S))
    return value


def set_time_randomized(miner, param) -> writes.Outcome:
    """param {"start": N, "stop": N}, each 0..120 s (numbers or numeric strings, as Tether's mock parseInt)."""
    if not isinstance(param, dict):
        return writes.Outcome(132, "invalid param: expected {start, stop}")
    try:
        delays = {"start": _delay(param, "start"), "stop": _delay(param, "stop")}
    except writes.ParamError as err:
        return writes.Outcome(132, str(err))
    miner.settings.time_randomized = delays
    return writes.Outcome()


# V3 writes carried out here: V3 command -> handler(miner, param) -> writes.Outcome.
WRITES = {"set.system.time_randomized": set_time_randomized}


def _net_config(param) -> tuple:
    """matroskin set.system.net_config: "dhcp", or {ip, netmask, gateway, dns}, no hostname (it stays as it is).
    matroskin says the device reboots to apply it; the simulator restarts the network as V2's net_config does
    (simulator choice: a client waits for the miner to answer again either way)."""
    if param == "dhcp":
        return "net_config", {"param": "dhcp"}
    if not isinstance(param, dict):
        raise writes.ParamError("invalid param: expected dhcp or {ip, netmask, gateway, dns}")
    return "net_config", {"ip": param.get("ip"), "mask": param.get("netmask"), "gate": param.get("gateway"),
                          "dns": param.get("dns")}


def _timezone(param) -> tuple:
    """matroskin set.system.timezone: param {timezone, zonename} (Tether's mock reads them at top level)."""
    if not isinstance(param, dict):
        raise writes.ParamError("invalid param: expected {timezone, zonename}")
    return "set_zone", {"timezone": param.get("timezone"), "zonename": param.get("zonename")}


def _log_upload(param) -> tuple:
    """matroskin set.log.upload (and Tether's mock): param {ip, port (a string), proto tcp|udp}: V2's load_log."""
    if not isinstance(param, dict):
        raise writes.ParamError("invalid param: expected {ip, port, proto}")
    return "load_log", {"ip": param.get("ip"), "port": param.get("port"), "proto": param.get("proto")}


# V3 writes that a V2 handler carries out: V3 command -> translate(param) -> (V2 command, V2 params).
TRANSLATED = {"set.system.net_config": _net_config, "set.system.timezone": _timezone, "set.log.upload": _log_upload}
