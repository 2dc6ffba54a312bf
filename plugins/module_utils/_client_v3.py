# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""WhatsMinerV3Client: API V3 on TCP 4433, one framed exchange per command (docs/protocol_v3.md).

It is a WhatsMinerClient for everything below the request: the same connect, send and receive
helpers, the same one-deadline-per-exchange rule, the same retry rule for reads (a read is tried
``read_retries`` more times after anything transient, never after an answer or a refused
connection) and the same exceptions. What differs:

- the frame: 4-byte little-endian length + JSON both ways; heartbeat frames (length 0) before the
  reply are skipped; a reply is used as soon as its frame is whole (the miner may keep the
  connection open for more requests);
- writes: ``set.*`` carry ``ts``, ``account`` and the token of ``_crypto_v3``, computed from the
  salt of ``get.device.info`` (fetched once per client); the parameters of ``ENCRYPTED_PARAMS`` go
  AES-encrypted. A write is never sent twice, except after a -4 answered with a salt fetched
  earlier: the salt changes with the password, and a -4 means the miner did nothing.
"""

from __future__ import annotations

import time

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto_v3
from ansible_collections.hashops.whatsminer.plugins.module_utils import _protocol_v3
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import (
    CHUNK,
    WhatsMinerClient,
    _amend,
    _Deadline,
    _Progress,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    MinerTimeout,
    OutcomeUnknown,
    ProtocolError,
)

# set.* commands after which the miner may go away without a reply (docs/protocol_v3.md, "Writes").
NO_REPLY_OK = frozenset(("set.system.reboot", "set.system.factory_reset", "set.system.net_config"))


class WhatsMinerV3Client(WhatsMinerClient):
    """Talks API V3 to one miner. Reads need no password; ``set.*`` needs the miner's password."""

    api = "v3"

    def __init__(self, host: str, port: int = _protocol_v3.PORT, password: str | None = None, timeout: float = 10.0,
                 read_retries: int = 1, **_ignored):
        super().__init__(host, port=port, password=password, timeout=timeout, read_retries=read_retries)
        self._salt: str | None = None
        self.device_info: dict | None = None  # the last whole get.device.info msg

    def __repr__(self):
        return f"WhatsMinerV3Client({self.host!r}, port={self.port})"

    # ---- reads -------------------------------------------------------------------------
    def get(self, command: str, param=None) -> dict:
        """The checked reply of a ``get.*`` command."""
        request = _protocol_v3.frame(_protocol_v3.read_request(command, param))
        shown = command if param is None else f"{command} {param}"
        reply = self._retried(shown, request, lambda raw: _protocol_v3.decode(raw, self.host, shown))
        reply = _protocol_v3.check(reply, self.host, shown)
        if command == "get.device.info" and param is None and isinstance(reply.get("msg"), dict):
            self.device_info = reply["msg"]
            self._salt = self._valid_salt(reply["msg"].get("salt"), shown) if "salt" in reply["msg"] else self._salt
        return reply

    def salt(self) -> str:
        if self._salt is None:
            msg = self.get("get.device.info", "salt").get("msg")
            self._salt = self._valid_salt(msg.get("salt") if isinstance(msg, dict) else None, "get.device.info salt")
        return self._salt

    def _valid_salt(self, salt, shown: str) -> str:
        if not isinstance(salt, str) or not 0 < len(salt) <= 64 or not salt.isascii() or not salt.isprintable():
            raise ProtocolError(self.host, shown, "get.device.info gave no usable salt, so no write can be signed")
        return salt

    # ---- writes ------------------------------------------------------------------------
    def set(self, command: str, param=None) -> dict | None:
        """Send a ``set.*`` command; the checked reply, or None after silence from a NO_REPLY_OK command.

        Raises OutcomeUnknown when the request went out whole and the reply was lost or unusable.
        """
        self._require_password(command)
        self.last_silence = None
        for attempt in (1, 2):
            fresh = self._salt is None
            try:
                salt = self.salt()
            except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
                raise _amend(err, f"; without the salt, '{command}' was not sent") from None
            ts = int(time.time())
            try:
                key = _crypto_v3.digest(command, self._password, salt, ts)
                sent_param = _crypto_v3.encrypt_param(key, param) if command in _protocol_v3.ENCRYPTED_PARAMS else param
            except ValueError as err:
                raise ProtocolError(self.host, command, f"the write could not be signed: {err}") from None
            request = _protocol_v3.frame(_protocol_v3.write_request(command, sent_param, ts, _crypto_v3.token(key)))
            raw = self._set_exchange(command, request)
            if raw is None:
                return None
            try:
                reply = _protocol_v3.decode(raw, self.host, command)
            except ProtocolError as err:
                raise OutcomeUnknown(self.host, command, f"unusable ({err.cause})") from None
            try:
                return _protocol_v3.check(reply, self.host, command)
            except _protocol_v3.V3NoPermission:
                if fresh or attempt == 2:
                    raise
                self._salt = None  # the password (and with it the salt) may have changed since
        raise AssertionError("unreachable")

    def _set_exchange(self, command: str, request: bytes) -> bytes | None:
        progress = self._progress = _Progress()
        try:
            return self._exchange(command, request)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            if not progress.sent:
                raise
            if progress.blank and progress.silence and command in NO_REPLY_OK:
                self.last_silence = progress.silence
                return None
            raise OutcomeUnknown(self.host, command, progress.reply or f"unusable ({err.cause})") from None

    # ---- streams -----------------------------------------------------------------------
    def download_logs(self, dest: str, chunk_size: int = CHUNK) -> int:
        """``get.log.download``: a framed ``{"logsize": N}``, then N raw bytes of the tarball, streamed to ``dest``.

        A read in V3 (Tether ``COMMAND_MAP_V3``: no token), bounded like the V2 download (module docstring of
        _client); the password is still required, as the log holds what the miner did.
        """
        command = "get.log.download"
        self._require_password(command)
        deadline = _Deadline(self.timeout)
        progress = self._progress = _Progress()
        try:
            sock = self._connect(command, deadline, progress)
        except (MinerTimeout, ConnectionFailed) as err:
            raise _amend(err, "; no log was downloaded") from None
        with sock:
            try:
                self._send(sock, command, _protocol_v3.frame(_protocol_v3.read_request(command)), deadline, progress)
                body, rest = self._read_frame(sock, command, deadline, progress)
            except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
                raise _amend(err, "; no log was downloaded") from None
            reply = _protocol_v3.check(_protocol_v3.decode(body, self.host, command), self.host, command)
            msg = reply.get("msg") if isinstance(reply.get("msg"), dict) else {}
            return self._save_log(sock, command, msg, rest, dest, chunk_size)

    # ---- transport ---------------------------------------------------------------------
    def _exchange(self, command: str, request: bytes) -> bytes:
        """Connect, send one frame, read one reply frame: all within one deadline of ``timeout``."""
        progress = self._progress
        deadline = _Deadline(self.timeout)
        with self._connect(command, deadline, progress) as sock:
            self._send(sock, command, request, deadline, progress)
            return self._read_frame(sock, command, deadline, progress)[0]

    def _read_frame(self, sock, command: str, deadline: _Deadline, progress: _Progress) -> tuple:
        """``(body of the first frame that is not a heartbeat, bytes that came after it)``."""
        buffer = bytearray()
        while True:
            while len(buffer) < _protocol_v3.HEADER.size:
                self._fill(sock, command, deadline, progress, buffer)
            size = _protocol_v3.HEADER.unpack_from(buffer)[0]
            if size == 0:  # heartbeat
                del buffer[:_protocol_v3.HEADER.size]
                continue
            if size > _protocol_v3.MAX_FRAME:
                progress.retry = False
                progress.blank = False
                progress.reply = f"unusable (it announced {size:,} bytes)"
                raise ProtocolError(self.host, command, f"the API V3 reply announced {size:,} bytes, more than the "
                                                        f"{_protocol_v3.MAX_FRAME:,} this client reads")
            end = _protocol_v3.HEADER.size + size
            while len(buffer) < end:
                self._fill(sock, command, deadline, progress, buffer)
            progress.complete = True
            return bytes(buffer[_protocol_v3.HEADER.size:end]), bytes(buffer[end:])

    def _fill(self, sock, command: str, deadline: _Deadline, progress: _Progress, buffer: bytearray) -> None:
        chunk = self._recv(sock, command, deadline.end, deadline, buffer, progress)
        if chunk:
            buffer += chunk
            progress.received = len(buffer)
            progress.blank = False
            return
        if not buffer:
            progress.silence = "closed the connection without a reply"
            progress.reply = "missing (the miner closed the connection without one)"
            raise ConnectionFailed(self.host, command, "the miner closed the connection without a reply")
        progress.reply = f"cut short (the connection closed after {len(buffer):,} bytes of it)"
        raise ProtocolError(self.host, command, f"the API V3 reply was cut off after {len(buffer):,} bytes")
