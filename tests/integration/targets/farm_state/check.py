"""Assertions of the farm_state target, from the simulator's control API and the drift report.

    python check.py STEP [ARGS]   (FS_WORK and FS_CONTROL in the environment)

Hosts: m01..m10 in the order of the farm's ready file, m11 an address where nothing listens. m09 and m10 (V2.2 firmware) have an asset tag. Groups: model_m20s
(the M20S miners, desired in low power), bad (m06 typo, m07 out of range, m08 refused by the role's spec),
gone (m11). What a step must remember for a later one is kept in $FS_WORK/check.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup_farm"))

from farm_check import FarmCheck  # noqa: E402  pylint: disable=wrong-import-position

WORK = Path(os.environ["FS_WORK"])
CONTROL = os.environ["FS_CONTROL"]
ADDRESSES = json.loads((WORK / "farm.json").read_text())["miners"]
HOSTS = {f"m{index:02d}": address for index, address in enumerate(ADDRESSES, 1)}
BAD = ("m06", "m07", "m08")
GOOD = [host for host in HOSTS if host not in BAD]
TAGGED = ("m09", "m10")  # V2.2 firmware: the miners that keep a customer SN
V3 = ("m09", "m10")  # v3compat2026: whatsminer_settings is read back through API V3 there, not held
UNANSWERED = "127.0.180.250"
ROGUE_POOL = "stratum+tcp://rogue.example.com:3333"
CHECK = FarmCheck("farm_state", WORK, CONTROL, HOSTS)
api, miner = CHECK.api, CHECK.miner
remember, recall, expect = CHECK.remember, CHECK.recall, CHECK.expect


def writes(host: str) -> list:
    """The write commands a miner received (get_customer_msg is a read that travels encrypted)."""
    return [w for w in CHECK.writes(host) if not w["command"].startswith("get_")]


def report() -> dict:
    return json.loads((WORK / "reports" / "drift.json").read_text())


def desired_mode(host: str) -> str:
    return "low" if miner(host)["model"] == "M20S" else "normal"


def expect_desired(host: str) -> None:
    state = miner(host)
    pools = [(p["url"], p["user"]) for p in state["pools"]]
    worker = f"farm.{host}"
    expect(pools == [("stratum+tcp://btc.pool.example.com:3333", worker),
                     ("stratum+tcp://btc-backup.pool.example.com:443", worker), ("", "")],
           f"{host} holds pools {pools}, not the farm's with worker {worker}")
    expect(state["power_mode"] == desired_mode(host), f"{host} is in power mode {state['power_mode']}")
    expect(state["hostname"] == host, f"{host} has hostname {state['hostname']!r}")
    if host in V3:
        expect(state["temp_offset"] == -2, f"{host} (API V3) holds temp_offset {state['temp_offset']}")
    if host in TAGGED:
        expect(state["customer_msg"].get("CustomerSn") == f"ASSET-{host.upper()}",
               f"{host} holds customer SN {state['customer_msg']!r}")


def write_counts() -> dict:
    return {host: len(writes(host)) for host in HOSTS}


def step_layout() -> None:
    print("[whatsminer]")
    for host, address in HOSTS.items():
        print(f"{host} ansible_host={address}")
    print(f"m11 ansible_host={UNANSWERED}")
    print("[model_m20s]")
    print("\n".join(host for host in HOSTS if miner(host)["model"] == "M20S"))
    print("[whatsminer:children]\nmodel_m20s")  # a child group's variables win over its parent's
    print("[bad]\n" + "\n".join(BAD))
    print("[gone]\nm11")
    print("[all:vars]\nansible_connection=local")


def step_reset() -> None:
    api("/reset", "POST", {})


def step_first_apply() -> None:
    for host in GOOD:
        expect_desired(host)
    for host in BAD:
        expect(writes(host) == [], f"{host} (bad variables) got writes: {writes(host)}")
    log = [w.get("v2_command") or w["command"] for w in writes("m10")]  # V3 writes name their V2 command
    expect("update_pwd" in log and log.index("update_pwd") < log.index("update_pools"),
           f"m10's password was not rotated first: {log}")
    miners = report()["miners"]
    expect(miners["m11"]["status"] == "unreachable" and UNANSWERED in miners["m11"]["error"],
           f"m11 is not reported unreachable: {miners['m11']}")
    for host, words in (("m06", ("whatsminer_powr", "did you mean whatsminer_power")),
                        ("m07", ("whatsminer_power", "power_limit", "99999"))):
        error = miners[host]["error"] or ""
        expect(miners[host]["status"] == "failed" and all(word in error for word in words),
               f"{host} is not failed naming {words}: {miners[host]}")
    expect(miners["m08"]["status"] == "failed", f"m08 (mode turbo) is not failed: {miners['m08']}")
    for host in GOOD:
        expect(miners[host]["status"] == "compliant" and miners[host]["changed"],
               f"{host} after the first apply: {miners[host]}")
    summary = report()["summary"]
    expect((summary["compliant"], summary["failed"], summary["unreachable"]) == (7, 3, 1), f"summary {summary}")


def step_drift() -> None:
    api(f"/miners/{HOSTS['m01']}/settings", "POST",
        {"pools": [{"url": ROGUE_POOL, "user": "farm.m01"},
                   {"url": "stratum+tcp://btc-backup.pool.example.com:443", "user": "farm.m01"}]})
    api(f"/miners/{HOSTS['m02']}/settings", "POST", {"power_mode": "high"})
    api(f"/miners/{HOSTS['m03']}/settings", "POST", {"hostname": "rogue-03"})
    remember(before_check=write_counts())


def step_drift_report() -> None:
    expect(write_counts() == recall("before_check"), "check mode sent a write")
    data = report()
    expect(data["check_mode"] is True, "the report does not say check mode")
    drifted = {host: m["drift"] for host, m in data["miners"].items() if m["status"] == "drifted"}
    wanted = {
        "m01": [{"area": "pools", "setting": "pools[0].url", "git": "stratum+tcp://btc.pool.example.com:3333",
                 "miner": ROGUE_POOL}],
        "m02": [{"area": "power", "setting": "power.mode", "git": desired_mode("m02"), "miner": "high"}],
        "m03": [{"area": "network", "setting": "network.hostname", "git": "m03", "miner": "rogue-03"}],
    }
    expect(drifted == wanted, f"the drift report says {drifted}, expected {wanted}")
    expect(data["summary"]["drifted"] == 3 and data["summary"]["compliant"] == len(GOOD) - 3,
           f"summary {data['summary']}")
    for host in GOOD:
        held = "settings.temp_offset" in data["miners"][host]["unverifiable"]
        expect(held != (host in V3), f"{host}: temp_offset {'is' if held else 'is not'} listed as unverifiable")
    markdown = (WORK / "reports" / "drift.md").read_text()
    expect(f"| m01 | {HOSTS['m01']} | `pools[0].url` | stratum+tcp://btc.pool.example.com:3333 | {ROGUE_POOL} |"
           in markdown, "drift.md lacks m01's pool row")
    expect("| m03 |" in markdown and "rogue-03" in markdown, "drift.md lacks m03's hostname row")
    summary = (WORK / "reports" / "summary.txt").read_text()
    expect("4 compliant, 3 drifted, 0 unreachable, 0 failed" in summary and "pools[0].url (1)" in summary,
           f"summary.txt says {summary!r}")


def step_fixed() -> None:
    for host in GOOD:
        expect_desired(host)
    remember(after_fix=write_counts())


def step_nothing_sent() -> None:
    expect(write_counts() == recall("after_fix"), "the second apply sent a write")
    summary = report()["summary"]
    expect(summary["changed"] == 0 and summary["compliant"] == len(GOOD), f"summary {summary}")


def step_stopped_before_writes() -> None:
    expect(write_counts() == recall("before_check"), "a miner got a write although the run was to stop first")
    log = (WORK / "step.log").read_text()
    expect("4 of 11 miners failed validation or could not be read" in log, "the stop does not say why")


def step_curtail(host: str) -> None:
    event = {"version": 1, "active": True, "event_id": "2026-12-02T00:00:00Z", "mode": "low_power",
             "miners": {host: {"power_mode": desired_mode(host), "mining": True}}}
    (WORK / "curtailment.json").write_text(json.dumps(event))
    api(f"/miners/{HOSTS[host]}/settings", "POST", {"power_mode": "low" if desired_mode(host) != "low" else "high"})
    remember(before_curtailed=write_counts(), curtailed_mode=miner(host)["power_mode"])


def step_curtailed(host: str) -> None:
    expect(write_counts() == recall("before_curtailed"), f"a miner got a write while {host} was curtailed")
    expect(miner(host)["power_mode"] == recall("curtailed_mode"), f"{host}'s power mode was restored")
    outcome = report()["miners"][host]
    expect(outcome["curtailed"] and any("curtailed" in note for note in outcome["notes"])
           and outcome["status"] == "compliant", f"{host}'s outcome does not say curtailed: {outcome}")
    (WORK / "curtailment.json").unlink()


def step_settings_sent(host: str) -> None:
    commands = [w.get("v2_command") or w["command"] for w in writes(host)]
    expect("set_temp_offset" in commands, f"{host} did not get set_temp_offset: {commands}")
    expect(miner(host)["temp_offset"] == -2, f"{host} holds temp_offset {miner(host)['temp_offset']}")
    outcome = report()["miners"][host]
    expect("settings.temp_offset" in outcome["unverifiable"], f"{host}: {outcome}")


if __name__ == "__main__":
    globals()["step_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
