"""API V3 custom data: `get.device.custom_data` and `set.device.custom_data` (docs/protocol_v3.md, "Custom data").

Both work on the customer messages port 4028 keeps (`settings.customer_msg`, written by V2's set_customer_msg in
writes.py), so either API reads what the other wrote.

Sources: matroskin 0.1.0 `docs/api-doc/get.device.custom_data.md` and `set.device.custom_data.md` (API 3.0.1
added both; key `CustomerSn` or `msg0`..`msg9`, a printable value, a msg value under 128 bytes; the reply of a
write is "ok"), Tether `mock/cmds-v3/get.device.custom_data.js` (every key, "" for one never set) and
`set.device.custom_data.js` (-1 for a missing param, an unknown key or a msg value of 128 bytes or more).
"""

from __future__ import annotations

import writes

KEYS = writes.CUSTOMER_KEYS
MAX_MSG_BYTES = 127


def custom_data(settings) -> dict:
    """Every key, "" for one never set (Tether's mock). The SN key is spelt `CustomerSn` as on matroskin's api-doc
    page and in Tether's mock; matroskin's example response and Rust struct spell it `custom-sn` (simulator choice:
    the spelling two sources agree on)."""
    held = settings.customer_msg
    return {key: held.get(key, "") for key in KEYS}


def set_custom_data(param) -> tuple:
    """(V2 command, V2 params) of a `set.device.custom_data` param {"key", "value"}; ParamError (-1) otherwise."""
    if not isinstance(param, dict) or "key" not in param:
        raise writes.ParamError("missing param: expected {key, value}")
    key, value = param.get("key"), param.get("value", "")
    if not isinstance(value, str) or not value.isprintable():
        raise writes.ParamError("invalid value: must be printable characters")
    if isinstance(key, str) and key.startswith("msg") and len(value.encode("utf-8")) > MAX_MSG_BYTES:
        raise writes.ParamError("invalid value: a msg value must be less than 128 bytes")
    return "set_customer_msg", {"key": key, "val": value}
