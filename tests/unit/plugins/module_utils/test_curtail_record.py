# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The curtailment event and its log lines: a new event, a re-curtail that keeps baselines, a restore that stops."""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils import _curtail_record as record

NOW, LATER = "2026-12-02T01:00:00Z", "2026-12-02T01:05:00Z"
ON = {"is_mining": True, "power_mode": "normal", "power_pct": 100, "power_w": 3400.0, "efficiency_jth": 48.6}
LOW = dict(ON, power_mode="low", power_w=2600.0)
TOTALS = {"miners": 2, "changed": 2, "failed": 0, "kw_before": 6.0, "kw_after": 0.0, "kw_shed": 6.0}


def shed_outcome(miners, failed=0, mode="stop"):
    return {"mode": mode, "percent": 50, "miners": miners, "failures": [m["msg"] for m in miners if m.get("failed")],
            "totals": dict(TOTALS, miners=len(miners), failed=failed)}


def test_a_first_shed_opens_an_event_with_each_miners_baseline():
    outcome = shed_outcome([{"host": "m1", "before": ON, "changed": True}, {"host": "m2", "before": LOW, "changed": True}])
    event = record.shed_event({"version": 1, "active": False, "miners": {}}, outcome, {"kind": "play"}, NOW)
    assert event == {"version": 1, "active": True, "event_id": NOW, "started": NOW, "updated": NOW, "mode": "stop",
                     "percent": 50, "target": {"kind": "play"}, "miners": {"m1": ON, "m2": LOW}}


def test_a_re_curtail_keeps_the_event_and_the_baselines_on_record():
    previous = {"version": 1, "active": True, "event_id": NOW, "started": NOW, "updated": NOW, "mode": "stop",
                "percent": 50, "target": {"kind": "kw", "target_kw": 5.0}, "miners": {"m1": ON}}
    woke = dict(ON, power_w=3500.0)  # what m1 reads now that it drifted awake: not its baseline
    outcome = shed_outcome([{"host": "m1", "before": woke, "changed": True}])
    event = record.shed_event(previous, outcome, {"kind": "play"}, LATER)
    assert event["event_id"] == NOW and event["started"] == NOW and event["updated"] == LATER
    assert event["miners"] == {"m1": ON} and event["target"] == {"kind": "kw", "target_kw": 5.0}


def test_the_shed_line_names_the_miners_that_got_a_command_and_how_it_went():
    miners = [{"host": "m1", "before": ON, "changed": True}, {"host": "m2", "before": ON, "changed": False},
              {"host": "m3", "failed": True, "msg": "m3 (10.0.0.3): refused"}]
    outcome = shed_outcome(miners, failed=1)
    event = record.shed_event({}, outcome, {"kind": "play"}, NOW)
    line = record.shed_line(event, outcome, ["m4 (10.0.0.4): unreadable"], True, NOW)
    assert line["miners"] == ["m1"] and line["result"] == "partial" and line["job"] == "curtail"
    assert line["failures"] == ["m4 (10.0.0.4): unreadable", "m3 (10.0.0.3): refused"]
    assert line["kw_shed"] == 6.0 and line["event_id"] == NOW


def test_a_shed_is_partial_when_the_target_is_not_met_and_failed_when_every_miner_failed():
    outcome = shed_outcome([{"host": "m1", "before": ON, "changed": True}])
    assert record.shed_line(record.shed_event({}, outcome, {}, NOW), outcome, [], False, NOW)["result"] == "partial"
    failed = shed_outcome([{"host": "m1", "failed": True, "msg": "m1: x"}], failed=1)
    assert record.shed_line(record.shed_event({}, failed, {}, NOW), failed, [], True, NOW)["result"] == "failed"


def test_a_restore_that_stopped_keeps_the_miners_that_did_not_come_back():
    previous = {"version": 1, "active": True, "event_id": NOW, "mode": "stop", "target": {"kind": "play"},
                "miners": {"m1": ON, "m2": ON, "m3": LOW}}
    outcome = {"miners": [{"host": "m1", "failed": False}, {"host": "m2", "failed": True, "msg": "m2: still off"}],
               "batches": [{"result": "failed"}, {"result": "not started"}], "failures": ["m2: still off"],
               "totals": TOTALS}
    event = record.restore_event(previous, outcome, LATER)
    assert event["active"] and event["miners"] == {"m2": ON, "m3": LOW} and "restored" not in event
    line = record.restore_line(previous, event, outcome, LATER)
    assert line["result"] == "stopped" and line["left_curtailed"] == ["m2", "m3"] and line["miners"] == ["m1"]
    assert line["batches"] == ["failed", "not started"]


def test_a_full_restore_ends_the_event():
    previous = {"version": 1, "active": True, "event_id": NOW, "mode": "stop", "miners": {"m1": ON}}
    outcome = {"miners": [{"host": "m1", "failed": False}], "batches": [{"result": "confirmed"}], "failures": [],
               "totals": TOTALS}
    event = record.restore_event(previous, outcome, LATER)
    assert not event["active"] and event["miners"] == {} and event["restored"] == LATER
    assert record.restore_line(previous, event, outcome, LATER)["result"] == "ok"
