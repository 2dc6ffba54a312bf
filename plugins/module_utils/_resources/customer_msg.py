# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_customer_msg: the customer serial number and messages (V2.2 firmware).

Reads ``get_customer_msg``, which needs a token: it is sent encrypted, so this module needs the admin
password even to read. A key the miner does not list reads as an empty string. Writes
``set_customer_msg`` (``key``, ``val``) once per key that differs, then reads back. Returns every value
the miner holds as ``messages``, so an asset-tag inventory is one task.
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
MAX_LENGTH = 127

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
        if value is None or len(str(value)) > MAX_LENGTH:
            raise InvalidOption(host, option, f"{key}: the value must be a string of at most {MAX_LENGTH} "
                                              "characters")
        wanted[key] = str(value)
    return wanted


def read(client, params: dict) -> Reading:
    if not params.get("password"):
        raise UsageError(client.host, "get_customer_msg", "this read needs a session token, so it needs the miner's "
                                                          "admin password: set the variable whatsminer_password, the "
                                                          "env WHATSMINER_PASSWORD or the password option; nothing "
                                                          "was sent")
    reply = client.write("get_customer_msg")
    msg = reply.get("Msg") if isinstance(reply, dict) else None
    return Reading({"messages": {str(k): str(v) for k, v in msg.items()} if isinstance(msg, dict) else {}})


def current(reading, want: dict) -> dict:
    held = reading.state["messages"]
    return {key: held.get(key, "") for key in want}


def report(reading) -> dict:
    return {"messages": dict(reading.state["messages"])}


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    return [Step("set_customer_msg", {"key": key, "val": want[key]}, (key,)) for key in KEYS if key in differ]


run = runner(__name__)
