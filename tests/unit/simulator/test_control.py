"""The control API lists miners, shows their state without secrets, and refuses nonsense."""

from __future__ import annotations

import json

from simclient import API205, BTMINER, PASSWORD, V3COMPAT, Session, read

STATE_KEYS = {
    "persona", "model", "firmware_version", "api_version", "platform", "mac", "serial", "hostname", "network", "pools",
    "power_mode", "power_limit_w", "power_pct", "target_freq_pct", "mining", "fast_boot", "web_pools", "led",
    "write_api", "upfreq_speed", "temp_offset", "timezone", "restarting", "tokens_active", "password_salt",
}


def test_miners_lists_every_miner_with_persona_and_model(farm):
    status, miners = farm.api("GET", "/miners")
    assert status == 200 and [m["address"] for m in miners] == farm.miners
    assert {m["persona"] for m in miners} == {"api205", "btminer2021", "v3compat2026"}
    assert miners[API205]["model"] == "M50S" and miners[BTMINER]["model"] == "M31S" and miners[V3COMPAT]["model"] == "M60S"


def test_miner_state_has_every_documented_field_and_no_password(farm):
    host = farm.miners[API205]
    Session(host, PASSWORD).write("update_pools", pool1="stratum+tcp://p:1", worker1="w", passwd1="poolsecret")
    state = farm.state(host)
    assert STATE_KEYS <= set(state)
    assert set(state["network"]) == {"proto", "ip", "netmask", "gateway", "dns"}
    assert state["write_api"] is True and state["mining"] is True and state["hostname"] == "WhatsMiner"
    text = json.dumps(state)
    assert PASSWORD not in text and "poolsecret" not in text


def test_unknown_miner_and_path_are_404(farm):
    assert farm.api("GET", "/miners/127.255.255.254")[0] == 404
    assert farm.api("GET", "/nothing")[0] == 404


def test_password_endpoint_changes_the_salt_and_the_key(farm):
    host = farm.miners[API205]
    old_salt = farm.state(host)["password_salt"]
    status, body = farm.api("POST", "/miners/%s/password" % host, {"password": "other1"})
    assert status == 200 and body["password_salt"] != old_salt
    assert Session(host, "other1").write("set_led", param="auto")["Code"] == 131


def test_errors_endpoint_sets_what_get_error_code_reports(farm):
    host = farm.miners[API205]
    farm.api("POST", "/miners/%s/errors" % host, {"errors": [{"code": 530, "time": "2025-01-02 03:04:05"}]})
    assert Session(host, PASSWORD).write("get_error_code")["Msg"] == {"error_code": [{"530": "2025-01-02 03:04:05"}]}


def test_settings_endpoint_drifts_what_reads_report_without_a_write(farm):
    host = farm.miners[API205]
    status, state = farm.api("POST", f"/miners/{host}/settings", {
        "pools": [{"url": "stratum+tcp://rogue.example.com:3333", "user": "thief"}],
        "power_mode": "low", "hostname": "<b>rack7</b>"})
    assert status == 200 and state["power_mode"] == "low" and state["hostname"] == "<b>rack7</b>"
    pools = read(host, "pools")["POOLS"]
    assert pools[0]["URL"] == "stratum+tcp://rogue.example.com:3333" and pools[0]["User"] == "thief"
    assert [p["URL"] for p in pools[1:]] == ["", ""]
    assert farm.api("GET", f"/miners/{host}/writes")[1] == []


def test_settings_endpoint_refuses_unknown_fields_and_bad_values(farm):
    host = farm.miners[API205]
    assert farm.api("POST", f"/miners/{host}/settings", {"password": "x"})[0] == 400
    assert farm.api("POST", f"/miners/{host}/settings", {"power_mode": "turbo"})[0] == 400
    assert farm.api("POST", f"/miners/{host}/settings", {"hostname": "a\nb"})[0] == 400
    assert farm.state(host)["hostname"] == "WhatsMiner"
