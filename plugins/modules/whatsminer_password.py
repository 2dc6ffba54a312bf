# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_password
short_description: Rotate a WhatsMiner's admin password
version_added: 0.2.0
description:
  - Changes the admin password (C(update_pwd)) from the current one (the connection option O(password), by default
    the variable C(whatsminer_password)) to O(new_password).
  - Checked before anything is sent - at most 8 characters, letters, digits and underscore only.
  - Idempotent. First it proves whether O(new_password) already works - a token fetched and one encrypted read
    (C(get_version)) signed with it. If the miner answers, nothing is sent and the task reports no change.
  - After the change the old token is dropped and the same proof is made with the new password, with a fresh token;
    the task fails if the new password does not work.
  - Neither password appears in any result, diff or log line, at any verbosity.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
  - hashops.whatsminer._attributes.IDEMPOTENT
attributes:
  check_mode:
    support: full
    details: The proof that O(new_password) works is a read and also runs in check mode; C(update_pwd) is not sent.
  diff_mode:
    support: none
    details: Nothing about a password is ever shown.
  idempotent:
    support: full
options:
  new_password:
    description:
      - The new admin password. 1 to 8 characters, letters, digits and underscore.
      - Keep it in Ansible Vault. Never shown.
    type: str
    required: true
notes:
  - "Rotation with Ansible Vault: put the new password in the vault as, say, C(vault_whatsminer_password_next);
    run this module with O(new_password) set to it; for every host where the task succeeded switch
    C(whatsminer_password) to the new value (for example a C(host_vars) file written by a task that runs only
    when the rotation succeeded, or by moving the vault variable once every host is done). Hosts where it failed
    still have their old password: the task's message says why (wrong current password, write API off, miner
    silent); run it again for them with O(password) still the old one. A host that changed but whose proof
    failed reports that, and a second run with the new password as O(password) shows whether it took."
seealso:
  - module: hashops.whatsminer.whatsminer_command
"""

EXAMPLES = r"""
- name: Rotate the admin password to the one in the vault
  hashops.whatsminer.whatsminer_password:
    new_password: "{{ vault_whatsminer_password_next }}"
  register: rotation
"""

RETURN = r"""
changed:
  description:
    - Whether a write was sent (or, in check mode, would be sent).
    - Always true when the task sets an option that this firmware cannot report back (see RV(unverifiable)).
  returned: always
  type: bool
  sample: true
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "update_pwd", "params": {"old": "********", "new": "********"}}]
restarted:
  description: Whether a write made btminer or the miner restart (seen while waiting, or expected when C(wait=false)).
  returned: always
  type: bool
  sample: false
unverifiable:
  description:
    - What the task sets that this miner cannot report back over API V2. Such an option is sent on every run
      and never reported as unchanged.
  returned: always
  type: list
  elements: str
  sample: []
address:
  description: The address the miner answers at when the task ends.
  returned: always
  type: str
  sample: 192.168.10.21
elapsed_s:
  description: Seconds the task took, waiting for restarts included.
  returned: always
  type: float
  sample: 4.2
notes:
  description: What the operator should know about the writes sent (not verified because C(wait=false), takes effect later, ...).
  returned: when there is something to say
  type: list
  elements: str
  sample: ["the admin password changed: set whatsminer_password to the new one"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import password


def main():
    run_module(password)


if __name__ == "__main__":
    main()
