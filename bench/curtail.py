# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Curtailment benchmark: shed 1,000 simulated miners with playbooks/curtail.yml, restore them, against pyasic.

    .venv/bin/python bench/curtail.py [--miners 1000] [--network 127.46.0.0/16] [--skip-pyasic] [--repeat N]

Starts its own farm on loopback (a third of each persona, 20 PDUs), then times:

- the shed: ``ansible-playbook playbooks/curtail.yml`` (mode stop, every miner) from its start to the end of
  the play, which ends only once every miner read back off; the control API then confirms each one is off;
- the restore: ``playbooks/restore.yml`` with the whole staggered plan (batches of ``--batch-size``, one per
  PDU, most efficient first, each confirmed) and an interval of 0;
- pyasic (PyPI, in .venv-foreign/): ``BTMinerRPCAPI.power_off`` for every miner through ``asyncio.gather``
  with a semaphore of 100, on the same farm after a reset; it does not verify;
- pyasic doing the same work as curtail.yml (a plan read of every miner, ``power_off``, ``status`` read back
  until the miner says it is off), the same way, after a reset: the comparison on equal work;
- the collection's own fan-out without Ansible (``_fleet.survey`` then ``_fleet.shed`` with 100 threads, in
  this process, after a reset): the same reads, commands and read-backs as the playbook, so the difference
  to the playbook is what Ansible itself costs (start-up, 1,000 hosts' variables, the tasks).

- ansible-playbook alone: the same inventory, one ``run_once`` task that talks to no miner (what Ansible costs
  before and after any work).

Each playbook's time is also split (a callback, bench/callback_plugins/phase_times.py) into the seconds before
its fleet task, in it, and after it. Prints both shed times and the ratio; the last line is JSON. Targets: the shed verified in under 15 s on
2 cores, and faster than pyasic. The machine may be shared: each figure is printed with the load average
(1 min) before and after it, and ``--repeat N`` runs the shed and each pyasic script N times (a reset
between) to show the spread; the fastest of each counts.
Each figure also gives the CPU seconds it cost the controller (this process and the children it waited for)
and the simulated farm: both run on the same cores, so their sum over the core count bounds the time from
below. A verified shed asks each miner four times (plan read, token, command, read-back), pyasic twice
(token, command).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inventory_scan import collection_path, default_personas, fetch_json, foreign_python  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[1]
FARM = ROOT / "tests" / "simulator" / "farm.py"
PASSWORD = "s3cret"

PYASIC_SHED = r"""
import asyncio, json, sys, time
from pyasic.rpc.btminer import BTMinerRPCAPI
addresses, password = json.load(open(sys.argv[1])), sys.argv[2]
async def main():
    gate = asyncio.Semaphore(100)
    async def off(address):
        async with gate:
            rpc = BTMinerRPCAPI(address)
            rpc.pwd = password
            try:
                await rpc.power_off(respbefore=True)
                return True
            except Exception as err:  # noqa: BLE001
                return repr(err)[:200]
    started = time.perf_counter()
    results = await asyncio.gather(*(off(a) for a in addresses))
    elapsed = time.perf_counter() - started
    errors = [r for r in results if r is not True]
    print(json.dumps({"seconds": round(elapsed, 2), "ok": len(results) - len(errors), "errors": len(errors),
                      "first_error": errors[0] if errors else None}))
asyncio.run(main())
"""

# The same work as curtail.yml, through pyasic: a plan read (summary: "MHS av", protocol.md 11) of every miner,
# then power_off of each one it shows hashing, then status read back until it says the miner is off (protocol.md 11: mineroff, or
# btmineroff on older firmware), every 0.5 s for at most 30 s.
PYASIC_VERIFIED = r"""
import asyncio, json, sys, time
from pyasic.rpc.btminer import BTMinerRPCAPI
addresses, password = json.load(open(sys.argv[1])), sys.argv[2]
def is_off(reply):
    msg = reply.get("Msg") or {}
    return str(msg.get("mineroff", msg.get("btmineroff"))).lower() == "true"
async def main():
    gate = asyncio.Semaphore(100)
    def rpc_of(address):
        rpc = BTMinerRPCAPI(address)
        rpc.pwd = password
        return rpc
    async def plan(address):
        async with gate:
            try:
                summary = await rpc_of(address).summary()
                msg = summary.get("Msg")  # API 2.0.5 and newer answer in Msg, older firmware in SUMMARY
                row = summary["SUMMARY"][0] if "SUMMARY" in summary else (msg if isinstance(msg, dict) else {})
                return float(row.get("MHS av") or 0) > 0
            except Exception as err:  # noqa: BLE001
                return repr(err)[:200]
    async def off(address, hashing):
        async with gate:
            try:
                rpc = rpc_of(address)
                if hashing is True:
                    await rpc.power_off(respbefore=True)
                deadline = time.monotonic() + 30
                while not is_off(await rpc.status()):
                    if time.monotonic() > deadline:
                        return "still mining after 30 s"
                    await asyncio.sleep(0.5)
                return True
            except Exception as err:  # noqa: BLE001
                return repr(err)[:200]
    started = time.perf_counter()
    hashing = await asyncio.gather(*(plan(a) for a in addresses))
    results = await asyncio.gather(*(off(a, h) for a, h in zip(addresses, hashing)))
    elapsed = time.perf_counter() - started
    errors = [r for r in results if r is not True]
    print(json.dumps({"seconds": round(elapsed, 2), "ok": len(results) - len(errors), "errors": len(errors),
                      "first_error": errors[0] if errors else None}))
asyncio.run(main())
"""


def start_farm(work: Path, args):
    ready = work / "farm.json"
    log = open(work / "farm.log", "w", encoding="utf-8")  # pylint: disable=consider-using-with
    farm = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, str(FARM), "--miners", str(args.miners), "--network", args.network, "--password", PASSWORD,
         "--persona", default_personas(args.miners), "--spread", "auto", "--lifetime", "1800",
         "--restart-seconds", "1", "--web-port", "none", "--web-tls-port", "none", "--ready-file", str(ready)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not ready.exists():
        if farm.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the farm did not start:\n" + (work / "farm.log").read_text())
        time.sleep(0.1)
    return farm, json.loads(ready.read_text())


def write_inventory(work: Path, miners: list) -> Path:
    lines = ["[whatsminer]"]
    lines += [f"b{index:04d} ansible_host={address} whatsminer_pdu=pdu{index % 20}"
              for index, address in enumerate(miners, 1)]
    lines += ["[whatsminer:vars]", "ansible_connection=local"]
    (work / "inventory.ini").write_text("\n".join(lines) + "\n")
    (work / "group_vars").mkdir()
    (work / "group_vars" / "whatsminer.yml").write_text(f"whatsminer_password: {PASSWORD}\n")
    return work / "inventory.ini"


def playbook(work: Path, name: str, extra: list) -> float:
    binary = Path(sys.executable).with_name("ansible-playbook")
    command = [str(binary) if binary.exists() else "ansible-playbook", "-i", str(work / "inventory.ini"),
               str(ROOT / "playbooks" / name), "-e", f"curtailment_dir={work / 'curtailment'}"] + extra
    phases = work / "phases.jsonl"
    phases.unlink(missing_ok=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(work / "collections"), BENCH_PHASES=str(phases),
               ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).resolve().parent / "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="phase_times")
    started, began = time.perf_counter(), time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    LAST_PHASES.clear()
    LAST_PHASES.update(phases_of(phases, began, time.time()))
    (work / f"{Path(name).name}.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")
    return round(wall, 2)


LAST_PHASES: dict = {}  # the last playbook's phases (phases_of)
FLEET_TASK = "whatsminer_fleet_power"


def phases_of(path: Path, began: float, ended: float) -> dict:
    """Seconds before the first fleet task started, from there to the end of the last one, and after it until the
    process ended, from the phase_times callback's lines (bench/callback_plugins); {} without a fleet task."""
    if not path.exists():
        return {}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    fleet = [line for line in lines if (line["action"] or "").endswith(FLEET_TASK)]
    starts = [line["t"] for line in fleet if line["event"] == "start"]
    ends = [line["t"] for line in fleet if line["event"] != "start"]
    if not starts or not ends:
        return {}
    return {"before_s": round(starts[0] - began, 2), "fleet_task_s": round(ends[-1] - starts[0], 2),
            "after_s": round(ended - ends[-1], 2)}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (/proc/<pid>/stat, fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_here() -> float:
    """CPU seconds of this process and of every child it has waited for (ansible-playbook and its workers)."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(farm_pid: int, what, *args) -> tuple:
    """``what(*args)``, and beside it the load average before and after and the CPU seconds it cost the
    controller and the simulated farm: both share this machine's cores, so the sum bounds the time."""
    before, farm_before, here_before = load(), cpu_of(farm_pid), cpu_here()
    value = what(*args)
    return value, {"load_before": before, "load_after": load(),
                   "cpu_controller_s": round(cpu_here() - here_before, 2),
                   "cpu_farm_s": round(cpu_of(farm_pid) - farm_before, 2)}


def phases_text(phases: dict) -> str:
    if not phases:
        return "no fleet task seen"
    return (f"{phases['before_s']} s before the fleet task, {phases['fleet_task_s']} s in it, {phases['after_s']} s "
            "after it")


def cpu_text(figures: dict) -> str:
    return f"CPU {figures['cpu_controller_s']} s controller + {figures['cpu_farm_s']} s farm"


def ansible_floor(work: Path) -> float:
    """ansible-playbook over the same inventory with one run_once task that talks to no miner."""
    (work / "floor.yml").write_text("- name: Floor\n  hosts: whatsminer\n  gather_facts: false\n  tasks:\n"
                                    "    - name: Nothing\n      ansible.builtin.debug:\n        msg: nothing\n"
                                    "      run_once: true\n")
    return playbook(work, str(work / "floor.yml"), [])


def count_off(control: str, miners: list) -> int:
    return sum(1 for address in miners if not fetch_json(f"{control}/miners/{address}")["mining"])


def reset(control: str) -> None:
    request = urllib.request.Request(control + "/reset", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=60):  # the farm's control API on 127.0.0.1
        pass


def run_pyasic(work: Path, miners: list, timeout: int, script: str = PYASIC_SHED) -> dict:
    python = foreign_python()
    (work / "addresses.json").write_text(json.dumps(miners))
    started = time.perf_counter()
    done = subprocess.run([str(python), "-c", script, str(work / "addresses.json"), PASSWORD],
                          capture_output=True, text=True, timeout=timeout, check=False)
    wall = round(time.perf_counter() - started, 2)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"pyasic failed ({done.returncode}): {done.stderr.strip()[-1500:]}", "wall_s": wall}
    return dict(json.loads(lines[-1]), wall_s=wall)


def pyasic_fastest(farm_pid: int, control: str, work: Path, miners: list, args, script: str, ours_s: float,
                   what: str) -> dict:
    """The fastest of ``--repeat`` runs of a pyasic script, each on a reset farm and printed as it ends."""
    fastest = None
    for _attempt in range(max(1, args.repeat)):
        reset(control)
        run, figures = timed(farm_pid, run_pyasic, work, miners, args.pyasic_timeout, script)
        run.update(figures, off_in_simulator=count_off(control, miners))
        if "error" in run:
            print(f"{what}: {run['error']}", flush=True)
            return run
        run["ratio_vs_ours"] = round(run["wall_s"] / ours_s, 2)
        print(f"{what}: {run['seconds']} s (process {run['wall_s']} s, load {run['load_before']} -> "
              f"{run['load_after']}, {cpu_text(run)}), {run['ok']} ok, {run['errors']} errors, off in the simulator "
              f"{run['off_in_simulator']}; ratio pyasic / ours: {run['ratio_vs_ours']}x", flush=True)
        if fastest is None or run["wall_s"] < fastest["wall_s"]:
            fastest = run
    return fastest


def fan_out_alone(work: Path, miners: list) -> dict:
    """Plan reads, shed and read-back of every miner through the collection's _fleet, timed in this process."""
    sys.path.insert(0, str(work / "collections"))
    from ansible_collections.hashops.whatsminer.plugins.module_utils import _fleet  # pylint: disable=import-outside-toplevel
    targets = [_fleet.Target(f"b{index}", address, 4028, 10.0, PASSWORD) for index, address in enumerate(miners)]
    started = time.perf_counter()
    survey = _fleet.fan_out(lambda target: _fleet.survey(target, "stop"), targets, 100)
    facts = {entry["host"]: entry.get("facts") for entry in survey}
    shed = _fleet.fan_out(lambda target: _fleet.shed(target, "stop", 50, False, 30.0, facts[target.name]), targets, 100)
    return {"seconds": round(time.perf_counter() - started, 2), "failed": sum(1 for entry in shed if entry["failed"])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--miners", type=int, default=1000)
    parser.add_argument("--network", default="127.46.0.0/16")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--skip-pyasic", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="run the shed and each pyasic script this many times; the fastest counts")
    parser.add_argument("--pyasic-timeout", type=int, default=600)
    args = parser.parse_args(argv)
    if not args.network.startswith("127."):
        parser.error("the benchmark talks to loopback only (127.0.0.0/8)")
    work = Path(tempfile.mkdtemp(prefix="bench-curtail-"))
    farm = None
    try:
        farm, ready = start_farm(work, args)
        miners, control = ready["miners"], ready["control"]
        collection_path(work)
        write_inventory(work, miners)
        print(f"farm: {len(miners)} miners over {args.network}, {os.cpu_count()} CPUs", flush=True)
        sheds = []
        for attempt in range(max(1, args.repeat)):
            if attempt:
                reset(control)
                shutil.rmtree(work / "curtailment", ignore_errors=True)
            shed_s, shed_load = timed(farm.pid, playbook, work, "curtail.yml", [])
            off = count_off(control, miners)
            sheds.append(dict(shed_load, seconds=shed_s, off=off, phases=dict(LAST_PHASES)))
            print(f"curtail.yml (stop, every miner, verified by read-back): {shed_s} s (load {shed_load['load_before']}"
                  f" -> {shed_load['load_after']}, {cpu_text(shed_load)}); off in the simulator: {off}/{len(miners)}; "
                  f"{phases_text(LAST_PHASES)}", flush=True)
        shed_s = min(entry["seconds"] for entry in sheds)
        off = min(entry["off"] for entry in sheds)
        restore_s, restore_load = timed(farm.pid, playbook, work, "restore.yml",
                                        ["-e", f"curtailment_restore_batch_size={args.batch_size}",
                                         "-e", "curtailment_restore_batch_interval=0"])
        back = len(miners) - count_off(control, miners)
        restore_load["phases"] = dict(LAST_PHASES)
        print(f"restore.yml (batches of {args.batch_size}, one per PDU, each confirmed, interval 0): {restore_s} s "
              f"(load {restore_load['load_before']} -> {restore_load['load_after']}, {cpu_text(restore_load)}); "
              f"mining again: {back}/{len(miners)}; {phases_text(LAST_PHASES)}", flush=True)
        reset(control)
        alone, alone_load = timed(farm.pid, fan_out_alone, work, miners)
        alone.update(alone_load, off_in_simulator=count_off(control, miners))
        print(f"the same fan-out without Ansible (plan reads, shed, read-back, 100 threads): {alone['seconds']} s "
              f"(load {alone['load_before']} -> {alone['load_after']}, {cpu_text(alone)}), {alone['failed']} failed, "
              f"off in the simulator {alone['off_in_simulator']}", flush=True)
        floor_s, floor = timed(farm.pid, ansible_floor, work)
        floor["seconds"] = floor_s
        print(f"ansible-playbook alone (the same 1,000 hosts, one run_once task, no miner): {floor_s} s "
              f"({cpu_text(floor)})", flush=True)
        theirs = verified = None
        if not args.skip_pyasic:
            theirs = pyasic_fastest(farm.pid, control, work, miners, args, PYASIC_SHED, shed_s,
                                    f"pyasic power_off x{len(miners)} (gather, semaphore 100, no verification)")
            verified = pyasic_fastest(farm.pid, control, work, miners, args, PYASIC_VERIFIED, shed_s,
                                      "pyasic doing the same work (plan read, power_off, status until off)")
        targets = {"all_off": off == len(miners), "all_back": back == len(miners), "shed_under_15s": shed_s < 15,
                   "faster_than_pyasic": bool(theirs and "wall_s" in theirs and shed_s < theirs["wall_s"]),
                   "faster_than_pyasic_on_equal_work": bool(verified and "wall_s" in verified
                                                            and shed_s < verified["wall_s"])}
        print(json.dumps({"benchmark": "curtail", "cpus": os.cpu_count(), "miners": len(miners),
                          "shed_s": shed_s, "sheds": sheds, "fan_out_alone": alone, "ansible_floor": floor,
                          "restore_s": restore_s, "restore": restore_load,
                          "restore_batch_size": args.batch_size, "pyasic": theirs, "pyasic_verified": verified,
                          "targets": targets}))
        return 0 if targets["all_off"] and targets["all_back"] else 1
    finally:
        if farm is not None:
            farm.terminate()
            try:
                farm.wait(timeout=30)
            except subprocess.TimeoutExpired:
                farm.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
