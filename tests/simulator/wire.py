"""Framing on TCP 4028: one bare JSON object in, one reply out, then the miner closes (protocol.md section 1).

The request has no terminator and most clients never half-close, so the object is parsed the moment its
closing brace arrives. A connection that closes without sending anything (ansible's wait_for) is normal.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from dataclasses import dataclass

MAX_REQUEST_BYTES = 64 * 1024
READ_CHUNK = 4096

OBJECT = "object"
EMPTY = "empty"
IDLE = "idle"
NOT_JSON = "not_json"


@dataclass
class Received:
    kind: str
    obj: dict | None = None
    rest: bytes = b""


class NotAnObject(ValueError):
    """The bytes cannot start a JSON object."""


class ObjectScanner:
    """Finds the end of the first top-level JSON object, scanning each byte once across chunks."""

    def __init__(self) -> None:
        self.pos = 0
        self.depth = 0
        self.started = False
        self.in_string = False
        self.escaped = False

    def scan(self, buf: bytearray) -> int | None:
        """Index just past the object's closing brace, or None while it is incomplete."""
        while self.pos < len(buf):
            byte = buf[self.pos]
            self.pos += 1
            if not self.started:
                if byte in b" \t\r\n":
                    continue
                if byte != 0x7B:
                    raise NotAnObject("request does not start with '{'")
                self.started = True
                self.depth = 1
            elif self.in_string:
                if self.escaped:
                    self.escaped = False
                elif byte == 0x5C:
                    self.escaped = True
                elif byte == 0x22:
                    self.in_string = False
            elif byte == 0x22:
                self.in_string = True
            elif byte == 0x7B:
                self.depth += 1
            elif byte == 0x7D:
                self.depth -= 1
                if self.depth == 0:
                    return self.pos
        return None


async def read_request(reader: asyncio.StreamReader, idle_timeout: float) -> Received:
    """Read until one JSON object is complete, the peer closes, or nothing arrives for idle_timeout."""
    buf = bytearray()
    scanner = ObjectScanner()
    while True:
        try:
            chunk = await asyncio.wait_for(reader.read(READ_CHUNK), idle_timeout)
        except asyncio.TimeoutError:
            return Received(IDLE)
        except OSError:
            return Received(EMPTY)
        if not chunk:
            return Received(EMPTY if not bytes(buf).strip() else NOT_JSON)
        buf += chunk
        try:
            end = scanner.scan(buf)
        except NotAnObject:
            return Received(NOT_JSON)
        if end is not None:
            try:
                obj = json.loads(bytes(buf[:end]))
            except ValueError:
                return Received(NOT_JSON)
            if not isinstance(obj, dict):
                return Received(NOT_JSON)
            return Received(OBJECT, obj, bytes(buf[end:]))
        if len(buf) > MAX_REQUEST_BYTES:
            return Received(NOT_JSON)


def first_object(text: bytes) -> dict:
    """Parse the first JSON object of a decrypted body and ignore what follows (padding, stray bytes)."""
    start = len(text) - len(text.lstrip())
    obj, _end = json.JSONDecoder().raw_decode(text.decode("utf-8"), start)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def dumps(obj) -> bytes:
    """Compact JSON as the miners send it."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


async def send(writer: asyncio.StreamWriter, data: bytes) -> bool:
    """Write and flush; False when the peer is already gone."""
    try:
        writer.write(data)
        await writer.drain()
        return True
    except (OSError, RuntimeError):
        return False


async def read_exactly(reader: asyncio.StreamReader, size: int, timeout: float) -> bytes:
    return await asyncio.wait_for(reader.readexactly(size), timeout)


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST instead of a FIN, as a refusing or crashing daemon does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def close(writer: asyncio.StreamWriter) -> None:
    try:
        writer.close()
        await writer.wait_closed()
    except (OSError, RuntimeError):
        pass
