# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""A miner's desired state as the farm_state role takes it: one host variable per part, each the options of
one config module. Validated with that module's own rules (its argument spec and its ``desired()``), so a
value the module would refuse is refused here, before any miner gets a write, naming the variable."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hashops.whatsminer.plugins.inventory.whatsminer import FACT_KEYS
from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import (
    PASSWORD_VARIABLE,
    argument_rules,
    argument_spec,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import WAIT_SPEC
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WhatsMinerError
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import (
    customer_msg,
    led,
    net,
    password,
    pools,
    power,
    settings,
)


@dataclass(frozen=True)
class Part:
    """One part of the desired state: its host variable, the resource that applies it, how its value
    becomes that module's options (a dict variable is the options themselves) and the options kept out."""

    name: str
    variable: str
    resource: object
    options: object = None  # value -> module options; None: the value is a dict of the module's options
    excluded: tuple = ()

    def module_options(self, value) -> dict:
        return self.options(value) if self.options else dict(value)

    def allowed(self) -> list:
        return [name for name in self.resource.ARGUMENT_SPEC if name not in WAIT_SPEC and name not in self.excluded]


# In the order the role applies them: the password first (every later write signs with it), the network
# last (a new static address moves the miner away from the address the other tasks use).
PARTS = (
    Part("password", "whatsminer_new_password", password, lambda value: {"new_password": value}),
    Part("pools", "whatsminer_pools", pools, lambda value: {"pools": value}),
    Part("power", "whatsminer_power", power, excluded=("state",)),
    Part("settings", "whatsminer_settings", settings),
    Part("led", "whatsminer_led", led, excluded=("for_seconds",)),
    Part("customer_sn", "whatsminer_customer_sn", customer_msg,
         lambda value: {"key": "CustomerSn", "value": value}),
    Part("network", "whatsminer_network", net),
)
VARIABLES = {part.variable: part for part in PARTS}
# The collection's other whatsminer_* variables: never a misspelt farm_state one.
OTHER_VARIABLES = frozenset({PASSWORD_VARIABLE, "whatsminer_api", "whatsminer_pdu"}
                            | {f"whatsminer_{key}" for key in FACT_KEYS})


def problems(host: str, state: dict, variable_names=()) -> list:
    """Sentences for everything wrong with one host's desired state; empty when it is valid.

    ``state`` maps the farm_state variables the host sets to their (templated) values; ``variable_names``
    are all the host's variable names, searched for near misses of a farm_state variable's name.
    """
    found = []
    for name in sorted(set(variable_names) - set(VARIABLES) - OTHER_VARIABLES):
        close = difflib.get_close_matches(name, VARIABLES, n=1, cutoff=0.85)
        if close:
            found.append(f"{name}: not a farm_state variable; did you mean {close[0]}?")
    for variable, value in state.items():
        part = VARIABLES.get(variable)
        if part is None:
            found.append(f"{variable}: not a farm_state variable (known: {', '.join(VARIABLES)})")
        elif value is not None:
            found.extend(f"{variable}: {sentence}" for sentence in _part_problems(host, part, value))
    return found


def _part_problems(host: str, part: Part, value) -> list:
    if part.options is None and not isinstance(value, dict):
        return [f"must be a mapping of {', '.join(part.allowed())}, got {type(value).__name__}"]
    options = part.module_options(value)
    unknown = [name for name in options if name not in part.allowed()]
    if unknown:
        return [_unknown(name, part) for name in unknown]
    validator = ArgumentSpecValidator(argument_spec(part.resource), **argument_rules(part.resource))
    checked = validator.validate(options)
    if checked.error_messages:
        return list(checked.error_messages)
    try:
        part.resource.desired(checked.validated_parameters, host)
    except WhatsMinerError as err:
        return [f"{err.command}: {err.cause}"]
    return []


def _unknown(name: str, part: Part) -> str:
    close = difflib.get_close_matches(name, part.allowed(), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown setting {name!r}{hint} (known: {', '.join(part.allowed())})"
