# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the firmware_rollout target, against the simulator's control API and the rollout's files.

    check_rollout.py WORK CONTROL STEP [ARGS]

Steps that check remember each miner's write log length in WORK/writes-seen.json, so that the next one can
tell what a run sent. Helpers: ``window H1 H2 ZONE`` prints extra vars for a window opening H1 hours from now
and closing H2 hours from now, in ZONE; ``fault ADDR JSON|clear`` sets or clears a miner's faults.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import urllib.request
from zoneinfo import ZoneInfo

VERSION = "20260101.01.REL"
WAVE_1, WAVE_2 = ["miner01"], ["miner02", "miner03", "miner04"]
LATER = ["miner%02d" % i for i in range(5, 11)]
EVERY = WAVE_1 + WAVE_2 + LATER


def http(url: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        text = reply.read()
    return json.loads(text) if text.strip() else None


class Checker:
    def __init__(self, work: str, control: str):
        self.work, self.control = work, control
        self.hosts = {}
        with open(os.path.join(work, "inventory.ini")) as inventory:
            for line in inventory:
                if " ansible_host=" in line:
                    name, address = line.split()[0], line.split("=", 1)[1].strip()
                    self.hosts[name] = address
        self.seen_file = os.path.join(work, "writes-seen.json")
        self.seen = json.load(open(self.seen_file)) if os.path.exists(self.seen_file) else {h: 0 for h in self.hosts}
        self.failures = []

    def sim(self, host: str) -> dict:
        return http("%s/miners/%s" % (self.control, self.hosts[host]))

    def new_writes(self, host: str) -> list:
        writes = http("%s/miners/%s/writes" % (self.control, self.hosts[host]))
        return [w["command"] for w in writes[self.seen[host]:]]

    def upload(self, host: str) -> str:
        """The upload a miner logs: V3 set.system.update_firmware on the miners that answer API V3 (whatsminer_firmware
        uses V3 under api auto there), V2 update_firmware elsewhere."""
        return "set.system.update_firmware" if self.sim(host)["persona"] == "v3compat2026" else "update_firmware"

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)

    def files(self):
        base = os.path.join(self.work, "rollout", VERSION)
        state = json.load(open(base + ".state.json")) if os.path.exists(base + ".state.json") else None
        report = json.load(open(base + ".report.json")) if os.path.exists(base + ".report.json") else None
        markdown = open(base + ".report.md").read() if os.path.exists(base + ".report.md") else None
        return state, report, markdown

    def finish(self, step: str) -> int:
        self.seen = {h: len(http("%s/miners/%s/writes" % (self.control, a))) for h, a in self.hosts.items()}
        with open(self.seen_file, "w") as out:
            json.dump(self.seen, out)
        if self.failures:
            print("FAIL: firmware_rollout: step %s:" % step, file=sys.stderr)
            for failure in self.failures:
                print("  - " + failure, file=sys.stderr)
            return 1
        return 0

    # ---- steps -------------------------------------------------------------------------------------------
    def upgraded(self, hosts, sent: bool) -> None:
        for host in hosts:
            writes, sim = self.new_writes(host), self.sim(host)
            if sent:
                self.expect(writes == ["set_led", self.upload(host)],
                            "%s received %s, expected the write probe and one upload" % (host, writes))
                self.expect(sim["firmware_version"] == VERSION, "%s reports %s" % (host, sim["firmware_version"]))

    def untouched(self, hosts, probe: bool = False) -> None:
        for host in hosts:
            writes, sim = self.new_writes(host), self.sim(host)
            expected = ["set_led"] if probe else []
            self.expect(writes == expected, "%s received %s, expected %s" % (host, writes, expected))
            self.expect(sim["firmware_version"] != VERSION, "%s was upgraded" % host)

    def record(self, state: dict, host: str, expected: str, wave=None) -> dict:
        entry = (state or {}).get("miners", {}).get(host, {})
        self.expect(entry.get("state") == expected, "state file: %s is %r, expected %r (%s)"
                    % (host, entry.get("state"), expected, entry.get("reason")))
        if wave is not None:
            self.expect(entry.get("wave") == wave, "state file: %s in wave %r, expected %r" % (host, entry.get("wave"), wave))
        return entry

    def check_mode(self) -> None:
        self.untouched(EVERY)
        state, report, markdown = self.files()
        self.expect(state is None and report is None and markdown is None, "check mode wrote the state or a report")

    def window_closed(self) -> None:
        self.untouched(EVERY)
        state, report, markdown = self.files()
        self.expect(report is not None and report["status"] == "waiting", "report status %r, expected waiting"
                    % (report or {}).get("status"))
        self.expect("window" in ((report or {}).get("stop_reason") or ""), "the report does not say the window is closed")
        self.expect(state is not None and state["miners"] == {}, "the state file records miners")
        self.expect(markdown is not None and "**waiting**" in markdown, "the Markdown report does not say waiting")

    def stopped(self) -> None:
        state, report, markdown = self.files()
        self.upgraded(["miner01", "miner02", "miner04"], sent=True)
        writes = self.new_writes("miner03")
        self.expect(writes == ["set_led", "update_firmware"], "miner03 received %s" % writes)
        self.expect(self.sim("miner03")["firmware_version"] != VERSION, "miner03 was upgraded in spite of its fault")
        self.untouched(LATER, probe=True)
        self.record(state, "miner01", "done", 1)
        for host in ("miner02", "miner04"):
            entry = self.record(state, host, "done", 2)
            before, after = entry.get("before") or {}, entry.get("after") or {}
            self.expect(before.get("version") != VERSION and after.get("version") == VERSION,
                        "%s before/after versions %s/%s" % (host, before.get("version"), after.get("version")))
            self.expect(isinstance(before.get("hashrate_ths"), (int, float)) and before["hashrate_ths"] > 0,
                        "%s has no hashrate before" % host)
            self.expect(isinstance(after.get("hashrate_ths"), (int, float)), "%s has no hashrate after" % host)
        failed = self.record(state, "miner03", "failed", 2)
        self.expect("old version" in (failed.get("reason") or "") or "version" in (failed.get("reason") or ""),
                    "miner03's reason does not speak of its version: %r" % failed.get("reason"))
        for host in LATER:
            self.record(state, host, "pending")
        self.expect(report and report["status"] == "stopped", "report status %r" % (report or {}).get("status"))
        self.expect("miner03" in ((report or {}).get("stop_reason") or ""), "the stop reason does not name miner03")
        self.expect(report and report["counts"] == {"done": 3, "failed": 1, "pending": 6},
                    "report counts %s" % (report or {}).get("counts"))
        row = [line for line in (markdown or "").splitlines() if line.startswith("| miner03 ")]
        self.expect(len(row) == 1 and "| failed |" in row[0], "the Markdown report has no failed row for miner03")

    def refused(self) -> None:
        for host in EVERY:
            self.expect(self.new_writes(host) == [], "%s received %s from a refused run" % (host, self.new_writes(host)))
        state, report, _markdown = self.files()
        self.expect(state["status"] == "stopped", "the refused run changed the status to %s" % state["status"])

    def resumed(self) -> None:
        state, report, _markdown = self.files()
        self.upgraded(LATER, sent=True)
        for host in ["miner01", "miner02", "miner04", "miner03"]:
            writes = self.new_writes(host)
            self.expect(writes == [], "%s (done or failed earlier) received %s" % (host, writes))
        for host in LATER:
            self.record(state, host, "done")
        self.record(state, "miner03", "failed")
        self.expect(report["status"] == "incomplete", "report status %r, expected incomplete" % report["status"])
        self.expect(report["counts"] == {"done": 9, "failed": 1}, "report counts %s" % report["counts"])
        self.expect(len(state["runs"]) == 3, "state file lists %d runs, expected 3" % len(state["runs"]))

    def complete(self) -> None:
        state, report, _markdown = self.files()
        self.upgraded(["miner03"], sent=True)
        for host in EVERY[:2] + EVERY[3:]:
            self.expect(self.new_writes(host) == [], "%s received writes" % host)
        self.record(state, "miner03", "done", 1)
        self.expect(report["status"] == "complete", "report status %r" % report["status"])
        self.expect(report["counts"] == {"done": 10}, "report counts %s" % report["counts"])


def main(argv) -> int:
    work, control, step = argv[1], argv[2], argv[3]
    if step == "window":
        zone = ZoneInfo(argv[6])
        now = datetime.datetime.now(zone)
        start, end = (now + datetime.timedelta(hours=float(h)) for h in argv[4:6])
        print(json.dumps({"firmware_rollout_window": {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
                                                      "timezone": argv[6]}}))
        return 0
    if step == "fault":
        url = "%s/miners/%s/fault" % (control, argv[4])
        http(url, "DELETE") if argv[5] == "clear" else http(url, "POST", json.loads(argv[5]))
        return 0
    checker = Checker(work, control)
    getattr(checker, step)()
    return checker.finish(step)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
