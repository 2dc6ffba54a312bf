"""The two exchanges that carry raw bytes after an encrypted header: firmware upload and log download.

Firmware (protocol.md section 8): after "ready", the client sends a 4-byte little-endian size and the file on
the same socket. It is hashed as it streams; only its first line is kept. A file whose first line is
`WMFW <version>` is accepted as firmware for that version. A whole combined image (the 6812-byte header of
protocol.md section 8, Tether's workers/lib/utils/firmware.js layout) is refused: Tether and mdk send a miner
only the package for its own platform, so a miner is taken to install one package, never the bundle.
Logs (section 9): the header carries logfilelen, then about 10 ms later the tarball's bytes, then close.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import struct
import tarfile
import time
from dataclasses import dataclass

CHUNK = 64 * 1024
MAX_FIRMWARE_BYTES = 256 * 1024 * 1024
FIRST_LINE_LIMIT = 128
FIRMWARE_HEADER = re.compile(rb"^WMFW ([A-Za-z0-9._-]{1,64})\r?$")
# The combined-image header (protocol.md section 8): six u32 (index 4 data size, index 5 package count),
# 64 entries of 104 bytes (chip type 16 B, platform 16 B, offset u32, size u32, 64 B reserved), 132 bytes.
COMBINED_HEADER = 6812
COMBINED_MAX_PACKAGES = 64
COMBINED_ENTRY = 104
COMBINED_ENTRIES_AT = 24


@dataclass
class Upload:
    size: int = 0
    received: int = 0
    sha256: str = ""
    version: str | None = None
    error: str | None = None

    def log_params(self) -> dict:
        return {"size": self.size, "received": self.received, "sha256": self.sha256, "version": self.version}


async def receive_firmware(reader: asyncio.StreamReader, already: bytes, timeout: float) -> Upload:
    upload = Upload()
    buf = bytearray(already)
    try:
        while len(buf) < 4:
            chunk = await asyncio.wait_for(reader.read(4 - len(buf)), timeout)
            if not chunk:
                upload.error = "upload ended before the file size"
                return upload
            buf += chunk
    except (asyncio.TimeoutError, OSError):
        upload.error = "no file size within %.0f s" % timeout
        return upload
    upload.size = struct.unpack("<I", bytes(buf[:4]))[0]
    if upload.size == 0 or upload.size > MAX_FIRMWARE_BYTES:
        upload.error = "invalid file size %d" % upload.size
        return upload
    digest = hashlib.sha256()
    head = bytearray()
    pending = bytes(buf[4:])
    while upload.received < upload.size:
        if not pending:
            try:
                pending = await asyncio.wait_for(reader.read(min(CHUNK, upload.size - upload.received)), timeout)
            except (asyncio.TimeoutError, OSError):
                pending = b""
            if not pending:
                upload.error = "upload ended after %d of %d bytes" % (upload.received, upload.size)
                break
        piece = pending[:upload.size - upload.received]
        pending = b""
        digest.update(piece)
        upload.received += len(piece)
        if len(head) < COMBINED_HEADER:
            head += piece[:COMBINED_HEADER - len(head)]
    upload.sha256 = digest.hexdigest()
    if upload.error is None:
        platforms = combined_platforms(bytes(head), upload.size)
        match = FIRMWARE_HEADER.match(bytes(head[:FIRST_LINE_LIMIT]).split(b"\n", 1)[0])
        if platforms is not None:
            upload.error = ("a whole combined image (packages for %s): send only the package for this control "
                            "board" % ", ".join(platforms))
        elif match:
            upload.version = match.group(1).decode("ascii")
        else:
            upload.error = "not a firmware file"
    return upload


def combined_platforms(head: bytes, size: int) -> list | None:
    """The platforms a combined image's header lists, or None when the file is not one (protocol.md section 8:
    combined only when the count is 1..64 and data size + 6812 <= file size)."""
    if len(head) < COMBINED_HEADER:
        return None
    data_size, count = struct.unpack_from("<II", head, 16)
    if not 1 <= count <= COMBINED_MAX_PACKAGES or data_size + COMBINED_HEADER > size:
        return None
    platforms = []
    for index in range(count):
        at = COMBINED_ENTRIES_AT + index * COMBINED_ENTRY + 16
        platforms.append(head[at:at + 16].split(b"\0", 1)[0].decode("ascii", "replace"))
    return platforms


def _miner_log(view) -> bytes:
    s = view.settings
    r = view.reading
    start = int(view.now - r.uptime)
    lines = []

    def add(offset, text):
        lines.append("%s %s" % (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + offset)), text))

    add(0, "btminer %s starting, model %s, platform %s" % (s.firmware_version, view.hardware.variant, view.hardware.platform))
    add(2, "power mode %s, power limit %d W, fast boot %s" % (s.power_mode, r.power_limit_w, "enable" if s.fast_boot else "disable"))
    for slot in range(view.hardware.boards):
        add(5 + slot, "chain %d: %d chips found, pcb sn %s" % (slot, view.hardware.chips, view.identity.pcb_sns[slot]))
    for number, pool in enumerate(s.pools, 1):
        if pool.url:
            add(9 + number, "pool %d: %s user %s" % (number, pool.url, pool.user))
    add(14, "stratum connected to pool 1, difficulty 65536")
    for minute in range(1, 31):
        add(14 + minute * 60, "hashrate %.2f TH/s, power %d W, temp %.1f C, fan %d/%d rpm"
            % (r.mhs_av / 1e6, r.power_w, r.temperature, r.fan_in, r.fan_out))
    for code, when in s.errors:
        lines.append("%s error code %d" % (when, code))
    return ("\n".join(lines) + "\n").encode("utf-8")


def log_archive(view) -> bytes:
    """A gzip tarball like /tmp/logs.tgz from pack-miner-logs: miner.log and api.log."""
    members = {
        "miner.log": _miner_log(view),
        "api.log": ("%s api listening on 4028\n" % time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(view.now))).encode("utf-8"),
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(view.now)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()
