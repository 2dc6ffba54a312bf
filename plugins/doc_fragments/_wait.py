# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This fragment is private to the collection: it can change or go away without notice.

from __future__ import annotations


class ModuleDocFragment:
    # The waiting options of every module whose writes can restart btminer or the miner
    # (plugins/module_utils/_converge.py WAIT_SPEC and _waiter.py).
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - After a write that restarts btminer or the miner, wait until the miner has gone away (or btminer's
        run time started again), answers again, and reads back as asked.
      - With V(false) the module returns right after that write with RV(restarted=true) and the change
        not verified, and says so in RV(notes). Several restarting changes in one task are still sent one
        after the other, each once the miner answers again.
      - Writes that do not restart are always read back; the miner gets up to 15 seconds to show them.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for one restart and its read-back. A miner that does not answer again in time,
        or answers with the old value, fails the task with the setting, the time waited and what it reports.
    type: int
    default: 600
"""
