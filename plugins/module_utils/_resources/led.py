# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_led: the LED back to automatic, or blinking (to find a miner in the rack).

Reads ``get_miner_info.ledstat`` (``auto`` when the firmware drives the LED; anything else means
forced, protocol.md 7.1). Writes ``set_led`` with ``param: auto``, or ``color``, ``period``,
``duration`` and ``start`` in milliseconds as integers (pyasic, Tether). Only auto or not reads back:
the colour and timing of a blink are sent every time and listed under ``unverifiable``. With
``for_seconds`` the LED blinks that long and is then put back to automatic.

On a miner worked through API V3 the state is ``get.device.info`` ``system.ledstatus`` (the facade's
``get_miner_info`` ledstat) and the write ``set.system.led``: ``"auto"``, or the blink as a list of one flash
pattern (matroskin ``set.system.led.md``: a list, one pattern per colour; the facade's WRITES).
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    InvalidOption,
    Step,
    known,
    runner,
)

BLINK_KEYS = ("color", "period", "duration", "start")

ARGUMENT_SPEC = {
    "state": {"type": "str", "required": True, "choices": ["auto", "blink"]},
    "color": {"type": "str", "default": "red", "choices": ["red", "green"]},
    "period": {"type": "int", "default": 1000},
    "duration": {"type": "int", "default": 500},
    "start": {"type": "int", "default": 0},
    "for_seconds": {"type": "int"},
}

READS = ("get_miner_info",)
SUBSETS = ("identity",)


def desired(params: dict, host: str) -> dict:
    if params["state"] == "auto":
        if params["for_seconds"] is not None:
            raise InvalidOption(host, "for_seconds", "only applies to state: blink")
        return {"state": "auto"}
    period = params["period"]
    if not 1 <= period <= 60000:
        raise InvalidOption(host, "period", f"must be from 1 to 60000 ms, got {period}")
    for name in ("duration", "start"):
        if not 0 <= params[name] <= period:
            raise InvalidOption(host, name, f"must be from 0 to the period ({period} ms), got {params[name]}")
    if params["for_seconds"] is not None:
        if not 1 <= params["for_seconds"] <= 3600:
            raise InvalidOption(host, "for_seconds", f"must be from 1 to 3600, got {params['for_seconds']}")
        # blink for a while, then back to auto: the state asked for at the end is auto (plan() adds the blink)
        return {"state": "auto"}
    return dict({"state": "blink"}, **{name: params[name] for name in BLINK_KEYS})


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    led = reading.state.get("led")
    return known(state=None if led is None else ("auto" if led.strip().lower() == "auto" else "blink"))


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    blink = {name: params[name] for name in BLINK_KEYS}
    if params["state"] == "blink" and params["for_seconds"]:
        return [Step("set_led", blink, (), hold_s=params["for_seconds"], unverifiable=BLINK_KEYS),
                Step("set_led", {"param": "auto"}, ("state",))]
    if not differ:
        return []
    if want["state"] == "auto":
        return [Step("set_led", {"param": "auto"}, ("state",))]
    return [Step("set_led", blink, ("state",) + BLINK_KEYS)]


run = runner(__name__)
