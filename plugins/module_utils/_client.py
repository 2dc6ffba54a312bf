# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""WhatsMinerClient: one TCP exchange per command, token cache, encrypted writes, streams.

No Ansible objects here: the action plugins, the modules and the inventory all use it.

Time bounds (T is the client's ``timeout``, the modules' ``timeout`` option):

- One exchange (connect, send the request, read the whole reply) has one monotonic deadline
  of T, whatever the peer does: every connect, send and recv waits only for the time left, so
  a miner that trickles its reply, floods it or never reads fails within T. The host name
  lookup is left to the system resolver and is not bounded here (inventories use addresses).
- ``read()``: a read is safe to repeat, so after anything transient (reset, close without a
  reply, timeout, malformed or truncated reply) it is tried ``read_retries`` more times, each
  with a fresh deadline: at most (read_retries + 1) x T, 2 x T by default. A refused
  connection and an error code (e.g. 14, 132) are answers and are not repeated.
- ``read_joined()``: one ``read()`` per exchange it makes (the joined read, then one per
  daemon command); the first read that still fails after its retry ends it, so n exchanges
  take at most n x (read_retries + 1) x T, and a miner that fails every read costs 2 x T.
- ``write()``: a token fetch (one ``read()`` per attempt, up to ``token_retries`` more after a
  136, with backoff_s x 2^n pauses) then one exchange of at most T, never repeated after it went
  out; after a 135 both once more.
- Streams (``upload_firmware``, ``download_logs``): the command and its JSON header are one
  exchange of T. The bytes then must keep moving: no progress for T seconds is a stall, and
  the transfer may take at most T + bytes-done / ``min_rate`` at any point (256 KiB/s by
  default), so a peer that drips fails within about T, and a whole transfer lasts at most
  T + size / min_rate. The upload's final reply gets one more T.

A reply is read into one buffer of at most MAX_REPLY bytes; a longer one is refused at once.
No loop here waits without a timeout, and a closed or reset socket ends every loop.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import struct
import time

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils import _protocol
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ApiError,
    ConnectionFailed,
    MinerTimeout,
    OutcomeUnknown,
    ProtocolError,
    TokenLimit,
    TokenRejected,
    UsageError,
    WhatsMinerError,
)

TOKEN_LIFETIME_S = 30 * 60
TOKEN_MARGIN_S = 60
CHUNK = 64 * 1024
MAX_REPLY = 4 * 1024 * 1024
# A stream header ({"enc": ...} before the log bytes, "ready" before the upload) is a few hundred bytes.
MAX_HEADER = 64 * 1024
# Miners' log tarballs are a few MB; a larger announced length is not believed.
MAX_LOG = 256 * 1024 * 1024
MIN_STREAM_RATE = 256 * 1024
# Once a whole JSON object has arrived, how long to wait for the miner's close before using it.
FIN_GRACE_S = 0.5

_BLANK = b"\0 \t\r\n"
_STRUCTURAL = re.compile(rb'[{}"\\]')


class _Token:
    def __init__(self, sign: str, aeskey: bytes, fetched: float):
        self.sign = sign
        self.aeskey = aeskey
        self.fetched = fetched

    def fresh(self, now: float) -> bool:
        return now - self.fetched < TOKEN_LIFETIME_S - TOKEN_MARGIN_S


class _Deadline:
    """A point on the monotonic clock by which one exchange must be over."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class _Progress:
    """What one exchange got done, so that a failure can be told honestly.

    ``sent``: the whole request went out. ``received``: bytes of reply that arrived.
    ``blank``: nothing but NULs and white space arrived. ``retry``: a read may be tried again.
    ``reply``: what became of the reply, worded for OutcomeUnknown. ``silence``: what the miner
    did when nothing came back, worded to follow "the miner".
    """

    def __init__(self):
        self.sent = False
        self.received = 0
        self.blank = True
        self.complete = False
        self.retry = True
        self.reply = ""
        self.silence = ""


class _ObjectEnd:
    """Finds where the first JSON object of a byte stream ends, fed one chunk at a time.

    Linear in the bytes fed: only braces, quotes and backslashes are visited, through a
    compiled pattern, so a long string is skipped at C speed.
    """

    def __init__(self):
        self.offset = 0  # bytes fed so far
        self.depth = 0
        self.in_string = False
        self.skip_to = 0  # the byte after a backslash inside a string is not a quote
        self.broken = False  # something other than an object starts the stream
        self.end = None  # offset just past the first object, once found

    def feed(self, chunk: bytes) -> int | None:
        if self.offset == 0 and self.end is None:
            self.end = _whole_object_end(chunk)
        if self.end is None and not self.broken:
            base = self.offset
            if self.depth == 0 and not self.in_string:
                start = len(chunk) - len(chunk.lstrip(_BLANK))
                if start < len(chunk) and chunk[start:start + 1] != b"{":
                    self.broken = True
            for match in _STRUCTURAL.finditer(chunk):
                position = base + match.start()
                if position < self.skip_to:
                    continue
                char = match.group()
                if self.in_string:
                    if char == b"\\":
                        self.skip_to = position + 2
                    elif char == b'"':
                        self.in_string = False
                elif char == b'"':
                    self.in_string = self.depth > 0
                elif char == b"{":
                    self.depth += 1
                elif char == b"}" and self.depth:
                    self.depth -= 1
                    if self.depth == 0:
                        self.end = position + 1
                        break
        self.offset += len(chunk)
        return self.end


def _whole_object_end(data: bytes) -> int | None:
    """Where the object ends when ``data`` is one valid JSON object and blanks, else None (the scan decides).

    Most replies come whole in their first chunk: the C parser says so in about a quarter of the scan's time.
    """
    body = data.rstrip(_BLANK)
    text = body.lstrip(_BLANK)  # a leading NUL would make json guess UTF-16
    if not text.startswith(b"{") or not text.endswith(b"}"):
        return None
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return None
    return len(body)


def _object_complete(data: bytes) -> bool:
    return _ObjectEnd().feed(data) is not None


def _amend(err: WhatsMinerError, more: str) -> WhatsMinerError:
    """Add to an exception's cause (and so to its message), whatever its class."""
    err.cause = f"{err.cause}{more}"
    err.args = (f"miner {err.host}: command '{err.command}': {err.cause}",)
    return err


class JoinedReplies(dict):
    """``read_joined``'s ``{command: reply or None}``; ``first_error`` is the first ApiError met, if any."""

    first_error: ApiError | None = None


class WhatsMinerClient:
    """Talks to one miner. Reads need no password; writes need the admin password.

    Every call is bounded in time; see the module docstring for the worst cases.
    """

    def __init__(self, host: str, port: int = _protocol.PORT, password: str | None = None, timeout: float = 10.0,
                 token_retries: int = 3, backoff_s: float = 1.0, read_retries: int = 1,
                 min_rate: float = MIN_STREAM_RATE):
        self.host = host
        self.port = int(port)
        self.timeout = float(timeout)
        self.token_retries = token_retries
        self.backoff_s = backoff_s
        self.read_retries = read_retries
        self.min_rate = max(1.0, float(min_rate))
        # after write() returned None: what the miner did instead of replying ("closed the connection ...")
        self.last_silence: str | None = None
        self._password = password
        self._token: _Token | None = None
        self._progress = _Progress()

    def __repr__(self):
        return f"WhatsMinerClient({self.host!r}, port={self.port})"

    # ---- reads -------------------------------------------------------------------------
    def read(self, command: str, **params) -> dict:
        """Send a readable command in plaintext and return the checked reply."""
        return _protocol.check(self._read_reply(command, params), self.host, command)

    def _read_reply(self, command: str, params: dict | None = None) -> dict:
        """The parsed reply of a read, tried again after anything transient, never after an answer."""
        request = _protocol.encode_read(command, params)
        return self._retried(command, request, lambda raw: _protocol.decode_json(raw, self.host, command))

    def _retried(self, command: str, request: bytes, decode) -> dict:
        """``decode`` of the reply to a read request, with the retries of the module docstring."""
        attempts = max(0, int(self.read_retries)) + 1
        for attempt in range(1, attempts + 1):
            progress = self._progress = _Progress()
            try:
                return decode(self._exchange(command, request))
            except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
                if progress.retry and attempt < attempts:
                    continue
                if attempt > 1:
                    _amend(err, "; tried twice" if attempt == 2 else f"; tried {attempt} times")
                raise
        raise AssertionError("unreachable")

    def read_joined(self, *commands: str) -> JoinedReplies:
        """One '+'-joined read for the btminer commands, one read each for the rest.

        Returns ``{command: reply or None}``; a part the miner answers with an error is None
        (e.g. ``devdetails`` on 2024+ firmware), so callers see what the firmware reports. The
        first of those errors is kept as ``first_error``, so a caller can name it.
        """
        joinable = [c for c in commands if c in _protocol.JOINABLE]
        others = [c for c in commands if c not in _protocol.JOINABLE]
        replies = JoinedReplies()
        if len(joinable) > 1:
            joined = "+".join(joinable)
            reply = self._read_reply(joined)
            self._ok_or_none(reply, joined, replies)  # a join refused as a whole answers with one flat error
            for part, value in _protocol.split_joined(reply, joined).items():
                replies[part] = self._ok_or_none(value, part, replies)
            if not any(replies.values()):
                # firmware that refuses the join as a whole: ask one command at a time
                replies.clear()
                others = joinable + others
        else:
            others = joinable + others
        for command in others:
            try:
                replies[command] = self.read(command)
            except ApiError as err:
                replies.first_error = replies.first_error or err
                replies[command] = None
        return replies

    def _ok_or_none(self, reply, command, replies: JoinedReplies):
        if reply is None:
            return None
        try:
            return _protocol.check(reply, self.host, command)
        except ApiError as err:
            replies.first_error = replies.first_error or err
            return None

    # ---- writes ------------------------------------------------------------------------
    def write(self, command: str, **params) -> dict | None:
        """Send an encrypted write and return the miner's decrypted reply.

        None means "sent, outcome unknown", never success: it is returned only for a command
        of ``_protocol.NO_REPLY_OK`` (the restarting kind, protocol.md 7.2) when the request went
        out whole and nothing at all came back (close, reset or silence until the timeout);
        ``last_silence`` then says which. The caller reads the state back to know.

        Raises OutcomeUnknown when the request went out whole but the reply was lost, cut
        short, unreadable or too large: the miner may have applied it. A write is never sent twice,
        except after a 135 (the miner refused the token, so it did nothing).
        """
        self._require_password(command)
        self.last_silence = None
        for attempt in (1, 2):
            token = self._current_token(command)
            request = self._encrypted_request(token, command, params)
            raw = self._write_exchange(command, request)
            if raw is None:
                return None
            try:
                return self._write_reply(raw, token, command)
            except TokenRejected:
                self._token = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _write_exchange(self, command: str, request: bytes) -> bytes | None:
        """The raw reply to a write, None for the silence NO_REPLY_OK allows, or OutcomeUnknown."""
        progress = self._progress = _Progress()
        try:
            raw = self._exchange(command, request)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            if not progress.sent:
                raise
            if progress.blank and progress.silence and command in _protocol.NO_REPLY_OK:
                self.last_silence = progress.silence
                return None
            raise OutcomeUnknown(self.host, command, progress.reply or f"unusable ({err.cause})") from None
        if not raw.strip(_BLANK):
            if command in _protocol.NO_REPLY_OK:
                self.last_silence = "closed the connection without a reply"
                return None
            raise OutcomeUnknown(self.host, command, "missing (the miner closed the connection without one)")
        scan = _ObjectEnd()
        if scan.feed(raw) is None and not scan.broken:
            # a JSON object that never closed: say so, rather than quote the ciphertext
            what = "the encrypted reply" if b'"enc"' in raw[:64] else "the reply"
            raise OutcomeUnknown(self.host, command, f"unusable ({what} was cut off after {len(raw):,} bytes)")
        return raw

    def _write_reply(self, raw: bytes, token: _Token, command: str) -> dict:
        try:
            return self._decrypt_reply(raw, token, command)
        except ProtocolError as err:
            raise OutcomeUnknown(self.host, command, f"unusable ({err.cause})") from None

    def _require_password(self, command: str) -> None:
        if not self._password:
            raise UsageError(self.host, command, "this is a write command and needs the miner's admin password: "
                                                 "set the variable whatsminer_password, the env WHATSMINER_PASSWORD "
                                                 "or the module's password option; nothing was sent")

    def _current_token(self, command: str) -> _Token:
        now = time.monotonic()
        if self._token is None or not self._token.fresh(now):
            try:
                self._token = self._fetch_token()
            except WhatsMinerError as err:
                raise _amend(err, f"; without a session token, '{command}' was not sent") from None
        return self._token

    def _fetch_token(self) -> _Token:
        command = "get_token"
        attempt = 0
        while True:
            try:
                reply = self.read(command)
                break
            except TokenLimit:
                if attempt >= self.token_retries:
                    raise
                time.sleep(self.backoff_s * 2 ** attempt)
                attempt += 1
        msg = reply.get("Msg")
        if not isinstance(msg, dict) or not all(isinstance(msg.get(k), str) for k in ("time", "salt", "newsalt")):
            raise ProtocolError(self.host, command, "get_token answered without time, salt and newsalt as strings")
        unusable = "the miner's get_token reply had an unusable salt/time: "
        for name in ("time", "salt", "newsalt"):
            value = msg[name]
            if not 0 < len(value) <= 64 or not value.isascii() or not value.isprintable():
                raise ProtocolError(self.host, command, f"{unusable}{name} {value[:24]!r}"
                                                        f"{'...' if len(value) > 24 else ''}")
        try:
            key = _crypto.derive_key(self._password, msg["salt"])
            sign = _crypto.make_sign(key, msg["time"], msg["newsalt"])
            aeskey = _crypto.aes_key(key)
        except (ValueError, TypeError) as err:
            raise ProtocolError(self.host, command, f"{unusable}{err}") from None
        return _Token(sign, aeskey, time.monotonic())

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

        Returns the miner's final reply, or None when it restarted without one ("sent, outcome
        unknown"); either way the caller verifies the version once the miner is back. Raises
        OutcomeUnknown when the whole image went out and the final reply was cut or unreadable.
        """
        command = "update_firmware"
        self._require_password(command)
        stream, size, close = _open_source(source)
        try:
            for attempt in (1, 2):
                token = self._current_token(command)
                with self._open_stream(command, token, "nothing was uploaded") as (sock, header, rest):
                    try:
                        ready = self._decrypt_reply(header, token, command)
                    except TokenRejected:
                        self._token = None
                        if attempt == 2:
                            raise
                        continue
                    if str(ready.get("Msg", "")).lower() != "ready":
                        raise ProtocolError(self.host, command, f"expected 'ready' before the upload, got "
                                                                f"{ready.get('Msg')!r}; nothing was uploaded")
                    self._send_stream(sock, command, stream, size, chunk_size)
                    return self._final_reply(sock, command, token, rest)
        finally:
            if close:
                stream.close()
        raise AssertionError("unreachable")

    def download_logs(self, dest: str, chunk_size: int = CHUNK) -> int:
        """Stream the miner's log tarball to ``dest``; returns the number of bytes written."""
        command = "download_logs"
        self._require_password(command)
        for attempt in (1, 2):
            token = self._current_token(command)
            with self._open_stream(command, token, "no log was downloaded") as (sock, header, rest):
                try:
                    reply = self._decrypt_reply(header, token, command)
                except TokenRejected:
                    self._token = None
                    if attempt == 2:
                        raise
                    continue
                msg = reply.get("Msg") if isinstance(reply.get("Msg"), dict) else {}
                return self._save_log(sock, command, msg, rest, dest, chunk_size)
        raise AssertionError("unreachable")

    def _save_log(self, sock: socket.socket, command: str, msg: dict, rest: bytes, dest: str, chunk_size: int) -> int:
        """The log bytes that follow the header ``msg`` (``logfilelen``, V3 ``logsize``), streamed to ``dest``."""
        try:
            length = int(msg.get("logfilelen", msg.get("logsize")))
        except (TypeError, ValueError):
            raise ProtocolError(self.host, command, "the reply did not say how long the log file is") from None
        if length <= 0:
            raise ProtocolError(self.host, command, "the miner reported an empty log file")
        if length > MAX_LOG:
            raise ProtocolError(self.host, command, f"the miner announced a log file of {length:,} bytes, "
                                                    f"more than the {MAX_LOG:,} this client accepts")
        try:
            with open(dest, "wb") as out:
                written = self._receive_stream(sock, command, out, length, rest, chunk_size)
        except BaseException:
            _remove(dest)  # no half a tarball left under the name of a whole one
            raise
        if written != length:
            _remove(dest)
            raise ProtocolError(self.host, command, f"the log download stopped after {written:,} of {length:,} "
                                                    "bytes: the miner closed the connection")
        return written

    def _open_stream(self, command: str, token: _Token, not_done: str):
        """Connect, send the encrypted command and read its JSON header, all within one deadline."""
        return _StreamSocket(*self._open_with(
            command, self._encrypted_request(token, command, {}),
            lambda sock, deadline, progress: self._read_header(sock, command, deadline), not_done, _Progress()))

    def _open_with(self, command: str, request: bytes, read_first, not_done: str, progress) -> tuple:
        """``(socket, first reply, bytes after it)`` of a streamed command: connect, send ``request``, and
        ``read_first(sock, deadline, progress)``, within one deadline of ``timeout``; a failure says ``not_done``."""
        deadline = _Deadline(self.timeout)
        try:
            sock = self._connect(command, deadline, progress)
        except (MinerTimeout, ConnectionFailed) as err:
            raise _amend(err, f"; {not_done}") from None
        try:
            self._send(sock, command, request, deadline, progress)
            first, rest = read_first(sock, deadline, progress)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            sock.close()
            raise _amend(err, f"; {not_done}") from None
        except BaseException:
            sock.close()
            raise
        return sock, first, rest

    def _read_header(self, sock: socket.socket, command: str, deadline: _Deadline) -> tuple[bytes, bytes]:
        """Read up to the end of the first JSON object; return it and the bytes after it."""
        buffer = bytearray()
        scan = _ObjectEnd()
        progress = _Progress()
        while True:
            chunk = self._recv(sock, command, deadline.end, deadline, buffer, progress)
            if not chunk:
                if not buffer.strip(_BLANK):
                    raise ConnectionFailed(self.host, command, "the miner closed the connection without a reply")
                raise ProtocolError(self.host, command, f"the reply was cut off after {len(buffer):,} bytes")
            end = scan.feed(chunk)
            buffer += chunk
            if end is not None:
                return bytes(buffer[:end]), bytes(buffer[end:])
            if scan.broken or len(buffer) > MAX_HEADER:
                raise ProtocolError(self.host, command, "the reply does not start with a JSON header "
                                                        f"({len(buffer):,} bytes read)")

    def _send_stream(self, sock: socket.socket, command: str, stream, size: int, chunk_size: int) -> None:
        """The 4-byte size and the image, each send waiting only while the transfer keeps moving."""
        started = time.monotonic()
        total = size + 4
        done = 0
        pending = memoryview(struct.pack("<I", size))
        while True:
            if not pending:
                if done >= total:
                    return
                chunk = stream.read(min(chunk_size, total - done))
                if not chunk:
                    raise UsageError(self.host, command, f"the firmware file ended after {done - 4:,} of {size:,} "
                                                         "bytes while it was being sent; the miner did not get it whole")
                pending = memoryview(chunk)
            since = time.monotonic()
            sock.settimeout(self._stream_wait(command, started, done, total, "upload"))
            try:
                sent = sock.send(pending)
            except socket.timeout:
                late = self._stream_late(started, since, done, total, "upload")
                raise MinerTimeout(self.host, command, f"{late}; the miner did not get the whole image") from None
            except OSError as err:
                raise ConnectionFailed(self.host, command, f"the connection broke after {done:,} of {total:,} bytes "
                                                           f"of the upload ({err.strerror or err}); the miner did not "
                                                           "get the whole image") from None
            done += sent
            pending = pending[sent:]

    def _receive_stream(self, sock: socket.socket, command: str, out, length: int, pending: bytes,
                        chunk_size: int) -> int:
        started = time.monotonic()
        written = 0
        while written < length:
            if pending:
                piece, pending = pending[:length - written], b""
            else:
                since = time.monotonic()
                sock.settimeout(self._stream_wait(command, started, written, length, "download"))
                try:
                    piece = sock.recv(min(chunk_size, length - written))
                except socket.timeout:
                    raise MinerTimeout(self.host, command,
                                       self._stream_late(started, since, written, length, "download")) from None
                except OSError as err:
                    raise ConnectionFailed(self.host, command, f"the connection broke after {written:,} of {length:,} "
                                                               f"bytes of the log file ({err.strerror or err})") from None
                if not piece:
                    break
            out.write(piece)
            written += len(piece)
        return written

    def _stream_wait(self, command: str, started: float, done: int, total: int, what: str) -> float:
        """How long the next send/recv may wait: the stall limit, or less when the transfer is behind
        the minimum rate (it may take timeout + done / min_rate in all, at any point)."""
        now = time.monotonic()
        left = started + self.timeout + done / self.min_rate - now
        if left <= 0:
            raise MinerTimeout(self.host, command, self._stream_late(started, now, done, total, what))
        return min(left, self.timeout)

    def _stream_late(self, started: float, since: float, done: int, total: int, what: str) -> str:
        """Why a stream gave up: nothing moved for a whole ``timeout``, or it moved too slowly."""
        if time.monotonic() - since >= 0.95 * self.timeout:
            return f"the {what} stalled: nothing moved for {self.timeout:g} s after {done:,} of {total:,} bytes"
        return (f"the {what} was too slow: {done:,} of {total:,} bytes in {time.monotonic() - started:.1f} s, "
                f"below the {self.min_rate / 1024:g} KiB/s this client waits for")

    def _final_reply(self, sock: socket.socket, command: str, token: _Token, rest: bytes) -> dict | None:
        """The miner's word after the whole image went out; None if it restarted without one."""
        progress = _Progress()
        progress.sent = True
        try:
            final = rest + self._read_to_eof(sock, command, _Deadline(self.timeout), progress)
        except (MinerTimeout, ConnectionFailed, ProtocolError) as err:
            if progress.blank and not rest.strip(_BLANK):
                return None
            raise OutcomeUnknown(self.host, command, progress.reply or f"unusable ({err.cause})") from None
        if not final.strip(_BLANK):
            return None
        if not _object_complete(final):
            raise OutcomeUnknown(self.host, command, f"unusable (the final reply was cut off after {len(final):,} bytes)")
        return self._write_reply(final, token, command)

    # ---- transport ---------------------------------------------------------------------
    def _exchange(self, command: str, request: bytes) -> bytes:
        """Connect, send, read to the miner's close: all of it within one deadline of ``timeout``.

        What got done is recorded in ``self._progress``, which the caller sets up just before.
        """
        progress = self._progress
        deadline = _Deadline(self.timeout)
        with self._connect(command, deadline, progress) as sock:
            self._send(sock, command, request, deadline, progress)
            return self._read_to_eof(sock, command, deadline, progress)

    def _connect(self, command: str, deadline: _Deadline, progress: _Progress) -> socket.socket:
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise UsageError(self.host, command, f"timeout must be a positive number of seconds, not {self.timeout!r}")
        try:
            addresses = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            progress.retry = False
            raise ConnectionFailed(self.host, command, f"cannot resolve the address: {getattr(err, 'strerror', None) or err}") from None
        failure = None
        for family, kind, proto, _name, address in addresses:
            left = deadline.left()
            if left <= 0:
                break
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(left)
                sock.connect(address)
                return sock
            except OSError as err:
                sock.close()
                failure = err
            except BaseException:
                sock.close()
                raise
        if isinstance(failure, ConnectionRefusedError):
            progress.retry = False
            raise ConnectionFailed(self.host, command, f"connection refused on port {self.port}: the miner is off, "
                                                       "restarting, or its API is not listening")
        if isinstance(failure, ConnectionResetError):
            raise ConnectionFailed(self.host, command, f"the miner reset the connection on port {self.port}")
        if failure is None or isinstance(failure, socket.timeout):
            raise ConnectionFailed(self.host, command, f"no answer to the connection on port {self.port} within "
                                                       f"{deadline.seconds:g} s: the miner is unreachable or off")
        raise ConnectionFailed(self.host, command, f"cannot connect to port {self.port}: {failure.strerror or failure}")

    def _send(self, sock: socket.socket, command: str, request: bytes, deadline: _Deadline,
              progress: _Progress) -> None:
        left = deadline.left()
        try:
            if left <= 0:
                raise socket.timeout()
            sock.settimeout(left)  # sendall's timeout bounds the whole call
            sock.sendall(request)
        except socket.timeout:
            raise MinerTimeout(self.host, command, f"the miner did not take the request within {deadline.seconds:g} s") from None
        except OSError as err:
            raise ConnectionFailed(self.host, command, f"the connection broke while sending: {err.strerror or err}") from None
        progress.sent = True

    def _recv(self, sock: socket.socket, command: str, end: float, deadline: _Deadline, buffer: bytearray,
              progress: _Progress) -> bytes | None:
        """One recv that waits at most until ``end``; None when ``end`` passes. Raises on reset and breakage."""
        left = end - time.monotonic()
        try:
            if left <= 0:
                raise socket.timeout()
            sock.settimeout(left)
            return sock.recv(CHUNK)
        except socket.timeout:
            if end < deadline.end:
                return None
            raise self._late(command, deadline, buffer, progress) from None
        except OSError as err:
            raise self._broken(command, err, buffer, progress) from None

    def _read_to_eof(self, sock: socket.socket, command: str, deadline: _Deadline, progress: _Progress) -> bytes:
        """The reply up to the miner's close, within ``deadline``; a whole JSON object without a close
        is used FIN_GRACE_S after it arrived (or at the deadline)."""
        buffer = bytearray()
        scan = _ObjectEnd()
        end = deadline.end
        while True:
            try:
                chunk = self._recv(sock, command, end, deadline, buffer, progress)
            except (MinerTimeout, ConnectionFailed):
                if progress.complete:
                    return bytes(buffer)  # a whole reply, then silence or a reset instead of the close
                raise
            if not chunk:
                return bytes(buffer)
            buffer += chunk
            progress.received = len(buffer)
            if len(buffer) > MAX_REPLY:
                progress.retry = False
                progress.blank = False
                progress.reply = f"unusable (it grew past {MAX_REPLY:,} bytes without ending)"
                raise ProtocolError(self.host, command, f"the reply grew past {MAX_REPLY:,} bytes without ending; "
                                                        "reading stopped there")
            if not progress.complete and scan.feed(chunk) is not None:
                progress.complete = True
                end = min(deadline.end, time.monotonic() + FIN_GRACE_S)

    def _late(self, command: str, deadline: _Deadline, buffer: bytearray, progress: _Progress) -> MinerTimeout:
        seconds = f"{deadline.seconds:g} s"
        progress.blank = not buffer.strip(_BLANK)
        if progress.blank:
            progress.silence = f"stayed silent for {seconds}"
            progress.reply = f"missing (nothing came back within {seconds})"
            return MinerTimeout(self.host, command, f"no reply within {seconds}")
        so_far = f"{len(buffer):,} bytes so far"
        progress.reply = f"unfinished after {seconds} ({so_far})"
        return MinerTimeout(self.host, command, f"the miner kept the reply coming for {seconds} without finishing it "
                                                f"({so_far})")

    def _broken(self, command: str, err: OSError, buffer: bytearray, progress: _Progress) -> ConnectionFailed:
        progress.blank = not buffer.strip(_BLANK)
        reset = isinstance(err, ConnectionResetError)
        what = "the miner reset the connection" if reset else f"the connection broke ({err.strerror or err})"
        if progress.blank:
            progress.silence = "reset the connection without a reply" if reset else ""
            progress.reply = f"missing ({what} without replying)"
            return ConnectionFailed(self.host, command, f"{what} without replying")
        progress.reply = f"cut short ({what} after {len(buffer):,} bytes of it)"
        return ConnectionFailed(self.host, command, f"{what} after {len(buffer):,} bytes of its reply")


class _StreamSocket:
    """``with`` for a stream's socket that also hands over the header read on it."""

    def __init__(self, sock: socket.socket, header: bytes, rest: bytes):
        self.sock = sock
        self.header = header
        self.rest = rest

    def __enter__(self):
        return self.sock, self.header, self.rest

    def __exit__(self, *exc_info):
        self.sock.close()


def _remove(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _open_source(source):
    """``(stream, size, close_when_done)`` for a path or a seekable binary file object."""
    if isinstance(source, (str, os.PathLike)):
        stream = open(source, "rb")  # pylint: disable=consider-using-with
        return stream, os.fstat(stream.fileno()).st_size, True
    position = source.tell()
    size = source.seek(0, os.SEEK_END) - position
    source.seek(position)
    return source, size, False
