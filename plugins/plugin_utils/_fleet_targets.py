# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""How a fleet-level action finds each miner: its connection from its own host variables.

The same defaults as every per-host module (``_action.py``): the address is the host's ``ansible_host``,
else its inventory name; the password is the host's ``whatsminer_password``, else the controller's
``WHATSMINER_PASSWORD``, unless the task sets ``password``. Port and timeout are the task's options,
unless the host sets ``whatsminer_port`` or ``whatsminer_timeout``.
"""

from __future__ import annotations

import os

from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import PASSWORD_ENV, PASSWORD_VARIABLE
from ansible_collections.hashops.whatsminer.plugins.module_utils._fleet import Target

PORT_VARIABLE = "whatsminer_port"
TIMEOUT_VARIABLE = "whatsminer_timeout"


class HostLookup:
    """Reads (and templates) host variables of the play's hosts through ``hostvars``."""

    def __init__(self, task_vars: dict, templar):
        self.hostvars = task_vars.get("hostvars") or {}
        self.templar = templar

    def known(self, name: str) -> bool:
        return name in self.hostvars

    def var(self, name: str, variable: str):
        host_vars = self.hostvars.get(name) or {}
        value = host_vars.get(variable)
        return self.templar.template(value) if value is not None else None


def targets(names: list, lookup: HostLookup, params: dict, password_set: bool) -> list:
    """One Target per host name, in the order given."""
    found = []
    env_password = os.environ.get(PASSWORD_ENV) or None
    for name in names:
        password = params.get("password") if password_set else (lookup.var(name, PASSWORD_VARIABLE) or env_password)
        port = lookup.var(name, PORT_VARIABLE) or params["port"]
        timeout = lookup.var(name, TIMEOUT_VARIABLE) or params["timeout"]
        found.append(Target(name=name, address=str(lookup.var(name, "ansible_host") or name), port=int(port),
                            timeout=float(timeout), password=str(password) if password else None))
    return found


def secrets(found: list) -> set:
    """Every password of the fleet, to mask in the result."""
    return {target.password for target in found if target.password}
