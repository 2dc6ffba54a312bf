# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""What a curtailment run records on the controller: the event (the state file) and one event-log line. Pure.

The state file (roles/curtailment/tasks/state.yml documents it; farm_state reads it)::

    {"version": 1, "active": bool, "event_id": str, "started": str, "updated": str, "mode": str,
     "percent": int, "target": {...}, "miners": {host: baseline facts}, "restored": str (once over)}

A miner's baseline is what the first shed of the event read: a re-curtail keeps the one on record. A restore
removes the miners that came back; when none is left the event is over (``active`` false, ``restored`` set).
"""

from __future__ import annotations

import time

VERSION = 1


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def is_active(event: dict) -> bool:
    return bool(event.get("active"))


def shed_event(previous: dict, outcome: dict, target: dict, now: str) -> dict:
    """The event after a shed: ``previous`` continued when it is active, else a new one from ``outcome``."""
    active = is_active(previous)
    baselines = {miner["host"]: miner["before"] for miner in outcome["miners"] if isinstance(miner.get("before"), dict)}
    if active:
        baselines.update(previous.get("miners") or {})
    return {
        "version": VERSION,
        "active": True,
        "event_id": previous.get("event_id", now) if active else now,
        "started": previous.get("started", now) if active else now,
        "updated": now,
        "mode": outcome["mode"],
        "percent": previous.get("percent", outcome["percent"]) if active else outcome["percent"],
        "target": previous.get("target", target) if active else target,
        "miners": baselines,
    }


def shed_line(event: dict, outcome: dict, earlier_failures: list, target_met: bool, now: str) -> dict:
    """The event-log line of a shed: which miners got a command, the kW measured, how it went."""
    totals = outcome["totals"]
    failures = list(dict.fromkeys(list(earlier_failures) + outcome["failures"]))
    if totals["miners"] and totals["failed"] == totals["miners"]:
        result = "failed"
    elif totals["failed"] or earlier_failures or not target_met:
        result = "partial"
    else:
        result = "ok"
    return {
        "when": now, "event_id": event["event_id"], "job": "curtail", "mode": event["mode"], "target": event["target"],
        "miners": [miner["host"] for miner in outcome["miners"] if miner.get("changed")],
        "kw_before": totals["kw_before"], "kw_after": totals["kw_after"], "kw_shed": totals["kw_shed"],
        "result": result, "failures": failures,
    }


def restore_event(previous: dict, outcome: dict, now: str) -> dict:
    """The event after a restore: the miners that came back leave it; it is over when none is left."""
    back = {miner["host"] for miner in outcome["miners"] if not miner.get("failed")}
    left = {host: baseline for host, baseline in (previous.get("miners") or {}).items() if host not in back}
    event = dict(previous, active=bool(left), updated=now, miners=left)
    if not left:
        event["restored"] = now
    return event


def restore_line(previous: dict, event: dict, outcome: dict, now: str) -> dict:
    totals = outcome["totals"]
    return {
        "when": now, "event_id": previous.get("event_id"), "job": "restore", "mode": previous.get("mode"),
        "target": previous.get("target") or {},
        "miners": [miner["host"] for miner in outcome["miners"] if not miner.get("failed")],
        "kw_before": totals["kw_before"], "kw_after": totals["kw_after"], "kw_shed": totals["kw_shed"],
        "batches": [batch["result"] for batch in outcome.get("batches", [])],
        "left_curtailed": list(event["miners"]),
        "result": "stopped" if event["active"] else "ok",
        "failures": outcome["failures"],
    }
