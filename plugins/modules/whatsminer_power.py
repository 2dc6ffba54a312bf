# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_power
short_description: Set whether a WhatsMiner mines, and at what power, idempotently
version_added: 0.2.0
description:
  - Each option is compared only when the task sets it; an option left unset is left alone.
  - Reads C(summary), C(status) and C(get_miner_info) and writes only what differs, in a safe order -
    V(mining) first, then the settings that do not restart btminer (O(fast_boot), O(upfreq_speed),
    O(power_percent)), then each restarting change alone (O(mode), O(power_limit), O(target_freq_percent)),
    each followed by waiting for the miner and reading it back, and V(stopped) last.
  - A setting this firmware does not report is sent on every run and listed in RV(unverifiable), never
    reported as unchanged. On 2021 firmware (API 1.4) that is O(power_percent), O(target_freq_percent),
    O(upfreq_speed), O(fast_boot), and O(power_limit=99999); O(power_percent) also on API 2.0.x firmware
    that lacks C(status.power_pct).
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) the same reads are answered through V3 and
    C(power_on)/C(power_off), the modes, O(power_limit) and O(fast_boot) go out as their V3 commands
    (C(set.miner.service), C(set.miner.power_mode), C(set.miner.power_limit), C(set.miner.fastboot)); the
    other writes go to port 4028. RV(api_commands) lists what went out, and through which API.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._wait
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
    details: Idempotent for every option the miner reports back (see RV(unverifiable)).
options:
  state:
    description:
      - V(mining) sends C(power_on); V(stopped) sends C(power_off) (with C(respbefore)). Read back through C(status).
      - On 2024-11+ firmware a V2 C(power_off) may not keep the miner off; the read-back then fails the task.
    type: str
    choices: [mining, stopped]
  mode:
    description:
      - Power mode, C(set_low_power) / C(set_normal_power) / C(set_high_power). btminer restarts.
      - Read back from C(status.power_mode), else summary C(Power Mode).
    type: str
    choices: [low, normal, high]
  power_limit:
    description:
      - Power limit in watts, 0 to 99999, with C(adjust_power_limit). btminer restarts.
      - V(99999) restores the vendor's limit.
      - Read back from C(status.power_limit_set) (empty means the vendor's limit), else summary C(Power Limit).
    type: int
  target_freq_percent:
    description:
      - Target frequency in percent, -100 to 100, with C(set_target_freq). btminer restarts.
      - Read back from C(status.hash_percent).
    type: int
  power_percent:
    description:
      - Power in percent of the miner's stable power, or V(restore) (C(restore_power_pct), V2.2 firmware), which
        counts as done when the miner reports 100.
      - Read back from C(status.power_pct) where the firmware has it.
    type: str
  power_percent_mode:
    description:
      - V(normal) sends C(set_power_pct_v2) (API 2.0.5+; adjusts over minutes; up to 200 on hydro and
        immersion models, 100 on the others).
      - V(fast) sends C(set_power_pct) (within a second, 0 to 100; the vendor advises it for temporary use only).
    type: str
    choices: [fast, normal]
    default: normal
  upfreq_speed:
    description:
      - Frequency-raising speed after a start, 0 to 9, with C(adjust_upfreq_speed). Read back from
        C(get_miner_info.upfreq_speed).
    type: int
  fast_boot:
    description:
      - btminer fast boot (C(enable_btminer_fast_boot) / C(disable_btminer_fast_boot)). Read back from summary
        C(Btminer Fast Boot). Takes effect the next time btminer starts, which RV(notes) says.
    type: bool
seealso:
  - module: hashops.whatsminer.whatsminer_facts
  - module: hashops.whatsminer.whatsminer_pools
"""

EXAMPLES = r"""
- name: High power on the hydro racks, with a limit
  hashops.whatsminer.whatsminer_power:
    mode: high
    power_limit: 7500

- name: Stop mining (for maintenance)
  hashops.whatsminer.whatsminer_power:
    state: stopped

- name: Run at 80 % power, mining
  hashops.whatsminer.whatsminer_power:
    state: mining
    power_percent: "80"

- name: Back to the vendor's power limit and full power, without waiting for btminer
  hashops.whatsminer.whatsminer_power:
    power_limit: 99999
    power_percent: restore
    wait: false
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
  sample: {"before": {"mode": "normal", "fast_boot": false}, "after": {"mode": "high", "fast_boot": true}}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "enable_btminer_fast_boot", "params": {}}, {"command": "set_high_power", "params": {}}]
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
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for what has a V3 command, V(v2) (port 4028) for the rest.
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.miner.service"}, {"api": "v2", "command": "set_target_freq"}]
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
  sample: ["fast_boot takes effect the next time btminer starts"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import power


def main():
    run_module(power)


if __name__ == "__main__":
    main()
