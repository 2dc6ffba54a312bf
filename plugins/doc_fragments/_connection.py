# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This fragment is private to the collection: it can change or go away without notice.

from __future__ import annotations


class ModuleDocFragment:
    # The options every module shares; plugins/module_utils/_connection.py holds the matching argument spec.
    DOCUMENTATION = r"""
options:
  host:
    description:
      - Address or name of the miner's API.
      - When the module runs on the controller (the usual case), defaults to the host's C(ansible_host),
        else its inventory name.
      - Required when the module runs as a plain module (delegated to a jump host, or through
        C(gather_facts) with C(ansible_facts_modules)); set it with C(module_defaults) there.
    type: str
  port:
    description:
      - TCP port of the miner's API V2.
    type: int
    default: 4028
  password:
    description:
      - The miner's admin password, used to sign and encrypt write commands. Reads need no password.
      - When not set, the host variable C(whatsminer_password) is used, then the environment
        variable E(WHATSMINER_PASSWORD) of the controller.
      - Never shown in results, diffs or logs.
      - A write without a password fails before anything is sent.
    type: str
  timeout:
    description:
      - Seconds one exchange with the miner may take in all - connect, send and the whole reply - whatever the
        miner does. A read is tried once more after a transient failure (reset, silence, a broken reply), so it
        may take twice this.
    type: float
    default: 10
  api:
    description:
      - Which API of the miner to use. V(v2) is the API V2 on O(port) that every WhatsMiner has; V(v3) is API V3 on
        O(v3_port) that firmware from about November 2024 on adds (M60 and later), where the V2 port no longer
        reports everything (the model, for one) and some V2 writes do not stick.
      - V(auto) asks API V3 for C(get.device.info) first, waiting at most 2 seconds, and uses API V2 when it does
        not answer; at C(-v) the task says which it chose and why. The host variable C(whatsminer_api) (V(v2) or
        V(v3), recorded by the C(hashops.whatsminer.whatsminer) inventory) settles it without asking.
      - Under V(auto) C(whatsminer_facts), C(whatsminer_power), C(whatsminer_pools), C(whatsminer_logs),
        C(whatsminer_settings), C(whatsminer_net), C(whatsminer_customer_msg), C(whatsminer_firmware),
        C(whatsminer_led) and C(whatsminer_system) use API V3
        on miners that answer it (C(state=stopped) is C(set.miner.service stop), pools go AES-encrypted in
        C(set.miner.pools), logs come from C(get.log.download), settings read heat mode, fan options, web pools,
        syslog and the random delays back through V3, the network and time zone are read back from
        C(get.device.info) and C(get.system.setting) and written with C(set.system.net_config),
        C(set.system.timezone) and C(set.system.hostname), customer messages are read with
        C(get.device.custom_data) (no password) and written with C(set.device.custom_data), the firmware goes up
        with C(set.system.update_firmware), the LED is C(set.system.led), a reboot C(set.system.reboot) and a
        btminer restart C(set.miner.service restart); C(factory_reset) and C(pre_power_on) stay on API V2). Any
        other module uses API V2 under V(auto) and fails before sending
        anything with V(v3).
    type: str
    choices: [auto, v2, v3]
    default: auto
  v3_port:
    description:
      - TCP port of the miner's API V3.
    type: int
    default: 4433
notes:
  - The modules do their work on the controller in an action plugin, so a task costs no Python start-up per
    host. Set C(ansible_connection=local) for miners (the inventory plugin does it).
  - When the task runs over another connection (for example C(delegate_to) a jump host inside the farm LAN),
    the same code runs there as a plain module; that host then needs pycryptodome.
requirements:
  - pycryptodome
"""
