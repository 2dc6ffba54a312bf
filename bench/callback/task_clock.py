# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A benchmark-only callback: appends each task's wall time (start to the next task or play end) as JSON lines."""

from __future__ import annotations

DOCUMENTATION = r"""
name: task_clock
type: aggregate
short_description: Wall time per task, for bench/host_task_overhead.py
description:
  - Writes one JSON line per task to the file in E(TASK_CLOCK_FILE).
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_clock"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self):
        super().__init__()
        self._current = None
        self._failed = 0

    def _close(self):
        if self._current is None:
            return
        name, started = self._current
        with open(os.environ["TASK_CLOCK_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"task": name, "seconds": round(time.perf_counter() - started, 3),
                                  "failed": self._failed}) + "\n")
        self._current, self._failed = None, 0

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = (task.get_name(), time.perf_counter())

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._failed += 1

    def v2_playbook_on_stats(self, stats):
        self._close()
