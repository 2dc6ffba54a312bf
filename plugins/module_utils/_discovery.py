# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""A discovery scan from start to end: sweep the targets, identify what accepted, count it all.

No Ansible objects here; the inventory plugin turns the result into hosts and groups.
"""

from __future__ import annotations

import time

from ansible_collections.hashops.whatsminer.plugins.module_utils import _identify, _sweep
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import PORT

# Stage two keeps a whole connection per worker for up to four exchanges: a few dozen threads
# already saturate a farm LAN and a 2-core controller, more only add contention.
IDENTIFY_WORKERS = 64


class Discovery:
    """``miners`` (Miner), ``skipped`` (Skipped) and ``stats`` (figures for -v and benchmarks)."""

    def __init__(self, miners: list, skipped: list, stats: dict):
        self.miners = miners
        self.skipped = skipped
        self.stats = stats

    def summary(self) -> str:
        stats = self.stats
        return (f"scanned {stats['addresses']} addresses on port {stats['port']} in {stats['total_s']:.2f} s "
                f"(sweep {stats['sweep_s']:.2f} s, identification {stats['identify_s']:.2f} s): "
                f"{stats['accepted']} accepted, {stats['identified']} WhatsMiner, {stats['skipped']} skipped, "
                f"{stats['timed_out']} connect timeouts; peak {stats['peak_open_sockets']} open sockets "
                f"(concurrency {stats['concurrency']})")


def discover(targets, port: int = PORT, connect_timeout: float = 0.5, read_timeout: float = 3.0,
             concurrency: int = 512, password: str | None = None, net=None,
             client_factory=WhatsMinerClient, clock=time.monotonic, v3_port: int = 0) -> Discovery:
    """Scan ``targets`` (any iterable of IPv4 address strings; a ``_targets.Targets`` in the plugin).

    ``v3_port``: where each miner found is asked whether it has API V3 (0, the default: not asked; the
    inventory plugin passes its ``v3_port`` option, 4433 unless set)."""
    started = clock()
    limit = _sweep.usable_concurrency(concurrency)
    swept = _sweep.sweep(targets, port, connect_timeout, limit, net=net, clock=clock)
    identify_started = clock()
    workers = min(swept.concurrency, IDENTIFY_WORKERS)
    miners, skipped, peak_identifying = _identify.identify(swept.accepted, port, read_timeout, workers,
                                                           password=password, client_factory=client_factory,
                                                           v3_port=v3_port)
    finished = clock()
    stats = {
        "addresses": swept.scanned,
        "port": port,
        "accepted": len(swept.accepted),
        "refused": swept.refused,
        "timed_out": swept.timed_out,
        "unreachable": swept.failed,
        "identified": len(miners),
        "skipped": len(skipped),
        "concurrency": swept.concurrency,
        "requested_concurrency": int(concurrency),
        "peak_open_sockets": max(swept.peak_open, peak_identifying),
        "sweep_peak_open_sockets": swept.peak_open,
        "identify_peak_open_sockets": peak_identifying,
        "sweep_s": round(identify_started - started, 3),
        "identify_s": round(finished - identify_started, 3),
        "total_s": round(finished - started, 3),
    }
    return Discovery(miners, skipped, stats)
