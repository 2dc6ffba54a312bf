# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host task cost of the config modules against the engine's floor, on 300 simulated miners.

    .venv/bin/python bench/host_task_overhead.py [--miners 300] [--forks 50] [--rounds 3]

Starts its own farm, converges every miner's pools and power once (not measured), then runs, in
one ansible-playbook run with the same forks, rounds of one task each: ansible.builtin.set_fact
(the floor: what any action plugin costs), whatsminer_facts, whatsminer_pools (no change) and
whatsminer_power (no change). Each task's wall time comes from a small callback
(bench/callback/task_clock.py). Prints seconds per task (median over the rounds) and each ratio to
the floor; the last line is JSON. Target: every ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FARM = ROOT / "tests" / "simulator" / "farm.py"
PASSWORD = "s3cret"
MEASURED = ("set_fact", "whatsminer_facts", "whatsminer_pools", "whatsminer_power")

PLAYBOOK = """
- name: Converge once, then measure
  hosts: miners
  gather_facts: false
  tasks:
    - name: warmup pools
      hashops.whatsminer.whatsminer_pools:
        pools: "{{ bench_pools }}"
    - name: warmup power
      hashops.whatsminer.whatsminer_power:
        mode: normal
        fast_boot: false
%s
"""
ROUND = """
    - name: "round %(n)d set_fact"
      ansible.builtin.set_fact:
        bench_marker: "{{ inventory_hostname }}"
    - name: "round %(n)d whatsminer_facts"
      hashops.whatsminer.whatsminer_facts:
        gather_subset: [identity, mining]
    - name: "round %(n)d whatsminer_pools"
      hashops.whatsminer.whatsminer_pools:
        pools: "{{ bench_pools }}"
    - name: "round %(n)d whatsminer_power"
      hashops.whatsminer.whatsminer_power:
        mode: normal
        fast_boot: false
"""


def start_farm(work: Path, miners: int) -> tuple:
    ready = work / "farm.json"
    log = open(work / "farm.log", "w", encoding="utf-8")  # pylint: disable=consider-using-with
    farm = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, str(FARM), "--miners", str(miners), "--network", "127.22.0.0/16", "--spread", "auto",
         "--password", PASSWORD, "--persona", "api205", "--web-port", "none", "--web-tls-port", "none",
         "--ready-file", str(ready), "--lifetime", "1800"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if farm.poll() is not None or time.monotonic() > deadline:
            farm.kill()
            raise SystemExit("the simulated farm did not start: " + (work / "farm.log").read_text())
        time.sleep(0.1)
    return farm, json.loads(ready.read_text())["miners"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--miners", type=int, default=300)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        farm, miners = start_farm(work, args.miners)
        try:
            inventory = work / "inventory.ini"
            inventory.write_text("[miners]\n" + "".join(f"m{i:04d} ansible_host={a}\n" for i, a in enumerate(miners))
                                 + f"[miners:vars]\nansible_connection=local\nwhatsminer_password={PASSWORD}\n"
                                 + f"ansible_python_interpreter={sys.executable}\n"
                                 + "bench_pools=[{'url': 'stratum+tcp://btc.pool.example.com:3333', "
                                   "'user': 'bench.{{ inventory_hostname }}'}]\n")
            playbook = work / "bench.yml"
            playbook.write_text(PLAYBOOK % "".join(ROUND % {"n": n} for n in range(1, args.rounds + 1)))
            clock = work / "clock.jsonl"
            env = dict(os.environ, TASK_CLOCK_FILE=str(clock), ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "bench" / "callback"),
                       ANSIBLE_CALLBACKS_ENABLED="task_clock", ANSIBLE_FORKS=str(args.forks),
                       ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal")
            started = time.perf_counter()
            run = subprocess.run(["ansible-playbook", "-i", str(inventory), str(playbook)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            total = time.perf_counter() - started
        finally:
            farm.terminate()
            farm.wait(timeout=30)
        if run.returncode != 0:
            print(run.stdout[-4000:])
            raise SystemExit(f"ansible-playbook failed (rc={run.returncode})")
        records = [json.loads(line) for line in clock.read_text().splitlines()]
    failed = sum(r["failed"] for r in records)
    per_task = {name: statistics.median(r["seconds"] for r in records if r["task"].endswith(" " + name))
                for name in MEASURED}
    floor = per_task["set_fact"]
    figures = {
        "miners": args.miners, "forks": args.forks, "rounds": args.rounds, "playbook_s": round(total, 2),
        "failed_host_tasks": failed,
        "seconds_per_task": {name: round(value, 3) for name, value in per_task.items()},
        "ms_per_host_task": {name: round(value * 1000 / args.miners, 2) for name, value in per_task.items()},
        "ratio_to_set_fact": {name: round(value / floor, 2) for name, value in per_task.items() if name != "set_fact"},
        "target_ratio_max": 1.5,
    }
    for name in MEASURED:
        ratio = "" if name == "set_fact" else f"  x{figures['ratio_to_set_fact'][name]}"
        print(f"{name:18s} {per_task[name]:7.2f} s per task over {args.miners} miners{ratio}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
