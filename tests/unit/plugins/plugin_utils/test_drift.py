# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A farm_state run read as drift: only what the miner reported and git differs on, element by element."""
from __future__ import annotations

import datetime

from ansible_collections.hashops.whatsminer.plugins.plugin_utils._drift import outcome, report

GIT_POOL = "stratum+tcp://btc.pool.example.com:3333"


def pools_result(miner_url, changed=True):
    return {"changed": changed, "address": "127.0.0.5", "unverifiable": ["password"] if changed else [],
            "diff": {"before": {"pools": [{"url": miner_url, "user": "w"}]},
                     "after": {"pools": [{"url": GIT_POOL, "user": "w"}, {"url": GIT_POOL, "user": "w2"}]}}}


def test_differences_are_per_element_and_name_both_values():
    found = outcome({"pools": pools_result("stratum+tcp://rogue:1")}, check_mode=True)
    assert found["status"] == "drifted" and found["address"] == "127.0.0.5" and not found["changed"]
    assert found["drift"] == [
        {"area": "pools", "setting": "pools[0].url", "git": GIT_POOL, "miner": "stratum+tcp://rogue:1"},
        {"area": "pools", "setting": "pools[1]", "git": {"url": GIT_POOL, "user": "w2"}, "miner": None}]
    assert found["unverifiable"] == ["pools.password"]


def test_unreadable_settings_and_skipped_tasks_are_never_drift():
    power = {"changed": True, "unverifiable": ["fast_boot"],
             "diff": {"before": {"mode": "normal"}, "after": {"mode": "normal", "fast_boot": True}}}
    found = outcome({"power": power, "led": {"skipped": True, "changed": False}},
                    held={"settings": {"temp_offset": -2}}, check_mode=True)
    assert found["status"] == "compliant" and found["drift"] == []
    assert found["unverifiable"] == ["power.fast_boot", "settings.temp_offset"]
    assert any("not readable on this miner" in note for note in found["notes"])


def test_an_applied_run_is_compliant_and_changed_and_keeps_what_it_fixed():
    found = outcome({"power": {"changed": True, "diff": {"before": {"mode": "high"}, "after": {"mode": "normal"}}}})
    assert (found["status"], found["changed"]) == ("compliant", True)
    assert found["drift"] == [{"area": "power", "setting": "power.mode", "git": "normal", "miner": "high"}]


def test_a_password_rotation_is_drift_without_values():
    found = outcome({"password": {"changed": True}}, check_mode=True)
    assert found["drift"] == [{"area": "password", "setting": "password", "git": "(not shown)",
                               "miner": "(not shown)"}]


def test_failures_curtailment_and_the_farm_summary():
    unreachable = outcome({}, address="127.0.0.9", failure={"phase": "read", "task": "Read", "msg": "refused"})
    failed = outcome({}, failure={"phase": "validate", "msg": "whatsminer_power: bad"})
    curtailed = outcome({}, curtailment={"event_id": "e1", "mode": "stop"}, check_mode=True)
    drifted = outcome({"pools": pools_result("stratum+tcp://rogue:1")}, check_mode=True)
    assert (unreachable["status"], unreachable["error"]) == ("unreachable", "Read: refused")
    assert (failed["status"], failed["error"]) == ("failed", "whatsminer_power: bad")
    assert curtailed["curtailed"] and "curtailed (event e1" in curtailed["notes"][0]
    farm = report({"a": unreachable, "b": failed, "c": curtailed, "d": drifted}, ["a", "b", "c", "d", "e"], True,
                  now=datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.timezone.utc))
    assert farm["generated"] == "2026-12-02T01:00:00Z" and farm["check_mode"] is True
    assert farm["miners"]["e"]["status"] == "failed" and "argument validation" in farm["miners"]["e"]["error"]
    summary = farm["summary"]
    assert {k: summary[k] for k in ("miners", "compliant", "drifted", "unreachable", "failed", "curtailed")} == {
        "miners": 5, "compliant": 1, "drifted": 1, "unreachable": 1, "failed": 2, "curtailed": 1}
    assert summary["top_drifts"][0] == {"setting": "pools[0].url", "miners": 1}


def test_settings_read_back_through_api_v3_are_drift_like_any_other():
    settings = {"changed": True, "unverifiable": [],
                "diff": {"before": {"temp_offset": 0, "time_randomized": {"start": 0, "stop": 0}},
                         "after": {"temp_offset": -2, "time_randomized": {"start": 0, "stop": 30}}}}
    found = outcome({"settings": settings}, held={"settings": {"btminer_init": False}}, check_mode=True)
    assert found["status"] == "drifted"
    assert found["drift"] == [
        {"area": "settings", "setting": "settings.temp_offset", "git": -2, "miner": 0},
        {"area": "settings", "setting": "settings.time_randomized.stop", "git": 30, "miner": 0}]
    assert found["unverifiable"] == ["settings.btminer_init"]
