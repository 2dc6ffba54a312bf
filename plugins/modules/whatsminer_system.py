# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_system
short_description: Reboot a WhatsMiner, restart btminer, factory reset, or prepare a power-on
version_added: 0.2.0
description:
  - One-shot actions, not state - every run sends the action and reports C(changed). Check mode sends nothing.
  - V(reboot) reboots the control board, V(restart_btminer) restarts the mining program; both usually close the
    connection without a reply, which is normal. With O(wait) the module waits for the miner to answer again and
    returns RV(elapsed_s).
  - V(factory_reset) resets the network (DHCP), the admin password (V(admin)), the write API switch (off), the pools
    and the power settings. Refused unless O(confirm=true).
  - V(pre_power_on) asks the miner to get ready to mine (temperatures adjusted); it is sent again until the miner
    answers that it is complete, within O(wait_timeout).
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) V(reboot) is sent as V3 C(set.system.reboot) and
    V(restart_btminer) as C(set.miner.service) C(restart), and the restart is waited for through V3
    (C(get.miner.status)). V(factory_reset) and V(pre_power_on) still go to the API V2 port - no source shows
    a V3 factory reset working on a miner, and V3 has no pre_power_on. RV(api_commands) lists what went out.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._wait
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details: An action has no before and after.
options:
  action:
    description: What to do.
    type: str
    required: true
    choices: [reboot, restart_btminer, factory_reset, pre_power_on]
  confirm:
    description: Must be V(true) for V(factory_reset).
    type: bool
    default: false
seealso:
  - module: hashops.whatsminer.whatsminer_power
"""

EXAMPLES = r"""
- name: Reboot, 10 miners at a time, and wait for each to answer again
  hashops.whatsminer.whatsminer_system:
    action: reboot
  throttle: 10

- name: Factory reset one miner (it comes back with password admin and the write API off)
  hashops.whatsminer.whatsminer_system:
    action: factory_reset
    confirm: true
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
  sample: [{"command": "restart_btminer", "params": {}}]
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
  sample: ["restart_btminer makes the miner restart; wait is false, so the change was not verified"]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for C(set.system.reboot) and C(set.miner.service), V(v2) for
      C(factory_reset) and C(pre_power_on).
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.miner.service"}]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import system


def main():
    run_module(system)


if __name__ == "__main__":
    main()
