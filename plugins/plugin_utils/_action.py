# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""The one base class of every action plugin: the module's work, in-process on the controller."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import (
    API_VARIABLE,
    PASSWORD_ENV,
    speaks_v3,
    PASSWORD_VARIABLE,
    argument_rules,
    argument_spec,
    client_from_params,
    values_to_mask,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WhatsMinerError
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._result_secrets import without_secrets

display = Display()


class WhatsMinerAction(ActionBase):
    """Subclasses set RESOURCE (a module of plugins/module_utils/_resources) and MODULE (its FQCN)."""

    RESOURCE = None
    MODULE = ""
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        resource = self.RESOURCE
        spec = argument_spec(resource)
        validation, params = self.validate_argument_spec(argument_spec=spec, **argument_rules(resource))
        params = {name: params.get(name) for name in spec}
        self._fill_connection(params, task_vars)
        secrets = values_to_mask(resource, params, validation._no_log_values)  # pylint: disable=protected-access

        if self._connection.transport != "local" and self._task.delegate_to:
            outcome = self._execute_module(module_name=self.MODULE, module_args=params, task_vars=task_vars)
        else:
            outcome = self._run_here(resource, params)
        result.update(outcome)
        return without_secrets(result, secrets)

    def _fill_connection(self, params, task_vars):
        if not params["host"]:
            params["host"] = self._var(task_vars, "ansible_host") or task_vars.get("inventory_hostname")
        if "password" not in self._task.args:
            params["password"] = self._var(task_vars, PASSWORD_VARIABLE) or os.environ.get(PASSWORD_ENV) or None
        # the API the inventory found (whatsminer_api) spares the probe, for a module that can use either
        if "api" not in self._task.args and speaks_v3(self.RESOURCE, auto=True):
            known = self._var(task_vars, API_VARIABLE)
            if known in ("v2", "v3"):
                params["api"] = known

    def _var(self, task_vars, name):
        value = task_vars.get(name)
        return self._templar.template(value) if value is not None else None

    def _run_here(self, resource, params):
        if not _crypto.HAS_CRYPTO_LIBS:
            return {"failed": True, "msg": "the controller's Python lacks pycryptodome: "
                                           "pip install -r requirements.txt of hashops.whatsminer"}
        try:
            client = client_from_params(params, resource, say=display.v)
            result = resource.run(client, params, check=bool(self._task.check_mode), diff=bool(self._task.diff))
        except WhatsMinerError as err:
            return {"failed": True, "msg": str(err)}
        sent = getattr(client, "commands_sent", None)
        if sent:
            # "commands" names the V2 commands of the plan; these are what went out, and through which API
            result["api_commands"] = sent
        return result
