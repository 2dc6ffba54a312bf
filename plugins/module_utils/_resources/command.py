# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_command: send one API command as given.

Readable commands (and '+' joins of them) are sent in plaintext, also in check mode.
Writable commands are encrypted with the admin password, and in check mode are not sent:
the result says what would have been sent (secrets masked) and reports changed.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils import _protocol
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import UsageError

ARGUMENT_SPEC = {
    "command": {"type": "str", "required": True},
    "params": {"type": "dict", "default": {}},
}

# Commands that carry a byte stream after the JSON; they have their own modules.
STREAMED = {"update_firmware": "hashops.whatsminer.whatsminer_firmware",
            "download_logs": "hashops.whatsminer.whatsminer_logs"}


def secrets(params: dict) -> set:
    """Secret values inside the free-form ``params``, so that Ansible masks them everywhere."""
    return {str(v) for k, v in (params.get("params") or {}).items() if k in _protocol.SECRET_PARAMS and v not in (None, "")}


def run(client, params: dict, check: bool, diff: bool) -> dict:  # pylint: disable=unused-argument
    command = params["command"].strip()
    args = params["params"] or {}
    if not command:
        raise UsageError(client.host, command, "command must not be empty")
    if command in STREAMED:
        raise UsageError(client.host, command, f"this command streams a file; use {STREAMED[command]} instead")
    result = {"command": command, "params": _protocol.mask_params(args)}
    if _protocol.is_read(command):
        result.update(changed=False, sent=True, reply=client.read(command, **args))
        return result
    if check:
        result.update(changed=True, sent=False, reply=None,
                      msg="check mode: this write command was not sent")
        return result
    reply = client.write(command, **args)
    result.update(changed=True, sent=True, reply=reply)
    if reply is None:
        # no reply is what restarting commands usually get, and it proves nothing either way
        silence = getattr(client, "last_silence", None) or "closed the connection without a reply"
        result["msg"] = (f"sent; the miner {silence}, which is normal for this command, so whether it was "
                         "carried out is unknown: read the state back")
    return result
