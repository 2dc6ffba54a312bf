# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""A firmware image file on the controller: combined or plain, which package to send, its version, its checksum.

Pure: it reads the file it is given and nothing else, no network, no Ansible objects.

Combined images (protocol.md 8, the layout Tether's ``workers/lib/utils/firmware.js`` reads; all integers
u32 little-endian): a header of 6812 bytes, made of six u32 (index 4 the total data size, index 5 the
package count), 64 package entries of 104 bytes (chip type 16 B and platform 16 B, NUL-padded text;
the package's offset from the start of the file; its size; 64 B reserved), then 132 bytes. A file is
combined only when the count is 1 to 64 and data size + 6812 <= file size; any other file is a plain
image and is sent whole. The package for a miner is the one whose platform equals the miner's
``get_version`` platform lower-cased, exactly; there is no fallback to another board's package.

Version: an image says which version it installs only where its first line (of the package, for a
combined image) reads ``WMFW <version>``, the simulator's image format (tests/simulator/transfers.py).
Vendor images carry no version known to be readable from their bytes: pass it.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass

HEADER_SIZE = 6812
HEAD_WORDS = 6
DATA_SIZE_WORD = 4
COUNT_WORD = 5
MAX_PACKAGES = 64
ENTRY_SIZE = 104
ENTRY = struct.Struct("<16s16sII64x")
ENTRIES_AT = HEAD_WORDS * 4
READ_CHUNK = 1024 * 1024
# "WMFW <version>" and its line end fit in this many bytes
FIRST_LINE_BYTES = 80
VERSION_LINE = re.compile(rb"WMFW ([A-Za-z0-9._-]{1,64})\r?")
CHECKSUM = re.compile(r"sha256:([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Package:
    """One package of a combined image: which control board it is for and where its bytes are."""

    chip: str
    platform: str
    offset: int
    size: int

    def result(self) -> dict:
        return {"platform": self.platform, "offset": self.offset, "size": self.size}


@dataclass(frozen=True)
class Image:
    """``packages`` is empty for a plain image."""

    size: int
    packages: tuple = ()

    @property
    def combined(self) -> bool:
        return bool(self.packages)

    def platforms(self) -> list:
        return [package.platform for package in self.packages]


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("ascii", "replace").strip()


def parse_header(header: bytes, file_size: int) -> tuple:
    """The packages a combined image's header lists; () when the file is a plain image."""
    if len(header) < HEADER_SIZE:
        return ()
    words = struct.unpack_from("<%dI" % HEAD_WORDS, header, 0)
    count, data_size = words[COUNT_WORD], words[DATA_SIZE_WORD]
    if not 1 <= count <= MAX_PACKAGES or data_size + HEADER_SIZE > file_size:
        return ()
    packages = []
    for index in range(count):
        chip, platform, offset, size = ENTRY.unpack_from(header, ENTRIES_AT + index * ENTRY_SIZE)
        packages.append(Package(_text(chip), _text(platform), offset, size))
    return tuple(packages)


def inspect(stream) -> Image:
    """Read the header of a seekable binary file (the position is left at its start)."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    header = stream.read(HEADER_SIZE)
    stream.seek(0)
    return Image(size, parse_header(header, size))


def package_for(image: Image, platform: str) -> Package | None:
    """The package for a miner reporting ``platform`` (compared lower-cased, exactly)."""
    wanted = platform.lower()
    for package in image.packages:
        if package.platform == wanted:
            return package
    return None


def damage(image: Image, package: Package) -> str | None:
    """Why the bytes of ``package`` cannot be sent as they are, or None."""
    if package.size == 0:
        return f"the package for {package.platform} is empty"
    if package.offset < HEADER_SIZE or package.offset + package.size > image.size:
        return (f"the package for {package.platform} (offset {package.offset:,}, {package.size:,} bytes) lies "
                f"outside the file's {image.size:,} bytes after its header")
    return None


def read_version(stream, offset: int = 0, size: int | None = None) -> str | None:
    """The version a ``WMFW <version>`` first line names, at ``offset``; None when there is none."""
    stream.seek(offset)
    limit = FIRST_LINE_BYTES if size is None else min(FIRST_LINE_BYTES, size)
    head = stream.read(limit)
    stream.seek(0)
    if b"\n" not in head and len(head) == FIRST_LINE_BYTES:
        return None
    match = VERSION_LINE.fullmatch(head.split(b"\n", 1)[0])
    return match.group(1).decode("ascii") if match else None


def parse_checksum(text: str) -> str:
    """The lower-case hex digest of ``sha256:<64 hex digits>``; ValueError otherwise."""
    match = CHECKSUM.fullmatch(text.strip())
    if not match:
        raise ValueError("must be 'sha256:' followed by 64 hexadecimal digits")
    return match.group(1).lower()


def sha256_of(stream) -> str:
    """The SHA-256 of the whole file, read in chunks (the position is left at its start)."""
    digest = hashlib.sha256()
    stream.seek(0)
    while True:
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            break
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


class Slice:
    """A read-only binary file object over ``size`` bytes of ``stream`` from ``offset``.

    Positions are relative to the slice, so the client's upload sees a file of ``size`` bytes;
    nothing is read ahead and nothing is held in memory. ``handed`` counts the bytes read out.
    """

    def __init__(self, stream, offset: int, size: int):
        self._stream = stream
        self._offset = offset
        self._size = size
        self._position = 0
        self.handed = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}[whence]
        if base + position < 0:
            raise ValueError("negative seek position")
        self._position = base + position
        return self._position

    def read(self, count: int = -1) -> bytes:
        left = max(0, self._size - self._position)
        count = left if count is None or count < 0 else min(count, left)
        if count == 0:
            return b""
        self._stream.seek(self._offset + self._position)
        data = self._stream.read(count)
        self._position += len(data)
        self.handed += len(data)
        return data
