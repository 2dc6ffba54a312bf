# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""API V3 (TCP 4433) framing, envelopes and reply codes (docs/protocol_v3.md). Pure, no I/O.

Every request and reply is a 4-byte little-endian length and that many bytes of UTF-8 JSON; a
frame of length 0 is the heartbeat and carries nothing. Replies are ``{"code", "when", "msg",
"desc"}``; the codes map onto the exception classes of the V2 client (``_errors``), so a module
reports a V3 failure in the same words as a V2 one.
"""

from __future__ import annotations

import json
import struct

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    CommandFailed,
    InvalidCommand,
    ProtocolError,
    WriteApiDisabled,
)

PORT = 4433
HEADER = struct.Struct("<I")
# Replies the collection reads are a few KB; Tether's client refuses more than 8 MiB.
MAX_FRAME = 8 * 1024 * 1024
# The parameters that travel AES-encrypted (matroskin "Token Generation"; mdk).
ENCRYPTED_PARAMS = frozenset(("set.miner.pools", "set.user.change_passwd"))
ACCOUNT = "super"


class V3CommandFailed(CommandFailed):
    hint = "the miner refused the command or its parameters (API V3 code -1)"


class V3InvalidCommand(InvalidCommand):
    hint = "this firmware's API V3 does not know the command (code -2)"


class V3ParamMissing(CommandFailed):
    hint = "the miner says a parameter the command needs was empty (API V3 code -3)"


class V3NoPermission(WriteApiDisabled):
    hint = ("write API off or default password unchanged: turn the API switch on and change the admin password "
            "in WhatsMinerTool; or the password is wrong: check whatsminer_password")


_BY_CODE = {-1: V3CommandFailed, -2: V3InvalidCommand, -3: V3ParamMissing, -4: V3NoPermission}


def frame(obj) -> bytes:
    body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def read_request(command: str, param=None) -> dict:
    request = {"cmd": command}
    if param is not None:
        request["param"] = param
    return request


def write_request(command: str, param, ts: int, token: str) -> dict:
    request = {"cmd": command, "ts": ts, "token": token, "account": ACCOUNT}
    if param is not None:
        request["param"] = param
    return request


def decode(body: bytes, host: str, command: str) -> dict:
    try:
        reply = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(host, command, f"the API V3 reply is not JSON ({len(body):,} bytes)") from None
    if not isinstance(reply, dict) or isinstance(reply.get("code"), bool) or not isinstance(reply.get("code"), int):
        raise ProtocolError(host, command, "the API V3 reply has no integer 'code'")
    return reply


def check(reply: dict, host: str, command: str) -> dict:
    """``reply`` when its code is 0, else the ApiError its code stands for."""
    code = reply["code"]
    if code == 0:
        return reply
    msg = reply.get("msg")
    text = msg if isinstance(msg, str) else json.dumps(msg)[:200] if msg is not None else ""
    raise _BY_CODE.get(code, V3CommandFailed)(host, command, code, text)


def mask(command: str, param):
    """What may be shown of a parameter: encrypted ones never."""
    return "********" if command in ENCRYPTED_PARAMS and param is not None else param
