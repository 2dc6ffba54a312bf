# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""How a fleet-level action finds each miner: its connection from its own host variables.

Address and password come from ``WhatsMinerAction._fill_connection`` (plugin_utils/_action.py), fed each host's
variables, so they follow every per-host module's defaults. Port and timeout are the task's options, unless
the host sets ``whatsminer_port`` or ``whatsminer_timeout``.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._fleet import Target

PORT_VARIABLE = "whatsminer_port"
TIMEOUT_VARIABLE = "whatsminer_timeout"


class HostLookup:
    """Reads (and templates) host variables of the play's hosts through ``hostvars``.

    ``hostvars[name]`` works out every variable of that host anew (about a millisecond each): each host's
    are looked up once and kept for the task.
    """

    def __init__(self, task_vars: dict, templar):
        self.hostvars = task_vars.get("hostvars") or {}
        self.templar = templar
        self._seen = {}

    def known(self, name: str) -> bool:
        return name in self.hostvars

    def host_vars(self, name: str):
        if name not in self._seen:
            self._seen[name] = self.hostvars.get(name) or {}
        return self._seen[name]

    def var(self, name: str, variable: str):
        value = self.host_vars(name).get(variable)
        return self.templar.template(value) if value is not None else None


class LazyTargets:
    """The targets of ``names``, each made when first asked for and kept for every later pass.

    A fan-out handed these starts on the first miners while the rest are still being looked up: ``hostvars``
    costs about a millisecond a host, a second for 1,000 miners, which the first reads then overlap.
    """

    def __init__(self, names: list, lookup: HostLookup, params: dict, fill_connection):
        self._made = []
        self._source = (target_of(name, lookup, params, fill_connection) for name in names)

    def __iter__(self):
        yield from self._made[:]
        for target in self._source:
            self._made.append(target)
            yield target

    def __len__(self) -> int:
        return sum(1 for _target in self)  # makes every one; list(self) would ask len() first


def target_of(name: str, lookup: HostLookup, params: dict, fill_connection) -> Target:
    """The Target of one host name.

    ``fill_connection(connection, host_vars)`` sets ``host`` and ``password`` of ``connection`` as the
    per-host modules do (``WhatsMinerAction._fill_connection``).
    """
    connection = {"host": None, "password": params.get("password")}
    fill_connection(connection, lookup.host_vars(name))
    port = lookup.var(name, PORT_VARIABLE) or params["port"]
    timeout = lookup.var(name, TIMEOUT_VARIABLE) or params["timeout"]
    password = connection["password"]
    return Target(name=name, address=str(connection["host"] or name), port=int(port), timeout=float(timeout),
                  password=str(password) if password else None)
