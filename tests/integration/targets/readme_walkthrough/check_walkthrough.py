# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the README's first ten minutes must have done, checked where it happened.

    check_walkthrough.py miners DIR       in the walk-through's directory, before its farm stops: the farm runs the
                                          installed collection's simulator, and every miner received exactly one
                                          update_pools (nothing from --check or the second run) carrying the pools
                                          of DIR/pools.yml, and holds them
    check_walkthrough.py log LOG SCRIPT   the walk-through's output: the four playbook runs changed 0, 1, 1 and 0
                                          per miner and failed none, the dry run showed a diff, and no secret of
                                          SCRIPT (the admin password, the vault passphrase) is anywhere in LOG
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request

import jinja2
import yaml

RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def get(control, path):
    with urllib.request.urlopen(control + path, timeout=10) as reply:
        return json.load(reply)


def documented_pools(directory):
    """The pools task of the README's pools.yml, as its whatsminer_pools task states them."""
    with open(os.path.join(directory, "pools.yml"), encoding="utf-8") as handle:
        play = yaml.safe_load(handle)[0]
    tasks = [t for t in play["tasks"] if "hashops.whatsminer.whatsminer_pools" in t]
    check(len(tasks) == 1, "pools.yml should hold one whatsminer_pools task, has %d" % len(tasks))
    return tasks[0]["hashops.whatsminer.whatsminer_pools"]["pools"]


def check_miners(directory):
    with open(os.path.join(directory, "farm.json"), encoding="utf-8") as handle:
        ready = json.load(handle)
    with open(os.path.join(directory, "farm.pid"), encoding="utf-8") as handle:
        pid = handle.read().strip()
    with open("/proc/%s/cmdline" % pid, "rb") as handle:
        command = handle.read().split(b"\0")
    installed = os.path.expanduser("~/.ansible/collections/ansible_collections/hashops/whatsminer/tests/simulator/farm.py")
    check(installed.encode() in command, "the farm should run the installed collection's %s, runs %s" % (installed, command))
    pools = documented_pools(directory)
    check(len(ready["miners"]) == 3, "the README starts three miners, the farm has %d" % len(ready["miners"]))
    for address in ready["miners"]:
        state = get(ready["control"], "/miners/" + address)
        host = state["mac"].lower().replace(":", "-")  # the discovery inventory's host name
        want = [{"url": p["url"], "user": jinja2.Template(p["user"]).render(inventory_hostname=host)} for p in pools]
        writes = get(ready["control"], "/miners/%s/writes" % address)
        # a V3 miner takes the pools as set.miner.pools; its write log names the V2 command too
        commands = [w.get("v2_command") or w["command"] for w in writes]
        check(commands == ["update_pools"],
              "%s should have received one update_pools (none from --check or the second run), got %s"
              % (address, commands))
        if writes:
            params = writes[0]["params"]
            if "param" in params:  # API V3: the list of the pools in use
                sent = [{"url": p["pool"], "user": p["worker"]} for p in params["param"]]
            else:
                sent = [{"url": params["pool%d" % n], "user": params["worker%d" % n]} for n in (1, 2)]
                check(params["pool3"] == "", "%s: the third slot should have been cleared, got %r"
                      % (address, params["pool3"]))
            check(sent == want, "%s received pools %s, the README asks %s" % (address, sent, want))
        held = [{"url": p["url"], "user": p["user"]} for p in state["pools"] if p["url"]]
        check(held == want, "%s holds pools %s, the README asks %s" % (address, held, want))
    return "3 miners received one update_pools each and hold the README's pools"


def check_log(log_file, script_file):
    with open(log_file, encoding="utf-8", errors="replace") as handle:
        log = handle.read()
    with open(script_file, encoding="utf-8") as handle:
        script = handle.read()
    secrets = re.findall(r"--password (\S+)", script) + re.findall(r"printf '%s\\n' '([^']+)' > ~/\.whatsminer-vault-pass", script)
    check(len(secrets) == 2, "the admin password and the vault passphrase should be found in the walk-through, found %d" % len(secrets))
    check(log.count("task path: ") >= 5, "ansible-playbook should have run at -vvvv (no 'task path:' lines)")
    for secret in secrets:
        check(secret not in log, "a secret of the walk-through appears in its -vvvv output")
    homes = set(re.findall(r"^# (/\S+/ansible_collections)$", log, re.MULTILINE))
    check(homes == {os.path.expanduser("~/.ansible/collections/ansible_collections")},
          "the collection should be found only where the README installed it, found under %s" % sorted(homes))
    runs = [RECAP.findall(part) for part in log.split("PLAY RECAP")[1:]]
    changed = [sorted({int(row[2]) for row in run}) for run in runs]
    check(changed == [[0], [1], [1], [0]],
          "read, --check --diff, apply, apply again should change 0, 1, 1, 0 per miner; changed %s" % changed)
    check(all(len(run) == 3 for run in runs), "every run should cover the three miners: %s" % [len(r) for r in runs])
    check(all(int(row[3]) == 0 and int(row[4]) == 0 for run in runs for row in run), "a run had an unreachable or failed miner")
    check("+            \"user\": \"first." in log, "the dry run should show the pools diff")
    return "%d playbook runs changed %s per miner; no secret in %d lines of -vvvv output" % (
        len(runs), changed, log.count("\n"))


def main(argv):
    if len(argv) == 2 and argv[0] == "miners":
        summary = check_miners(argv[1])
    elif len(argv) == 3 and argv[0] == "log":
        summary = check_log(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    for failure in failures:
        print("FAIL: readme_walkthrough: " + failure, file=sys.stderr)
    if not failures:
        print("readme_walkthrough: " + summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
