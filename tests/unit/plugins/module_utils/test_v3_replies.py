"""API V3 replies captured from a real M60S (asic-rs fixtures, API 3.0.2) read into the normalised state."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state, _v3_replies

V3 = Path(__file__).resolve().parents[2] / "fixtures" / "asic-rs" / "v3"


def capture(name: str) -> dict:
    return json.loads((V3 / f"{name}.json").read_text(encoding="utf-8"))["msg"]


def status_msg() -> dict:
    msg = {}
    for part in ("summary", "pools", "edevs"):
        msg.update(capture(f"get_miner_status_{part}"))
    return msg


def facts(info: str = "get_device_info", setting=None, subsets=None) -> dict:
    replies = _v3_replies.as_v2(_state.COMMAND_ORDER, status_msg(), capture(info), setting)
    return _state.normalise(replies, subsets)


def test_identity_comes_from_get_device_info_where_v2_lost_the_model():
    state = facts()
    assert (state["model"], state["model_raw"]) == ("M60SVK40", "M60S_VK40")
    assert (state["firmware_version"], state["api_version"], state["platform"]) == ("20251209.16.Rel2", "3.0.2", "H616")
    assert (state["mac"], state["serial"], state["hostname"]) == ("CE:02:01:00:8C:36", "BTM3CS40HD24083100000000000000000",
                                                                  "WhatsMiner")
    assert (state["ip"], state["dhcp"], state["dns"], state["led"]) == ("172.16.2.58", True, ["172.16.2.1"], "auto")


def test_hash_rates_in_th_s_stay_th_s_and_boards_get_their_pcb_serials_and_temperatures():
    state = facts()
    assert state["hashrate_ths"] == 170.8 and state["factory_hashrate_ths"] == 181.051
    assert [b["hashrate_ths"] for b in state["hashboards"]] == [57.1, 56.8, 56.9]
    assert [b["temperature_c"] for b in state["hashboards"]] == [41.1, 40.1, 41.5]
    assert [b["serial"] for b in state["hashboards"]] == ["BKM3CSE1404807K42757", "BKM3CSE1404812K43675",
                                                          "BKM3CSE1404807K42762"]
    assert state["uptime_s"] == 1323 and state["power_w"] == 3100.0 and state["power_limit_w"] == 3600


def test_pools_read_in_priority_order():
    pools = facts()["pools"]
    assert [(p["url"], p["user"], p["status"], p["priority"]) for p in pools][0] == (
        "stratum+tcp://btc.example.pool:3333", "asic-rs.test", "Alive", 0)
    assert len(pools) == 3


def test_error_codes_keep_the_firmwares_reasons():
    errors = facts("get_device_info_with_errors")["errors"]
    assert [e["code"] for e in errors] == [264, 265, 266, 267, 270]
    assert errors[0] == {"code": 264, "time": "2026-05-23 09:19:10", "reason": "Power xfer error. code: 0xffffffffc0000000"}


def test_what_v3_does_not_report_stays_unreported():
    state = facts()
    assert state["psu"]["vin_v"] is None and state["psu"]["iin_a"] is None  # not in the capture
    assert state["power_limit_set"] is None and state["power_pct"] is None  # no get.miner.setting read
    assert _v3_replies.as_v2(("summary", "devdetails"), None, None, None) == {"summary": None, "devdetails": None}


def test_status_follows_miner_working_and_the_settings():
    setting = {"power-mode": "high", "power-percent": 90, "upfreq-speed": 3, "target-freq": -5}
    state = facts(setting=setting, subsets=["mining"])
    assert (state["is_mining"], state["power_mode"], state["power_pct"]) == (True, "high", 90)
    assert (state["upfreq_speed"], state["target_freq_pct"]) == (3, -5)


def test_each_v2_command_is_answered_by_the_fewest_v3_requests():
    assert _v3_replies.sources(("summary", "pools", "edevs")) == {
        "status": ("get.miner.status", "summary+pools+edevs"), "info": ("get.device.info", None),
        "setting": ("get.miner.setting", None)}
    assert _v3_replies.sources(("pools",)) == {"status": ("get.miner.status", "pools")}
    assert _v3_replies.sources(("edevs",))["status"] == ("get.miner.status", "summary+edevs")
    assert _v3_replies.sources(("get_psu",)) == {"info": ("get.device.info", None)}
