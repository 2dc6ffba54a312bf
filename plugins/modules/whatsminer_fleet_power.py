# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_fleet_power
short_description: Shed or restore the power of many WhatsMiner miners in one task
version_added: 0.2.0
description:
  - Curtails (sheds) or restores many miners in one task run once on the controller (C(run_once)) - the plugin
    itself talks to every miner of O(hosts), at most O(concurrency) at a time, instead of one Ansible host-task
    per miner. This is what lets a whole farm drop its load in seconds.
  - Each miner is reached with its own host variables, with the defaults of every module of the collection -
    the address is its C(ansible_host), else its inventory name; the password is its C(whatsminer_password),
    else the controller's E(WHATSMINER_PASSWORD), unless O(password) is set; O(port) and O(timeout) unless the
    host sets C(whatsminer_port) or C(whatsminer_timeout).
  - "O(operation=shed): first reads every miner (C(summary), C(status)), unless O(readings) holds what a plan
    read of it a moment before, chooses the miners, and prints the plan (RV(plan_text): who gets the command,
    who is already curtailed, who could not be read, the restore batches) before anything is sent - in check
    mode that is all it does. For O(mode=stop) a miner whose C(summary) shows it hashing is read through
    C(summary) alone (btminer answers it, so btminer runs); one it shows idle, or that answers it with an error,
    is read through C(status) as well. A miner already curtailed in this O(mode) gets nothing; the others get
    the mode's command - C(power_off) with C(respbefore) for O(mode=stop), C(set_low_power) for
    O(mode=low_power), C(set_power_pct) (fast) for O(mode=percent) - and are read back until the read shows the
    change, within O(verify_timeout). A stopped miner is read back through C(status) alone (its C(mineroff)
    flag); the other modes read C(summary) and C(status) and also require the power to have dropped."
  - With O(record), the plugin itself keeps the event on the controller - the state file replaced whole, one
    line appended to the event log - so a curtailment needs no further file tasks. Nothing is written in check
    mode."
  - With O(target_kw), every host is read first and the least efficient miners (highest J/TH) are chosen
    until their estimated shed reaches the target; RV(plan) says which, and whether the target is met.
  - "O(operation=restore): brings each miner back to its own baseline (O(baselines): the facts read before
    the event) in batches: at most O(restore_batch_size) miners each, no two with the same value of the host
    variable named by O(pdu_var), most efficient first, O(restore_batch_interval) seconds between batches.
    Each batch must be confirmed (mining again, hashrate rising, the baseline power mode and percent read
    back) before the next starts; a batch that does not come back stops the restore and RV(not_restored)
    lists the miners left curtailed."
  - A restore sends C(power_on) to a miner that is off, C(restore_power_pct) after a percent event (or, on
    firmware without it, C(set_power_pct) with the baseline percent), and C(set_<mode>_power) where the power
    mode differs from the baseline - so a miner whose baseline was low power comes back in low power.
  - This plugin only runs on the controller, as an action plugin. Run as a plain module it fails.
  - The C(hashops.whatsminer.curtailment) role builds curtailment events on it (plan, state file, event log).
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._attributes
attributes:
  check_mode:
    support: full
    details: Reads every miner, prints and returns the plan and the commands each miner would get; sends no write.
  diff_mode:
    support: none
  idempotent:
    description: A second shed sends nothing to miners already curtailed; a second restore nothing to miners at their baseline.
    support: full
options:
  hosts:
    description:
      - Inventory names of the miners. Each must be a host of the inventory.
      - Defaults to the play's hosts (C(ansible_play_hosts)).
    type: list
    elements: str
  operation:
    description:
      - V(shed) curtails the miners, V(restore) brings them back to their baseline.
    type: str
    default: shed
    choices: [shed, restore]
  mode:
    description:
      - How miners are curtailed; for V(restore), the mode the event used.
    type: str
    default: stop
    choices: [stop, low_power, percent]
  percent:
    description:
      - Power percent of O(mode=percent), from 1 to 99.
    type: int
    default: 50
  target_kw:
    description:
      - Shed at least this many kW, from the miners' power now, least efficient first. Without it every host
        of O(hosts) is shed.
    type: float
  baselines:
    description:
      - For O(operation=restore), per host name, the facts read before the event, as RV(miners[].before)
        returned them (C(is_mining), C(power_mode), C(power_pct), C(efficiency_jth)).
    type: dict
    default: {}
  restore_batch_size:
    description:
      - At most this many miners come back at once.
    type: int
    default: 10
  restore_batch_interval:
    description:
      - Seconds between the confirmation of a restore batch and the start of the next.
    type: float
    default: 60
  pdu_var:
    description:
      - The host variable naming a miner's PDU or rack; no two miners with the same value are in one restore
        batch. A miner without it shares a PDU with no one.
    type: str
    default: whatsminer_pdu
  concurrency:
    description:
      - At most this many miners are talked to at once.
    type: int
    default: 100
  verify_timeout:
    description:
      - Seconds a miner may take to read back as asked after its commands (a shed), or to come back (a
        restore batch, for each miner).
    type: float
    default: 120
  readings:
    description:
      - For O(operation=shed), per host name, the facts a plan read moments ago (RV(readings) of a check-mode
        shed). A miner with a reading gets its command without being read again, except in
        O(mode=low_power), whose restart is told from btminer's run time read just before the command.
    type: dict
    default: {}
  record:
    description:
      - Where and what to record on the controller once the miners were handled (not in check mode). The
        state file is the event - C(version), C(active), C(event_id), C(started), C(updated), C(mode),
        C(percent), C(target), C(miners) (each miner's baseline, as the first shed of the event read it) and,
        once every miner came back, C(restored). The event log gets one JSON object a line - C(when),
        C(event_id), C(job), C(mode), C(target), C(miners), C(kw_before), C(kw_after), C(kw_shed), C(result),
        C(failures), and for a restore C(batches) and C(left_curtailed).
      - A file that cannot be written is a failure of the task; the miners were handled all the same.
    type: dict
    suboptions:
      state_file:
        description: The state file (JSON), replaced whole; its directory is created (mode 0750).
        type: path
        required: true
      event_log:
        description: The event log (JSON lines), appended to.
        type: path
        required: true
      event:
        description:
          - The event on record (the state file's content). An active one is continued by a shed (its miners'
            baselines, its target and percent are kept) and ended, miner by miner, by a restore.
        type: dict
        default: {}
      target:
        description: "How this shed chose its miners, kept in a new event (for example C({kind: kw, target_kw: 500}))."
        type: dict
        default: {}
      target_met:
        description:
          - Whether an earlier plan expected to meet its O(target_kw); a shed that does not is logged as C(partial).
          - The plan of this task counts as well - with O(target_kw), its own RV(plan.target_met).
        type: bool
        default: true
      failures:
        description: Failures of earlier steps of the same run (a plan's unreadable miners), logged with this one's.
        type: list
        elements: str
        default: []
  port:
    description:
      - TCP port of the miners' API (API V2), unless a host sets C(whatsminer_port).
    type: int
    default: 4028
  password:
    description:
      - The admin password of every miner. When not set, each host's C(whatsminer_password), then the
        environment variable E(WHATSMINER_PASSWORD) of the controller. Never shown in results or logs.
    type: str
  timeout:
    description:
      - Seconds one exchange with a miner may take in all, unless a host sets C(whatsminer_timeout).
    type: float
    default: 10
notes:
  - Run it with C(run_once) (or in a play over C(localhost)) and name the miners in O(hosts); it fails when any
    miner fails, after every other miner was handled, and RV(failures) names each miner and command. Use
    C(failed_when) to record a partial event before failing the play, as the curtailment role does.
  - V2 C(power_off) is not durable on some 2025 firmware (protocol.md 7.1) - a miner can wake up by itself;
    run the shed again to re-curtail it.
seealso:
  - module: hashops.whatsminer.whatsminer_power
requirements:
  - pycryptodome
"""

EXAMPLES = r"""
- name: Shed 500 kW, least efficient miners first
  hashops.whatsminer.whatsminer_fleet_power:
    hosts: "{{ groups['miners'] }}"
    mode: stop
    target_kw: 500
  run_once: true
  register: shed

- name: Low power for every miner of the play
  hashops.whatsminer.whatsminer_fleet_power:
    mode: low_power
  run_once: true

- name: Stop the whole play (the plan is printed first) and record the event
  hashops.whatsminer.whatsminer_fleet_power:
    mode: stop
    record:
      state_file: /var/lib/curtailment/state.json
      event_log: /var/lib/curtailment/events.jsonl
      target: {kind: play}
  run_once: true

- name: A plan made earlier, then a shed of what it chose, without reading the miners again
  hashops.whatsminer.whatsminer_fleet_power:
    mode: stop
  check_mode: true
  run_once: true
  register: plan

- name: Shed what that plan chose, from its readings
  hashops.whatsminer.whatsminer_fleet_power:
    hosts: "{{ plan.plan.miners }}"
    mode: stop
    readings: "{{ plan.readings }}"
  run_once: true

- name: Bring them back, 20 at a time, one per PDU, a minute apart
  hashops.whatsminer.whatsminer_fleet_power:
    operation: restore
    hosts: "{{ shed.miners | map(attribute='host') | list }}"
    baselines: "{{ shed.miners | items2dict(key_name='host', value_name='before') }}"
    restore_batch_size: 20
    restore_batch_interval: 60
  run_once: true
"""

RETURN = r"""
plan:
  description: What is (or in check mode would be) done.
  returned: always
  type: dict
  contains:
    miners:
      description: Host names shed (O(operation=shed)).
      type: list
      elements: str
    kw_now:
      description: Their power now, in kW.
      type: float
    kw_estimated_shed:
      description: The shed the plan expects (all of a miner's power when stopped, a quarter in low power).
      type: float
    target_met:
      description: With O(target_kw), whether the chosen miners are expected to shed it.
      type: bool
    restore_batches:
      description: Host names in restore order, batch by batch.
      type: list
      elements: list
  sample: {miners: [m07, m03], count: 2, kw_now: 6.9, kw_estimated_shed: 6.9, restore_batches: [[m03], [m07]]}
plan_text:
  description: For O(operation=shed), the plan as it was printed before anything was sent.
  returned: when O(operation=shed)
  type: str
  sample: |-
    curtailment plan: mode stop, target {"kind": "play"}
    2 miners, 6.9 kW now, 6.9 kW estimated shed
    already curtailed (nothing sent): -
    to shed in one fan-out: m07, m03
    unreadable (not shed): -
    restore batches (restore.yml, 10 at most, one per whatsminer_pdu, most efficient first):
      1: m03
      2: m07
miners:
  description: One result per miner.
  returned: always
  type: list
  elements: dict
  contains:
    host:
      description: Inventory name.
      type: str
    address:
      description: Address it was reached at.
      type: str
    before:
      description: C(is_mining), C(power_mode), C(power_pct), C(power_w), C(hashrate_ths), C(efficiency_jth) before.
      type: dict
    after:
      description: The same facts as read back (null in check mode).
      type: dict
    changed:
      description: Whether a command was sent (would be, in check mode).
      type: bool
    failed:
      description: Whether this miner failed.
      type: bool
    commands:
      description: Commands sent, or that would be in check mode.
      type: list
      elements: str
    msg:
      description: What happened, naming the host and, on failure, the command.
      type: str
    batch:
      description: Restore batch number (O(operation=restore)).
      type: int
  sample: [{host: m07, address: 127.0.110.8, changed: true, failed: false, commands: [power_off],
            msg: "curtailed (power_off), verified after 0 s"}]
totals:
  description:
    - Counts, and the power before and after as measured (kW). A stopped miner's power after is not read
      (its C(status) proves it off), so its shed counts all the power it drew before.
  returned: always
  type: dict
  sample: {miners: 30, changed: 12, failed: 1, kw_before: 41.2, kw_after: 0.14, kw_shed: 41.06}
failures:
  description: The message of every miner that failed.
  returned: always
  type: list
  elements: str
batches:
  description: For O(operation=restore), each batch with its miners, start and confirmation times (epoch s) and result.
  returned: when O(operation=restore)
  type: list
  elements: dict
not_restored:
  description: Miners left curtailed because an earlier batch did not come back.
  returned: when a restore stopped
  type: list
  elements: str
readings:
  description:
    - For O(operation=shed) in check mode, per host name, the facts read of each miner (RV(miners[].before)), to
      hand to a shed that follows at once as O(readings).
    - Not returned by a shed that sent commands, where they are stale and each miner's RV(miners[].before) holds
      them.
  returned: when O(operation=shed) in check mode
  type: dict
  sample: {m07: {is_mining: true, power_mode: normal, power_pct: 100, power_w: 3450, hashrate_ths: 70.1,
                 efficiency_jth: 49.22}}
event:
  description: The event as written to O(record.state_file).
  returned: when O(record) is set and the files were written
  type: dict
event_line:
  description: The line appended to O(record.event_log).
  returned: when O(record) is set and the files were written
  type: dict
stopped:
  description: Why a restore stopped - the batch, the miners that did not come back and those left curtailed.
  returned: when a restore stopped
  type: str
  sample: "restore stopped at batch 1 of 6: m12 did not come back; 26 miners were left curtailed: m02, m05"
elapsed_s:
  description: Seconds the task took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hashops.whatsminer.plugins.module_utils._fleet_spec import ARGUMENT_SPEC


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="hashops.whatsminer.whatsminer_fleet_power runs only as an action plugin on the controller: "
                         "run it with run_once and a local connection, not delegated to another host")


if __name__ == "__main__":
    main()
