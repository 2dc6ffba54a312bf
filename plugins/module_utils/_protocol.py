# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Requests, replies and the malformed-JSON quirks of real firmware (protocol.md sections 2, 7, 10).

Pure functions, no I/O.
"""

from __future__ import annotations

import json
import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ProtocolError, api_error

PORT = 4028

# Commands btminer itself answers; only these may be joined with '+' (protocol.md 10.3).
JOINABLE = frozenset(("summary", "pools", "edevs", "devs", "devdetails"))

READ_COMMANDS = frozenset((
    "summary", "pools", "edevs", "devs", "devdetails", "get_psu", "get_version", "get_token",
    "status", "get_miner_info", "get_error_code", "get_customer_msg",
))

# Writes after which real miners often close without answering because btminer or the
# system restarts (protocol.md 7.2): no reply is success for these and only these.
NO_REPLY_OK = frozenset((
    "reboot", "restart_btminer", "power_off", "power_on", "set_low_power", "set_normal_power",
    "set_high_power", "net_config",
))

# Parameters whose values are secrets: masked wherever a command is shown.
SECRET_PARAMS = frozenset(("passwd1", "passwd2", "passwd3", "old", "new", "token", "password"))
MASK = "********"

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_ERROR_CODE_LIST = re.compile(r'("error_code"\s*:\s*)\[((?:\s*"[^"]*"\s*:\s*"[^"]*"\s*,?)*)\]')
_MISSING_COMMA = re.compile(r'""(?=[A-Za-z_][\w ]*"\s*:)')
_BARE_NUMBER_WORD = re.compile(r":\s*(-?inf|nan)\s*([,}\]])", re.IGNORECASE)


def is_read(command: str) -> bool:
    """True when every part of a (possibly '+'-joined) command is readable without a token."""
    return all(part in READ_COMMANDS for part in command.split("+"))


def mask_params(params: dict) -> dict:
    """A copy of ``params`` with every secret value replaced by a mask."""
    return {k: (MASK if k in SECRET_PARAMS and v not in (None, "") else v) for k, v in params.items()}


def encode_read(command: str, params: dict | None = None) -> bytes:
    """A plaintext request; ``command`` (not ``cmd``) is what cgminer-era firmware requires."""
    request = {"command": command}
    request.update(params or {})
    return json.dumps(request, separators=(",", ":")).encode()


def write_plaintext(command: str, params: dict, sign: str) -> bytes:
    """The JSON that is encrypted for a write: the command with its ``token`` (protocol.md 5.1)."""
    body = {"cmd": command}
    body.update(params)
    body["token"] = sign
    return json.dumps(body, separators=(",", ":")).encode()


def encode_encrypted(data: str) -> bytes:
    return json.dumps({"enc": 1, "data": data}, separators=(",", ":")).encode()


def repair(text: str) -> str:
    """Apply the fixes real clients apply to broken replies (protocol.md 10.4)."""
    text = text.replace("\x00", "").replace("\r", "").replace("\n", "")
    text = text.replace("\\'", "'")
    text = _ERROR_CODE_LIST.sub(lambda m: m.group(1) + "{" + m.group(2) + "}", text)
    text = _MISSING_COMMA.sub('","', text)
    text = _BARE_NUMBER_WORD.sub(r':""\2', text)
    text = _TRAILING_COMMA.sub(r"\1", text)
    return text


def _close_truncated(text: str) -> str | None:
    """A reply cut off mid-way (error-entry overflow): drop the last fragment and close the brackets."""
    cut = text.rfind(",")
    while cut > 0:
        head = text[:cut]
        closed = head + _closers(head)
        if _loads(closed) is not None:
            return closed
        cut = text.rfind(",", 0, cut)
    return None


def _closers(text: str) -> str:
    stack = []
    for _index, char in _outside_strings(text):
        if char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and stack:
            stack.pop()
    return "".join(reversed(stack))


def _outside_strings(text: str):
    """``(index, char)`` for every character of ``text`` that is not inside a JSON string."""
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            yield index, char


def decode_json(raw: bytes | str, host: str, command: str) -> dict:
    """Parse a reply, repairing known quirks; ProtocolError if nothing makes it JSON."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    stripped = text.strip("\x00 \r\n\t")
    if not stripped:
        raise ProtocolError(host, command, "the miner closed the connection without a reply")
    value = _loads(stripped)
    if value is None:
        repaired = repair(stripped)
        value = _loads(repaired)
        if value is None:
            value = _loads(_close_truncated(repaired) or "")
        if value is None:
            raise ProtocolError(host, command, f"unreadable reply even after repair: {_preview(text)}")
    if not isinstance(value, dict):
        raise ProtocolError(host, command, f"the reply is not a JSON object: {_preview(text)}")
    return value


def _loads(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _preview(text: str) -> str:
    text = text.replace("\x00", "")
    return repr(text[:120] + ("..." if len(text) > 120 else ""))


def status_of(reply: dict) -> tuple[str, int | None, str]:
    """``(STATUS, Code, Msg)`` of a flat (daemon) or list-style (btminer) reply."""
    status = reply.get("STATUS")
    if isinstance(status, list):
        status = status[0] if status and isinstance(status[0], dict) else {}
        return str(status.get("STATUS", "")), _int_or_none(status.get("Code")), str(status.get("Msg", ""))
    msg = reply.get("Msg")
    return str(status or ""), _int_or_none(reply.get("Code")), msg if isinstance(msg, str) else ""


def check(reply: dict, host: str, command: str, after_write: bool = False) -> dict:
    """Return ``reply``, or raise the ApiError its ``STATUS: E`` stands for."""
    status, code, msg = status_of(reply)
    if status == "E":
        raise api_error(host, command, code, msg, after_write=after_write)
    return reply


def split_joined(reply: dict, command: str) -> dict:
    """``{part: reply}`` for a '+'-joined command; each part is its own one-element list."""
    parts = command.split("+")
    if len(parts) == 1:
        return {command: reply}
    result = {}
    for part in parts:
        value = reply.get(part)
        if isinstance(value, list) and value:
            value = value[0]
        result[part] = value if isinstance(value, dict) else None
    return result


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def first_json_object(buffer: bytes) -> int | None:
    """Length of the first complete JSON object at the start of ``buffer``, or None if incomplete.

    Used where the miner sends JSON followed by raw bytes on the same socket (firmware, logs).
    """
    depth = 0
    # latin-1 maps each byte to one character, so indexes stay byte offsets
    for index, char in _outside_strings(buffer.decode("latin-1")):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None
