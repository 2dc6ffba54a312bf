# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import logs
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._action import WhatsMinerAction


class ActionModule(WhatsMinerAction):
    RESOURCE = logs
    MODULE = "hashops.whatsminer.whatsminer_logs"

    def _fill_connection(self, params, task_vars):
        super()._fill_connection(params, task_vars)
        # the file name starts with the host's inventory name, which only the task's variables know
        if not params.get("prefix"):
            params["prefix"] = task_vars.get("inventory_hostname")
