# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""The options of whatsminer_fleet_power (documented in plugins/modules/whatsminer_fleet_power.py)."""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import CONNECTION_SPEC

MODES = ("stop", "low_power", "percent")

# the connection options of every module that a fleet uses: each miner's address is its own ansible_host,
# and the fleet talks API V2 only
CONNECTION_OPTIONS = ("port", "password", "timeout")

ARGUMENT_SPEC = dict({name: CONNECTION_SPEC[name] for name in CONNECTION_OPTIONS}, **{
    "hosts": {"type": "list", "elements": "str"},
    "operation": {"type": "str", "default": "shed", "choices": ["shed", "restore"]},
    "mode": {"type": "str", "default": "stop", "choices": list(MODES)},
    "percent": {"type": "int", "default": 50},
    "target_kw": {"type": "float"},
    "baselines": {"type": "dict", "default": {}},
    "restore_batch_size": {"type": "int", "default": 10},
    "restore_batch_interval": {"type": "float", "default": 60.0},
    "pdu_var": {"type": "str", "default": "whatsminer_pdu"},
    "concurrency": {"type": "int", "default": 100},
    "verify_timeout": {"type": "float", "default": 120.0},
    "readings": {"type": "dict", "default": {}},
    "record": {"type": "dict", "options": {
        "state_file": {"type": "path", "required": True},
        "event_log": {"type": "path", "required": True},
        "event": {"type": "dict", "default": {}},
        "target": {"type": "dict", "default": {}},
        "target_met": {"type": "bool", "default": True},
        "failures": {"type": "list", "elements": "str", "default": []},
    }},
})
