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
  earlier: the salt changes with the password, and a -4 means the miner did nothing;
- streams: ``get.log.download`` (a read) and ``set.system.update_firmware`` (a signed write whose
  "ready" is followed, on the same socket, by the 4-byte size and the image, as in V2; matroskin
  ``set.system.update_firmware``), each with the V2 stream's time bounds.
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
    _open_source,
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
# ... and with this param: btminer restarts, as after V2's restart_btminer (protocol.md 7.2); a silent stop stays unknown
NO_REPLY_OK_WITH = frozenset((("set.miner.service", "restart"),))
FIRMWARE_COMMAND = "set.system.update_firmware"


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
            raw = self._set_exchange(command, self._signed(command, param), param)
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

    def _signed(self, command: str, param) -> bytes:
        """The framed request of a ``set.*`` command: ts, account, token, the parameter (encrypted for some)."""
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
        return _protocol_v3.frame(_protocol_v3.write_request(command, sent_param, ts, _crypto_v3.token(key)))

    def _set_exchange(self, command: str, request: bytes, param=None) -> bytes | None:
        progress = self._progress = _Progress()
        try:
            return self._exchange(command, request)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            if not progress.sent:
                raise
            silent_ok = command in NO_REPLY_OK or (isinstance(param, str) and (command, param) in NO_REPLY_OK_WITH)
            if progress.blank and progress.silence and silent_ok:
                self.last_silence = progress.silence
                return None
            raise OutcomeUnknown(self.host, command, progress.reply or f"unusable ({err.cause})") from None

    # ---- streams -----------------------------------------------------------------------
    def upload_firmware(self, source, chunk_size: int = CHUNK) -> dict | None:
        """``set.system.update_firmware``: the signed request, the miner's framed "ready", then on the same
        socket the 4-byte little-endian size and the file (path or binary file object) in chunks, then its
        framed final reply (matroskin ``set.system.update_firmware``).

        The contract of WhatsMinerClient.upload_firmware: the final reply, or None when the miner restarted
        without one; OutcomeUnknown when the whole image went out and the final reply was cut or unreadable.
        The request and "ready" take one ``timeout``, the image the stream bounds, the final reply one more.
        """
        command = FIRMWARE_COMMAND
        self._require_password(command)
        stream, size, close = _open_source(source)
        try:
            for attempt in (1, 2):
                fresh = self._salt is None
                sock, body, rest = self._start_stream(command, self._signed(command, None), "nothing was uploaded")
                with sock:
                    try:
                        ready = self._stream_header(body, command, "nothing was uploaded")
                    except _protocol_v3.V3NoPermission:
                        if fresh or attempt == 2:
                            raise
                        self._salt = None  # as in set(): the salt may have changed with the password
                        continue
                    if str(ready.get("msg", "")).lower() != "ready":
                        raise ProtocolError(self.host, command, f"expected 'ready' before the upload, got "
                                                                f"{ready.get('msg')!r}; nothing was uploaded")
                    self._send_stream(sock, command, stream, size, chunk_size)
                    return self._final_frame(sock, command, rest)
        finally:
            if close:
                stream.close()
        raise AssertionError("unreachable")

    def download_logs(self, dest: str, chunk_size: int = CHUNK) -> int:
        """``get.log.download``: a framed ``{"logsize": N}``, then N raw bytes of the tarball, streamed to ``dest``.

        A read in V3 (Tether ``COMMAND_MAP_V3``: no token), bounded like the V2 download (module docstring of
        _client); the password is still required, as the log holds what the miner did.
        """
        command = "get.log.download"
        self._require_password(command)
        request = _protocol_v3.frame(_protocol_v3.read_request(command))
        sock, body, rest = self._start_stream(command, request, "no log was downloaded")
        with sock:
            reply = self._stream_header(body, command, "no log was downloaded")
            msg = reply.get("msg") if isinstance(reply.get("msg"), dict) else {}
            return self._save_log(sock, command, msg, rest, dest, chunk_size)

    def _start_stream(self, command: str, request: bytes, not_done: str) -> tuple:
        """``(socket, first reply frame, bytes after it)``: connect, send, read one frame, within one ``timeout``."""
        progress = self._progress = _Progress()
        return self._open_with(command, request,
                               lambda sock, deadline, progress: self._read_frame(sock, command, deadline, progress),
                               not_done, progress)

    def _stream_header(self, body: bytes, command: str, not_done: str) -> dict:
        try:
            reply = _protocol_v3.decode(body, self.host, command)
        except ProtocolError as err:
            raise _amend(err, f"; {not_done}") from None
        return _protocol_v3.check(reply, self.host, command)

    def _final_frame(self, sock, command: str, rest: bytes) -> dict | None:
        """The miner's framed word after the whole image went out; None if it restarted without one."""
        progress = _Progress()
        progress.sent = True
        try:
            body, _after = self._read_frame(sock, command, _Deadline(self.timeout), progress, rest)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            if progress.blank:
                return None
            raise OutcomeUnknown(self.host, command, progress.reply or f"unusable ({err.cause})") from None
        try:
            reply = _protocol_v3.decode(body, self.host, command)
        except ProtocolError as err:
            raise OutcomeUnknown(self.host, command, f"unusable ({err.cause})") from None
        return _protocol_v3.check(reply, self.host, command)

    # ---- transport ---------------------------------------------------------------------
    def _exchange(self, command: str, request: bytes) -> bytes:
        """Connect, send one frame, read one reply frame: all within one deadline of ``timeout``."""
        progress = self._progress
        deadline = _Deadline(self.timeout)
        with self._connect(command, deadline, progress) as sock:
            self._send(sock, command, request, deadline, progress)
            return self._read_frame(sock, command, deadline, progress)[0]

    def _read_frame(self, sock, command: str, deadline: _Deadline, progress: _Progress, already: bytes = b"") -> tuple:
        """``(body of the first frame that is not a heartbeat, bytes that came after it)``; ``already``: bytes
        of it read before."""
        buffer = bytearray(already)
        progress.blank = not already
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
        if not buffer:  # nothing, or only heartbeats: no reply
            progress.blank = True
            progress.silence = "closed the connection without a reply"
            progress.reply = "missing (the miner closed the connection without one)"
            raise ConnectionFailed(self.host, command, "the miner closed the connection without a reply")
        progress.reply = f"cut short (the connection closed after {len(buffer):,} bytes of it)"
        raise ProtocolError(self.host, command, f"the API V3 reply was cut off after {len(buffer):,} bytes")
