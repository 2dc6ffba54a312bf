# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""What a farm_state run found on each miner (the config modules' results, read as drift from git) and the
drift report of the whole farm."""

from __future__ import annotations

import collections
import datetime

REPORT_VERSION = 1
STATUSES = ("compliant", "drifted", "unreachable", "failed")
TOP_DRIFTS = 5
NOT_READABLE = "not readable on this miner (API V2 reads back none of them, API V3 not btminer_init)"


def outcome(results: dict, address: str | None = None, failure: dict | None = None, curtailment: dict | None = None,
            held: dict | None = None, check_mode: bool = False) -> dict:
    """One miner's outcome from the results of the role's tasks, by part name (a skipped task is ignored).

    ``failure``: ``{phase: read | validate | apply, task, msg}`` when the host failed; ``curtailment``: the
    event that holds the miner (its power part was left alone); ``held``: parts left out because no read can
    show them, by part name, with their desired values.
    """
    drift, unverifiable, notes, changed = [], [], [], False
    for part, result in results.items():
        if not isinstance(result, dict) or result.get("skipped") or "changed" not in result:
            continue
        found = part_drift(part, result)
        drift += found
        if result.get("changed") and not found and not result.get("diff"):
            # a write with no diff to show (the password): say that it differs, never the values
            drift.append({"area": part, "setting": part, "git": "(not shown)", "miner": "(not shown)"})
        unverifiable += [f"{part}.{name}" for name in result.get("unverifiable") or ()]
        notes += [f"{part}: {note}" for note in result.get("notes") or ()]
        changed = changed or (bool(result.get("changed")) and not check_mode)
        address = result.get("address") or address
    for part, value in (held or {}).items():
        names = sorted(value) if isinstance(value, dict) else [part]
        unverifiable += [f"{part}.{name}" for name in names]
        notes.append(f"{part}: {NOT_READABLE}, so left alone; farm_state_apply_unverifiable: true sends it every run")
    if curtailment:
        notes.append(f"power: left alone, the miner is curtailed (event {curtailment.get('event_id')}, mode "
                     f"{curtailment.get('mode')}); restore.yml returns it to its baseline")
    status = _status(failure, drift, check_mode)
    return {
        "address": address,
        "status": status,
        "curtailed": bool(curtailment),
        "changed": changed,
        "drift": drift,
        "unverifiable": sorted(set(unverifiable)),
        "notes": notes,
        "error": _error(failure),
    }


def _status(failure, drift, check_mode) -> str:
    if failure:
        return "unreachable" if failure.get("phase") == "read" else "failed"
    # after an apply, the drift found was written and read back: the miner is as git says
    return "drifted" if drift and check_mode else "compliant"


def _error(failure) -> str | None:
    if not failure:
        return None
    task = failure.get("task")
    return f"{task}: {failure.get('msg')}" if task else str(failure.get("msg"))


def part_drift(part: str, result: dict) -> list:
    """Each setting whose value on the miner (diff before) differs from git (diff after)."""
    diff = result.get("diff")
    if not isinstance(diff, dict):
        return []
    before, after = diff.get("before") or {}, diff.get("after") or {}
    found = []
    for name, wanted in after.items():
        if name not in before:
            continue  # not readable: listed as unverifiable by the module
        path = name if name == part else f"{part}.{name}"
        found += _differences(part, path, wanted, before[name])
    return found


def _differences(part: str, path: str, git, miner) -> list:
    if git == miner:
        return []
    if isinstance(git, dict) and isinstance(miner, dict):
        return [entry for key in sorted(set(git) | set(miner))
                for entry in _differences(part, f"{path}.{key}", git.get(key), miner.get(key))]
    if isinstance(git, list) and isinstance(miner, list):
        return [entry for index in range(max(len(git), len(miner)))
                for entry in _differences(part, f"{path}[{index}]", _at(git, index), _at(miner, index))]
    return [{"area": part, "setting": path, "git": git, "miner": miner}]


def _at(values: list, index: int):
    return values[index] if index < len(values) else None


def report(outcomes: dict, hosts: list, check_mode: bool, now: datetime.datetime | None = None) -> dict:
    """The drift report of a run over ``hosts``: a host without an outcome failed before the role read it."""
    miners = {}
    for host in hosts:
        miners[host] = outcomes.get(host) or {
            "address": None, "status": "failed", "curtailed": False, "changed": False, "drift": [],
            "unverifiable": [], "notes": [],
            "error": "failed before farm_state read it (its variables failed the role's argument validation, "
                     "or an earlier task failed): see its first failed task in the play output"}
    counts = collections.Counter(miner["status"] for miner in miners.values())
    drifts = collections.Counter(entry["setting"] for miner in miners.values() for entry in miner["drift"])
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    return {
        "version": REPORT_VERSION,
        "generated": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "check_mode": bool(check_mode),
        "summary": dict(
            {"miners": len(miners)}, **{status: counts.get(status, 0) for status in STATUSES},
            curtailed=sum(1 for miner in miners.values() if miner["curtailed"]),
            changed=sum(1 for miner in miners.values() if miner["changed"]),
            top_drifts=[{"setting": setting, "miners": count} for setting, count in drifts.most_common(TOP_DRIFTS)]),
        "miners": miners,
    }
