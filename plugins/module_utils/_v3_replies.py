# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""API V3 replies in the shape of the V2 replies ``_state.normalise`` reads (pure, no I/O).

Tether's ``wm-api-v3.js`` (``parseResponse``) reads V3 miners the same way: one set of V2-shaped
replies, whatever the API. Which V3 reply carries each V2 command (docs/protocol_v3.md, "Reads"):

- ``summary``, ``pools``, ``edevs``: ``get.miner.status`` with those sections ('+'-joined); hash
  rates come in TH/s and are given here in MH/s, as V2's summary and list-style edevs have them;
- ``devdetails`` (model), ``get_version``, ``get_miner_info``, ``get_psu``, ``get_error_code``:
  ``get.device.info``; V3 error entries carry a ``reason``, kept;
- ``status``: ``get.miner.setting``, with ``miner.working``, ``hash-percent`` and
  ``power-limit-set`` of get.device.info (as Tether's ``_getMinerSettingMerged``).

A value V3 does not report is left out, never invented, so it reads as not reported.
"""

from __future__ import annotations

MHS_PER_THS = 1e6

STATUS_SECTIONS = {"summary": "summary", "pools": "pools", "edevs": "edevs"}
FROM_DEVICE_INFO = frozenset(("devdetails", "get_version", "get_miner_info", "get_psu", "get_error_code"))
FROM_SETTING = frozenset(("status",))


def sources(commands) -> dict:
    """``{V3 request: (cmd, param)}`` needed for the V2 ``commands``."""
    wanted = set(commands)
    needed = {}
    sections = [name for name in ("summary", "pools", "edevs") if name in wanted]
    if "edevs" in wanted and "summary" not in sections:
        sections.insert(0, "summary")  # board temperatures live in the summary
    if sections:
        needed["status"] = ("get.miner.status", "+".join(sections))
    if wanted & (FROM_DEVICE_INFO | FROM_SETTING | {"summary", "edevs"}):
        needed["info"] = ("get.device.info", None)
    if wanted & (FROM_SETTING | {"summary", "get_miner_info"}):
        needed["setting"] = ("get.miner.setting", None)
    return needed


def _ok(msg: dict) -> dict:
    return {"STATUS": "S", "Code": 131, "Msg": msg}


def _rows(key: str, rows: list) -> dict:
    return {"STATUS": [{"STATUS": "S", "Code": 131}], key: rows}


def _put(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def _mhs(value):
    return value * MHS_PER_THS if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _ghs(value):
    return value * 1000 if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _section(msg, name: str) -> dict:
    value = msg.get(name) if isinstance(msg, dict) else None
    return value if isinstance(value, dict) else {}


def as_v2(commands, status: dict | None, info: dict | None, setting: dict | None) -> dict:
    """``{V2 command: V2-shaped reply, or None when the V3 reply it needs did not come}``.

    ``status``, ``info`` and ``setting`` are the ``msg`` of get.miner.status, get.device.info and
    get.miner.setting (None when not read or answered with an error).
    """
    build = {
        "summary": lambda: _summary(status, info, setting) if isinstance(status, dict) and "summary" in status else None,
        "pools": lambda: _pools(status) if isinstance(status, dict) and isinstance(status.get("pools"), list) else None,
        "edevs": lambda: _edevs(status, info) if isinstance(status, dict) and isinstance(status.get("edevs"), list) else None,
        "devdetails": lambda: _devdetails(info) if info is not None else None,
        "get_version": lambda: _version(info) if info is not None else None,
        "get_miner_info": lambda: _miner_info(info, setting) if info is not None else None,
        "get_psu": lambda: _psu(info) if info is not None else None,
        "get_error_code": lambda: _error_code(info) if info is not None else None,
        "status": lambda: _status(setting, info) if setting is not None else None,
    }
    return {command: build[command]() if command in build else None for command in commands}


def _summary(status: dict, info: dict | None, setting: dict | None) -> dict:
    s = status.get("summary") if isinstance(status.get("summary"), dict) else {}
    out = {}
    for v2, v3 in (("Elapsed", "elapsed"), ("Uptime", "bootup-time"), ("Power", "power-5min"),
                   ("Power Limit", "power-limit"), ("Env Temp", "environment-temperature"),
                   ("Chip Temp Min", "chip-temp-min"), ("Chip Temp Max", "chip-temp-max"),
                   ("Chip Temp Avg", "chip-temp-avg"), ("Fan Speed In", "fan-speed-in"),
                   ("Fan Speed Out", "fan-speed-out"), ("Power Rate", "power-rate")):
        _put(out, v2, s.get(v3))
    if "Power" not in out:
        _put(out, "Power", s.get("power-realtime"))
    for v2, v3 in (("MHS av", "hash-average"), ("MHS 1m", "hash-1min"), ("MHS 15m", "hash-15min"),
                   ("HS RT", "hash-realtime")):
        _put(out, v2, _mhs(s.get(v3)))
    _put(out, "Factory GHS", _ghs(s.get("factory-hash")))
    info = info if isinstance(info, dict) else {}
    _put(out, "MAC", _section(info, "network").get("mac"))
    _put(out, "Firmware Version", _section(info, "system").get("fwversion"))
    _put(out, "Btminer Fast Boot", _section(info, "miner").get("fast-boot"))
    _put(out, "Power Mode", (setting or {}).get("power-mode"))
    return _ok(out)


def _pools(status: dict) -> dict:
    rows = []
    for pool in status["pools"]:
        if not isinstance(pool, dict):
            continue
        row = {}
        _put(row, "POOL", pool.get("id"))
        _put(row, "URL", pool.get("url"))
        _put(row, "User", pool.get("account"))
        state = pool.get("status")
        _put(row, "Status", state.capitalize() if isinstance(state, str) else None)
        _put(row, "Priority", pool.get("pool-priority"))
        _put(row, "Stratum Active", pool.get("stratum-active"))
        rows.append(row)
    return _rows("POOLS", rows)


def _edevs(status: dict, info: dict | None) -> dict:
    summary = status.get("summary") if isinstance(status.get("summary"), dict) else {}
    temperatures = summary.get("board-temperature") if isinstance(summary.get("board-temperature"), list) else []
    miner = _section(info, "miner")
    rows = []
    for index, board in enumerate(status["edevs"]):
        if not isinstance(board, dict):
            continue
        slot = board.get("id", index)
        row = {"ASC": index}
        _put(row, "Slot", slot)
        if isinstance(slot, int) and 0 <= slot < len(temperatures):
            _put(row, "Temperature", temperatures[slot])
        _put(row, "MHS av", _mhs(board.get("hash-average")))
        _put(row, "Factory GHS", _ghs(board.get("factory-hash")))
        _put(row, "Effective Chips", board.get("effective-chips"))
        _put(row, "Chip Frequency", board.get("freq"))
        for v2, v3 in (("Chip Temp Min", "chip-temp-min"), ("Chip Temp Max", "chip-temp-max"),
                       ("Chip Temp Avg", "chip-temp-avg")):
            _put(row, v2, board.get(v3))
        _put(row, "PCB SN", miner.get(f"pcbsn{slot}"))
        rows.append(row)
    return _rows("DEVS", rows)


def _devdetails(info: dict) -> dict:
    model = _section(info, "miner").get("type")
    return _rows("DEVDETAILS", [{"Model": model}] if model else [])


def _version(info: dict) -> dict:
    system, miner = _section(info, "system"), _section(info, "miner")
    out = {}
    _put(out, "api_ver", system.get("api"))
    _put(out, "fw_ver", system.get("fwversion"))
    _put(out, "platform", system.get("platform"))
    _put(out, "miner_type", miner.get("type"))
    return _ok(out)


def _miner_info(info: dict, setting: dict | None) -> dict:
    network, system = _section(info, "network"), _section(info, "system")
    out = {}
    for key in ("ip", "proto", "netmask", "gateway", "dns", "hostname", "mac"):
        _put(out, key, network.get(key))
    _put(out, "ledstat", system.get("ledstatus"))
    _put(out, "minersn", _section(info, "miner").get("miner-sn"))
    _put(out, "powersn", _section(info, "power").get("sn"))
    _put(out, "upfreq_speed", (setting or {}).get("upfreq-speed"))
    return _ok(out)


def _psu(info: dict) -> dict:
    power = _section(info, "power")
    out = {}
    for v2, v3 in (("name", "type"), ("model", "model"), ("hw_version", "hwversion"), ("sw_version", "swversion"),
                   ("serial_no", "sn"), ("vendor", "vendor"), ("fan_speed", "fanspeed"), ("vin", "vin"), ("iin", "iin")):
        _put(out, v2, power.get(v3))
    return _ok(out)


def _error_code(info: dict) -> dict:
    listed = info.get("error-code") if isinstance(info, dict) else None
    return _ok({"error_code": listed if isinstance(listed, list) else []})


def _status(setting: dict, info: dict | None) -> dict:
    miner = _section(info, "miner")
    out = {}
    working = miner.get("working")
    if working in ("true", "false"):
        out["mineroff"] = "false" if working == "true" else "true"
    _put(out, "power_mode", setting.get("power-mode"))
    # the limit as set, where firmware reports it (Tether merges miner.power-limit-set into status)
    _put(out, "power_limit_set", miner.get("power-limit-set"))
    _put(out, "power_pct", setting.get("power-percent"))
    _put(out, "hash_percent", _first(setting.get("target-freq"), miner.get("hash-percent")))
    _put(out, "FirmwareVersion", _section(info, "system").get("fwversion"))
    return _ok(out)


def _first(*values):
    return next((value for value in values if value is not None), None)
