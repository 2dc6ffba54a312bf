# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import firmware
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._action import WhatsMinerAction


class ActionModule(WhatsMinerAction):
    RESOURCE = firmware
    MODULE = "hashops.whatsminer.whatsminer_firmware"
