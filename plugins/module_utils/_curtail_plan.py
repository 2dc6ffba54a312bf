# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Which miners a curtailment sheds, and in which batches they come back. Pure: no I/O.

Shed: with ``target_kw``, the least efficient miners (highest J/TH) are taken first until their estimated
shed reaches the target; without it, every miner asked for. A miner's estimated shed is its power now,
times the share of it the mode removes (``SHED_SHARE``: an estimate, not a promise; the measured figure is
the read-back's).

Restore: the most efficient miners (lowest J/TH) first, in batches of at most ``batch_size`` in which no two
miners share a PDU (or rack); a miner without a PDU shares it with no one. When only miners of one PDU are
left, each is a batch of its own.
"""

from __future__ import annotations

# the share of a miner's power each mode removes, for the plan (low power: about a quarter on M3x-M6x)
SHED_SHARE = {"stop": 1.0, "low_power": 0.25}


def estimated_shed_w(facts: dict, mode: str, percent: int) -> float:
    power = facts.get("power_w") or 0.0
    if not facts.get("is_mining"):
        return 0.0
    share = SHED_SHARE.get(mode, max(0.0, 1.0 - percent / 100.0))
    return round(power * share, 1)


def _least_efficient_first(item):
    name, facts = item
    efficiency = facts.get("efficiency_jth")
    return (efficiency is None, -(efficiency or 0.0), name)


def select(readings: dict, mode: str, percent: int, target_kw=None) -> dict:
    """``readings``: ``{host: facts}`` of the miners that answered. Returns the shed plan."""
    chosen, shed_w = [], 0.0
    ordered = sorted(readings.items(), key=_least_efficient_first)
    for name, facts in ordered:
        if target_kw is not None and shed_w >= target_kw * 1000.0:
            break
        estimate = estimated_shed_w(facts, mode, percent)
        if target_kw is not None and estimate <= 0:
            continue  # a miner that is off sheds nothing: it does not count towards a target
        chosen.append(name)
        shed_w += estimate
    plan = {
        "miners": chosen,
        "count": len(chosen),
        "kw_now": round(sum(readings[name].get("power_w") or 0.0 for name in chosen) / 1000.0, 3),
        "kw_estimated_shed": round(shed_w / 1000.0, 3),
    }
    if target_kw is not None:
        plan["target_kw"] = target_kw
        plan["target_met"] = shed_w >= target_kw * 1000.0
    return plan


def restore_batches(miners: list, efficiency: dict, pdu: dict, batch_size: int) -> list:
    """Batches of host names: most efficient first, at most ``batch_size``, one miner per PDU each."""
    size = max(1, int(batch_size))
    left = sorted(miners, key=lambda name: (efficiency.get(name) is None, efficiency.get(name) or 0.0, name))
    batches = []
    while left:
        batch, used, rest = [], set(), []
        for name in left:
            where = pdu.get(name)
            if len(batch) < size and (where is None or where not in used):
                batch.append(name)
                if where is not None:
                    used.add(where)
            else:
                rest.append(name)
        batches.append(batch)
        left = rest
    return batches


def totals(results: list) -> dict:
    """Counts and measured kW of a fan-out's per-miner results (``before``/``after`` facts)."""
    def kw(key):
        values = [r[key]["power_w"] for r in results if isinstance(r.get(key), dict) and r[key].get("power_w") is not None]
        return round(sum(values) / 1000.0, 3)

    measured = [r for r in results if isinstance(r.get("after"), dict) and isinstance(r.get("before"), dict)]
    before = sum(r["before"].get("power_w") or 0.0 for r in measured)
    after = sum(r["after"].get("power_w") or 0.0 for r in measured)
    return {
        "miners": len(results),
        "changed": sum(1 for r in results if r.get("changed")),
        "failed": sum(1 for r in results if r.get("failed")),
        "kw_before": kw("before"),
        "kw_after": kw("after"),
        "kw_shed": round((before - after) / 1000.0, 3),
    }


def describe(plan: dict, miners: list, heading: str, batch_size: int, pdu_var: str, check: bool) -> str:
    """The plan as printed before anything is sent: who gets the command, who is left alone, the batches back."""
    def hosts(keep) -> str:
        return ", ".join(miner["host"] for miner in miners if keep(miner)) or "-"

    kw = f"{plan['count']} miners, {plan.get('kw_now', 0)} kW now, {plan.get('kw_estimated_shed', 0)} kW estimated shed"
    if "target_kw" in plan:
        kw += f" (target {plan['target_kw']} kW: {'met' if plan.get('target_met') else 'NOT MET'})"
    lines = [
        f"curtailment plan{' (check mode: nothing will be sent)' if check else ''}: {heading}",
        kw,
        f"already curtailed (nothing sent): {hosts(lambda m: not m.get('changed') and not m.get('failed'))}",
        f"to shed in one fan-out: {hosts(lambda m: m.get('changed'))}",
        f"unreadable (not shed): {hosts(lambda m: m.get('failed'))}",
        f"restore batches (restore.yml, {batch_size} at most, one per {pdu_var}, most efficient first):",
    ]
    lines += [f"  {index}: {', '.join(batch)}" for index, batch in enumerate(plan.get("restore_batches", []), 1)]
    return "\n".join(lines)
