# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_led
short_description: Blink a WhatsMiner's LED, or give it back to the firmware
version_added: 0.2.0
description:
  - V(blink) makes the LED blink in O(color) (C(set_led) with period, duration and start in milliseconds), to find
    a miner in the rack; V(auto) gives the LED back to the firmware (C(set_led) C(param=auto)).
  - Read back through C(get_miner_info.ledstat), which says only whether the LED is automatic. The colour and
    timing of a blink cannot be read back - they are sent every time and listed in RV(unverifiable).
  - With O(for_seconds) the LED blinks that long and is then put back to automatic, which is what an operator
    walking the racks wants. That is an action, sent on every run.
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) the state is read through V3 C(get.device.info)
    (its C(system.ledstatus)) and written with C(set.system.led) - V(auto), or the blink as a list of one flash
    pattern (C(color), C(period), C(duration), C(start)). RV(api_commands) lists the requests that went out.
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
    support: partial
    details: V(auto) is idempotent; a blink is sent every time (its colour and timing cannot be read back).
options:
  state:
    description: V(auto) (the firmware drives the LED) or V(blink).
    type: str
    required: true
    choices: [auto, blink]
  color:
    description: Colour of the blink.
    type: str
    choices: [red, green]
    default: red
  period:
    description: Blink period in milliseconds, 1 to 60000.
    type: int
    default: 1000
  duration:
    description: How long the LED is on in each period, in milliseconds (at most O(period)).
    type: int
    default: 500
  start:
    description: Offset of the on time in each period, in milliseconds (at most O(period)).
    type: int
    default: 0
  for_seconds:
    description: Blink for this many seconds (1 to 3600), then put the LED back to automatic. The task lasts that long.
    type: int
seealso:
  - module: hashops.whatsminer.whatsminer_facts
"""

EXAMPLES = r"""
- name: Find the miner - blink red for two minutes, then back to automatic
  hashops.whatsminer.whatsminer_led:
    state: blink
    color: red
    for_seconds: 120

- name: LED back to automatic on every miner
  hashops.whatsminer.whatsminer_led:
    state: auto
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
  sample: {"before": {"state": "auto"}, "after": {"state": "blink", "color": "red", "period": 1000, "duration": 500,
           "start": 0}}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "set_led", "params": {"color": "red", "period": 1000, "duration": 500, "start": 0}}]
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
  sample: [color, duration, period, start]
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
  sample: ["set_led: the reply was lost; the outcome was settled by reading back"]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for C(set.system.led).
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.system.led"}]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import led


def main():
    run_module(led)


if __name__ == "__main__":
    main()
