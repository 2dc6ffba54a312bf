# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firmware upload benchmark: whatsminer_firmware's upload against a bare socket copy, and its peak RSS.

    PYTHONPATH=<folder holding ansible_collections/> .venv/bin/python bench/firmware_upload.py [--size-mib 256]

Starts a one-miner simulated farm and builds a combined image whose package for the miner's board is
--size-mib MiB. Each measurement runs in its own Python process, so its peak RSS is its own:

- module: the firmware resource (the code the action plugin runs) upgrades the miner with force, sending the
  package through the slice reader and the client's streamed upload; the upload alone is timed;
- raw: the same update_firmware exchange with a bare socket loop (token, encrypted command, "ready", then the
  4-byte size and the package bytes in 256 KiB sendall calls from the same file), the same simulator;
- idle: the same imports, one read of the miner, no upload: the RSS baseline.

Module and raw alternate for --rounds rounds; the best of each counts. Targets: the module reaches at least
50 % of the raw copy's throughput, and its peak RSS exceeds the idle run's by less than 32 MiB. The last
line is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource as rusage
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "simulator"))

from images import plain  # noqa: E402  pylint: disable=wrong-import-position
from simclient import PASSWORD, Farm  # noqa: E402  pylint: disable=wrong-import-position

MIB = 1024 * 1024
RAW_CHUNK = 256 * 1024
TARGET_RATIO = 0.5
TARGET_RSS_MIB = 32
NETWORK = "127.0.89.0/24"


def collection():
    try:
        from ansible_collections.hashops.whatsminer.plugins.module_utils import _client, _crypto  # pylint: disable=import-outside-toplevel
        from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import firmware  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit("run it with make bench, or with PYTHONPATH set to the folder that holds ansible_collections/")
    return _client, _crypto, firmware


# ---- the measured processes -----------------------------------------------------------------------

def child(mode: str, address: str, src: str, offset: int, size: int) -> dict:
    client_mod, crypto, firmware = collection()
    client = client_mod.WhatsMinerClient(address, password=PASSWORD, timeout=30)
    out = {"mode": mode}
    if mode == "idle":
        client.read("get_version")
    elif mode == "module":
        upload = client.upload_firmware
        timing = {}

        def timed(source):
            started = time.perf_counter()
            try:
                return upload(source)
            finally:
                timing["seconds"] = time.perf_counter() - started
        client.upload_firmware = timed
        params = dict(host=address, port=4028, password=PASSWORD, timeout=30.0, src=src, version=None, checksum=None,
                      platform=None, force=True, wait=True, wait_timeout=120)
        result = firmware.run(client, params, False, False)
        if result.get("failed"):
            raise SystemExit(result["msg"])
        out.update(seconds=timing["seconds"], bytes=result["bytes_sent"])
    else:
        out.update(raw_upload(crypto, client, address, src, offset, size))
    out["peak_rss_kib"] = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    return out


def raw_upload(crypto, client, address: str, src: str, offset: int, size: int) -> dict:
    """update_firmware with a bare socket: the same bytes, none of the client's deadline bookkeeping."""
    token = client.read("get_token")["Msg"]
    key = crypto.derive_key(PASSWORD, token["salt"])
    aes = crypto.aes_key(key)
    body = json.dumps({"cmd": "update_firmware", "token": crypto.make_sign(key, token["time"], token["newsalt"])})
    request = json.dumps({"enc": 1, "data": crypto.encrypt(aes, body.encode())}).encode()
    with socket.create_connection((address, 4028), timeout=30) as sock, open(src, "rb") as stream:
        sock.sendall(request)
        header = sock.recv(65536)
        if b"enc" not in header:
            raise SystemExit(f"no ready from the miner: {header[:200]!r}")
        started = time.perf_counter()
        sock.sendall(struct.pack("<I", size))
        stream.seek(offset)
        left = size
        while left:
            chunk = stream.read(min(RAW_CHUNK, left))
            sock.sendall(chunk)
            left -= len(chunk)
        seconds = time.perf_counter() - started
        while sock.recv(65536):
            pass
    return {"seconds": seconds, "bytes": size}


# ---- the benchmark ---------------------------------------------------------------------------------

def build_image(folder: Path, size: int) -> tuple:
    """A combined image of one package, for h616, of ``size`` bytes (a version line, then pseudo-random bytes)."""
    block = b"".join(hashlib.sha256(b"%d" % n).digest() for n in range(MIB // 32))
    package = folder / "package.bin"
    with package.open("wb") as out:
        head = plain("20261126.01.Rel", b"")
        out.write(head)
        left = size - len(head)
        while left:
            out.write(block[:min(len(block), left)])
            left -= min(len(block), left)
    entry = struct.pack("<16s16sII64x", b"chip", b"h616", 6812, size)
    header = struct.pack("<6I", 0, 0, 0, 0, size, 1) + entry.ljust(64 * 104, b"\0") + b"\0" * 132
    image = folder / "combined.bin"
    with image.open("wb") as out, package.open("rb") as source:
        out.write(header)
        while True:
            chunk = source.read(4 * MIB)
            if not chunk:
                break
            out.write(chunk)
    package.unlink()
    with image.open("rb") as warm:  # into the page cache, for every run alike
        while warm.read(4 * MIB):
            pass
    return image, 6812, size


def run_child(mode: str, address: str, image: Path, offset: int, size: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, address, str(image), str(offset), str(size)],
                          capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} run failed: {done.stderr.strip() or done.stdout.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_back(address: str, client_mod, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client_mod.WhatsMinerClient(address, timeout=1).read("get_version")
            return
        except Exception:  # pylint: disable=broad-exception-caught
            time.sleep(0.1)
    raise SystemExit(f"{address} did not come back within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=5, metavar=("MODE", "ADDRESS", "SRC", "OFFSET", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, address, src, offset, size = args.child
        print(json.dumps(child(mode, address, src, int(offset), int(size))))
        return 0
    client_mod = collection()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        image, offset, size = build_image(folder, args.size_mib * MIB)
        farm = Farm(folder, "--miners", "1", "--network", NETWORK, "--password", PASSWORD, "--persona", "api205",
                    "--restart-seconds", "0.2", "--lifetime", "900", "--web-port", "none", "--web-tls-port", "none").start()
        address = farm.miners[0]
        runs = {"module": [], "raw": []}
        try:
            idle = run_child("idle", address, image, offset, size)
            for _round in range(args.rounds):
                for mode in ("raw", "module"):
                    measured = run_child(mode, address, image, offset, size)
                    measured["mb_s"] = round(measured["bytes"] / 1e6 / measured["seconds"], 1)
                    runs[mode].append(measured)
                    print(f"{mode:>6}: {measured['bytes'] / MIB:.0f} MiB in {measured['seconds']:.2f} s = "
                          f"{measured['mb_s']:.1f} MB/s, peak RSS {measured['peak_rss_kib'] / 1024:.1f} MiB")
                    wait_back(address, client_mod)
            state = farm.state(address)
        finally:
            farm.stop()
    best = {mode: max(rows, key=lambda row: row["mb_s"]) for mode, rows in runs.items()}
    ratio = best["module"]["mb_s"] / best["raw"]["mb_s"]
    growth_mib = (max(row["peak_rss_kib"] for row in runs["module"]) - idle["peak_rss_kib"]) / 1024
    received = state["last_upgrade"]
    print(f"  idle: peak RSS {idle['peak_rss_kib'] / 1024:.1f} MiB; module peak RSS grows by {growth_mib:.1f} MiB "
          f"(target < {TARGET_RSS_MIB}); throughput {ratio:.0%} of the raw copy (target >= {TARGET_RATIO:.0%}); "
          f"the miner received {received['size']:,} bytes")
    ok = ratio >= TARGET_RATIO and growth_mib < TARGET_RSS_MIB and received["size"] == size
    print(json.dumps({"size_mib": args.size_mib, "module_mb_s": best["module"]["mb_s"], "raw_mb_s": best["raw"]["mb_s"],
                      "ratio": round(ratio, 3), "idle_peak_rss_mib": round(idle["peak_rss_kib"] / 1024, 1),
                      "module_peak_rss_mib": round(max(r["peak_rss_kib"] for r in runs["module"]) / 1024, 1),
                      "rss_growth_mib": round(growth_mib, 1), "raw_peak_rss_mib":
                      round(max(r["peak_rss_kib"] for r in runs["raw"]) / 1024, 1),
                      "targets_met": ok, "rounds": args.rounds}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
