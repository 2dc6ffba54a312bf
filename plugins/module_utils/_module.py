# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""main() of every module: the same resource code as the action plugin, run as a plain module."""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import (
    PASSWORD_ENV,
    argument_rules,
    argument_spec,
    client_from_params,
    values_to_mask,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WhatsMinerError


def run_module(resource) -> None:
    module = AnsibleModule(argument_spec=argument_spec(resource), supports_check_mode=True, **argument_rules(resource))
    if not _crypto.HAS_CRYPTO_LIBS:
        module.fail_json(msg=missing_required_lib("pycryptodome"), exception=_crypto.CRYPTO_IMPORT_ERROR)
    params = dict(module.params)
    if not params["host"]:
        module.fail_json(msg="host is required when the module runs outside its action plugin "
                             "(for example through gather_facts): set it in module_defaults")
    if not params["password"] and os.environ.get(PASSWORD_ENV):
        params["password"] = os.environ[PASSWORD_ENV]
    module.no_log_values = values_to_mask(resource, params, module.no_log_values)
    try:
        result = resource.run(client_from_params(params, resource), params, check=module.check_mode, diff=module._diff)
    except WhatsMinerError as err:
        module.fail_json(msg=str(err))
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)
