# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_settings
short_description: Set the WhatsMiner settings that API V2 cannot read back (verified through API V3)
version_added: 0.2.0
description:
  - Sets web pools, btminer start at boot, temperature offset, power-off cooling, fan zero speed, heat mode,
    remote syslog and (API V3 only) the random start and stop delays.
  - None of these settings can be read back over API V2 (no V2 command reports them), so the module cannot
    tell whether they already have the value asked. Every option the task sets is sent on every run, the
    task reports C(changed), and the option is listed in RV(unverifiable). It is never reported as unchanged.
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) O(heat_mode) is read back through V3
    C(get.miner.setting) (its C(heat-mode); V(anti-freezing) there is V(anti-icing)), O(poweroff_cool),
    O(fan_zero_speed) and O(temp_offset) through C(get.fan.setting), and O(web_pools), O(syslog) and
    O(time_randomized) through C(get.system.setting) (C(web-pool), C(log-upload), C(time-randomized)), so all of
    them but O(btminer_init) are sent only when they differ and verified after the write. O(btminer_init) stays
    unverifiable there.
  - Through API V3 O(web_pools) is written with C(set.system.webpools), O(syslog) with C(set.log.upload) and
    O(time_randomized) with C(set.system.time_randomized); the other writes still go to port 4028 (V2), see
    RV(api_commands). A V3 heat mode no source names the V2 equivalent of (V(normal)) leaves O(heat_mode)
    unverifiable.
  - O(time_randomized) exists only in API V3. On a miner worked through API V2 (no V3 answer, or O(api=v2)) a
    task that sets it fails, naming the miner and the cause, before anything is sent.
  - Check mode reports what would be sent and sends nothing.
  - An option left unset is not sent. At least one option must be set.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: C(before) is empty over API V2, since nothing can be read, and through API V3 holds what the miner
      reports; C(after) is what the task asks.
options:
  web_pools:
    description:
      - Whether the pools can be changed in the miner's web UI (C(enable_web_pools) / C(disable_web_pools), through
        API V3 C(set.system.webpools)). Not readable over API V2.
    type: bool
  btminer_init:
    description: Whether the miner starts mining when it boots (C(enable_btminer_init) / C(disable_btminer_init)). Not readable over API V2.
    type: bool
  temp_offset:
    description:
      - Target temperature offset of the hashboards, -30 to 0 degrees C (C(set_temp_offset)); raises fan speed on
        air-cooled miners. The vendor says it takes effect at the next start. Not readable over API V2.
    type: int
  poweroff_cool:
    description: Keep the fans running to cool down after power-off (C(set_poweroff_cool)). Not readable over API V2.
    type: bool
  fan_zero_speed:
    description: Allow the fans to stop (C(set_fan_zero_speed)). Not readable over API V2.
    type: bool
  heat_mode:
    description:
      - Heat mode of hydro-cooled miners, as the V2.2 manual names them (C(set_heat_mode), V2.2 firmware only).
        V(anti-icing) (the manual also calls it anti-freezing; the default of hydro miners), V(heating), or
        V(power-keeping) (full power kept during network outages). Not readable over API V2.
    type: str
    choices: [anti-icing, heating, power-keeping]
  syslog:
    description:
      - Send the miner's log to a syslog server (C(load_log), through API V3 C(set.log.upload)). Not readable over
        API V2.
    type: dict
    suboptions:
      ip:
        description: IPv4 address of the syslog server.
        type: str
        required: true
      port:
        description: Its port.
        type: int
        default: 514
      proto:
        description: Transport.
        type: str
        choices: [tcp, udp]
        default: udp
  time_randomized:
    description:
      - The longest random delays before the miner starts its network-dependent services and before it stops
        mining (C(set.system.time_randomized)); read back from C(get.system.setting) C(time-randomized).
      - API V3 only; on a miner worked through API V2 the task fails before anything is sent.
    type: dict
    suboptions:
      start:
        description: Longest random delay before network services start, in seconds, 0 to 120.
        type: int
        required: true
      stop:
        description: Longest random delay before mining stops, in seconds, 0 to 120.
        type: int
        required: true
seealso:
  - module: hashops.whatsminer.whatsminer_power
"""

EXAMPLES = r"""
- name: Fans may stop, cool down after power-off, logs to the farm's syslog
  hashops.whatsminer.whatsminer_settings:
    fan_zero_speed: true
    poweroff_cool: true
    syslog:
      ip: 10.20.0.5
      port: 514
      proto: udp

- name: Do not start mining at boot (maintenance)
  hashops.whatsminer.whatsminer_settings:
    btminer_init: false

- name: Spread start and stop over up to a minute and two minutes (API V3 miners only)
  hashops.whatsminer.whatsminer_settings:
    time_randomized:
      start: 60
      stop: 120
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
  sample: {"before": {}, "after": {"fan_zero_speed": true, "syslog": {"ip": "10.20.0.5", "port": 514, "proto": "udp"}}}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "set_fan_zero_speed", "params": {"fan_zero_speed": "1"}},
           {"command": "load_log", "params": {"ip": "10.20.0.5", "port": "514", "proto": "udp"}}]
restarted:
  description: Whether a write made btminer or the miner restart (seen while waiting, or expected when C(wait=false)).
  returned: always
  type: bool
  sample: false
unverifiable:
  description:
    - What the task sets that this miner cannot report back (over API V2, all of them; over API V3, only
      O(btminer_init), and what the miner's V3 reads leave out). Such an option is sent on every run and never
      reported as unchanged.
  returned: always
  type: list
  elements: str
  sample: [fan_zero_speed, syslog]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for what has a V3 command, V(v2) (port 4028) for the rest.
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.system.webpools"}, {"api": "v2", "command": "set_heat_mode"}]
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
  sample: ["temp_offset takes effect the next time the miner starts"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import settings


def main():
    run_module(settings)


if __name__ == "__main__":
    main()
