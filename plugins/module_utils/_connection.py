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


def secret_values(resource, params: dict) -> set:
    """Secrets a resource finds in free-form parameters, beyond the options marked no_log."""
    find = getattr(resource, "secrets", None)
    return find(params) if find else set()
