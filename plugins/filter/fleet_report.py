# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report: the figures of the HTML fleet report, from each miner's whatsminer_facts reading and drift.json."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

DRIFT_VERSION = 1
DRIFT_STATUSES = ("compliant", "drifted", "unreachable", "failed")


def _number(value):
    """A finite int or float as float; anything else (null, text, bool) as None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _natural(name: str):
    """Sort key: miner2 before miner10."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _reading_error(read) -> str | None:
    """Why a registered whatsminer_facts result holds no facts, or None when it does."""
    if not isinstance(read, Mapping):
        return "no reading: the host had left the play before it was read"
    if read.get("unreachable") or read.get("failed"):
        return str(read.get("msg") or "the facts could not be read")
    if read.get("skipped"):
        return "no reading: the read was skipped"
    facts = (read.get("ansible_facts") or {}).get("whatsminer")
    if not isinstance(facts, Mapping):
        return "no reading: whatsminer_facts returned no facts"
    return None


def _location(host_vars, names) -> str:
    values = [host_vars.get(name) for name in names or ()]
    return " / ".join(str(value) for value in values if value is not None and value != "")


def _miner(host_vars, reading: str, location_vars, drift_miners: dict | None) -> dict:
    host = str(host_vars.get("inventory_hostname"))
    read = host_vars.get(reading)
    error = _reading_error(read)
    facts = {} if error else read["ansible_facts"]["whatsminer"]
    temperature = facts.get("temperature") if isinstance(facts.get("temperature"), Mapping) else {}
    pools = facts.get("pools") if isinstance(facts.get("pools"), list) else []
    errors = facts.get("errors")
    hashrate = _number(facts.get("hashrate_ths"))
    power = _number(facts.get("power_w"))
    miner = {
        "host": host,
        "address": str(host_vars.get("ansible_host") or host),
        "location": _location(host_vars, location_vars),
        "status": "unreachable" if error else "ok",
        "error": error,
        "model": facts.get("model"),
        "firmware": facts.get("firmware_version"),
        "hostname": facts.get("hostname"),
        "mining": facts.get("is_mining"),
        "power_mode": facts.get("power_mode"),
        "hashrate_ths": hashrate,
        "factory_hashrate_ths": _number(facts.get("factory_hashrate_ths")),
        "power_w": power,
        "efficiency_j_th": round(power / hashrate, 2) if power is not None and hashrate else None,
        "chip_max_c": _number(temperature.get("chip_max_c")),
        "chip_avg_c": _number(temperature.get("chip_avg_c")),
        "env_c": _number(temperature.get("env_c")),
        "uptime_s": _number(facts.get("uptime_s")),
        "pool": (pools[0].get("url") if pools and isinstance(pools[0], Mapping) else None),
        # null: the firmware does not report its errors (or cut the list off), which is not "no errors"
        "errors": ([str(item.get("code")) for item in errors if isinstance(item, Mapping)]
                   if isinstance(errors, list) else None),
        "drift": None,
    }
    if drift_miners is not None:
        miner["drift"] = _miner_drift(drift_miners.get(host))
    return miner


def _miner_drift(record) -> dict | None:
    if not isinstance(record, dict):
        return None
    status = record.get("status")
    drift = record.get("drift") if isinstance(record.get("drift"), list) else []
    return {
        "status": status if status in DRIFT_STATUSES else "unknown",
        "curtailed": record.get("curtailed") is True,
        "settings": [{"setting": str(item.get("setting")), "git": item.get("git"), "miner": item.get("miner")}
                     for item in drift if isinstance(item, dict)],
        "unverifiable": [str(item) for item in record.get("unverifiable") or [] if isinstance(item, str)],
        "error": str(record["error"]) if record.get("error") else None,
    }


def _drift(text, path) -> tuple[dict | None, dict | None]:
    """(what the page shows of drift.json, its miners) or (None, None) when there is no file."""
    if text is None:
        return None, None
    shown = {"file": str(path or "drift.json"), "error": None, "generated": None, "check_mode": None, "summary": {}}
    try:
        document = json.loads(text)
    except ValueError as exc:
        shown["error"] = "not read: it is not JSON (%s)" % exc
        return shown, None
    if not isinstance(document, dict) or document.get("version") != DRIFT_VERSION:
        version = document.get("version") if isinstance(document, dict) else None
        shown["error"] = "not read: its version is %r; this report reads version %d" % (version, DRIFT_VERSION)
        return shown, None
    miners = document.get("miners")
    if not isinstance(miners, dict):
        shown["error"] = "not read: it has no miners object"
        return shown, None
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    shown["generated"] = str(document.get("generated")) if document.get("generated") else None
    shown["check_mode"] = document.get("check_mode") if isinstance(document.get("check_mode"), bool) else None
    shown["summary"] = {key: int(summary[key]) for key in ("miners", "compliant", "drifted", "unreachable", "failed",
                                                           "curtailed")
                        if isinstance(summary.get(key), int) and not isinstance(summary.get(key), bool)}
    shown["top_drifts"] = [{"setting": str(item.get("setting")), "miners": item.get("miners")}
                           for item in summary.get("top_drifts") or [] if isinstance(item, dict)]
    return shown, miners


def _summary(miners: list) -> dict:
    read = [m for m in miners if m["status"] == "ok"]
    hashrate = sum(m["hashrate_ths"] or 0.0 for m in read)
    power = sum(m["power_w"] or 0.0 for m in read)
    # J/TH over the miners that report both figures and hash, so a stopped miner's idle draw is not counted twice
    both = [m for m in read if m["power_w"] is not None and m["hashrate_ths"]]
    both_power = sum(m["power_w"] for m in both)
    both_hashrate = sum(m["hashrate_ths"] for m in both)
    return {
        "miners": len(miners),
        "read": len(read),
        "unreachable": len(miners) - len(read),
        "mining": sum(1 for m in read if m["mining"]),
        "hashrate_ths": round(hashrate, 3),
        "power_kw": round(power / 1000.0, 3),
        "efficiency_j_th": round(both_power / both_hashrate, 2) if both_hashrate else None,
        "with_errors": sum(1 for m in read if m["errors"]),
        "errors_unknown": sum(1 for m in read if m["errors"] is None),
        "models": len({m["model"] for m in read if m["model"]}),
    }


def fleet_report(hosts, reading="fleet_report_read", location_vars=("site", "rack"), drift_text=None,
                 drift_file=None, generated=None, title="Fleet report") -> dict:
    """The report's data: ``title``, ``generated``, ``summary``, ``miners`` (sorted by name) and ``drift``.

    ``hosts``: each miner's variables (``ansible_play_hosts_all | map('extract', hostvars)``), of which only
    ``inventory_hostname``, ``ansible_host``, ``location_vars`` and ``reading`` (the registered
    ``whatsminer_facts`` result) are read. A miner whose reading failed, was unreachable or is missing is listed
    as unreachable, with the reason. ``drift_text``: the farm_state role's drift.json (version 1), or null.
    """
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("fleet_report: the input must be a list of each miner's variables "
                                 "(ansible_play_hosts_all | map('extract', hostvars) | list), got %s"
                                 % type(hosts).__name__)
    if any(not isinstance(host_vars, Mapping) or host_vars.get("inventory_hostname") is None for host_vars in hosts):
        raise AnsibleFilterError("fleet_report: every item of the input must be a miner's variables, with "
                                 "inventory_hostname")
    drift, drift_miners = _drift(drift_text, drift_file)
    miners = sorted((_miner(host_vars, reading, location_vars, drift_miners) for host_vars in hosts),
                    key=lambda miner: _natural(miner["host"]))
    return {
        "title": str(title),
        "generated": str(generated) if generated else None,
        "summary": _summary(miners),
        "miners": miners,
        "drift": drift,
    }


class FilterModule:
    """Fleet report filters."""

    def filters(self):
        return {"fleet_report": fleet_report}
