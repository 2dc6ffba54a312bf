# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Requests, replies and the malformed-JSON quirks of real firmware (protocol.md sections 2, 7, 10).

Pure functions, no I/O. Each is linear in the size of the reply: the regular expressions use
possessive quantifiers, so there is nothing for them to backtrack into, and a cut-off reply is
closed with one more parse, not one per comma. Nothing a miner sends makes ``decode_json`` raise
anything but a ProtocolError.

How ``decode_json`` reads a reply:

- Valid JSON is returned as parsed; only an invalid reply is repaired (``repair``).
- A reply nested more than ``MAX_DEPTH`` levels deep is refused before it is parsed (real replies
  nest five deep at most, a '+'-joined one included).
- Numbers no float can hold (``1e400``, ``NaN``, ``-Infinity``) are kept as the text the miner
  sent, so they read as "not reported" downstream and never reach a playbook as infinity. (An
  integer of more than 4300 digits, Python's limit, makes the reply unreadable.)
- A reply whose JSON never closes was cut off. Real firmware cuts off one kind of reply
  (protocol.md 10.4): a summary overflowing with error entries (``Error Code N``), alone or in a
  '+'-joined read, and ``get_error_code``. Only there is the reply closed after its last complete
  member, and every object the cut left open gets the member ``"_hashops_cut": true`` (``CUT``):
  ``_state`` reports what never arrived as unknown. Any other reply that was cut off raises
  TruncatedReply, and so does one of those two when the cut is not where that firmware cuts.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ProtocolError, TruncatedReply, api_error

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

# Deeper than any real reply (five levels, a '+'-joined one included) and shallow enough for every
# recursive reader of the result (json, copy, Ansible's own serialisation).
MAX_DEPTH = 32

# Member added to every object a cut-off reply left open (see the module docstring).
CUT = "_hashops_cut"

# The quirk repairs of protocol.md 10.4. Possessive quantifiers (*+, ++) never give back what they
# matched, so a near miss fails at once instead of trying every way to split the input.
_TRAILING_COMMA = re.compile(r",\s*+([}\]])")
_QUOTED = r'"[^"]*+"'
_CODE_PAIR = rf"\s*+{_QUOTED}\s*+:\s*+{_QUOTED}\s*+"
_ERROR_CODE_LIST = re.compile(rf'("error_code"\s*+:\s*+)\[(?=\s*+")((?:{_CODE_PAIR},)*+(?:{_CODE_PAIR})?+)\]')
_MISSING_COMMA = re.compile(r'""(?=[A-Za-z_][\w ]*+"\s*+:)')
_BARE_NUMBER_WORD = re.compile(r":\s*+(-?inf|nan)\s*+([,}\]])", re.IGNORECASE)

# A JSON string, to its closing quote or to the end of a reply cut off inside it. Splitting a reply
# on it leaves the JSON outside strings at the even indexes.
_STRING = r'"(?:[^"\\]++|\\.)*+(?:"|\\?+\Z)'
_STRINGS = re.compile(f"({_STRING})", re.DOTALL)
_CLOSED_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_BRACE = re.compile(r"[{}]")
_DEPTH_STEP = {"{": 1, "}": -1}
_ERROR_ENTRY = re.compile(r"(?:Factory )?Error Code [0-9]+\Z")

_INVALID = object()


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
    text = _ERROR_CODE_LIST.sub(_as_object, text)
    text = _MISSING_COMMA.sub('","', text)
    text = _BARE_NUMBER_WORD.sub(r':""\2', text)
    text = _TRAILING_COMMA.sub(r"\1", text)
    return text


def _as_object(match) -> str:
    """API 2.0.4's ``"error_code":["329":"..."]`` with braces, which makes it valid JSON."""
    return match.group(1) + "{" + match.group(2) + "}"


def decode_json(raw: bytes | str, host: str, command: str, *, max_depth: int = MAX_DEPTH) -> dict:
    """Parse a reply, repairing known quirks (see the module docstring).

    ``command`` is what was sent ('+'-joined for a joined read): it decides whether a cut-off
    reply may be closed. Raises ProtocolError (TruncatedReply for a reply cut off) when no repair
    makes the reply a JSON object.
    """
    binary = isinstance(raw, (bytes, bytearray))
    text = raw.decode("utf-8", errors="replace") if binary else raw
    size = len(raw) if binary else len(text.encode("utf-8", errors="replace"))
    stripped = text.strip("\x00 \r\n\t")
    if not stripped:
        raise ProtocolError(host, command, "the miner closed the connection without a reply")
    outline = _Outline(stripped)
    if outline.too_deep(max_depth):
        raise _deep_error(host, command, max_depth)
    value, error = _parsed(stripped)
    if value is _INVALID:
        if _stops_mid_json(stripped, error):
            # valid JSON as far as it goes, so there is nothing to repair: it was cut off
            value = _closed_where_firmware_cuts(outline, host, command, size, max_depth)
        else:
            value = _decode_repaired(stripped, host, command, size, max_depth)
    if not isinstance(value, dict):
        raise ProtocolError(host, command, f"the reply is not a JSON object: {_preview(text)}")
    return value


def _decode_repaired(text: str, host: str, command: str, size: int, max_depth: int):
    outline = _Outline(repair(text))
    if outline.too_deep(max_depth):
        raise _deep_error(host, command, max_depth)
    value = _loads(outline.text)
    if value is not _INVALID:
        return value
    if not outline.open_brackets(max_depth) and not outline.ends_in_string():
        raise ProtocolError(host, command, f"unreadable reply even after repair: {_preview(text)}")
    return _closed_where_firmware_cuts(outline, host, command, size, max_depth)


def _closed_where_firmware_cuts(outline, host: str, command: str, size: int, max_depth: int) -> dict:
    """A reply that was cut off, closed when it is one real firmware cuts, and cut where it cuts."""
    if _firmware_cuts(command):
        value = _close_cut(outline, max_depth)
        if value is not _INVALID and _cut_where_firmware_cuts(value, command):
            return value
    raise _cut_off(host, command, size, outline.text)


def _cut_off(host: str, command: str, size: int, text: str) -> TruncatedReply:
    return TruncatedReply(host, command, f"the reply was cut off after {size} bytes, its JSON never closes "
                                         f"(it ends {_preview(text[-40:])}); the connection ended early, try again")


def _stops_mid_json(text: str, error) -> bool:
    """Whether the parser's error says that ``text`` is valid JSON as far as it goes."""
    if error is None:
        return False
    return error.pos >= len(text) or error.msg.startswith("Unterminated string")


def _deep_error(host: str, command: str, max_depth: int) -> ProtocolError:
    return ProtocolError(host, command, f"the reply nests more than {max_depth} levels deep (real replies nest "
                                        "at most 5): refused without reading it")


class _Outline:
    """A reply's text and, split off its strings when first asked for, the JSON outside them.

    ``pieces`` alternate: outside, string, outside, ..., outside (``_STRINGS.split``).
    """

    def __init__(self, text: str):
        self.text = text
        self._pieces = None
        self._outside = None

    @property
    def pieces(self) -> list:
        if self._pieces is None:
            self._pieces = _STRINGS.split(self.text)
        return self._pieces

    @property
    def outside(self) -> str:
        if self._outside is None:
            self._outside = "".join(self.pieces[::2])
        return self._outside

    def too_deep(self, max_depth: int) -> bool:
        # Counting every bracket, strings included, bounds the depth at no cost.
        if self.text.count("{") + self.text.count("[") <= max_depth:
            return False
        return self.open_brackets(max_depth) is None

    def open_brackets(self, max_depth: int) -> list | None:
        return _open_brackets(self.outside, max_depth)

    def ends_in_string(self) -> bool:
        pieces = self.pieces
        # an unterminated string runs to the end, so the outside piece after it is empty
        return len(pieces) > 1 and not pieces[-1] and not _CLOSED_STRING.fullmatch(pieces[-2])

    def position(self, index: int) -> int:
        """Where character ``index`` of ``outside`` is in ``text``."""
        outside_pieces = self.pieces[::2]
        ends = list(itertools.accumulate(map(len, outside_pieces)))
        piece = bisect.bisect_right(ends, index)
        return sum(map(len, self.pieces[:2 * piece])) + index - (ends[piece] - len(outside_pieces[piece]))

    def before_last_comma(self) -> tuple[str, str] | None:
        """``(text, the part of it outside strings)`` up to the last comma outside strings; None without one."""
        comma = self.outside.rfind(",")
        if comma < 0:
            return None
        return self.text[:self.position(comma)], self.outside[:comma]


def _open_brackets(outside: str, max_depth: int) -> list | None:
    """The brackets of ``outside`` (JSON with its strings taken out) still open at its end, outermost
    first; None as soon as they nest deeper than ``max_depth``."""
    still_open = []
    for char in _NOT_BRACKET.sub("", outside):
        if char in "{[":
            still_open.append(char)
            if len(still_open) > max_depth:
                return None
        elif still_open:
            still_open.pop()
    return still_open


def _firmware_cuts(command: str) -> bool:
    """Whether real firmware cuts this reply off (protocol.md 10.4), so that closing it is a repair."""
    return command == "get_error_code" or "summary" in command.split("+")


def _close_cut(outline: _Outline, max_depth: int):
    """The cut-off reply closed after its last complete member, each object left open marked; or _INVALID.

    A reply that stops right after a value that is whole (a string, an object, a list) keeps it;
    otherwise everything after the last comma outside a string is dropped: a number, ``true`` or a
    key may have been cut anywhere.
    """
    tail = outline.text.rstrip()
    if tail[-1:] in ('"', "}", "]") and not outline.ends_in_string():
        value = _loads_closed(tail, outline.open_brackets(max_depth))
        if value is not _INVALID:
            return value
    head = outline.before_last_comma()
    if head is None:
        return _INVALID
    return _loads_closed(head[0], _open_brackets(head[1], max_depth))


def _loads_closed(head: str, still_open: list | None):
    if still_open is None:
        return _INVALID
    closers = "".join(f',"{CUT}":true}}' if char == "{" else "]" for char in reversed(still_open))
    # a cut API 2.0.4 error list only gets the bracket its repair needs here
    return _loads(_ERROR_CODE_LIST.sub(_as_object, head + closers))


def _cut_where_firmware_cuts(reply: dict, command: str) -> bool:
    """A closed cut-off reply is kept only where firmware cuts: in a summary that lists error
    entries, or in get_error_code's error list."""
    if not isinstance(reply, dict):
        return False
    if command == "get_error_code":
        msg = reply.get("Msg")
        return isinstance(msg, dict) and isinstance(msg.get("error_code"), (list, dict))
    summary = reply if command == "summary" else _joined_part(reply, "summary")
    return is_cut(summary) and any(isinstance(key, str) and _ERROR_ENTRY.match(key) for key in _summary_row(summary))


def _summary_row(reply: dict) -> dict:
    rows = reply.get("SUMMARY")
    row = rows[0] if isinstance(rows, list) and rows else reply.get("Msg")
    return row if isinstance(row, dict) else {}


def is_cut(value) -> bool:
    """Whether ``value`` is an object that a cut-off reply left open (see the module docstring)."""
    return isinstance(value, dict) and value.get(CUT) is True


def _loads(text: str):
    return _parsed(text)[0]


def _parsed(text: str) -> tuple:
    """``(value, None)``, or ``(_INVALID, the JSONDecodeError or None)``."""
    try:
        return _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        return _INVALID, error
    except ValueError:  # an integer beyond Python's 4300 digits
        return _INVALID, None


def _float_token(token: str, _float=float, _isfinite=math.isfinite):
    value = _float(token)
    return value if _isfinite(value) else token


_DECODER = json.JSONDecoder(parse_float=_float_token, parse_constant=str)


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
    """``{part: reply}`` for a '+'-joined command; each part is its own one-element list.

    A part missing from a joined reply that was cut off (``is_cut``) never arrived: it is given as
    ``{CUT: True}``, an object of which nothing arrived, so it reads as unknown and not as "not
    answered".
    """
    parts = command.split("+")
    if len(parts) == 1:
        return {command: reply}
    cut = is_cut(reply)
    result = {}
    for part in parts:
        value = _joined_part(reply, part)
        if value is None and cut:
            value = {CUT: True}
        result[part] = value
    return result


def _joined_part(reply: dict, part: str) -> dict | None:
    value = reply.get(part)
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, dict) else None


def _int_or_none(value) -> int | None:
    """``Code`` as an int; None when it is no integer a miner would send (bool, NaN, 1e400, "x")."""
    if isinstance(value, bool) or isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and len(value) > 20:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -2 ** 31 <= number < 2 ** 31 else None


def first_json_object(buffer: bytes) -> int | None:
    """Length of the first complete JSON object at the start of ``buffer``, or None if incomplete.

    Used where the miner sends JSON followed by raw bytes on the same socket (firmware, logs).
    A closing brace before any opening one means there is no object there: None.
    """
    # latin-1 maps each byte to one character, so indexes stay byte offsets
    text = buffer.decode("latin-1")
    # A prefix splits into strings as the whole does, so an object that ends within it ends there:
    # growing windows keep the work in proportion to the object, not to the bytes after it.
    window = 4096
    while True:
        end = _object_end(text[:window])
        if end is not None or window >= len(text):
            return end
        window *= 4


def _object_end(text: str) -> int | None:
    outline = _Outline(text)
    braces = _BRACE.findall(outline.outside)
    if not braces or braces[0] == "}":
        return None
    depths = list(itertools.accumulate(map(_DEPTH_STEP.__getitem__, braces)))
    if 0 not in depths:
        return None
    closing = next(itertools.islice(_BRACE.finditer(outline.outside), depths.index(0), None))
    return outline.position(closing.start()) + 1
