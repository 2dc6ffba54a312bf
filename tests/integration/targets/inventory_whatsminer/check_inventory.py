# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks on `ansible-inventory --list` output of the whatsminer inventory plugin.

    python check_inventory.py INVENTORY.json CONTROL_URL --expect farm   every farm miner, right vars and groups
    python check_inventory.py INVENTORY.json OTHER.json --expect same    the same hosts, vars and groups
    python check_inventory.py INVENTORY.json "" --expect none            no miner at all
    python check_inventory.py INVENTORY.json CONTROL_URL --count GROUP   prints how many hosts GROUP has
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def plain(value):
    """ansible-inventory writes untrusted strings as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def load(path):
    with open(path, encoding="utf-8") as handle:
        return plain(json.load(handle))


def members(inventory):
    """{group: set of hosts} for every group that lists hosts."""
    return {name: set(group.get("hosts", [])) for name, group in inventory.items() if name != "_meta"}


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # the farm's control API on 127.0.0.1
        return json.load(response)


def safe_group(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def normalised_model(variant):
    model = variant.replace("_", "")
    return model[:-1] + "0" if model[-1:].isdigit() else model


def expect_farm(inventory, control):
    hostvars = inventory["_meta"]["hostvars"]
    groups = members(inventory)
    by_address = {host_vars["ansible_host"]: (name, host_vars) for name, host_vars in hostvars.items()}
    miners = fetch(control + "/miners")
    check(len(hostvars) == len(miners), f"{len(hostvars)} hosts listed, the farm has {len(miners)} miners")
    check("127.0.63.250" not in by_address, "the web server on 127.0.63.250 was listed as a miner")
    for miner in miners:
        address = miner["address"]
        if address not in by_address:
            failures.append(f"miner {address} ({miner['persona']}) was not found")
            continue
        name, found = by_address[address]
        state = fetch(f"{control}/miners/{address}")
        rack = "r1" if int(address.rsplit(".", 1)[1]) < 128 else "r2"
        model = normalised_model(state["variant"])
        expected = {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "whatsminer_model": model,
            "whatsminer_firmware_version": state["firmware_version"],
            "whatsminer_api_version": state["api_version"].replace("whatsminer v", ""),
            # the 2021 firmware's get_version has no platform, and nothing else reports it
            "whatsminer_platform": None if miner["persona"] == "btminer2021" else state["platform"],
            "whatsminer_mac": state["mac"],
            "whatsminer_serial": state["serial"],
            "whatsminer_hostname": state["hostname"],
            "whatsminer_power_mode": state["power_mode"],
            "whatsminer_is_mining": state["mining"],
            "site": "lab",
            "rack": rack,
            "found_at": address,
        }
        for key, value in expected.items():
            check(found.get(key) == value, f"{address} {key}: listed {found.get(key)!r}, the farm says {value!r}")
        rate = found.get("whatsminer_hashrate_ths")
        check(isinstance(rate, (int, float)) and abs(rate - state["hashrate_ths"]) <= 0.2 * state["hashrate_ths"],
              f"{address} whatsminer_hashrate_ths {rate!r} is far from the farm's {state['hashrate_ths']!r}")
        check(name == state["mac"].lower().replace(":", "-"), f"{address} is named {name!r}, not by its MAC")
        for group in ("whatsminer", f"whatsminer_model_{safe_group(model)}",
                      f"whatsminer_firmware_{safe_group(state['firmware_version'])}", f"rack_{rack}"):
            check(name in groups.get(group, ()), f"{address} ({name}) is not in group {group}")
    print(f"checked {len(miners)} miners of the farm against {len(hostvars)} listed hosts")


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("inventory")
    parser.add_argument("reference")
    parser.add_argument("--expect", choices=("farm", "same", "none"))
    parser.add_argument("--count")
    args = parser.parse_args(argv)
    inventory = load(args.inventory)
    if args.count:
        print(len(members(inventory).get(args.count, ())))
        return 0
    if args.expect == "farm":
        expect_farm(inventory, args.reference)
    elif args.expect == "same":
        reference = load(args.reference)
        check(inventory["_meta"]["hostvars"] == reference["_meta"]["hostvars"], "host variables differ from the first run")
        check(members(inventory) == members(reference), "groups differ from the first run")
        check(len(inventory["_meta"]["hostvars"]) > 0, "no host listed")
    elif args.expect == "none":
        check(not inventory["_meta"]["hostvars"], f"hosts listed: {sorted(inventory['_meta']['hostvars'])}")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
