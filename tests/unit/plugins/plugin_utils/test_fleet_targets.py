# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each miner of a fleet task is reached as every per-host module would reach it (WhatsMinerAction's defaults)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.hashops.whatsminer.plugins.plugin_utils._action import WhatsMinerAction
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._fleet_targets import HostLookup, LazyTargets

PARAMS = {"password": None, "port": 4028, "timeout": 10.0}
HOSTVARS = {
    "m1": {"inventory_hostname": "m1", "ansible_host": "10.0.0.1", "whatsminer_password": "own-secret"},
    "m2": {"inventory_hostname": "m2", "whatsminer_port": 14028, "whatsminer_timeout": 3},
}


def action(task_args: dict) -> WhatsMinerAction:
    """The base class's connection defaults, without a play around them (templates are taken as they are)."""
    plugin = object.__new__(WhatsMinerAction)
    plugin._task = SimpleNamespace(args=task_args)  # pylint: disable=protected-access
    plugin._templar = SimpleNamespace(template=lambda value: value)  # pylint: disable=protected-access
    return plugin


def targets(names, host_lookup, params, fill_connection) -> list:
    return list(LazyTargets(names, host_lookup, params, fill_connection))


def lookup() -> HostLookup:
    return HostLookup({"hostvars": HOSTVARS}, SimpleNamespace(template=lambda value: value))


def test_address_password_port_and_timeout_come_from_each_hosts_variables(monkeypatch):
    monkeypatch.setenv("WHATSMINER_PASSWORD", "env-secret")
    first, second = targets(["m1", "m2"], lookup(), PARAMS, action({})._fill_connection)
    assert (first.address, first.password, first.port, first.timeout) == ("10.0.0.1", "own-secret", 4028, 10.0)
    # no ansible_host: the inventory name; no whatsminer_password: the controller's environment
    assert (second.address, second.password, second.port, second.timeout) == ("m2", "env-secret", 14028, 3.0)


def test_the_tasks_password_wins_over_every_hosts_own():
    params = dict(PARAMS, password="task-secret")
    found = targets(["m1", "m2"], lookup(), params, action({"password": "task-secret"})._fill_connection)
    assert [target.password for target in found] == ["task-secret", "task-secret"]


def test_a_miner_without_any_password_gets_none(monkeypatch):
    monkeypatch.delenv("WHATSMINER_PASSWORD", raising=False)
    assert targets(["m2"], lookup(), PARAMS, action({})._fill_connection)[0].password is None


def test_each_host_is_looked_up_once_when_first_asked_for_and_kept_for_the_next_pass():
    asked = []

    class Counting(HostLookup):
        def host_vars(self, name):
            if name not in self._seen:  # pylint: disable=protected-access
                asked.append(name)
            return super().host_vars(name)

    found = LazyTargets(["m1", "m2"], Counting({"hostvars": HOSTVARS}, SimpleNamespace(template=lambda v: v)),
                        PARAMS, action({})._fill_connection)
    first = next(iter(found))
    assert first.name == "m1" and asked == ["m1"]  # m2 not yet: a fan-out can start on m1
    again = list(found)
    assert [t.name for t in again] == ["m1", "m2"] and again[0] is first
    assert list(found) == again and len(found) == 2 and asked == ["m1", "m2"]
