# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_facts: one joined read plus the daemon commands the subsets need, normalised.

On a miner read through API V3 (``client.api == "v3"``, a V3Facade) the same V2 commands are
answered from V3 replies, so the keys are the same; ``api`` says which API answered, and ``raw``
holds the V3 replies as they came.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import read
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import UsageError

ARGUMENT_SPEC = {
    "gather_subset": {"type": "list", "elements": "str", "default": ["all"]},
}


def run(client, params: dict, check: bool, diff: bool) -> dict:  # pylint: disable=unused-argument
    subsets = params["gather_subset"]
    try:
        commands = _state.commands_for(subsets)
    except ValueError as err:
        raise UsageError(client.host, "gather_subset", str(err)) from None
    facts = read(client, commands, subsets).state
    api = getattr(client, "api", "v2")
    facts["api"] = api
    if api == "v3" and "raw" in facts:
        facts["raw"] = client.last_v3_replies
    return {"changed": False, "ansible_facts": {"whatsminer": facts}}
