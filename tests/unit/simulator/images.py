"""Firmware image files built in tests: plain ones, and combined ones in the layout of protocol.md section 8."""

from __future__ import annotations

import struct

HEADER = 6812
ENTRY = 104


def plain(version: str | None, body: bytes = b"\x5a" * 4000) -> bytes:
    """A plain image: a first line 'WMFW <version>' (none when version is None), then the body."""
    return (b"WMFW %s\n" % version.encode() if version else b"") + body


def combined(packages, count: int | None = None, data_size: int | None = None, tail: bytes = b"") -> bytes:
    """A combined image of ``packages`` [(platform, payload)], each at the offset the header names.

    ``count`` and ``data_size`` override the header's words 5 and 4 (to build images that are out of range).
    """
    offset = HEADER
    entries = b""
    body = b""
    for platform, payload in packages:
        entries += struct.pack("<16s16sII64x", b"chip-" + platform.encode()[:11], platform.encode(), offset, len(payload))
        body += payload
        offset += len(payload)
    header = struct.pack("<6I", 0x57534d42, 1, 0, 0, len(body) if data_size is None else data_size,
                         len(packages) if count is None else count)
    header += entries.ljust(64 * ENTRY, b"\0") + b"\0" * 132
    assert len(header) == HEADER
    return header + body + tail
