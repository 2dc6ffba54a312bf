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

---
# A playbook (a second YAML document): fact gathering through gather_facts, which runs the plain module
- name: Facts in the play's fact gathering
  hosts: whatsminer
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
  sample: {"whatsminer": {"model": "M50SVH30", "firmware_version": "20240624.18.REL", "is_mining": true,
           "hashrate_ths": 123.935}}
  contains:
    whatsminer:
      description:
        - The miner's state. Keys of subsets that were not asked for are absent; a value the firmware does not
          report is null.
      returned: always
      type: complex
      sample: {"model": "M50SVH30", "firmware_version": "20240624.18.REL", "is_mining": true, "hashrate_ths": 123.935}
      contains:
        api:
          description:
            - Which API answered, V(v2) (port 4028) or V(v3) (port 4433); see the O(api) option. Through API V3
              the same keys are filled from its replies (the model from C(get.device.info), errors with their
              C(reason)).
          type: str
          returned: always
          sample: v3
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
          sample: HTM502444000001
        hostname:
          description: Hostname.
          type: str
          returned: when identity is gathered
          sample: WhatsMiner
        ip:
          description: IP address the miner reports.
          type: str
          returned: when identity is gathered
          sample: 192.168.10.21
        dhcp:
          description: Whether the address comes from DHCP.
          type: bool
          returned: when identity is gathered
          sample: true
        netmask:
          description: Network mask.
          type: str
          returned: when identity is gathered
          sample: 255.255.255.0
        gateway:
          description: Default gateway.
          type: str
          returned: when identity is gathered
          sample: 192.168.10.1
        dns:
          description: DNS servers.
          type: list
          elements: str
          returned: when identity is gathered
          sample: [192.168.10.1, 1.1.1.1]
        led:
          description: LED state (C(auto) when not forced).
          type: str
          returned: when identity is gathered
          sample: auto
        is_mining:
          description: Whether btminer is hashing (false after C(power_off)).
          type: bool
          returned: when mining is gathered
          sample: true
        power_mode:
          description: C(low), C(normal) or C(high).
          type: str
          returned: when mining is gathered
          sample: normal
        power_limit_w:
          description: Power limit in W.
          type: int
          returned: when mining is gathered
          sample: 3600
        power_limit_set:
          description: Power limit set through the API, null when the default applies.
          type: int
          returned: when mining is gathered
          sample: 3300
        power_pct:
          description: Power percent, where the firmware reports it.
          type: int
          returned: when mining is gathered
          sample: 100
        power_w:
          description: Power draw in W.
          type: float
          returned: when mining is gathered
          sample: 3283.0
        target_freq_pct:
          description: Target frequency percent, where the firmware reports it.
          type: int
          returned: when mining is gathered
          sample: 0
        upfreq_speed:
          description: Upfreq speed, where the firmware reports it.
          type: int
          returned: when mining is gathered
          sample: 0
        hashrate_ths:
          description: Average hash rate in TH/s.
          type: float
          returned: when mining is gathered
          sample: 111.338
        factory_hashrate_ths:
          description: Factory (nominal) hash rate in TH/s.
          type: float
          returned: when mining is gathered
          sample: 123.935
        temperature:
          description: Temperatures in degrees Celsius; each is null when the firmware does not report it.
          type: dict
          returned: when mining is gathered
          sample: {"env_c": 31.41, "chip_min_c": 68.41, "chip_max_c": 89.91, "chip_avg_c": 81.16}
          contains:
            env_c:
              description: Air at the intake.
              type: float
            chip_min_c:
              description: Coolest chip.
              type: float
            chip_max_c:
              description: Hottest chip.
              type: float
            chip_avg_c:
              description: Average over the chips.
              type: float
        fans:
          description: Fan speeds in revolutions per minute.
          type: dict
          returned: when mining is gathered
          sample: {"in_rpm": 6000, "out_rpm": 5970}
          contains:
            in_rpm:
              description: Intake fan.
              type: int
            out_rpm:
              description: Exhaust fan.
              type: int
        uptime_s:
          description: Seconds since the miner started.
          type: int
          returned: when mining is gathered
          sample: 196077
        fast_boot:
          description: Whether btminer fast boot is enabled; null when not reported.
          type: bool
          returned: when mining is gathered
          sample: false
        pools:
          description: Configured pools in failover order; empty slots left out.
          type: list
          elements: dict
          returned: when pools is gathered
          sample:
            - {"url": "stratum+tcp://btc.pool.example.com:3333", "user": "farm.m50s0001", "status": "Alive", "priority": 0}
            - {"url": "stratum+tcp://btc-backup.pool.example.com:443", "user": "farm.m50s0001", "status": "Alive", "priority": 1}
          contains:
            url:
              description: Pool URL as the miner reports it.
              type: str
            user:
              description: Worker name.
              type: str
            status:
              description: What the miner says of the pool (C(Alive), C(Dead), ...).
              type: str
            priority:
              description: Failover position, 0 first.
              type: int
        hashboards:
          description: Hash boards, one entry per board the miner reports.
          type: list
          elements: dict
          returned: when hashboards is gathered
          sample:
            - {"slot": 0, "temperature_c": 71.41, "hashrate_ths": 41.368, "chips": 135, "frequency_mhz": 607,
               "serial": "BHM5CSD1302444K00007"}
          contains:
            slot:
              description: Board slot.
              type: int
            temperature_c:
              description: Board temperature in degrees Celsius.
              type: float
            hashrate_ths:
              description: Board hash rate in TH/s.
              type: float
            chips:
              description: Chips that work.
              type: int
            frequency_mhz:
              description: Chip frequency in MHz.
              type: int
            serial:
              description: Board (PCB) serial number.
              type: str
        psu:
          description: Power supply; each value is null when the firmware does not report it.
          type: dict
          returned: when psu is gathered
          sample: {"model": "P222B", "serial": "24440007919", "vendor": "1", "vin_v": 226.7, "iin_a": 14.482,
                   "fan_rpm": 6000, "temperature_c": 46.4}
          contains:
            model:
              description: PSU model.
              type: str
            serial:
              description: PSU serial number.
              type: str
            vendor:
              description: Vendor code as the firmware reports it (API 2.0.5 spells the key C(vender)).
              type: str
            vin_v:
              description: Input voltage in V.
              type: float
            iin_a:
              description: Input current in A.
              type: float
            fan_rpm:
              description: PSU fan speed.
              type: int
            temperature_c:
              description: PSU temperature in degrees Celsius.
              type: float
        errors:
          description:
            - Error codes the miner reports (C(code), C(time)).
            - Null when the firmware does not report them, and when the miner cut its error list off (then
              C(errors) is named in C(truncated)); never a shorter list.
          type: list
          elements: dict
          returned: when errors is gathered
          sample: [{"code": 530, "time": "2025-01-02 03:04:05"}]
          contains:
            code:
              description: Error code.
              type: int
            time:
              description: When the miner logged it, as the miner writes the time.
              type: str
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
          sample: {"get_version": {"STATUS": "S", "When": 1773871985, "Code": 131, "Msg": {"api_ver": "2.0.5",
                   "fw_ver": "20240624.18.REL", "platform": "H616"}, "Description": ""}}
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import facts


def main():
    run_module(facts)


if __name__ == "__main__":
    main()
