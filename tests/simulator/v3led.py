"""API V3 `set.system.led` as V2's set_led (docs/protocol_v3.md, "Commands").

Source: matroskin 0.1.0 `docs/api-doc/set.system.led.md` and `src/command/set_system_led.rs`: the param is the
string "auto", or an array of flash patterns {color: red|green, period, duration, start} (milliseconds), its
example one per colour; pyasic `set_system_led(leds)` sends "auto" or the list as given. Anything else (a bare
object included) is refused -1, as any parameter of the wrong shape.
"""

from __future__ import annotations

from types import SimpleNamespace

import writes

PATTERN_KEYS = ("color", "period", "duration", "start")


def translate(param) -> tuple:
    """("set_led", V2 params) for a set.system.led param; ParamError (-1) for one of the wrong shape."""
    if param == "auto":
        return "set_led", {"param": "auto"}
    if not isinstance(param, list) or not 1 <= len(param) <= 2 or not all(isinstance(p, dict) for p in param):
        raise writes.ParamError("invalid param: expected auto or a list of 1 or 2 {color, period, duration, start}")
    colours = [pattern.get("color") for pattern in param]
    if len(set(colours)) != len(colours):
        raise writes.ParamError("invalid param: one pattern per colour, got %s" % ", ".join(map(str, colours)))
    patterns = [{key: pattern[key] for key in PATTERN_KEYS if key in pattern} for pattern in param]
    for pattern in patterns:
        # each pattern passes V2's set_led checks (colour, period 1..60000, duration and start within the period),
        # run against a scratch miner so that only the kept pattern reaches the state
        writes.set_led(SimpleNamespace(settings=SimpleNamespace(led=None)), dict(pattern))
    # the miner state holds one LED pattern, as V2's does: the first of the list (simulator choice, no source
    # says how real firmware reports two)
    return "set_led", patterns[0]
