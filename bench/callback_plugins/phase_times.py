# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark callback: one JSON line per task start and per task result, and one at the end, in $BENCH_PHASES.

bench/curtail.py enables it (ANSIBLE_CALLBACKS_ENABLED=phase_times) to split a playbook's time into what comes
before its fleet task, the task, and what comes after.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: phase_times
type: aggregate
short_description: task start and end times for bench/curtail.py
description: Appends one JSON line per task start and result, and one at the end, to the file in BENCH_PHASES.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "phase_times"
    CALLBACK_NEEDS_ENABLED = True

    def _note(self, event: str, task=None) -> None:
        with open(os.environ["BENCH_PHASES"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"t": time.time(), "event": event, "task": task.get_name() if task else None,
                                  "action": task.action if task else None}) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._note("start", task)

    def v2_runner_on_ok(self, result):
        self._note("ok", result._task)  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._note("failed", result._task)  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats):
        self._note("stats")
