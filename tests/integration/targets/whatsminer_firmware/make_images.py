# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builds the target's firmware images in the layout of protocol.md section 8 and describes them as JSON vars.

combined.bin  packages for h616 and h6os (each a 'WMFW <version>' file), the platforms of the farm's personas
other.bin     packages for h3 and h6 only: no package for this farm's miners
plain.bin     a plain image for the same version
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys

VERSION = "20260115.10.Rel"


def package(platform: str, size: int) -> bytes:
    return b"WMFW %s\n" % VERSION.encode() + hashlib.sha256(platform.encode()).digest() * (size // 32)


def combined(packages: dict) -> bytes:
    offset, entries, body = 6812, b"", b""
    for platform, payload in packages.items():
        entries += struct.pack("<16s16sII64x", b"chip", platform.encode(), offset, len(payload))
        body += payload
        offset += len(payload)
    header = struct.pack("<6I", 0, 0, 0, 0, len(body), len(packages)) + entries.ljust(64 * 104, b"\0") + b"\0" * 132
    return header + body


def main(folder: str) -> None:
    boards = {"h616": package("h616", 300_000), "h6os": package("h6os", 200_000)}
    files = {"combined": combined(boards), "other": combined({"h3": package("h3", 1000), "h6": package("h6", 1000)}),
             "plain": package("plain", 100_000)}
    out = {"fw_version": VERSION, "fw_slices": {}, "fw_files": {}, "fw_sha256": {}}
    for name, data in files.items():
        path = os.path.join(folder, name + ".bin")
        with open(path, "wb") as stream:
            stream.write(data)
        out["fw_files"][name] = path
        out["fw_sha256"][name] = hashlib.sha256(data).hexdigest()
    for platform, payload in boards.items():
        out["fw_slices"][platform] = {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
