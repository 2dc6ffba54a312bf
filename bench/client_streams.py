# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client memory benchmark: firmware upload and log download stream, so memory does not grow with size.

    .venv/bin/python bench/client_streams.py [--sizes-mib 8,64,256]

Starts a one-miner simulated farm, uploads firmware images of each size with WhatsMinerClient and
measures the Python heap's peak during each upload (tracemalloc). The baseline, measured in the
same run, is the naive way: reading the image into memory before sending it. Then downloads the
miner's logs the same way. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "simulator"))

from simclient import PASSWORD, Farm, simulator_python  # noqa: E402  pylint: disable=wrong-import-position

MIB = 1024 * 1024


def import_client():
    try:
        from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit("run it with make bench, or with PYTHONPATH set to the folder that holds ansible_collections/")
    return WhatsMinerClient


def make_image(folder: Path, size: int) -> Path:
    image = folder / f"fw-{size // MIB}MiB.bin"
    with image.open("wb") as out:
        out.write(b"WMFW 20261126.%02d.REL\n" % (size // MIB % 100))
        out.truncate(size)
    return image


def measured(action):
    tracemalloc.start()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def wait_until_up(client_class, address, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client_class(address, timeout=1).read("get_version")
            return
        except Exception:  # pylint: disable=broad-exception-caught
            time.sleep(0.2)
    raise RuntimeError(f"{address} did not come back within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mib", default="8,64,256")
    args = parser.parse_args()
    sizes = [int(s) * MIB for s in args.sizes_mib.split(",")]
    client_class = import_client()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        farm = Farm(folder, "--miners", "1", "--network", "127.0.90.0/24", "--password", PASSWORD,
                    "--persona", "api205", "--restart-seconds", "0.2", "--lifetime", "600").start()
        address = farm.miners[0]
        try:
            for size in sizes:
                image = make_image(folder, size)
                client = client_class(address, password=PASSWORD, timeout=30)
                seconds, peak = measured(lambda: client.upload_firmware(str(image)))
                wait_until_up(client_class, address)
                naive_seconds, naive_peak = measured(image.read_bytes)
                rows.append({"size_mib": size // MIB, "stream_peak_kib": round(peak / 1024, 1),
                             "stream_seconds": round(seconds, 3), "naive_read_peak_kib": round(naive_peak / 1024, 1),
                             "naive_read_seconds": round(naive_seconds, 3)})
                print(f"upload {size // MIB:>5} MiB: streamed peak {peak / 1024:9.1f} KiB in {seconds:6.2f} s; "
                      f"reading it whole first would peak at {naive_peak / 1024:9.1f} KiB")
                image.unlink()
            logs = folder / "logs.tgz"
            client = client_class(address, password=PASSWORD, timeout=30)
            seconds, peak = measured(lambda: client.download_logs(str(logs)))
            log_size = logs.stat().st_size
            print(f"logs download {log_size / 1024:.1f} KiB: peak {peak / 1024:.1f} KiB in {seconds:.3f} s")
        finally:
            farm.stop()
    flat = max(r["stream_peak_kib"] for r in rows) < 2 * min(r["stream_peak_kib"] for r in rows) + 256
    print(json.dumps({"uploads": rows, "logs": {"bytes": log_size, "peak_kib": round(peak / 1024, 1)},
                      "stream_memory_flat": flat, "simulator_python": simulator_python()}))
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
