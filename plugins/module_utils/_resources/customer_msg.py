# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_customer_msg: the customer serial number and messages (V2.2 firmware, API V3 3.0.1+).

API V2 reads ``get_customer_msg``, which needs a token: it is sent encrypted, so this module needs the admin
password even to read there. API V3 reads ``get.device.custom_data``, a plain read (matroskin's api-doc,
Tether's mock). A key the miner does not list reads as an empty string. Writes ``set_customer_msg`` (``key``,
``val``; the V3 facade sends ``set.device.custom_data`` ``key``/``value``) once per key that differs, then reads
back. Returns every value the miner holds as ``messages``, so an asset-tag inventory is one task.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    InvalidOption,
    Reading,
    Step,
    runner,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import UsageError

KEYS = ("CustomerSn",) + tuple(f"msg{i}" for i in range(10))
# V2: val "<128" (protocol.md 7.1); V3: a msg value "less than 128 bytes", of printable characters (matroskin
# set.device.custom_data). Both APIs keep the same fields, so both rules hold for both.
MAX_BYTES = 127
V3_READ = "get.device.custom_data"
# matroskin's api-doc page and Tether's mock spell the SN key CustomerSn; matroskin's example response and its
# struct (kebab-case custom_sn) custom-sn. Both are read as CustomerSn.
V3_SN_KEYS = ("CustomerSn", "custom-sn")

ARGUMENT_SPEC = {
    "key": {"type": "str", "choices": list(KEYS)},
    "value": {"type": "str"},
    "messages": {"type": "dict"},
}
ARGUMENT_RULES = {
    "required_together": [["key", "value"]],
    "mutually_exclusive": [["key", "messages"], ["value", "messages"]],
}


def desired(params: dict, host: str) -> dict:
    option = "value" if params["key"] is not None else "messages"
    wanted = dict(params["messages"] or {})
    if params["key"] is not None:
        wanted[params["key"]] = params["value"]
    for key, value in wanted.items():
        if key not in KEYS:
            raise InvalidOption(host, option, f"unknown key {key!r}: use CustomerSn or msg0 to msg9")
        if value is None or len(str(value).encode("utf-8")) > MAX_BYTES:
            raise InvalidOption(host, option, f"{key}: the value must be a string of at most {MAX_BYTES} "
                                              "bytes (UTF-8)")
        if not str(value).isprintable():
            raise InvalidOption(host, option, f"{key}: the value must be printable characters: no newline, tab "
                                              "or other control character")
        wanted[key] = str(value)
    return wanted


def read(client, params: dict) -> Reading:
    if getattr(client, "api", "v2") == "v3":
        return Reading({"messages": from_v3(client.v3.get(V3_READ).get("msg"))})
    if not params.get("password"):
        raise UsageError(client.host, "get_customer_msg", "this read needs a session token, so it needs the miner's "
                                                          "admin password: set the variable whatsminer_password, the "
                                                          "env WHATSMINER_PASSWORD or the password option; nothing "
                                                          "was sent")
    reply = client.write("get_customer_msg")
    msg = reply.get("Msg") if isinstance(reply, dict) else None
    return Reading({"messages": {str(k): str(v) for k, v in msg.items()} if isinstance(msg, dict) else {}})


def from_v3(msg) -> dict:
    """The messages of a get.device.custom_data ``msg``, the SN under CustomerSn whichever way it is spelt."""
    if not isinstance(msg, dict):
        return {}
    held = {str(k): str(v) for k, v in msg.items() if k not in V3_SN_KEYS and v is not None}
    sn = next((msg[key] for key in V3_SN_KEYS if msg.get(key) is not None), None)
    if sn is not None:
        held["CustomerSn"] = str(sn)
    return held


def current(reading, want: dict) -> dict:
    held = reading.state["messages"]
    return {key: held.get(key, "") for key in want}


def report(reading) -> dict:
    return {"messages": dict(reading.state["messages"])}


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    return [Step("set_customer_msg", {"key": key, "val": want[key]}, (key,)) for key in KEYS if key in differ]


run = runner(__name__)
