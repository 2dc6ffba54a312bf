# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""The connection options every module shares (documented in doc_fragments/_connection.py)."""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import PORT

PASSWORD_VARIABLE = "whatsminer_password"
PASSWORD_ENV = "WHATSMINER_PASSWORD"

CONNECTION_SPEC = {
    "host": {"type": "str"},
    "port": {"type": "int", "default": PORT},
    "password": {"type": "str", "no_log": True},
    "timeout": {"type": "float", "default": 10.0},
}


def client_from_params(params: dict) -> WhatsMinerClient:
    return WhatsMinerClient(params["host"], port=params["port"], password=params.get("password"),
                            timeout=params["timeout"])


def argument_spec(resource) -> dict:
    """The connection options plus a resource's own (a module of plugins/module_utils/_resources)."""
    return dict(CONNECTION_SPEC, **resource.ARGUMENT_SPEC)


# A pool password such as "x" or "1" is a placeholder, not a secret; masking it would mask that letter in
# every string of the result. The admin password is always masked, whatever its length.
MIN_SECRET_LENGTH = 3


def secret_values(resource, params: dict) -> set:
    """Secrets a resource finds in free-form parameters, beyond the options marked no_log."""
    find = getattr(resource, "secrets", None)
    return find(params) if find else set()


def values_to_mask(resource, params: dict, no_log_values) -> set:
    """Every value to mask in a result: the no_log options, the resource's own secrets, the password."""
    values = {str(v) for v in set(no_log_values) | secret_values(resource, params) if len(str(v)) >= MIN_SECRET_LENGTH}
    if params.get("password"):
        values.add(params["password"])
    return values


def argument_rules(resource) -> dict:
    """A resource's mutually_exclusive / required_together / ... for the argument spec validator."""
    return dict(getattr(resource, "ARGUMENT_RULES", {}))
