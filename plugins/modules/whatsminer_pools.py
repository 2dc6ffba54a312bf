# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_pools
short_description: Set a WhatsMiner's mining pools, idempotently
version_added: 0.2.0
description:
  - Makes the miner mine on exactly the pools given, in that failover order; unused slots are cleared.
  - Reads C(pools) and compares URL and user per slot, in priority order. Before comparing, URLs are
    normalised so that a miner's echo does not look like drift - scheme and host lowercased, a trailing
    slash dropped, and C(stratum+tcp://) added where no scheme is given (that form is also what is sent).
  - Pool passwords cannot be read back over API V2. With O(update_password=on_change) they are sent only
    when a URL or user differs; with V(always) the pools are written on every run (always C(changed)).
  - Writes C(update_pools) with all nine keys, then reads the pools back until the new URLs show (some
    firmware restarts btminer to apply them), within O(wait_timeout).
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) the pools are read through V3
    C(get.miner.status) and written with V3 C(set.miner.pools) (encrypted, the pools in use only);
    RV(api_commands) says so.
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
    details: URL and user per slot; passwords are never shown.
  idempotent:
    support: partial
    details: Idempotent with O(update_password=on_change) (the default); V(always) writes every run.
options:
  pools:
    description:
      - One to three pools, the first the main one, then the failovers.
    type: list
    elements: dict
    required: true
    suboptions:
      url:
        description:
          - The pool's address, for example V(stratum+tcp://btc.pool.example.com:3333).
          - V(btc.pool.example.com:3333) means the same (C(stratum+tcp://) is added).
        type: str
        required: true
      user:
        description:
          - The worker name (account and worker, for example V(farm.rack07m12)). Compared exactly.
          - Template it per miner from the inventory, see the examples.
        type: str
        required: true
      password:
        description:
          - The pool password. When not set, V(x), the usual placeholder, is sent.
          - Cannot be read back from the miner. Never shown in results or diffs.
          - It is masked in RV(commands). A value shorter than three characters (such as V(x)) counts as a placeholder,
            not a secret, so Ansible does not hide that text wherever else it appears in the output.
        type: str
  update_password:
    description:
      - V(on_change) sends the passwords only when a URL or user differs.
      - V(always) sends the pools and passwords on every run, and reports C(changed) every time.
    type: str
    choices: [on_change, always]
    default: on_change
seealso:
  - module: hashops.whatsminer.whatsminer_facts
"""

EXAMPLES = r"""
- name: Three pools with a failover order and a worker per miner
  hashops.whatsminer.whatsminer_pools:
    pools:
      - url: stratum+tcp://btc.pool.example.com:3333
        user: "farm.{{ whatsminer_rack | default('r00') }}x{{ inventory_hostname | replace('-', '') }}"
      - url: stratum+tcp://btc-backup.pool.example.com:443
        user: "farm.{{ inventory_hostname | replace('-', '') }}"
      - url: btc.other-pool.example.net:25
        user: farm.fallback
        password: "{{ vault_pool_password }}"

- name: See what would change, without sending anything
  hashops.whatsminer.whatsminer_pools:
    pools:
      - url: stratum+tcp://btc.pool.example.com:3333
        user: "farm.{{ whatsminer_mac | default(inventory_hostname) | replace(':', '') | lower }}"
  check_mode: true
  diff: true
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
  sample:
    before: {"pools": [{"url": "stratum+tcp://btc.pool.example.com:3333", "user": "farm.m60s0003"}]}
    after: {"pools": [{"url": "stratum+tcp://btc.pool.example.com:3333", "user": "farm.rack07x01"},
                      {"url": "stratum+tcp://btc-backup.pool.example.com:443", "user": "farm.rack07x01"}]}
commands:
  description: The write commands sent, in order, or that would be sent in check mode; secret values are masked.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "update_pools", "params": {"pool1": "stratum+tcp://btc.pool.example.com:3333", "worker1": "farm.rack07x01",
             "passwd1": "********", "pool2": "stratum+tcp://btc-backup.pool.example.com:443", "worker2": "farm.rack07x01",
             "passwd2": "********", "pool3": "", "worker3": "", "passwd3": ""}}]
restarted:
  description: Whether a write made btminer or the miner restart (seen while waiting, or expected when C(wait=false)).
  returned: always
  type: bool
  sample: false
unverifiable:
  description:
    - What the task sets (or sends, such as pool passwords) that this miner cannot report back over API V2.
      Such an option is sent on every run and never reported as unchanged; pool passwords follow O(update_password).
  returned: always
  type: list
  elements: str
  sample: [password]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for what has a V3 command, V(v2) (port 4028) for the rest.
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.miner.pools"}]
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
  sample: ["update_pools: the reply was lost; the outcome was settled by reading back"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import pools


def main():
    run_module(pools)


if __name__ == "__main__":
    main()
