# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The curtailment plan: least efficient first up to a target, restore batches spread over PDUs."""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils import _curtail_plan as plan
from ansible_collections.hashops.whatsminer.plugins.module_utils import _fleet


def miner(power, hashrate, mining=True, mode="normal", pct=100):
    return {"is_mining": mining, "power_w": power, "hashrate_ths": hashrate, "power_mode": mode, "power_pct": pct,
            "efficiency_jth": round(power / hashrate, 2) if mining and hashrate else None}


def test_target_kw_takes_the_least_efficient_first_until_reached():
    readings = {"good": miner(3000, 150), "bad": miner(3400, 100), "mid": miner(3200, 120), "off": miner(12, 0, False)}
    chosen = plan.select(readings, "stop", 50, target_kw=6.0)
    assert chosen["miners"] == ["bad", "mid"]
    assert chosen["target_met"] and chosen["kw_estimated_shed"] == 6.6


def test_target_kw_not_met_says_so_and_skips_miners_that_are_off():
    chosen = plan.select({"a": miner(3000, 100), "off": miner(12, 0, False)}, "stop", 50, target_kw=10)
    assert chosen["miners"] == ["a"] and not chosen["target_met"]


def test_low_power_and_percent_estimate_a_share_of_the_power():
    assert plan.estimated_shed_w(miner(4000, 100), "low_power", 50) == 1000.0
    assert plan.estimated_shed_w(miner(4000, 100), "percent", 70) == 1200.0


def test_restore_batches_most_efficient_first_one_miner_per_pdu():
    efficiency = {"a": 20.0, "b": 21.0, "c": 22.0, "d": 23.0, "e": 24.0}
    pdu = {"a": "p1", "b": "p1", "c": "p2", "d": "p3"}
    assert plan.restore_batches(list(efficiency), efficiency, pdu, 2) == [["a", "c"], ["b", "d"], ["e"]]


def test_restore_batches_of_one_pdu_come_back_one_by_one():
    assert plan.restore_batches(["x", "y"], {}, {"x": "p", "y": "p"}, 10) == [["x"], ["y"]]


def test_already_curtailed_miners_get_nothing():
    assert _fleet.is_curtailed(miner(12, 0, False), "stop", 50)
    assert _fleet.is_curtailed(miner(2000, 80, mode="low"), "low_power", 50)
    assert not _fleet.is_curtailed(miner(3000, 100), "percent", 50)


def test_restore_returns_each_miner_to_its_own_baseline():
    low_baseline = miner(2000, 80, mode="low")
    assert _fleet.restore_commands(low_baseline, miner(12, 0, False, mode="low"), "stop") == [("power_on", {})]
    assert _fleet.restore_commands(miner(3000, 100), miner(2200, 82, mode="low"), "low_power") == [("set_normal_power", {})]
    assert _fleet.restore_commands(miner(3000, 100), miner(1500, 60, pct=50), "percent") == [("restore_power_pct", {})]


def test_the_printed_plan_names_who_gets_the_command_who_is_left_alone_and_the_batches():
    readings = {"a": {"is_mining": True, "power_w": 3000.0, "efficiency_jth": 30.0},
                "b": {"is_mining": False, "power_w": 0.0}}
    chosen = dict(plan.select(readings, "stop", 50), restore_batches=[["a"], ["b"]])
    miners = [{"host": "a", "changed": True}, {"host": "b", "changed": False},
              {"host": "c", "failed": True, "msg": "c: connection refused"}]
    text = plan.describe(chosen, miners, "mode stop, target {\"kind\": \"play\"}", 10, "whatsminer_pdu", True)
    assert text.splitlines() == [
        'curtailment plan (check mode: nothing will be sent): mode stop, target {"kind": "play"}',
        "2 miners, 3.0 kW now, 3.0 kW estimated shed",
        "already curtailed (nothing sent): b",
        "to shed in one fan-out: a",
        "unreadable (not shed): c",
        "restore batches (restore.yml, 10 at most, one per whatsminer_pdu, most efficient first):",
        "  1: a",
        "  2: b",
    ]


def test_a_plan_for_a_target_says_whether_it_is_met():
    chosen = plan.select({"a": {"is_mining": True, "power_w": 3000.0, "efficiency_jth": 30.0}}, "stop", 50,
                         target_kw=5.0)
    text = plan.describe(chosen, [{"host": "a", "changed": True}], "mode stop", 10, "rack", False)
    assert "(target 5.0 kW: NOT MET)" in text.splitlines()[1] and text.startswith("curtailment plan: mode stop")
