"""Assertions of the curtailment target, from the simulator's control API and the role's files.

    python check.py STEP [ARGS]   (CURT_WORK and CURT_CONTROL in the environment)

Host names follow the inventory runme.sh writes: m01..m30 in the order of the farm's ready file,
PDU pdu<index % 6>. What a step must remember for later ones is kept in $CURT_WORK/check.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup_farm"))

from farm_check import FarmCheck  # noqa: E402  pylint: disable=wrong-import-position

WORK = Path(os.environ["CURT_WORK"])
CONTROL = os.environ["CURT_CONTROL"]
ADDRESSES = json.loads((WORK / "farm.json").read_text())["miners"]
HOSTS = {f"m{index:02d}": address for index, address in enumerate(ADDRESSES, 1)}
CHECK = FarmCheck("curtailment", WORK, CONTROL, HOSTS)
api, miner, writes = CHECK.api, CHECK.miner, CHECK.writes
remember, recall, fail, expect = CHECK.remember, CHECK.recall, CHECK.fail, CHECK.expect


def pdu(host: str) -> str:
    return f"pdu{int(host[1:]) % 6}"


def write_counts() -> dict:
    return {host: len(writes(host)) for host in HOSTS}


def efficiency(state: dict) -> float:
    return state["power_w"] / state["hashrate_ths"]


def state_file() -> dict:
    return json.loads((WORK / "curtailment" / "state.json").read_text())


def step_reset() -> None:
    api("/reset", "POST", {})
    states = {host: miner(host) for host in HOSTS}
    ranked = sorted((host for host in HOSTS if host != "m07"), key=lambda h: -efficiency(states[h]))
    low = ranked[0]  # the least efficient miner starts in low power: the event must take it, and keep it low
    remember(low=low)
    # rack_a: m01..m09 and the low-baseline miner, for the low_power event
    group = sorted(set(f"m{index:02d}" for index in range(1, 10)) | {low})
    (WORK / "rack_a.ini").write_text("[rack_a]\n" + "\n".join(group) + "\n")
    remember(rack_a=group)
    print(low)


def step_snapshot() -> None:
    states = {host: miner(host) for host in HOSTS}
    expect(states[recall("low")]["power_mode"] == "low", "the low-baseline miner is not in low power")
    remember(snapshot={host: {"power_w": s["power_w"], "hashrate_ths": s["hashrate_ths"], "mode": s["power_mode"]}
                       for host, s in states.items()}, counts=write_counts())


def step_target_kw() -> None:
    total = sum(s["power_w"] for s in recall("snapshot").values())
    print(round(total * 0.3 / 1000.0, 1))


def step_no_writes() -> None:
    expect(write_counts() == recall("counts"), "check mode sent a write")


def step_refuse(host: str) -> None:
    api(f"/miners/{HOSTS[host]}/fault", "POST", {"kind": "refuse"})


def step_clear(host: str) -> None:
    api(f"/miners/{HOSTS[host]}/fault", "DELETE")


def step_shed_least_efficient(target_kw: str, refused: str) -> None:
    snap = recall("snapshot")
    ranked = sorted((host for host in HOSTS if host != refused),
                    key=lambda h: (-(snap[h]["power_w"] / snap[h]["hashrate_ths"]), h))
    chosen, total = [], 0.0
    for host in ranked:
        if total >= float(target_kw) * 1000.0:
            break
        chosen.append(host)
        total += snap[host]["power_w"]
    off = sorted(host for host in HOSTS if not miner(host)["mining"])
    expect(off == sorted(chosen), f"target {target_kw} kW: expected the least efficient {sorted(chosen)} off, "
                                  f"the simulator has {off} off")
    expect(recall("low") in chosen, "the low-baseline miner was not chosen")
    for host in chosen:
        expect([w["command"] for w in writes(host)][recall("counts")[host]:] == ["power_off"],
               f"{host} did not get exactly one power_off")
    event = state_file()
    expect(event["active"] and sorted(event["miners"]) == sorted(chosen), f"state file miners {sorted(event['miners'])}")
    expect(event["miners"][recall("low")]["power_mode"] == "low", "the state file lost the low baseline")
    remember(event=sorted(chosen), counts=write_counts())
    print(sorted(chosen)[0])


def step_recurtailed() -> None:
    woken = recall("event")[0]
    counts = recall("counts")
    for host in recall("event"):
        new = [w["command"] for w in writes(host)][counts[host]:]
        if host == woken:
            expect(new == ["power_on", "power_off"], f"{host} woke and should be re-curtailed, got {new}")
            expect(not miner(host)["mining"], f"{host} is still mining")
        else:
            expect(new == [], f"{host} was already curtailed and got {new}")
    event = state_file()
    expect(event["miners"][woken]["is_mining"] is True, "the woken miner's baseline was overwritten")
    remember(counts=write_counts())


def step_restored(size: str, interval: str) -> None:
    size, interval = int(size), float(interval)
    counts, snap = recall("counts"), recall("snapshot")
    first = {}
    for host in recall("event"):
        new = writes(host)[counts[host]:]
        expect([w["command"] for w in new] == ["power_on"], f"{host}: restore sent {[w['command'] for w in new]}")
        first[host] = new[0]["time"]
        state = miner(host)
        expect(state["mining"], f"{host} is not mining after the restore")
        expect(state["power_mode"] == snap[host]["mode"], f"{host} came back in {state['power_mode']}, baseline "
                                                          f"{snap[host]['mode']}")
    expect(miner(recall("low"))["power_mode"] == "low", "the low-baseline miner was not restored to low power")
    ordered = sorted(first, key=first.get)
    batches = [[ordered[0]]]
    for before, after in zip(ordered, ordered[1:]):
        if first[after] - first[before] >= interval * 0.9:
            batches.append([after])
        else:
            expect(first[after] - first[before] < 1.0, f"writes {before}->{after} neither a batch nor an interval")
            batches[-1].append(after)
    for batch in batches:
        expect(len(batch) <= size, f"a batch of {len(batch)} > {size}: {batch}")
        expect(len({pdu(h) for h in batch}) == len(batch), f"two miners of one PDU in a batch: {batch}")
    expect(len(batches) >= -(-len(first) // size), f"{len(batches)} batches for {len(first)} miners")
    best = min(first, key=lambda h: snap[h]["power_w"] / snap[h]["hashrate_ths"])
    expect(best in batches[0], f"the most efficient miner {best} was not in the first batch {batches[0]}")
    expect(not state_file()["active"], "the event is still active after a full restore")
    remember(counts=write_counts())
    print(f"restore: {len(batches)} batches {[len(b) for b in batches]}")


def step_low_shed() -> None:
    counts = recall("counts")
    for host in recall("rack_a"):
        expect(miner(host)["power_mode"] == "low", f"{host} is not in low power")
        new = [w["command"] for w in writes(host)][counts[host]:]
        expected = [] if host == recall("low") else ["set_low_power"]
        expect(new == expected, f"{host}: the low_power shed sent {new}, expected {expected}")
    remember(counts=write_counts())


def step_low_restored() -> None:
    counts, snap = recall("counts"), recall("snapshot")
    for host in recall("rack_a"):
        state = miner(host)
        expect(state["power_mode"] == snap[host]["mode"] and state["mining"],
               f"{host} is {state['power_mode']} (mining {state['mining']}), baseline {snap[host]['mode']}")
        new = [w["command"] for w in writes(host)][counts[host]:]
        expected = [] if host == recall("low") else [f"set_{snap[host]['mode']}_power"]
        expect(new == expected, f"{host}: the restore sent {new}, expected {expected}")
    remember(counts=write_counts())


def step_percent_shed(percent: str) -> None:
    """Every miner got one set_power_pct (the fast one) with the percent, reads it back, and draws less."""
    counts, snap = recall("counts"), recall("snapshot")
    for host in HOSTS:
        new = writes(host)[counts[host]:]
        expect([(w["command"], w["params"].get("percent")) for w in new] == [("set_power_pct", percent)],
               f"{host}: the percent shed sent {[(w['command'], w['params']) for w in new]}")
        state = miner(host)
        expect(state["power_pct"] == int(percent), f"{host} holds power_pct {state['power_pct']}, asked {percent}")
        expect(state["mining"] and state["power_w"] < snap[host]["power_w"],
               f"{host}: {state['power_w']} W at {percent} %, {snap[host]['power_w']} W before the event")
    event = state_file()
    expect(event["active"] and event["mode"] == "percent" and event["percent"] == int(percent)
           and sorted(event["miners"]) == sorted(HOSTS),
           f"the state file of the percent event: {event['mode']}, {event.get('percent')}, {len(event['miners'])} miners")
    remember(counts=write_counts())


def step_percent_restored() -> None:
    """restore_power_pct where the firmware has it (v3compat2026); set_power_pct 100 where it answers 14."""
    counts, snap = recall("counts"), recall("snapshot")
    for host in HOSTS:
        new = [(w["command"], w["params"].get("percent")) for w in writes(host)[counts[host]:]]
        state = miner(host)
        expected = [("restore_power_pct", None)] if state["persona"] == "v3compat2026" else [("set_power_pct", "100")]
        expect(new == expected, f"{host} ({state['persona']}): the restore sent {new}, expected {expected}")
        expect(state["power_pct"] == 100 and state["mining"] and state["power_mode"] == snap[host]["mode"],
               f"{host} came back at {state['power_pct']} % in {state['power_mode']} (mining {state['mining']})")
    expect(not state_file()["active"], "the percent event is still active after its restore")
    remember(counts=write_counts())


def step_stale_power_on() -> None:
    """The most efficient miner of the stop event (always in the first batch) will not come back."""
    event = state_file()
    expect(event["active"] and sorted(event["miners"]) == sorted(HOSTS), "the stop event does not hold every miner")
    best = min(event["miners"], key=lambda h: (event["miners"][h]["efficiency_jth"], h))
    # stale: power_on answers success and the miner stays off (the power_off row of protocol.md 7.1 and 13)
    api(f"/miners/{HOSTS[best]}/fault", "POST", {"kind": "stale", "commands": ["power_on"], "times": 1})
    remember(stale=best, counts=write_counts())
    print(best)


def step_restore_stopped(size: str) -> None:
    """The batch of the miner that did not come back is the last one sent; every later miner got nothing."""
    counts, stale = recall("counts"), recall("stale")
    event = state_file()
    left = set(event["miners"])
    restored = set(HOSTS) - left
    expect(event["active"] and stale in left, f"the state file lost {stale}: active {event['active']}")
    stale_writes = writes(stale)[counts[stale]:]
    expect([(w["command"], w.get("fault")) for w in stale_writes] == [("power_on", "stale")],
           f"{stale}: {stale_writes}")
    expect(not miner(stale)["mining"], f"{stale} is mining, the stale fault did not hold")
    batch = restored | {stale}
    expect(len(batch) <= int(size) and len({pdu(h) for h in batch}) == len(batch),
           f"the first batch {sorted(batch)} breaks the batch size {size} or the PDU spread")
    for host in restored:
        expect([w["command"] for w in writes(host)[counts[host]:]] == ["power_on"] and miner(host)["mining"],
               f"{host} of the first batch did not come back")
    for host in left - {stale}:
        new = writes(host)[counts[host]:]
        expect(new == [] and not miner(host)["mining"], f"{host} of a later batch got {new} after the stop")
    line = json.loads((WORK / "curtailment" / "events.jsonl").read_text().splitlines()[-1])
    expect(line["job"] == "restore" and line["result"] == "stopped" and line["batches"][0] == "failed"
           and set(line["batches"][1:]) == {"not started"} and sorted(line["left_curtailed"]) == sorted(left)
           and any(f.startswith(f"{stale} (") for f in line["failures"]), f"the event log of the stop: {line}")
    api(f"/miners/{HOSTS[stale]}/fault", "DELETE")
    remember(left=sorted(left), counts=write_counts())
    print(f"restore stopped after {len(restored)} of {len(HOSTS)} miners; {len(left)} left curtailed")


def step_rest_restored() -> None:
    counts = recall("counts")
    for host in recall("left"):
        expect([w["command"] for w in writes(host)[counts[host]:]] == ["power_on"] and miner(host)["mining"],
               f"{host} did not come back on the second restore")
    for host in set(HOSTS) - set(recall("left")):
        expect(writes(host)[counts[host]:] == [], f"{host} was back already and got a write")
    expect(not state_file()["active"], "the event is still active after every miner came back")


def step_handoff_before() -> None:
    remember(counts=write_counts())


def step_handoff(hosts: str, stopped: str) -> None:
    """After handoff.yml: every planned miner off; the one stopped after the plan got power_off twice, because the
    shed went by the plan's reading and did not read it again."""
    counts = recall("counts")
    for host in hosts.split(","):
        new = [w["command"] for w in writes(host)][counts[host]:]
        want = ["power_off", "power_off"] if host == stopped else ["power_off"]
        expect(new == want, f"{host}: expected {want} from the hand-off, got {new}")
        expect(not miner(host)["mining"], f"{host} is still mining after the hand-off")


def step_log() -> None:
    lines = [json.loads(line) for line in (WORK / "curtailment" / "events.jsonl").read_text().splitlines()]
    jobs = [(line["job"], line["mode"], line["result"]) for line in lines]
    expect(jobs == [("curtail", "stop", "partial"), ("curtail", "stop", "ok"), ("restore", "stop", "ok"),
                    ("curtail", "low_power", "ok"), ("restore", "low_power", "ok"),
                    ("curtail", "percent", "ok"), ("restore", "percent", "ok"),
                    ("curtail", "stop", "ok"), ("restore", "stop", "stopped"), ("restore", "stop", "ok")],
           f"event log: {jobs}")
    first = lines[0]
    expect(sorted(first["miners"]) == recall("event") and first["kw_shed"] > 0 and first["failures"],
           f"the first event line: {first}")
    expect(first["target"] == {"kind": "kw", "target_kw": first["target"]["target_kw"]}, "target not logged")
    expect(lines[1]["miners"] == [recall("event")[0]], f"the re-curtail line: {lines[1]}")


STEPS = {name[5:].replace("_", "-"): value for name, value in globals().items() if name.startswith("step_")}

if __name__ == "__main__":
    STEPS[sys.argv[1]](*sys.argv[2:])
