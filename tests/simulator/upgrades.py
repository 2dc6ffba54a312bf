"""How the next firmware upgrades of one miner end, as the control API asks, and the last one received.

No capture shows a failed WhatsMiner upgrade: these outcomes are the failures the collection's firmware
module must tell apart (issue 9), not recorded miner behaviour.

installed    the new version is reported once the reboot is over, and the miner mines (the default)
old_version  the miner reboots and comes back on the version it had (the image did not take)
not_mining   the miner reboots onto the new version with btminer stopped (status mineroff "true")
never_back   the miner reboots and does not listen again until the farm is reset
"""

from __future__ import annotations

import time

OUTCOMES = ("installed", "old_version", "not_mining", "never_back")


class Upgrades:
    def __init__(self) -> None:
        self.pending: list = []  # outcomes for the next accepted uploads, in order
        self.last: dict | None = None  # the last accepted upload: size, sha256, version, outcome

    def clear(self) -> None:
        self.pending.clear()
        self.last = None

    def plan(self, outcome: str, times: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError("outcome must be one of %s" % ", ".join(OUTCOMES))
        self.pending.extend([outcome] * times)

    def next_outcome(self) -> str:
        return self.pending.pop(0) if self.pending else "installed"

    def accept(self, settings, upload) -> str:
        """What an upload that passed the checks of transfers.receive_firmware does, through either API: the next
        outcome is recorded as ``last`` and the settings take the new version (and btminer stops) as it says.
        Returns the outcome; the caller reboots the miner (forever for never_back)."""
        outcome = self.next_outcome()
        self.last = dict(upload.log_params(), outcome=outcome, time=round(time.time(), 3),
                         previous_version=settings.firmware_version)
        if outcome != "old_version":
            settings.firmware_version = upload.version
        if outcome == "not_mining":
            settings.mining = False
        return outcome
