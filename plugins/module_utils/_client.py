# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""WhatsMinerClient: one TCP exchange per command, token cache, encrypted writes, streams.

No Ansible objects here: the action plugins, the modules and the inventory all use it.
"""

from __future__ import annotations

import os
import socket
import struct
import time

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils import _protocol
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ApiError,
    ConnectionFailed,
    MinerTimeout,
    ProtocolError,
    TokenLimit,
    TokenRejected,
    UsageError,
)

TOKEN_LIFETIME_S = 30 * 60
TOKEN_MARGIN_S = 60
CHUNK = 64 * 1024
MAX_REPLY = 4 * 1024 * 1024


class _Token:
    def __init__(self, sign: str, aeskey: bytes, fetched: float):
        self.sign = sign
        self.aeskey = aeskey
        self.fetched = fetched

    def fresh(self, now: float) -> bool:
        return now - self.fetched < TOKEN_LIFETIME_S - TOKEN_MARGIN_S


class WhatsMinerClient:
    """Talks to one miner. Reads need no password; writes need the admin password."""

    def __init__(self, host: str, port: int = _protocol.PORT, password: str | None = None, timeout: float = 10.0,
                 token_retries: int = 3, backoff_s: float = 1.0, read_retries: int = 1):
        self.host = host
        self.port = int(port)
        self.timeout = float(timeout)
        self.token_retries = token_retries
        self.backoff_s = backoff_s
        self.read_retries = read_retries
        self._password = password
        self._token: _Token | None = None

    def __repr__(self):
        return f"WhatsMinerClient({self.host!r}, port={self.port})"

    # ---- reads -------------------------------------------------------------------------
    def read(self, command: str, **params) -> dict:
        """Send a readable command in plaintext and return the checked reply."""
        reply = _protocol.decode_json(self._exchange_read(command, params), self.host, command)
        return _protocol.check(reply, self.host, command)

    def _exchange_read(self, command: str, params: dict | None = None) -> bytes:
        """A read is safe to repeat: try again after a timeout or a broken connection, not after a refusal."""
        request = _protocol.encode_read(command, params)
        for attempt in range(self.read_retries + 1):
            try:
                return self._exchange(command, request)
            except (MinerTimeout, ConnectionFailed) as err:
                if attempt >= self.read_retries or isinstance(err, ConnectionFailed) and "refused" in err.cause:
                    raise
        raise AssertionError("unreachable")

    def read_joined(self, *commands: str) -> dict:
        """One '+'-joined read for the btminer commands, one read each for the rest.

        Returns ``{command: reply or None}``; a part the miner answers with an error is None
        (e.g. ``devdetails`` on 2024+ firmware), so callers see what the firmware reports.
        """
        joinable = [c for c in commands if c in _protocol.JOINABLE]
        others = [c for c in commands if c not in _protocol.JOINABLE]
        replies: dict = {}
        if len(joinable) > 1:
            joined = "+".join(joinable)
            reply = _protocol.decode_json(self._exchange_read(joined), self.host, joined)
            for part, value in _protocol.split_joined(reply, joined).items():
                replies[part] = self._ok_or_none(value, part)
            if not any(replies.values()):
                # firmware that refuses the join as a whole: ask one command at a time
                replies.clear()
                others = joinable + others
        else:
            others = joinable + others
        for command in others:
            try:
                replies[command] = self.read(command)
            except ApiError:
                replies[command] = None
        return replies

    def _ok_or_none(self, reply, command):
        if reply is None:
            return None
        try:
            return _protocol.check(reply, self.host, command)
        except ApiError:
            return None

    # ---- writes ------------------------------------------------------------------------
    def write(self, command: str, **params) -> dict | None:
        """Send an encrypted write; returns the decrypted reply, or None when the miner
        closed without answering and that is normal for the command (protocol.md 7.2)."""
        self._require_password(command)
        for attempt in (1, 2):
            token = self._current_token(command)
            request = self._encrypted_request(token, command, params)
            try:
                raw = self._exchange(command, request)
            except MinerTimeout:
                if command in _protocol.NO_REPLY_OK:
                    return None
                raise
            if not raw.strip(b"\0 \r\n") and command in _protocol.NO_REPLY_OK:
                return None
            try:
                return self._decrypt_reply(raw, token, command)
            except TokenRejected:
                self._token = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _require_password(self, command: str) -> None:
        if not self._password:
            raise UsageError(self.host, command, "this is a write command and needs the miner's admin password: "
                                                 "set the variable whatsminer_password, the env WHATSMINER_PASSWORD "
                                                 "or the module's password option; nothing was sent")

    def _current_token(self, command: str) -> _Token:
        now = time.monotonic()
        if self._token is None or not self._token.fresh(now):
            self._token = self._fetch_token(command)
        return self._token

    def _fetch_token(self, command: str) -> _Token:
        for attempt in range(self.token_retries + 1):
            try:
                reply = self.read("get_token")
                break
            except TokenLimit:
                if attempt == self.token_retries:
                    raise
                time.sleep(self.backoff_s * 2 ** attempt)
        msg = reply.get("Msg")
        if not isinstance(msg, dict) or not all(isinstance(msg.get(k), str) for k in ("time", "salt", "newsalt")):
            raise ProtocolError(self.host, command, "get_token answered without time, salt and newsalt")
        key = _crypto.derive_key(self._password, msg["salt"])
        return _Token(_crypto.make_sign(key, msg["time"], msg["newsalt"]), _crypto.aes_key(key), time.monotonic())

    @staticmethod
    def _encrypted_request(token: _Token, command: str, params: dict) -> bytes:
        plaintext = _protocol.write_plaintext(command, params, token.sign)
        return _protocol.encode_encrypted(_crypto.encrypt(token.aeskey, plaintext))

    def _decrypt_reply(self, raw: bytes, token: _Token, command: str) -> dict:
        envelope = _protocol.decode_json(raw, self.host, command)
        enc = envelope.get("enc")
        if not isinstance(enc, str):
            # errors raised before the miner can encrypt come back in plaintext (protocol.md 5.4)
            return _protocol.check(envelope, self.host, command, after_write=True)
        try:
            plain = _crypto.decrypt(token.aeskey, enc)
        except ValueError as err:
            raise ProtocolError(self.host, command, f"the encrypted reply could not be decrypted ({err})") from None
        reply = _protocol.decode_json(plain, self.host, command)
        return _protocol.check(reply, self.host, command, after_write=True)

    # ---- streams -----------------------------------------------------------------------
    def upload_firmware(self, source, chunk_size: int = CHUNK) -> dict | None:
        """Send a firmware file (path or binary file object) on the update_firmware socket.

        Returns the miner's final reply, or None when it restarted without one; either way
        the caller verifies the version once the miner is back.
        """
        command = "update_firmware"
        self._require_password(command)
        stream, size, close = _open_source(source)
        try:
            token = self._current_token(command)
            with self._connect(command) as sock:
                sock.sendall(self._encrypted_request(token, command, {}))
                header, rest = self._read_json_object(sock, command)
                ready = self._decrypt_reply(header, token, command)
                if str(ready.get("Msg", "")).lower() != "ready":
                    raise ProtocolError(self.host, command, f"expected 'ready' before the upload, got {ready.get('Msg')!r}")
                sock.sendall(struct.pack("<I", size))
                while True:
                    chunk = stream.read(chunk_size)
                    if not chunk:
                        break
                    sock.sendall(chunk)
                final = rest + self._read_to_eof(sock, command, allow_timeout=True)
        finally:
            if close:
                stream.close()
        if not final.strip(b"\0 \r\n"):
            return None
        return self._decrypt_reply(final, token, command)

    def download_logs(self, dest: str, chunk_size: int = CHUNK) -> int:
        """Stream the miner's log tarball to ``dest``; returns the number of bytes written."""
        command = "download_logs"
        self._require_password(command)
        token = self._current_token(command)
        with self._connect(command) as sock:
            sock.sendall(self._encrypted_request(token, command, {}))
            header, rest = self._read_json_object(sock, command)
            reply = self._decrypt_reply(header, token, command)
            msg = reply.get("Msg") if isinstance(reply.get("Msg"), dict) else {}
            try:
                length = int(msg.get("logfilelen", msg.get("logsize")))
            except (TypeError, ValueError):
                raise ProtocolError(self.host, command, "the reply did not say how long the log file is") from None
            if length <= 0:
                raise ProtocolError(self.host, command, "the miner reported an empty log file")
            written = 0
            with open(dest, "wb") as out:
                pending = rest
                while written < length:
                    if not pending:
                        pending = self._recv(sock, command, chunk_size)
                        if not pending:
                            break
                    piece = pending[:length - written]
                    out.write(piece)
                    written += len(piece)
                    pending = b""
        if written != length:
            raise ProtocolError(self.host, command, f"the log download stopped after {written} of {length} bytes")
        return written

    # ---- transport ---------------------------------------------------------------------
    def _connect(self, command: str) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except ConnectionRefusedError:
            raise ConnectionFailed(self.host, command, f"connection refused on port {self.port}: the miner is off, "
                                                       "restarting, or its API is not listening") from None
        except ConnectionResetError:
            raise ConnectionFailed(self.host, command, f"the miner reset the connection on port {self.port}") from None
        except socket.timeout:
            raise ConnectionFailed(self.host, command, f"no answer to the connection on port {self.port} within "
                                                       f"{self.timeout:g} s: the miner is unreachable or off") from None
        except OSError as err:
            raise ConnectionFailed(self.host, command, f"cannot connect to port {self.port}: {err.strerror or err}") from None
        sock.settimeout(self.timeout)
        return sock

    def _exchange(self, command: str, request: bytes) -> bytes:
        with self._connect(command) as sock:
            try:
                sock.sendall(request)
            except OSError as err:
                raise ConnectionFailed(self.host, command, f"the connection broke while sending: {err.strerror or err}") from None
            return self._read_to_eof(sock, command)

    def _recv(self, sock: socket.socket, command: str, size: int = CHUNK) -> bytes:
        try:
            return sock.recv(size)
        except socket.timeout:
            raise MinerTimeout(self.host, command, f"no reply within {self.timeout:g} s") from None
        except ConnectionResetError:
            raise ConnectionFailed(self.host, command, "the miner reset the connection before it finished replying") from None
        except OSError as err:
            raise ConnectionFailed(self.host, command, f"the connection broke while reading: {err.strerror or err}") from None

    def _read_to_eof(self, sock: socket.socket, command: str, allow_timeout: bool = False) -> bytes:
        chunks = []
        total = 0
        while True:
            try:
                chunk = self._recv(sock, command)
            except MinerTimeout:
                if allow_timeout:
                    break
                # an answer without the closing FIN: use what arrived if it is a whole object
                data = b"".join(chunks)
                if data and _protocol.first_json_object(data.lstrip()) is not None:
                    return data
                raise
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_REPLY:
                raise ProtocolError(self.host, command, f"reply larger than {MAX_REPLY} bytes")
        return b"".join(chunks)

    def _read_json_object(self, sock: socket.socket, command: str) -> tuple[bytes, bytes]:
        """Read up to the end of the first JSON object; return it and the bytes after it."""
        buffer = b""
        while True:
            end = _protocol.first_json_object(buffer)
            if end is not None:
                return buffer[:end], buffer[end:]
            chunk = self._recv(sock, command)
            if not chunk:
                if buffer.strip(b"\0 \r\n"):
                    return buffer, b""
                raise ConnectionFailed(self.host, command, "the miner closed the connection without a reply")
            buffer += chunk
            if len(buffer) > MAX_REPLY:
                raise ProtocolError(self.host, command, "no complete JSON header in the reply")


def _open_source(source):
    """``(stream, size, close_when_done)`` for a path or a seekable binary file object."""
    if isinstance(source, (str, os.PathLike)):
        stream = open(source, "rb")  # pylint: disable=consider-using-with
        return stream, os.fstat(stream.fileno()).st_size, True
    position = source.tell()
    size = source.seek(0, os.SEEK_END) - position
    source.seek(position)
    return source, size, False
