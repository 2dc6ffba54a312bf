# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_facts
short_description: Gather normalised facts from WhatsMiner miners
version_added: 0.1.0
description:
  - Reads a miner with one joined read (C(summary+pools+edevs+devdetails)) plus the daemon commands the
    requested subsets need (C(get_version), C(get_miner_info), C(status), C(get_psu), C(get_error_code)),
    and returns C(ansible_facts.whatsminer).
  - The facts look the same whatever the firmware generation (cgminer-era 2019-2020, btminer with API
    2.0.x 2020-2024, 2024-11+ firmware on its V2-compatible port); hash rates are always in TH/s.
  - A value the firmware does not report is null, never guessed. Strings the miner reports (hostname,
    pool URL, model) are data and are returned as they came.
  - Sends no write command and needs no password.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
  - hashops.whatsminer._attributes.FACTS
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
    details: Reads only.
options:
  gather_subset:
    description:
      - Which parts to gather. C(all) is every part but C(raw).
      - V(identity) model, versions, platform, MAC, serial, hostname, network, LED.
      - V(mining) is_mining, power mode, limit and draw, hash rate, temperatures, fans, uptime, fast boot.
      - V(pools), V(hashboards), V(psu), V(errors) as named.
      - V(raw) adds C(raw), every reply as parsed; not part of C(all).
      - Prefix a name with C(!) to leave it out, for example V(['all', '!psu']).
    type: list
    elements: str
    default: [all]
notes:
  - To gather these facts in the play's fact gathering, set C(ansible_facts_modules) to
    V(hashops.whatsminer.whatsminer_facts) and give C(host) through C(module_defaults), since a plain module
    does not know the inventory's C(ansible_host); see the examples.
"""

EXAMPLES = r"""
- name: Gather everything
  hashops.whatsminer.whatsminer_facts:

- name: Only what an inventory or a health gate needs
  hashops.whatsminer.whatsminer_facts:
    gather_subset: [identity, mining]

- name: Show the hash rate
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} {{ ansible_facts.whatsminer.model }} {{ ansible_facts.whatsminer.hashrate_ths }} TH/s"

# Fact gathering through gather_facts (runs the plain module on the controller)
- name: Facts in the play's fact gathering
  hosts: miners
  gather_facts: true
  vars:
    ansible_facts_modules: [hashops.whatsminer.whatsminer_facts]
  module_defaults:
    hashops.whatsminer.whatsminer_facts:
      host: "{{ ansible_host | default(inventory_hostname) }}"
  tasks:
    - name: Show the firmware
      ansible.builtin.debug:
        var: ansible_facts.whatsminer.firmware_version
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to C(ansible_facts).
  returned: always
  type: complex
  contains:
    whatsminer:
      description:
        - The miner's state. Keys of subsets that were not asked for are absent; a value the firmware does not
          report is null.
      returned: always
      type: complex
      contains:
        model:
          description: Model from C(devdetails) as pyasic and asic-rs normalise it (C(_) removed, a final digit set to C(0)); else C(get_version) C(miner_type).
          type: str
          returned: when identity is gathered
          sample: M31SV10
        model_raw:
          description: Model exactly as the miner reported it.
          type: str
          returned: when identity is gathered
          sample: M31SV10
        firmware_version:
          description: Firmware version, quotes stripped.
          type: str
          returned: when identity is gathered
          sample: 20240624.18.REL
        api_version:
          description: API version (C(whatsminer v1.4.0) becomes C(1.4.0)).
          type: str
          returned: when identity is gathered
          sample: 2.0.5
        platform:
          description: Control board platform.
          type: str
          returned: when identity is gathered
          sample: H616
        mac:
          description: MAC address.
          type: str
          returned: when identity is gathered
          sample: "C4:11:04:01:3C:75"
        serial:
          description: Miner serial number.
          type: str
          returned: when identity is gathered
        hostname:
          description: Hostname.
          type: str
          returned: when identity is gathered
          sample: WhatsMiner
        ip:
          description: IP address the miner reports.
          type: str
          returned: when identity is gathered
        dhcp:
          description: Whether the address comes from DHCP.
          type: bool
          returned: when identity is gathered
        netmask:
          description: Network mask.
          type: str
          returned: when identity is gathered
        gateway:
          description: Default gateway.
          type: str
          returned: when identity is gathered
        dns:
          description: DNS servers.
          type: list
          elements: str
          returned: when identity is gathered
        led:
          description: LED state (C(auto) when not forced).
          type: str
          returned: when identity is gathered
        is_mining:
          description: Whether btminer is hashing (false after C(power_off)).
          type: bool
          returned: when mining is gathered
        power_mode:
          description: C(low), C(normal) or C(high).
          type: str
          returned: when mining is gathered
        power_limit_w:
          description: Power limit in W.
          type: int
          returned: when mining is gathered
        power_limit_set:
          description: Power limit set through the API, null when the default applies.
          type: int
          returned: when mining is gathered
        power_pct:
          description: Power percent, where the firmware reports it.
          type: int
          returned: when mining is gathered
        power_w:
          description: Power draw in W.
          type: float
          returned: when mining is gathered
        target_freq_pct:
          description: Target frequency percent, where the firmware reports it.
          type: int
          returned: when mining is gathered
        upfreq_speed:
          description: Upfreq speed, where the firmware reports it.
          type: int
          returned: when mining is gathered
        hashrate_ths:
          description: Average hash rate in TH/s.
          type: float
          returned: when mining is gathered
          sample: 111.338
        factory_hashrate_ths:
          description: Factory (nominal) hash rate in TH/s.
          type: float
          returned: when mining is gathered
        temperature:
          description: C(env_c), C(chip_min_c), C(chip_max_c), C(chip_avg_c) in degrees Celsius.
          type: dict
          returned: when mining is gathered
        fans:
          description: C(in_rpm) and C(out_rpm).
          type: dict
          returned: when mining is gathered
        uptime_s:
          description: Seconds since the miner started.
          type: int
          returned: when mining is gathered
        fast_boot:
          description: Whether btminer fast boot is enabled; null when not reported.
          type: bool
          returned: when mining is gathered
        pools:
          description: Configured pools (C(url), C(user), C(status), C(priority)); empty slots left out.
          type: list
          elements: dict
          returned: when pools is gathered
        hashboards:
          description: Boards (C(slot), C(temperature_c), C(hashrate_ths), C(chips), C(frequency_mhz), C(serial)).
          type: list
          elements: dict
          returned: when hashboards is gathered
        psu:
          description: Power supply (C(model), C(serial), C(vin_v), C(iin_a), C(fan_rpm), C(temperature_c)).
          type: dict
          returned: when psu is gathered
        errors:
          description:
            - Error codes the miner reports (C(code), C(time)).
            - Null when the firmware does not report them, and when the miner cut its error list off (then
              C(errors) is named in C(truncated)); never a shorter list.
          type: list
          elements: dict
          returned: when errors is gathered
        truncated:
          description:
            - The facts that are null because the miner cut its reply off before sending them, sorted; nested
              facts are dotted (C(temperature.chip_max_c)).
            - Real firmware cuts off a summary overflowing with error entries, and with it the rest of a joined
              read, and can cut off C(get_error_code); the collection reads what arrived and names here what did
              not. Any other reply cut off fails the task.
            - A fact is also named here when a miner floods it (more than 100 pools or boards, more than 1000
              errors); it is then null rather than a list cut short.
          type: list
          elements: str
          returned: only when a reply was cut off or flooded
          sample: [errors, firmware_version, mac, power_limit_w, power_mode, temperature.env_c]
        raw:
          description:
            - Every reply as parsed, keyed by command; null for a command that failed.
            - In a reply the miner cut off, every object the cut left open has the member C(_hashops_cut) set
              to true; a part of a joined read that never arrived is C({"_hashops_cut":true}).
          type: dict
          returned: when raw is gathered
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import facts


def main():
    run_module(facts)


if __name__ == "__main__":
    main()
