# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The farm_state role's filters: validate a miner's desired state, read its run as drift, report the farm."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hashops.whatsminer.plugins.plugin_utils import _desired_state, _drift


def farm_state_problems(state, host, variable_names=()):
    if not isinstance(state, Mapping):
        raise AnsibleFilterError("farm_state_problems: the input must be a mapping of farm_state variables")
    return _desired_state.problems(str(host), dict(state), [str(name) for name in variable_names])


def farm_state_outcome(results, address=None, failure=None, curtailment=None, held=None, check_mode=False):
    if not isinstance(results, Mapping):
        raise AnsibleFilterError("farm_state_outcome: the input must be a mapping of part name to task result")
    return _drift.outcome(dict(results), address=address, failure=failure or None, curtailment=curtailment or None,
                          held=held or None, check_mode=bool(check_mode))


def farm_state_report(hostvars, hosts, check_mode=False):
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("farm_state_report: the input must be hostvars")
    hosts = [str(host) for host in hosts]
    outcomes = {host: hostvars[host].get("farm_state_outcome") for host in hosts if host in hostvars}
    return _drift.report({host: outcome for host, outcome in outcomes.items() if outcome}, hosts, bool(check_mode))


class FilterModule:
    def filters(self):
        return {
            "farm_state_problems": farm_state_problems,
            "farm_state_outcome": farm_state_outcome,
            "farm_state_report": farm_state_report,
        }
