# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_password: rotate the admin password (``update_pwd``) to ``new_password``.

The connection option ``password`` is the current one. Checked before anything is sent: at most 8
characters, letters, digits and underscore only (protocol.md 7.1). Reads nothing in plaintext: the
probe is a token fetched with ``new_password`` and an encrypted ``get_version`` signed with it; if the
miner answers it, the password already is ``new_password`` and nothing is sent. After ``update_pwd``
(answered with the old key) the same probe, with a fresh token, proves the new password works.
Neither password appears in any result, diff or log line.
"""

from __future__ import annotations

import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import client_from_params
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    InvalidOption,
    Reading,
    Step,
    runner,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import TokenRejected, WrongPassword

PASSWORD_RULE = re.compile(r"^[A-Za-z0-9_]{1,8}$")
PROBE = "get_version"
# What the miner's password is, said without saying it.
NEW, OTHER = "new_password", "another password"

ARGUMENT_SPEC = {
    "new_password": {"type": "str", "required": True, "no_log": True},
}
DIFF = False


def desired(params: dict, host: str) -> dict:
    if not PASSWORD_RULE.match(params["new_password"]):
        raise InvalidOption(host, "new_password", "must be 1 to 8 characters, letters, digits and underscore only")
    return {"password": NEW}


def read(client, params: dict) -> Reading:
    """Whether the miner already takes ``new_password``: a fresh client signs one encrypted read with it."""
    probe = client_from_params(dict(params, host=client.host, password=params["new_password"]))
    try:
        probe.write(PROBE)
    except (WrongPassword, TokenRejected):
        return Reading({"password": OTHER})
    return Reading({"password": NEW})


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    return dict(reading.state)


def plan(want: dict, have: dict, differ: list, params: dict) -> list:
    if not differ:
        return []
    return [Step("update_pwd", {"old": params["password"] or "", "new": params["new_password"]},
                 ("password",), note="the admin password changed: set whatsminer_password to the new one")]


def secrets(params: dict) -> set:
    return {params["new_password"]} if params.get("new_password") else set()


run = runner(__name__)
