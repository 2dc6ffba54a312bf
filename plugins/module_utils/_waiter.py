# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Waiting for a miner to take a change: go away (or restart btminer), come back, read back as asked.

Shaped like ``ansible.builtin.reboot``: one deadline, a bounded poll interval, a sentence for each way
it can end badly, and the time waited in the result. A restart is seen either as the API refusing or
dropping connections, or as btminer's run time (summary ``Elapsed``) starting again from a smaller
value, which is what firmware whose API daemon outlives btminer shows (protocol.md 1, RE note).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WhatsMinerError

FIRST_INTERVAL_S = 0.25
MAX_INTERVAL_S = 5.0
# A restart-class write whose miner reads back as asked but never seemed to restart: accept it after this.
DOWN_GRACE_S = 15.0
# How long a miner that is back (or never left) may keep reporting the old value before that is a failure.
SETTLE_S = 30.0


class RestartTimeout(WhatsMinerError):
    """The miner did not come back, or came back without the change, within the time allowed."""


@dataclass
class Waited:
    elapsed_s: float
    restarted: bool
    reading: object


def wait_for(read, mismatches, *, host: str, what: str, timeout: float, expect_restart: bool,
             elapsed_before=None, settle_s: float = SETTLE_S, down_grace_s: float = DOWN_GRACE_S,
             clock=None, sleep=None) -> Waited:
    """Poll ``read()`` until ``mismatches(reading)`` is empty; raise RestartTimeout with the reason.

    ``read`` returns a reading with an ``elapsed`` attribute (btminer run time, or None) or raises a
    WhatsMinerError while the miner is away. ``mismatches`` returns sentences ("mode is normal, asked
    high"); None skips verification (the miner only has to answer again).
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    start = clock()
    deadline = start + max(float(timeout), 0.0)
    settle_s = min(settle_s, timeout)
    down_grace_s = min(down_grace_s, timeout)
    interval = FIRST_INTERVAL_S
    went_away = False
    back_since = None
    last_error = None
    wrong: list = []
    while True:
        now = clock()
        try:
            reading = read()
        except WhatsMinerError as err:
            went_away, back_since, last_error = True, None, err
        else:
            restarted = went_away or _run_time_dropped(elapsed_before, getattr(reading, "elapsed", None))
            if restarted and back_since is None:
                back_since = now
            wrong = list(mismatches(reading)) if mismatches else []
            if not wrong and (restarted or not expect_restart or now - start >= down_grace_s):
                return Waited(round(now - start, 1), restarted, reading)
            if wrong and now - (back_since if back_since is not None else start) >= settle_s:
                raise _stale(host, what, now - start, restarted, wrong)
        if now >= deadline:
            raise _timed_out(host, what, timeout, went_away, back_since, last_error, wrong)
        sleep(max(0.0, min(interval, deadline - now)))
        interval = min(interval * 1.6, MAX_INTERVAL_S)


def _run_time_dropped(before, now) -> bool:
    return isinstance(before, (int, float)) and isinstance(now, (int, float)) and now < before


def _stale(host, what, waited, restarted, wrong) -> RestartTimeout:
    when = "came back after restarting but" if restarted else "answers but"
    return RestartTimeout(host, what, f"the miner {when} does not report the change after {waited:.0f} s: "
                                      f"{'; '.join(wrong)}")


def _timed_out(host, what, timeout, went_away, back_since, last_error, wrong) -> RestartTimeout:
    if went_away and back_since is None:
        cause = f"the miner did not answer again within {timeout:g} s"
        if last_error is not None:
            cause += f" (last attempt: {last_error.cause})"
    elif wrong:
        cause = f"after {timeout:g} s the miner still does not report the change: {'; '.join(wrong)}"
    else:
        cause = f"the miner did not restart within {timeout:g} s as this change requires"
    return RestartTimeout(host, what, cause + "; raise wait_timeout if this miner is slow to restart")
