# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_customer_msg
short_description: Set and read a WhatsMiner's customer serial number and messages
version_added: 0.2.0
description:
  - Sets the customer serial number (C(CustomerSn)) and the messages C(msg0) to C(msg9) idempotently. It reads
    them, writes each key that differs, and reads them back.
  - Through API V2 (V2.2 firmware) it reads C(get_customer_msg) and writes C(set_customer_msg).
    C(get_customer_msg) needs a token, so it is sent encrypted and the admin password is needed even to read.
  - Through API V3 (see the O(api) option; firmware with API 3.0.1 or later) it reads C(get.device.custom_data),
    which needs no password, and writes C(set.device.custom_data), signed with the password; RV(api_commands)
    lists those writes. Under O(api=auto) (the default) a miner that answers API V3 is worked through it.
  - Without O(key) and O(messages) the module only reads, and RV(messages) is the asset tag inventory.
  - A key the miner does not list reads as an empty string.
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
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  key:
    description: One key to set, with O(value).
    type: str
    choices: [CustomerSn, msg0, msg1, msg2, msg3, msg4, msg5, msg6, msg7, msg8, msg9]
  value:
    description:
      - Its value, at most 127 bytes in UTF-8, of printable characters (no newline, tab or other control
        character), as the firmware takes it. The same rules hold for each value of O(messages).
    type: str
  messages:
    description: Several keys at once, as a dictionary of key to value.
    type: dict
seealso:
  - module: hashops.whatsminer.whatsminer_facts
"""

EXAMPLES = r"""
- name: Asset tag and rack position
  hashops.whatsminer.whatsminer_customer_msg:
    messages:
      CustomerSn: "FARM-N-{{ inventory_hostname | replace('-', '') }}"
      msg0: "rack {{ rack | default('?') }}"

- name: Read every value (asset inventory)
  hashops.whatsminer.whatsminer_customer_msg:
  register: asset_tags

- name: Show them
  ansible.builtin.debug:
    var: asset_tags.messages
"""

RETURN = r"""
changed:
  description:
    - Whether a write was sent (or, in check mode, would be sent).
    - Always true when the task sets an option that this firmware cannot report back (see RV(unverifiable)).
  returned: always
  type: bool
  sample: true
diff:
  description:
    - C(before) is what the miner reported for the options the task sets, C(after) what the task asks for.
    - An option the miner cannot report is absent from C(before). No secret is ever included.
  returned: always
  type: dict
  sample: {"before": {"CustomerSn": "", "msg0": ""}, "after": {"CustomerSn": "FARM-N-0042", "msg0": "rack 7"}}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "set_customer_msg", "params": {"key": "CustomerSn", "val": "FARM-N-0042"}},
           {"command": "set_customer_msg", "params": {"key": "msg0", "val": "rack 7"}}]
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
  sample: ["set_customer_msg: the reply was lost; the outcome was settled by reading back"]
api_commands:
  description:
    - The writes that went out to a miner worked through API V3 (see the O(api) option), in order, each with the
      API that carried it (V(v3), C(set.device.custom_data)).
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.device.custom_data"}]
messages:
  description:
    - Every customer value the miner holds after the task (before it in check mode).
    - API V3 lists every key, with an empty string for one never set; API V2 only the keys it holds.
  returned: success
  type: dict
  sample: {"CustomerSn": "FARM-N-0042", "msg0": "rack 7"}
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import customer_msg


def main():
    run_module(customer_msg)


if __name__ == "__main__":
    main()
