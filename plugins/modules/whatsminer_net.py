# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_net
short_description: Set a WhatsMiner's network, hostname and time zone
version_added: 0.2.0
description:
  - Sets DHCP or a static address (O(ip), O(netmask), O(gateway) and O(dns), all four together), the
    O(hostname), and the time zone (O(timezone) with O(zonename)). An option left unset is left alone.
  - Reads C(get_miner_info) (C(proto), C(ip), C(netmask), C(gateway), C(dns), C(hostname)) and writes only what
    differs - C(set_hostname) or C(set_zone) first, then C(net_config), which restarts the miner's network.
  - The time zone cannot be read back over API V2 - when set, it is sent on every run and listed in
    RV(unverifiable).
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) the network is read through V3 C(get.device.info)
    (its C(network)) and the hostname and time zone through C(get.system.setting), so every option, the time zone
    included, is compared, sent only when it differs and verified. The writes are V3's - C(set.system.hostname),
    C(set.system.timezone) and C(set.system.net_config), which carries no hostname, so the hostname is always its
    own write, first. RV(api_commands) lists them. A miner moved to a new static address is verified there
    through the same API.
  - After a new static address the module waits for the miner at that address, verifies it there, and returns
    it as RV(address); use it with C(add_host) or refresh the inventory (see the examples).
  - When switching to DHCP the module waits at the current address. If the DHCP server hands out another one,
    find the miner again with the inventory plugin (hosts are named by MAC).
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
    details: Idempotent for the network and the hostname; the time zone is sent on every run over API V2 (it is
      compared like the rest through API V3).
options:
  dhcp:
    description:
      - V(true) gets the address from DHCP (C(net_config) C(param=dhcp)).
      - V(false) needs O(ip), O(netmask), O(gateway) and O(dns); giving those implies V(false).
    type: bool
  ip:
    description: Static IPv4 address.
    type: str
  netmask:
    description: Network mask, for example V(255.255.255.0).
    type: str
  gateway:
    description: Default gateway.
    type: str
  dns:
    description: One to three DNS servers, compared in order.
    type: list
    elements: str
  hostname:
    description:
      - The miner's hostname. Over API V2 sent with C(net_config) when the network changes too, else with
        C(set_hostname); through API V3 always with C(set.system.hostname).
    type: str
  timezone:
    description:
      - POSIX time zone, for example V(CST-8) or V(UTC0), sent with O(zonename) by C(set_zone) (through API V3
        C(set.system.timezone)). Not readable over API V2; read back through API V3 C(get.system.setting).
    type: str
  zonename:
    description: Zone name, for example V(Asia/Shanghai) or V(Etc/UTC).
    type: str
seealso:
  - module: hashops.whatsminer.whatsminer_facts
  - plugin: hashops.whatsminer.whatsminer
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: A hostname per miner
  hashops.whatsminer.whatsminer_net:
    hostname: "{{ inventory_hostname }}"

- name: Move a miner to its static address and keep talking to it there
  hashops.whatsminer.whatsminer_net:
    ip: 10.20.7.12
    netmask: 255.255.255.0
    gateway: 10.20.7.1
    dns: [10.20.0.53, 1.1.1.1]
  register: net

- name: Use the new address for the rest of the play
  ansible.builtin.set_fact:
    ansible_host: "{{ net.address }}"

- name: Time zone (sent every run over API V2, where it cannot be read back; verified through API V3)
  hashops.whatsminer.whatsminer_net:
    timezone: UTC0
    zonename: Etc/UTC
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
  sample: {"before": {"hostname": "WhatsMiner"}, "after": {"hostname": "rack07-m01", "timezone": "CST-8",
           "zonename": "Asia/Shanghai"}}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "set_hostname", "params": {"hostname": "rack07-m01"}},
           {"command": "set_zone", "params": {"timezone": "CST-8", "zonename": "Asia/Shanghai"}}]
restarted:
  description: Whether a write made btminer or the miner restart (seen while waiting, or expected when C(wait=false)).
  returned: always
  type: bool
  sample: false
unverifiable:
  description:
    - What the task sets that this miner cannot report back (over API V2 the time zone; through API V3 only what
      the miner's C(get.system.setting) leaves out). Such an option is sent on every run and never reported as unchanged.
  returned: always
  type: list
  elements: str
  sample: [timezone, zonename]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for C(set.system.hostname), C(set.system.timezone) and
      C(set.system.net_config).
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.system.hostname"}, {"api": "v3", "command": "set.system.net_config"}]
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
  sample: ["net_config makes the miner restart; wait is false, so the change was not verified"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import net


def main():
    run_module(net)


if __name__ == "__main__":
    main()
