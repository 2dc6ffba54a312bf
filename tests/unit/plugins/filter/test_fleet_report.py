# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hashops.whatsminer.plugins.filter.fleet_report import fleet_report


def reading(hashrate=100.0, power=3000, errors=(), model="M50SVH30", mining=True, **more):
    facts = {"model": model, "firmware_version": "20240624.18.REL", "hostname": "WhatsMiner", "is_mining": mining,
             "power_mode": "normal", "hashrate_ths": hashrate, "factory_hashrate_ths": 110.0, "power_w": power,
             "temperature": {"chip_max_c": 88.5, "chip_avg_c": 80.1, "env_c": 30.0}, "uptime_s": 3600,
             "pools": [{"url": "stratum+tcp://pool.example.com:3333", "user": "w"}],
             "errors": None if errors is None else [{"code": code, "time": "2026-01-01 00:00:00"} for code in errors]}
    facts.update(more)
    return {"changed": False, "ansible_facts": {"whatsminer": facts}}


def entry(host, read, **host_vars):
    """A miner's variables as hostvars gives them; read=None: the play never registered a reading."""
    host_vars.update(inventory_hostname=host, ansible_host="10.0.0.%s" % host[-1])
    if read is not None:
        host_vars["fleet_report_read"] = read
    return host_vars


REFUSED = {"failed": True, "msg": "miner 10.0.0.3: command 'summary+pools+devdetails': connection refused on port 4028"}


def test_totals_count_only_the_miners_read():
    report = fleet_report([entry("m1", reading(100.0, 3000)), entry("m2", reading(50.5, 1500, errors=[530])),
                           entry("m3", REFUSED)])
    assert report["summary"] == {"miners": 3, "read": 2, "unreachable": 1, "mining": 2, "hashrate_ths": 150.5,
                                 "power_kw": 4.5, "efficiency_j_th": 29.9, "with_errors": 1, "errors_unknown": 0,
                                 "models": 1}


def test_an_unreachable_miner_is_listed_with_the_reason_and_no_figures():
    miner = fleet_report([entry("m3", REFUSED)])["miners"][0]
    assert miner["status"] == "unreachable"
    assert miner["error"] == REFUSED["msg"]
    assert miner["hashrate_ths"] is None and miner["model"] is None and miner["errors"] is None


def test_an_ansible_unreachable_result_is_unreachable_too():
    miner = fleet_report([entry("m1", {"unreachable": True, "msg": "no route"})])["miners"][0]
    assert (miner["status"], miner["error"]) == ("unreachable", "no route")


def test_a_host_without_a_reading_is_listed_as_unreachable():
    report = fleet_report([entry("m1", reading()), entry("m2", None)])
    assert [(m["host"], m["status"]) for m in report["miners"]] == [("m1", "ok"), ("m2", "unreachable")]
    assert "left the play" in report["miners"][1]["error"]


def test_address_and_location_come_from_the_host_variables():
    report = fleet_report([entry("m1", reading(), site="north", rack="r7"), entry("m2", reading(), rack=""),
                           entry("m3", reading(), site="south", row=4)], location_vars=["site", "row", "rack"])
    assert [(m["address"], m["location"]) for m in report["miners"]] == [
        ("10.0.0.1", "north / r7"), ("10.0.0.2", ""), ("10.0.0.3", "south / 4")]


def test_the_reading_variable_can_be_named():
    miner = fleet_report([{"inventory_hostname": "m1", "mine": reading()}], reading="mine")["miners"][0]
    assert (miner["address"], miner["status"]) == ("m1", "ok")


def test_miners_are_sorted_by_name_with_numbers_in_order():
    names = ["miner10", "miner2", "Miner1", "miner1b"]
    assert [m["host"] for m in fleet_report([entry(n, reading()) for n in names])["miners"]] == [
        "Miner1", "miner1b", "miner2", "miner10"]


def test_efficiency_leaves_out_a_stopped_miner_and_per_miner_it_is_null_without_hashrate():
    report = fleet_report([entry("m1", reading(100.0, 3000)), entry("m2", reading(0.0, 40, mining=False))])
    assert report["summary"]["efficiency_j_th"] == 30.0
    assert report["summary"]["power_kw"] == 3.04
    assert report["miners"][1]["efficiency_j_th"] is None
    assert report["summary"]["mining"] == 1


def test_errors_not_reported_are_not_counted_as_no_errors():
    report = fleet_report([entry("m1", reading(errors=None)), entry("m2", reading(errors=[]))])
    assert [m["errors"] for m in report["miners"]] == [None, []]
    assert (report["summary"]["with_errors"], report["summary"]["errors_unknown"]) == (0, 1)


def test_figures_that_are_not_numbers_are_null():
    miner = fleet_report([entry("m1", reading(hashrate="12", power=True, temperature=None))])["miners"][0]
    assert (miner["hashrate_ths"], miner["power_w"], miner["chip_max_c"]) == (None, None, None)


def test_hostile_values_pass_through_as_data():
    hostile = "</script><img src=x onerror=alert(1)>{{ 7*7 }}"
    miner = fleet_report([entry(hostile, reading(hostname=hostile))])["miners"][0]
    assert miner["host"] == hostile and miner["hostname"] == hostile


DRIFT = {"version": 1, "generated": "2026-12-02T01:00:00Z", "check_mode": True,
         "summary": {"miners": 2, "compliant": 1, "drifted": 1, "unreachable": 0, "failed": 0, "curtailed": 0,
                     "top_drifts": [{"setting": "pools.url", "miners": 1}]},
         "miners": {"m1": {"status": "drifted", "curtailed": False, "error": None, "unverifiable": ["settings.time_zone"],
                           "drift": [{"area": "pools", "setting": "pools[1].url", "git": "a", "miner": "b"}]},
                    "m2": {"status": "compliant", "curtailed": True, "drift": [], "unverifiable": [], "error": None}}}


def test_drift_status_per_miner_and_summary_from_the_drift_report():
    report = fleet_report([entry("m1", reading()), entry("m2", reading()), entry("m3", reading())],
                          drift_text=json.dumps(DRIFT), drift_file="/r/drift.json")
    assert report["drift"] == {"file": "/r/drift.json", "error": None, "generated": "2026-12-02T01:00:00Z",
                               "check_mode": True, "summary": {"miners": 2, "compliant": 1, "drifted": 1,
                                                               "unreachable": 0, "failed": 0, "curtailed": 0},
                               "top_drifts": [{"setting": "pools.url", "miners": 1}]}
    m1, m2, m3 = report["miners"]
    assert m1["drift"] == {"status": "drifted", "curtailed": False, "error": None, "unverifiable": ["settings.time_zone"],
                           "settings": [{"setting": "pools[1].url", "git": "a", "miner": "b"}]}
    assert (m2["drift"]["status"], m2["drift"]["curtailed"]) == ("compliant", True)
    assert m3["drift"] is None


def test_without_a_drift_report_there_is_no_drift():
    report = fleet_report([entry("m1", reading())])
    assert report["drift"] is None and report["miners"][0]["drift"] is None


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not JSON"),
    (json.dumps(dict(DRIFT, version=2)), "version is 2; this report reads version 1"),
    (json.dumps([1]), "version is None"),
    (json.dumps(dict(DRIFT, miners=[])), "no miners object"),
])
def test_a_drift_report_it_cannot_use_is_named_and_not_used(text, reason):
    report = fleet_report([entry("m1", reading())], drift_text=text, drift_file="/r/drift.json")
    assert reason in report["drift"]["error"]
    assert report["miners"][0]["drift"] is None


def test_an_unknown_drift_status_is_shown_as_unknown():
    drift = dict(DRIFT, miners={"m1": {"status": "<b>odd</b>", "drift": "not a list"}})
    miner = fleet_report([entry("m1", reading())], drift_text=json.dumps(drift))["miners"][0]
    assert miner["drift"]["status"] == "unknown" and miner["drift"]["settings"] == []


@pytest.mark.parametrize("hosts, message", [
    ({"m1": {}}, "must be a list"),
    ([{"site": "x"}], "inventory_hostname"),
    (["m1"], "miner's variables"),
])
def test_input_that_is_not_a_list_of_host_variables_fails_with_a_sentence(hosts, message):
    with pytest.raises(AnsibleFilterError, match=message):
        fleet_report(hosts)
