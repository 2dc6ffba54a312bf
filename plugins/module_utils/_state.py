# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Readable replies -> one normalised state model (protocol.md sections 10 and 11).

Pure functions, no I/O and no Ansible objects: the facts module, the inventory plugin and the
config modules (for their diffs) all read a miner through ``normalise()``.

``replies`` maps a command name to its reply as ``decode_json`` returned it, or to None when the
command failed or was not sent. A reply with ``STATUS: E`` (e.g. ``devdetails`` Code 132 on
2024-11+ firmware) counts as not reported. A value the firmware does not report is None; it is
never guessed. Strings the miner reports (hostname, pool URL, model, ...) are returned as they
came, except for the normalisations listed below.

Subsets (``gather_subset``), the keys each one adds and the commands it reads (``READS``):

``identity``
    ``model``, ``model_raw``, ``firmware_version``, ``api_version``, ``platform``, ``mac``,
    ``serial``, ``hostname``, ``ip``, ``dhcp``, ``netmask``, ``gateway``, ``dns``, ``led``.
    Reads get_version, get_miner_info, devdetails and summary (MAC and firmware on old firmware).
``mining``
    ``is_mining``, ``power_mode``, ``power_limit_w``, ``power_limit_set``, ``power_pct``,
    ``power_w``, ``target_freq_pct``, ``upfreq_speed``, ``hashrate_ths``,
    ``factory_hashrate_ths``, ``temperature``, ``fans``, ``uptime_s``, ``fast_boot``.
    Reads summary, status and get_miner_info.
``pools``
    ``pools``. Reads pools.
``hashboards``
    ``hashboards``. Reads edevs, and summary to tell the unit of the per-board figures.
``psu``
    ``psu``. Reads get_psu; get_miner_info for the PSU serial and summary for input voltage,
    current and PSU fan where get_psu lacks them (older firmware).
``errors``
    ``errors``. Reads get_error_code, and summary (where firmware before API 2.0.4 lists them).
    Each error is ``{code, time}``, plus ``reason`` where the firmware gives one (API V3).
``all``
    Every subset above (the default). ``identity`` + ``mining`` is what an inventory scan needs:
    summary, get_version, get_miner_info, devdetails and status.
``raw``
    ``raw``: every reply as parsed, keyed by command (None for a command that failed). Reads every
    command above, so that the dump is complete. Never part of ``all``: ``['all', 'raw']`` adds it,
    ``['raw']`` alone gives only ``raw``.

A name prefixed with ``!`` is excluded (``['all', '!psu']``); a list of exclusions only starts
from ``all``, and as in Ansible a name asked for explicitly survives the exclusions
(``['!all', 'pools']`` is pools only). Keys of subsets that were not asked for are absent, not None.

Normalisations:

- Hash rates are in TH/s (rounded to 0.001) whatever unit the firmware used; how the unit is
  told is explained at ``_board_scale``.
- ``firmware_version``: single quotes stripped (``"'20210322.22.REL'"`` -> ``20210322.22.REL``).
- ``api_version``: the old daemon's ``"whatsminer v1.4.0"`` becomes ``1.4.0``, as pyasic does, so
  it compares with the ``2.0.5`` style of newer firmware.
- ``model``: ``devdetails`` Model with ``_`` removed and a final digit set to ``0``, as pyasic and
  asic-rs normalise it (``M56S_VH31`` -> ``M56SVH30``); ``model_raw`` is the string reported.
- ``power_mode``: lowercase ``low``/``normal``/``high``; anything else (``""``) is None.
- PSU figures: ``vin`` (10 mV) in V, ``iin`` (mA) in A, numeric strings as numbers.
- ``dns``: the space-separated string as a list.

Where two replies carry the same thing, the first that reports it wins:

- ``firmware_version``: get_version ``fw_ver``, status ``FirmwareVersion`` / ``Firmware Version``,
  summary ``Firmware Version``.
- ``model``: devdetails ``Model``, get_version ``miner_type`` (manual V2.2).
- ``is_mining``: status ``mineroff`` / ``btmineroff``, else summary ``MHS av`` > 0.
- ``power_mode``: status ``power_mode`` (the setting, newer firmware), summary ``Power Mode``.
- ``mac``: get_miner_info ``mac``, summary ``MAC``.
- ``errors``: get_error_code (API >= 2.0.4), summary ``Error Code N`` (factory codes left out).

Replies cut off, and floods (``truncated``):

Real firmware cuts off a summary that overflows with error entries, and with it the rest of a
'+'-joined read, and can cut off get_error_code (protocol.md 10.4). ``decode_json`` closes such a
reply and marks every object the cut left open (``_protocol.CUT``); a part of a joined read that
never arrived is an object of which nothing arrived. A fact that such a reply would have given is
then unknown, never a shorter list or a null presented as what the miner reports:

- ``errors`` is None when the error list was cut (the summary's is whole only when its
  ``Error Code Count`` and every entry it counts arrived); ``pools``, ``hashboards`` and (unless
  get_version gives it) ``model`` are None when their reply was cut; a value read from the summary
  is None when its key never arrived.
- ``truncated`` lists, sorted, the facts left None for that reason (``"errors"``,
  ``"power_limit_w"``, ``"temperature.chip_max_c"``, ...). It is also where a fact goes that a miner
  floods: more than ``MAX_POOLS`` pools, ``MAX_BOARDS`` boards or ``MAX_ERRORS`` errors make that
  fact None rather than a list cut short. The key is present only when the list is not empty.

A figure no miner reports (not finite, or beyond 1e15 in magnitude) counts as not reported.
"""

from __future__ import annotations

import math
import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import is_cut, status_of

SUBSETS = ("identity", "mining", "pools", "hashboards", "psu", "errors", "raw")
VALID_SUBSETS = ("all",) + SUBSETS
DEFAULT_SUBSETS = frozenset(name for name in SUBSETS if name != "raw")

# Every command the model reads, in the order they are sent: the joinable btminer ones first.
COMMAND_ORDER = (
    "summary", "pools", "edevs", "devdetails", "get_version", "get_miner_info", "status",
    "get_psu", "get_error_code",
)

READS = {
    "identity": ("get_version", "get_miner_info", "devdetails", "summary"),
    "mining": ("summary", "status", "get_miner_info"),
    "pools": ("pools",),
    "hashboards": ("edevs", "summary"),
    "psu": ("get_psu", "get_miner_info", "summary"),
    "errors": ("get_error_code", "summary"),
    "raw": COMMAND_ORDER,
}

POWER_MODES = frozenset(("low", "normal", "high"))

MHS_PER_THS = 1e6

# Real miners have 3 pool slots, 3 or 4 boards and, at worst, hundreds of error entries.
MAX_POOLS = 100
MAX_BOARDS = 100
MAX_ERRORS = 1000
# Beyond any figure a miner reports, and small enough that no sum or product of them overflows.
_LARGEST = 1e15
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_SUMMARY_ERROR = re.compile(r"Error Code (0|[1-9][0-9]{0,8})\Z")

# The facts read from a summary key (where no other reply reported them): unknown, when the
# summary was cut off before that key.
_FROM_SUMMARY = (
    ("mac", "MAC"),
    ("firmware_version", "Firmware Version"),
    ("is_mining", "MHS av"),
    ("power_mode", "Power Mode"),
    ("power_limit_w", "Power Limit"),
    ("power_w", "Power"),
    ("hashrate_ths", "MHS av"),
    ("factory_hashrate_ths", "Factory GHS"),
    ("temperature.env_c", "Env Temp"),
    ("temperature.chip_min_c", "Chip Temp Min"),
    ("temperature.chip_max_c", "Chip Temp Max"),
    ("temperature.chip_avg_c", "Chip Temp Avg"),
    ("fans.in_rpm", "Fan Speed In"),
    ("fans.out_rpm", "Fan Speed Out"),
    ("uptime_s", "Uptime"),
    ("fast_boot", "Btminer Fast Boot"),
    ("psu.vin_v", "Power Voltage Input"),
    ("psu.iin_a", "Power Current Input"),
    ("psu.fan_rpm", "Power Fanspeed"),
)


def resolve_subsets(requested=None) -> frozenset:
    """The subset names a ``gather_subset`` list stands for; ValueError on an unknown name."""
    if requested is None:
        return DEFAULT_SUBSETS
    if isinstance(requested, str):
        requested = [requested]
    include, exclude, explicit = set(), set(), set()
    for item in requested:
        name = str(item).strip()
        negated = name.startswith("!")
        name = name[1:] if negated else name
        if name not in VALID_SUBSETS:
            raise ValueError(f"unknown gather_subset '{item}'; valid names: {', '.join(VALID_SUBSETS)} (each may be prefixed with '!')")
        names = DEFAULT_SUBSETS if name == "all" else {name}
        (exclude if negated else include).update(names)
        if not negated and name != "all":
            explicit.add(name)
    if not include:
        include = set(DEFAULT_SUBSETS)
    # As in Ansible's gather_subset, a name asked for explicitly survives the exclusions.
    return frozenset(include - (exclude - explicit))


def commands_for(subsets) -> tuple:
    """The commands to send for ``subsets`` (names or a ``gather_subset`` list), each once."""
    wanted = set()
    for name in resolve_subsets(subsets):
        wanted.update(READS[name])
    return tuple(command for command in COMMAND_ORDER if command in wanted)


def normalise(replies: dict, subset=None) -> dict:
    """The state model for the requested subsets (all but ``raw`` when ``subset`` is None)."""
    subsets = resolve_subsets(subset)
    replies = replies if isinstance(replies, dict) else {}
    views = _Views(replies)
    state = {}
    for name, build in _BUILDERS:
        if name in subsets:
            state.update(build(views))
    truncated = sorted(_truncated(views, state))
    if truncated:
        state["truncated"] = truncated
    if "raw" in subsets:
        state["raw"] = _copy_tree(replies)
    return state


class _Views:
    """The parts of each reply the builders read; empty where a command failed or was not sent.

    ``*_cut`` say which of them a cut-off reply left incomplete; builders add to ``lost`` the
    facts they leave None for that reason, or because a miner flooded them.
    """

    def __init__(self, replies: dict):
        summary = replies.get("summary")
        self.summary = _summary_fields(summary)
        # a summary cut off after its row is whole; one cut before the row arrived is not
        self.summary_cut = is_cut(self.summary) or is_cut(summary) and not self.summary
        self.status = _msg(replies.get("status"))
        self.version = _msg(replies.get("get_version"))
        self.info = _msg(replies.get("get_miner_info"))
        self.psu = _msg(replies.get("get_psu"))
        error_code = replies.get("get_error_code")
        self.error_code = _msg(error_code)
        self.error_code_cut = is_cut(self.error_code) or is_cut(error_code) and not self.error_code
        self.details = _rows(replies.get("devdetails"), "DEVDETAILS")
        self.details_cut = is_cut(replies.get("devdetails"))
        self.pools = _rows(replies.get("pools"), "POOLS")
        self.pools_cut = is_cut(replies.get("pools"))
        boards = replies.get("edevs")
        if _rows(boards, "DEVS") is None and not is_cut(boards):
            boards = replies.get("devs")
        self.boards = _rows(boards, "DEVS")
        self.boards_cut = is_cut(boards)
        self.lost = set()


def _usable(reply) -> bool:
    return isinstance(reply, dict) and status_of(reply)[0] != "E"


def _msg(reply) -> dict:
    """``Msg`` of a successful daemon-style reply."""
    if not _usable(reply) or not isinstance(reply.get("Msg"), dict):
        return {}
    return reply["Msg"]


def _summary_fields(reply) -> dict:
    """Summary fields from the list style (``SUMMARY[0]``) or the flat ``Msg`` of 2024-11+ firmware."""
    rows = _rows(reply, "SUMMARY")
    if rows:
        return rows[0]
    return _msg(reply)


def _rows(reply, key: str) -> list | None:
    """The list of records under ``key``; None when the command is not reported."""
    if not _usable(reply):
        return None
    rows = reply.get(key)
    if rows is None and isinstance(reply.get("Msg"), dict):
        rows = reply["Msg"].get(key)
    if not isinstance(rows, list):
        return None
    return [row for row in rows if isinstance(row, dict)]


# ---- value conversions -------------------------------------------------------------------------

def _number(value):
    """An int or float from a JSON number or a numeric string; None otherwise (``""``, NaN, bool, 1e400)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40:
            return None
        if _INTEGER.match(text):
            value = int(text)
        elif _DECIMAL.match(text):
            value = float(text)
        else:
            return None
    if isinstance(value, int):
        return value if -_LARGEST <= value <= _LARGEST else None
    if isinstance(value, float) and math.isfinite(value) and abs(value) <= _LARGEST:
        return value
    return None


def _scaled(value, factor: float, digits: int):
    number = _number(value)
    return None if number is None else round(number * factor, digits)


def _text(value) -> str | None:
    """A reported string unchanged; None when absent or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if -_LARGEST <= value <= _LARGEST else None
    if isinstance(value, str) and value.strip():
        return value
    return None


def _flag(value, true: str, false: str) -> bool | None:
    text = str(value).strip().lower() if isinstance(value, str) else None
    return {true: True, false: False}.get(text)


def _first(*values):
    for value in values:
        if value is not None:
            return value
    return None


def _lost(views: _Views, fact: str, lost: bool = True) -> None:
    """None for ``fact``, noted in ``truncated`` when ``lost`` (a cut-off reply, a flood)."""
    if lost:
        views.lost.add(fact)


# ---- identity ----------------------------------------------------------------------------------

def _identity(views: _Views) -> dict:
    model_raw = _first(_reported_model(views.details), _text(views.version.get("miner_type")))
    return {
        "model": _normalised_model(model_raw),
        "model_raw": model_raw,
        "firmware_version": _firmware_version(views),
        "api_version": _api_version(views.version.get("api_ver")),
        "platform": _text(views.version.get("platform")),
        "mac": _first(_text(views.info.get("mac")), _text(views.summary.get("MAC"))),
        "serial": _text(views.info.get("minersn")),
        "hostname": _text(views.info.get("hostname")),
        "ip": _text(views.info.get("ip")),
        "dhcp": _flag(views.info.get("proto"), "dhcp", "static"),
        "netmask": _text(views.info.get("netmask")),
        "gateway": _text(views.info.get("gateway")),
        "dns": _dns(views.info.get("dns")),
        "led": _text(views.info.get("ledstat")),
    }


def _reported_model(details: list | None) -> str | None:
    for row in details or ():
        model = _text(row.get("Model"))
        if model:
            return model
    return None


def _normalised_model(model: str | None) -> str | None:
    if model is None:
        return None
    model = model.replace("_", "")
    if model[-1:].isascii() and model[-1:].isdigit():
        model = model[:-1] + "0"
    return model


def _firmware_version(views: _Views) -> str | None:
    for value in (views.version.get("fw_ver"), views.status.get("FirmwareVersion"),
                  views.status.get("Firmware Version"), views.summary.get("Firmware Version")):
        text = _text(value)
        if text and text.strip("'").strip():
            return text.strip("'").strip()
    return None


def _api_version(value) -> str | None:
    text = _text(value)
    prefix = "whatsminer v"
    if text and text.lower().startswith(prefix):
        return text[len(prefix):]
    return text


def _dns(value) -> list | None:
    if not isinstance(value, str):
        return None
    return value.replace(",", " ").split()


# ---- mining ------------------------------------------------------------------------------------

def _mining(views: _Views) -> dict:
    summary, status = views.summary, views.status
    return {
        "is_mining": _is_mining(views),
        "power_mode": _first(_power_mode(status.get("power_mode")), _power_mode(summary.get("Power Mode"))),
        "power_limit_w": _number(summary.get("Power Limit")),
        "power_limit_set": _number(status.get("power_limit_set")),
        "power_pct": _number(status.get("power_pct")),
        "power_w": _number(summary.get("Power")),
        "target_freq_pct": _number(status.get("hash_percent")),
        "upfreq_speed": _number(views.info.get("upfreq_speed")),
        "hashrate_ths": _scaled(summary.get("MHS av"), 1 / MHS_PER_THS, 3),
        "factory_hashrate_ths": _scaled(summary.get("Factory GHS"), 1e-3, 3),
        "temperature": {
            "env_c": _number(summary.get("Env Temp")),
            "chip_min_c": _number(summary.get("Chip Temp Min")),
            "chip_max_c": _number(summary.get("Chip Temp Max")),
            "chip_avg_c": _number(summary.get("Chip Temp Avg")),
        },
        "fans": {
            "in_rpm": _number(summary.get("Fan Speed In")),
            "out_rpm": _number(summary.get("Fan Speed Out")),
        },
        "uptime_s": _number(summary.get("Uptime")),
        "fast_boot": _flag(summary.get("Btminer Fast Boot"), "enable", "disable"),
    }


def _is_mining(views: _Views) -> bool | None:
    """status ``mineroff`` (newer) or ``btmineroff`` (older); else whether summary shows hash rate."""
    for key in ("mineroff", "btmineroff"):
        off = _flag(views.status.get(key), "true", "false")
        if off is not None:
            return not off
    hashrate = _number(views.summary.get("MHS av"))
    return None if hashrate is None else hashrate > 0


def _power_mode(value) -> str | None:
    """Summary says "Normal", newer status says "normal"; status ``""`` means not reported."""
    mode = value.strip().lower() if isinstance(value, str) else None
    return mode if mode in POWER_MODES else None


# ---- pools -------------------------------------------------------------------------------------

def _pools(views: _Views) -> dict:
    if views.pools is None or views.pools_cut:
        return {"pools": _lost(views, "pools", views.pools_cut)}
    pools = []
    for row in views.pools:
        if not _text(row.get("URL")):
            continue
        if len(pools) == MAX_POOLS:
            return {"pools": _lost(views, "pools")}
        pools.append({
            "url": _text(row.get("URL")),
            "user": _text(row.get("User")),
            "status": _text(row.get("Status")),
            "priority": _number(row.get("Priority")),
        })
    return {"pools": pools}


# ---- hashboards --------------------------------------------------------------------------------

def _hashboards(views: _Views) -> dict:
    if views.boards is None or views.boards_cut:
        return {"hashboards": _lost(views, "hashboards", views.boards_cut)}
    if len(views.boards) > MAX_BOARDS:
        return {"hashboards": _lost(views, "hashboards")}
    scale = _board_scale(views.boards, views.summary)
    return {"hashboards": [
        {
            "slot": _first(_number(row.get("Slot")), _number(row.get("ASC")), index),
            "temperature_c": _number(row.get("Temperature")),
            "hashrate_ths": _scaled(row.get("MHS av"), scale, 3),
            "chips": _number(row.get("Effective Chips")),
            "frequency_mhz": _first(_number(row.get("Chip Frequency")), _number(row.get("Frequency"))),
            "serial": _text(row.get("PCB SN")),
        }
        for index, row in enumerate(views.boards)
    ]}


def _board_scale(boards: list, summary: dict) -> float:
    """The factor that turns the boards' ``MHS av`` into TH/s.

    Per-board figures are MH/s on every firmware except the 2024-11+ V2-compatible API, which keeps
    the key names but reports TH/s (protocol.md 10.1: boards 37.9 + 38.17 + 35.27 = summary
    111337976 MH/s). No version number marks the change reliably, so the unit is read from the
    numbers: the boards' total is compared with a total known to be in MH/s, the summary's
    ``MHS av``, else the boards' ``Factory GHS`` x 1000. In TH/s the boards' total is a million times
    smaller than that reference, in MH/s about equal; a factor of 1000 between them leaves a wide
    margin either way (boards warming up, a summary averaged since start). With no reference, a
    board figure of 1000 or more cannot be TH/s (no hashboard does a PH/s) and a smaller one is no
    real MH/s figure (1 GH/s).
    """
    rates = [rate for rate in (_number(row.get("MHS av")) for row in boards) if rate is not None]
    total = sum(rates)
    if total <= 0:
        return 1 / MHS_PER_THS
    reference = _number(summary.get("MHS av"))
    if not reference or reference <= 0:
        factory = [_number(row.get("Factory GHS")) for row in boards]
        reference = sum(value for value in factory if value) * 1000
    if reference > 0:
        in_ths = total * 1000 < reference
    else:
        in_ths = max(rates) < 1000
    return 1.0 if in_ths else 1 / MHS_PER_THS


# ---- psu ---------------------------------------------------------------------------------------

def _psu(views: _Views) -> dict:
    """get_psu (all strings; ``vin`` in 10 mV, ``iin`` in mA, ``vendor`` or ``vender``).

    Firmware whose get_psu has only name/model/versions reports the input voltage (V), current (A)
    and PSU fan in summary instead.
    """
    psu, summary = views.psu, views.summary
    return {"psu": {
        "model": _first(_text(psu.get("model")), _text(psu.get("name"))),
        "serial": _first(_text(psu.get("serial_no")), _text(views.info.get("powersn"))),
        "vendor": _first(_text(psu.get("vendor")), _text(psu.get("vender"))),
        "vin_v": _first(_scaled(psu.get("vin"), 0.01, 2), _number(summary.get("Power Voltage Input"))),
        "iin_a": _first(_scaled(psu.get("iin"), 0.001, 3), _number(summary.get("Power Current Input"))),
        "fan_rpm": _first(_number(psu.get("fan_speed")), _number(summary.get("Power Fanspeed"))),
        "temperature_c": _number(psu.get("temp0")),
    }}


# ---- errors ------------------------------------------------------------------------------------

def _errors(views: _Views) -> dict:
    listed = views.error_code.get("error_code")
    if views.error_code_cut:
        return {"errors": _lost(views, "errors")}
    if isinstance(listed, (list, dict)):
        errors = _listed_errors(listed)
    else:
        errors = _summary_errors(views.summary, views.summary_cut)
    if errors is _FLOODED or errors is _CUT_SHORT:
        return {"errors": _lost(views, "errors")}
    return {"errors": errors}


_FLOODED = object()
_CUT_SHORT = object()


def _listed_errors(listed):
    """get_error_code: a list of ``{code: time}`` objects, or one object on API 2.0.4 (repaired).

    API V3 entries also carry the firmware's ``reason`` (``{"264": time, "reason": "Power xfer
    error..."}``, asic-rs capture ``get_device_info_with_errors``): it is kept as ``reason``.
    """
    entries = [listed] if isinstance(listed, dict) else listed
    errors = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        reason = _text(entry.get("reason"))
        for key, when in entry.items():
            code = _error_code(key)
            if code is None:
                continue
            if len(errors) == MAX_ERRORS:
                return _FLOODED
            error = {"code": code, "time": _text(when)}
            if reason is not None:
                error["reason"] = reason
            errors.append(error)
    return errors


def _error_code(key) -> int | None:
    text = key.strip() if isinstance(key, str) else ""
    # ASCII digits only: str.isdigit() is also true of "²", which int() refuses
    if 0 < len(text) <= 9 and text.isascii() and text.isdigit():
        return int(text)
    return None


def _summary_errors(summary: dict, cut: bool):
    """Before API 2.0.4: ``Error Code Count`` and ``Error Code N`` (``Error N Time``) in summary.

    Only the entries present are visited, so a miner that claims a huge count costs nothing; a
    summary that was cut off is whole only when its count and every entry it counts arrived.
    """
    count = _number(summary.get("Error Code Count"))
    if count is None:
        return _CUT_SHORT if cut else None
    indexes = sorted(int(match.group(1)) for match in map(_summary_error_key, summary) if match)
    limit = int(count)
    wanted = [index for index in indexes if index < limit]
    # the indexes are distinct and below the count: as many as it says means every one of them
    if cut and len(wanted) != limit:
        return _CUT_SHORT
    errors = []
    for index in wanted:
        code = _number(summary.get(f"Error Code {index}"))
        if code is None:
            continue
        if len(errors) == MAX_ERRORS:
            return _FLOODED
        errors.append({"code": code, "time": _text(summary.get(f"Error {index} Time"))})
    return errors


def _summary_error_key(key):
    return _SUMMARY_ERROR.match(key) if isinstance(key, str) else None


# ---- what cut-off replies and floods left unknown -------------------------------------------------

def _truncated(views: _Views, state: dict) -> set:
    """The facts of ``state`` left None because a reply was cut off or flooded (see the module docstring)."""
    lost = set(views.lost)
    if views.summary_cut:
        lost.update(path for path, key in _FROM_SUMMARY if key not in views.summary and _leaf(state, path) is None)
    if views.details_cut:
        lost.update(name for name in ("model", "model_raw") if name in state and state[name] is None)
    return {path for path in lost if path.split(".")[0] in state}


def _leaf(state: dict, path: str):
    """The value at a dotted ``path`` of ``state``; not None (so never lost) when a subset was not asked for."""
    value = state
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return ""
        value = value[name]
    return value


def _copy_tree(value):
    """A copy of a tree of dicts and lists, made without recursion, so that no depth can exhaust the stack."""
    copies = {}
    root = [value]
    pending = [(root, 0)]
    while pending:
        parent, key = pending.pop()
        item = parent[key]
        if not isinstance(item, (dict, list)):
            continue
        if id(item) in copies:
            parent[key] = copies[id(item)]
            continue
        copy = dict(item) if isinstance(item, dict) else list(item)
        copies[id(item)] = copy
        parent[key] = copy
        pending.extend((copy, child) for child in (copy if isinstance(copy, dict) else range(len(copy))))
    return root[0]


_BUILDERS = (
    ("identity", _identity),
    ("mining", _mining),
    ("pools", _pools),
    ("hashboards", _hashboards),
    ("psu", _psu),
    ("errors", _errors),
)
