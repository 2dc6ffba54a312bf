# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Exceptions for everything that can go wrong between the controller and a miner.

Every message names the miner and the command (never its parameters, so never a secret)
and says what happened and, where there is one, what the operator can do.
"""

from __future__ import annotations


class WhatsMinerError(Exception):
    """Base class: ``host``, ``command`` and a sentence for a farm operator."""

    def __init__(self, host: str, command: str, cause: str):
        self.host = host
        self.command = command
        self.cause = cause
        super().__init__(f"miner {host}: command '{command}': {cause}")


class UsageError(WhatsMinerError):
    """The request cannot be sent as asked (e.g. a write without a password)."""


class ConnectionFailed(WhatsMinerError):
    """The miner refused or dropped the TCP connection, or is unreachable."""


class MinerTimeout(WhatsMinerError):
    """The miner accepted the connection but did not answer in time."""


class ProtocolError(WhatsMinerError):
    """The reply could not be read even after quirk repair."""


class OutcomeUnknown(WhatsMinerError):
    """A write went out whole, but no usable reply came back: it may or may not have been applied.

    ``reply`` says what became of the reply, worded to follow "the miner's reply was", e.g. "missing
    (the miner closed the connection without one)". Only reading the miner's state settles the outcome.
    """

    def __init__(self, host: str, command: str, reply: str):
        super().__init__(host, command, f"the command was sent; the miner's reply was {reply}, so it may or may "
                                        "not have been applied: read the miner's state to know")


class ApiError(WhatsMinerError):
    """The miner answered with ``STATUS: E``; ``code`` and ``msg`` are its own."""

    hint = ""

    def __init__(self, host: str, command: str, code: int | None, msg: str):
        self.code = code
        self.msg = msg
        text = f"the miner answered error {code} ({msg!s})" if msg else f"the miner answered error {code}"
        hint = self.hint_for(command)
        if hint:
            text = f"{text}: {hint}"
        super().__init__(host, command, text)

    def hint_for(self, command: str) -> str:  # pylint: disable=unused-argument
        """The advice added to the message; a subclass may word it for the command."""
        return self.hint


class InvalidCommand(ApiError):
    hint = "this firmware does not know the command or one of its parameters"


class InvalidJson(ApiError):
    hint = "the miner could not read the request"


class WrongPassword(ApiError):
    hint = "wrong admin password (the miner could not decrypt the command); check whatsminer_password"


class WriteApiDisabled(ApiError):
    hint = ("the write API is disabled on this miner: enable it in WhatsMinerTool "
            "(Remote Ctrl -> Miner API Switch), then run again")


class CommandFailed(ApiError):
    hint = "the miner refused the command or its parameters"


class TokenRejected(ApiError):
    hint = "the miner rejected the session token even after a fresh one was fetched"

    def hint_for(self, command: str) -> str:
        if command == "get_token":
            return ("the miner answered the token request itself with a token error, so no session could be "
                    "opened; its API is misbehaving: try again later, or restart btminer")
        return self.hint


class TokenLimit(ApiError):
    hint = ("the miner's token table is full (too many API sessions); wait for old sessions "
            "to expire (30 min) or reduce the number of clients writing to it")


class Base64Error(ApiError):
    hint = "the miner could not decode the encrypted request"


_BY_CODE = {
    14: InvalidCommand,
    23: InvalidJson,
    45: WriteApiDisabled,
    132: CommandFailed,
    135: TokenRejected,
    136: TokenLimit,
    137: Base64Error,
}


def api_error(host: str, command: str, code: int | None, msg: str, after_write: bool = False) -> ApiError:
    """The exception for an error reply; 23 in answer to an encrypted command means a wrong password."""
    if code == 23 and after_write:
        return WrongPassword(host, command, code, msg)
    return _BY_CODE.get(code, ApiError)(host, command, code, msg)


class TruncatedReply(ProtocolError):
    """The reply stopped before its JSON closed, and it is not one that real firmware cuts off
    (protocol.md 10.4) or was not cut where that firmware cuts it: it is refused, never read as complete."""
