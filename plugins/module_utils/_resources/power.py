# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_power: mining or stopped, power mode, power limit, target frequency, power percent,
upfreq speed and fast boot. Each option is compared only when the task sets it.

Reads (protocol.md 11) ``summary`` (``Power Mode``, ``Power Limit``, ``Btminer Fast Boot``, ``Elapsed``),
``status`` (``mineroff``/``btmineroff``, ``power_mode``, ``power_limit_set``, ``hash_percent``,
``power_pct``) and ``get_miner_info`` (``upfreq_speed``). What a firmware does not report is sent on
every run and listed under ``unverifiable``.

Writes, in this order: ``power_on`` first; then the settings that do not restart btminer
(``enable/disable_btminer_fast_boot``, ``adjust_upfreq_speed``, ``set_power_pct`` / ``set_power_pct_v2`` /
``restore_power_pct``); then each restarting change alone, each followed by waiting for the miner
(``set_<mode>_power``, ``adjust_power_limit``, ``set_target_freq``); ``power_off`` last.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    WAIT_SPEC,
    InvalidOption,
    Step,
    known,
    runner,
)

DEFAULT_LIMIT = 99999  # adjust_power_limit 99999 restores the vendor's limit (Tether's doc, protocol.md 7.1)
RESTORE = "restore"

ARGUMENT_SPEC = dict(WAIT_SPEC, **{
    "state": {"type": "str", "choices": ["mining", "stopped"]},
    "mode": {"type": "str", "choices": ["low", "normal", "high"]},
    "power_limit": {"type": "int"},
    "target_freq_percent": {"type": "int"},
    "power_percent": {"type": "str"},
    "power_percent_mode": {"type": "str", "default": "normal", "choices": ["fast", "normal"]},
    "upfreq_speed": {"type": "int"},
    "fast_boot": {"type": "bool"},
})

READS = ("summary", "status", "get_miner_info")
SUBSETS = ("mining",)

RANGES = {
    "power_limit": (0, DEFAULT_LIMIT, "watts; 99999 restores the vendor's limit"),
    "target_freq_percent": (-100, 100, "percent"),
    "upfreq_speed": (0, 9, ""),
}
# Tether and mdk allow set_power_pct_v2 up to 200 on hydro and immersion models; others refuse above 100.
PERCENT_MAX = {"fast": 100, "normal": 200}


def desired(params: dict, host: str) -> dict:
    want = {name: params[name] for name in ("state", "mode", "fast_boot") if params[name] is not None}
    for name, (low, high, unit) in RANGES.items():
        value = params[name]
        if value is None:
            continue
        if not low <= value <= high:
            raise InvalidOption(host, name, f"must be from {low} to {high}{' ' + unit if unit else ''}, got {value}")
        want[name] = value
    if params["power_percent"] is not None:
        want["power_percent"] = _percent(params["power_percent"], params["power_percent_mode"], host)
    return want


def _percent(value: str, mode: str, host: str) -> int:
    text = value.strip().lower()
    if text == RESTORE:
        return 100
    high = PERCENT_MAX[mode]
    if not text.lstrip("-").isdigit() or not 0 <= int(text) <= high:
        raise InvalidOption(host, "power_percent", f"must be 'restore' or a whole number from 0 to {high} "
                                                   f"with power_percent_mode {mode}, got {value!r}")
    return int(text)


def current(reading, want: dict) -> dict:
    state, status = reading.state, reading.msg("status")
    running = state.get("is_mining")
    return known(
        state=None if running is None else ("mining" if running else "stopped"),
        mode=state.get("power_mode"),
        power_limit=_limit(reading, want.get("power_limit")),
        target_freq_percent=state.get("target_freq_pct"),
        power_percent=state.get("power_pct") if "power_pct" in status else None,
        upfreq_speed=state.get("upfreq_speed"),
        fast_boot=state.get("fast_boot"),
    )


def _limit(reading, asked):
    """status ``power_limit_set`` ("" = the vendor's limit) where it exists; else summary ``Power Limit``,
    which shows a limit in watts but cannot tell the vendor's default from a set one."""
    status = reading.msg("status")
    if "power_limit_set" in status:
        text = str(status["power_limit_set"]).strip()
        return DEFAULT_LIMIT if text == "" else reading.state.get("power_limit_set")
    if asked == DEFAULT_LIMIT:
        return None
    return reading.state.get("power_limit_w")


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    steps = []
    if "state" in differ and want["state"] == "mining":
        steps.append(Step("power_on", {}, ("state",)))
    if "fast_boot" in differ:
        command = "enable_btminer_fast_boot" if want["fast_boot"] else "disable_btminer_fast_boot"
        steps.append(Step(command, {}, ("fast_boot",), note="fast_boot takes effect the next time btminer starts"))
    if "upfreq_speed" in differ:
        steps.append(Step("adjust_upfreq_speed", {"upfreq_speed": str(want["upfreq_speed"])}, ("upfreq_speed",)))
    if "power_percent" in differ:
        steps.append(_percent_step(params))
    if "mode" in differ:
        steps.append(Step(f"set_{want['mode']}_power", {}, ("mode",), restarts="btminer"))
    if "power_limit" in differ:
        steps.append(Step("adjust_power_limit", {"power_limit": str(want["power_limit"])}, ("power_limit",),
                          restarts="btminer"))
    if "target_freq_percent" in differ:
        steps.append(Step("set_target_freq", {"percent": str(want["target_freq_percent"])}, ("target_freq_percent",),
                          restarts="btminer"))
    if "state" in differ and want["state"] == "stopped":
        steps.append(Step("power_off", {"respbefore": "true"}, ("state",)))
    return steps


def _percent_step(params: dict) -> Step:
    if params["power_percent"].strip().lower() == RESTORE:
        return Step("restore_power_pct", {}, ("power_percent",))
    command = "set_power_pct" if params["power_percent_mode"] == "fast" else "set_power_pct_v2"
    return Step(command, {"percent": params["power_percent"].strip()}, ("power_percent",))


run = runner(__name__)
