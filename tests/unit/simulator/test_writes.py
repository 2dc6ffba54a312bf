"""Encrypted writes change the miner's state, reads and the control API show it, restarts go silent."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from simclient import API205, API205_HYDRO, BTMINER, PASSWORD, V3COMPAT, Session, exchange, listening, parse, read, wait_until


def summary_fields(host: str) -> dict:
    reply = read(host, "summary")
    return reply["Msg"] if isinstance(reply["STATUS"], str) else reply["SUMMARY"][0]


def wait_back(host: str) -> None:
    wait_until(lambda: listening(host), timeout=10)


def test_update_pools_changes_pools_and_is_logged_with_secrets_masked(farm):
    host = farm.miners[API205]
    reply = Session(host, PASSWORD).write(
        "update_pools", pool1="stratum+tcp://new.pool:3333", worker1="acct.w1", passwd1="secret1",
        pool2="stratum+tcp://backup.pool:443", worker2="acct.w1", passwd2="secret2", pool3="", worker3="", passwd3="")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("S", 131, "API command OK")
    pools = read(host, "pools")["POOLS"]
    assert [(p["URL"], p["User"]) for p in pools] == [
        ("stratum+tcp://new.pool:3333", "acct.w1"), ("stratum+tcp://backup.pool:443", "acct.w1"), ("", "")]
    assert pools[0]["Stratum URL"] == "new.pool"
    log = farm.writes(host)
    assert len(log) == 1 and log[0]["command"] == "update_pools" and log[0]["code"] == 131
    assert log[0]["params"]["passwd1"] == log[0]["params"]["passwd2"] == log[0]["params"]["token"] == "********"
    assert log[0]["params"]["pool1"] == "stratum+tcp://new.pool:3333"
    state = farm.state(host)
    assert state["pools"][0] == {"url": "stratum+tcp://new.pool:3333", "user": "acct.w1", "password_set": True}
    assert "secret1" not in json.dumps(state) and "secret1" not in json.dumps(log)


def test_update_pools_accepts_pyasic_nulls_for_unused_slots(farm):
    host = farm.miners[API205]
    reply = Session(host, PASSWORD).write("update_pools", pool1="stratum+tcp://a.pool:1", worker1="w", passwd1="x",
                                          pool2=None, worker2=None, passwd2=None, pool3=None, worker3=None, passwd3=None)
    assert reply["Code"] == 131
    assert [p["URL"] for p in read(host, "pools")["POOLS"]] == ["stratum+tcp://a.pool:1", "", ""]


def test_bad_pool_url_answers_132(farm):
    reply = Session(farm.miners[API205], PASSWORD).write("update_pools", pool1="not a url", worker1="w", passwd1="x")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 132, "API parse pools param error")


def test_write_api_switched_off_answers_encrypted_45(farm):
    host = farm.miners[API205]
    assert farm.api("POST", "/miners/%s/write_api" % host, {"enabled": False})[0] == 200
    session = Session(host, PASSWORD)
    raw = exchange(host, session.envelope("set_led", param="auto"))
    assert "enc" in parse(raw)
    reply = session.open_reply(raw)
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 45, "can't access write cmd")
    assert farm.writes(host)[-1]["code"] == 45


def test_power_mode_restarts_silently_and_returns_with_the_new_mode(farm):
    host = farm.miners[API205]
    normal_power = summary_fields(host)["Power"]
    reply = Session(host, PASSWORD).write("set_low_power")
    assert reply["Code"] == 131
    assert not listening(host)
    assert farm.state(host)["restarting"] is True
    wait_back(host)
    fields = summary_fields(host)
    assert fields["Power Mode"] == "Low" and fields["Power"] < normal_power
    assert fields["Elapsed"] < 5
    assert read(host, "status")["Msg"]["power_mode"] == "low"


def test_power_limit_is_reported_and_99999_resets_it(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    assert session.write("adjust_power_limit", power_limit="2500")["Code"] == 131
    wait_back(host)
    fields = summary_fields(host)
    assert fields["Power Limit"] == 2500 and fields["Power"] <= 2500
    assert read(host, "status")["Msg"]["power_limit_set"] == "2500"
    assert session.write("adjust_power_limit", power_limit=99999)["Code"] == 131
    wait_back(host)
    assert read(host, "status")["Msg"]["power_limit_set"] == ""
    assert summary_fields(host)["Power Limit"] == 3600


def test_target_freq_sets_hash_percent_and_restarts(farm):
    host = farm.miners[API205]
    assert Session(host, PASSWORD).write("set_target_freq", percent="-20")["Code"] == 131
    assert not listening(host)
    wait_back(host)
    assert read(host, "status")["Msg"]["hash_percent"] == "-20"


def test_power_pct_sets_status_power_pct_and_lowers_power(farm):
    host = farm.miners[API205]
    before = summary_fields(host)["Power"]
    assert Session(host, PASSWORD).write("set_power_pct_v2", percent=70)["Code"] == 131
    assert read(host, "status")["Msg"]["power_pct"] == "70"
    assert summary_fields(host)["Power"] == pytest.approx(before * 0.7, rel=0.01)
    assert Session(host, PASSWORD).write("restore_power_pct")["Code"] == 14  # V2.2-only command on 2.0.5 firmware


def test_hydro_model_accepts_power_pct_v2_above_100(farm):
    assert Session(farm.miners[API205_HYDRO], PASSWORD).write("set_power_pct_v2", percent="150")["Code"] == 131
    assert Session(farm.miners[API205], PASSWORD).write("set_power_pct_v2", percent="150")["Code"] == 132


def test_fast_boot_shows_in_summary(farm):
    host = farm.miners[V3COMPAT]
    assert Session(host, PASSWORD).write("enable_btminer_fast_boot")["Code"] == 131
    assert summary_fields(host)["Btminer Fast Boot"] == "enable"
    assert farm.state(host)["fast_boot"] is True


def test_hostname_and_net_config_show_in_get_miner_info(farm):
    host = farm.miners[V3COMPAT]
    session = Session(host, PASSWORD)
    assert session.write("set_hostname", hostname="rack7-m60s")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "rack7-m60s"
    raw = exchange(host, session.envelope("net_config", ip=host, mask="255.255.255.0", gate="10.0.0.1",
                                          dns="10.0.0.1 10.0.0.2", host="rack7a"))
    assert raw == b""  # net_config closes without a reply by default
    wait_back(host)
    msg = read(host, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"], msg["gateway"], msg["dns"], msg["hostname"]) == (
        "static", host, "10.0.0.1", "10.0.0.1 10.0.0.2", "rack7a")
    assert farm.writes(host)[-1] == dict(farm.writes(host)[-1], command="net_config", code=131, replied=False)


def test_led_shows_in_get_miner_info_ledstat(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    assert session.write("set_led", color="red", period="2000", duration="1000", start="0")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["ledstat"] == "manual"
    assert session.write("set_led", param="auto")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["ledstat"] == "auto"
    assert session.write("set_led", param="green,300,100,0")["Code"] == 131
    assert farm.state(host)["led"] == {"mode": "manual", "color": "green", "period": 300, "duration": 100, "start": 0}


def test_power_off_stops_mining_and_power_on_resumes(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    assert session.write("power_off", respbefore="true")["Msg"] == "API command OK"
    status = read(host, "status")["Msg"]
    assert status["mineroff"] == "true" and status["mineroff_time"]
    assert summary_fields(host)["MHS av"] == 0
    assert all(b["MHS av"] == 0 for b in read(host, "edevs")["DEVS"])
    assert session.write("power_on")["Code"] == 131
    assert read(host, "status")["Msg"]["mineroff"] == "false" and summary_fields(host)["MHS av"] > 0


def test_btminer2021_power_off_sets_btmineroff(farm):
    host = farm.miners[BTMINER]
    assert Session(host, PASSWORD).write("power_off", respbefore="true")["Code"] == 131
    assert read(host, "status")["Msg"]["btmineroff"] == "true"


def test_btminer2021_does_not_know_api_2_0_5_commands(farm):
    assert Session(farm.miners[BTMINER], PASSWORD).write("adjust_power_limit", power_limit="3000")["Code"] == 14


def test_factory_reset_restores_admin_password_and_write_api_off(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    session.write("set_hostname", hostname="custom")
    assert session.write("factory_reset")["Code"] == 131
    wait_back(host)
    assert read(host, "get_token")["Msg"]["salt"] == "BQ5hoXV9"
    admin = Session(host, "admin")
    assert admin.write("set_led", param="auto")["Code"] == 45
    state = farm.state(host)
    assert (state["hostname"], state["write_api"], state["power_mode"]) == ("WhatsMiner", False, "normal")
    assert state["pools"][0]["user"] == "microbtinitial"


@pytest.mark.parametrize("command,params,fragment", [
    ("set_target_freq", {"percent": "101"}, "percent 101: must be from -100 to 100"),
    ("set_power_pct", {"percent": -1}, "percent -1: must be from 0 to 100"),
    ("adjust_upfreq_speed", {"upfreq_speed": "ten"}, "upfreq_speed"),
    ("set_temp_offset", {"temp_offset": 5}, "temp_offset 5: must be from -30 to 0"),
    ("adjust_power_limit", {"power_limit": "100000"}, "power_limit"),
    ("set_led", {"color": "blue", "period": 1, "duration": 1, "start": 0}, "color"),
    ("set_hostname", {"hostname": "bad name!"}, "hostname"),
    ("set_zone", {"timezone": "", "zonename": "Etc/UTC"}, "timezone"),
    ("load_log", {"ip": "10.0.0.1", "port": "514", "proto": "smtp"}, "proto"),
    ("update_pwd", {"old": "nope", "new": "x"}, "old password is wrong"),
    ("update_pwd", {"old": PASSWORD, "new": "waytoolongpw"}, "new password"),
    ("net_config", {"ip": "1.2.3", "mask": "255.255.255.0", "gate": "1.2.3.1", "dns": "1.1.1.1", "host": ""}, "ip"),
    ("set_poweroff_cool", {"poweroff_cool": "2"}, "poweroff_cool"),
])
def test_invalid_parameters_answer_132_naming_the_parameter(farm, command, params, fragment):
    reply = Session(farm.miners[V3COMPAT], PASSWORD).write(command, **params)
    assert (reply["STATUS"], reply["Code"]) == ("E", 132)
    assert fragment in reply["Msg"]
    assert farm.state(farm.miners[V3COMPAT])["restarting"] is False


@pytest.mark.parametrize("value", ["-30", -30, -12, "0"])
def test_numbers_and_numeric_strings_are_both_accepted(farm, value):
    assert Session(farm.miners[V3COMPAT], PASSWORD).write("set_temp_offset", temp_offset=value)["Code"] == 131
    assert farm.state(farm.miners[V3COMPAT])["temp_offset"] == int(value)


def test_remaining_settings_are_stored(farm):
    host = farm.miners[V3COMPAT]
    session = Session(host, PASSWORD)
    for command, params in [
        ("adjust_upfreq_speed", {"upfreq_speed": 9}), ("set_poweroff_cool", {"poweroff_cool": 1}),
        ("set_fan_zero_speed", {"fan_zero_speed": "1"}), ("set_heat_mode", {"mode": "heating"}),
        ("disable_btminer_init", {}), ("disable_web_pools", {}), ("set_zone", {"timezone": "UTC", "zonename": "Etc/UTC"}),
        ("load_log", {"ip": "10.0.0.9", "port": "514", "proto": "udp"}), ("set_power", {"power": "3000"}),
        ("set_customer_msg", {"key": "msg3", "val": "row 4"}),
    ]:
        assert session.write(command, **params)["Code"] == 131, command
    state = farm.state(host)
    assert (state["upfreq_speed"], state["poweroff_cool"], state["fan_zero_speed"], state["heat_mode"]) == (9, True, True, "heating")
    assert (state["btminer_init"], state["web_pools"], state["timezone"]) == (False, False, "UTC")
    assert state["rsyslog"] == {"ip": "10.0.0.9", "port": 514, "proto": "udp"}
    assert read(host, "get_miner_info")["Msg"]["upfreq_speed"] == "9"
    assert read(host, "get_customer_msg")["Msg"] == {"msg3": "row 4"}
    assert summary_fields(host)["Power"] <= 3000


def test_pre_power_on_reports_progress_until_complete(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    session.write("power_off", respbefore="true")
    assert session.write("pre_power_on", complete="false", msg="wait for adjust temp")["Msg"]["complete"] == "false"
    wait_until(lambda: session.write("pre_power_on")["Msg"]["complete"] == "true", timeout=5, step=0.5)


def test_reboot_closes_without_reply_goes_silent_and_returns(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    uptime_before = summary_fields(host)["Uptime"]
    assert exchange(host, session.envelope("reboot")) == b""
    assert not listening(host)
    wait_back(host)
    assert summary_fields(host)["Uptime"] < min(5, uptime_before)
    assert session.write("set_led", param="auto")["Code"] == 135  # tokens lived in RAM


def test_reply_mode_can_make_reboot_answer(farm):
    host = farm.miners[API205]
    assert farm.api("POST", "/miners/%s/reply_mode" % host, {"command": "reboot", "mode": "reply"})[0] == 200
    assert Session(host, PASSWORD).write("reboot")["Msg"] == "API command OK"
    wait_back(host)


def test_firmware_upload_sets_the_version_after_the_restart(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    payload = b"WMFW 20250321.14.Rel\n" + bytes(range(256)) * 2000
    ready, done = session.send_firmware(payload)
    assert (ready["Code"], ready["Msg"]) == (131, "ready")
    assert (done["STATUS"], done["Code"]) == ("S", 131)
    assert not listening(host)
    wait_back(host)
    assert read(host, "get_version")["Msg"]["fw_ver"] == "20250321.14.Rel"
    assert read(host, "status")["Msg"]["FirmwareVersion"] == "20250321.14.Rel"
    entry = farm.writes(host)[-1]
    assert entry["command"] == "update_firmware" and entry["params"]["size"] == len(payload)
    assert entry["params"]["received"] == len(payload) and len(entry["params"]["sha256"]) == 64


def test_firmware_upload_of_a_non_firmware_file_is_refused(farm):
    host = farm.miners[API205]
    ready, done = Session(host, PASSWORD).send_firmware(b"just some bytes\n" * 100)
    assert ready["Msg"] == "ready"
    assert (done["STATUS"], done["Code"]) == ("E", 132)
    assert listening(host)
    assert read(host, "get_version")["Msg"]["fw_ver"] == "20240624.18.REL"


def test_download_logs_sends_a_valid_gzip_tarball(farm):
    host = farm.miners[BTMINER]
    session = Session(host, PASSWORD)
    raw = exchange(host, session.envelope("download_logs"))
    header, end = json.JSONDecoder().raw_decode(raw.decode("latin-1"))
    reply = session.open_reply(json.dumps(header).encode())
    size = int(reply["Msg"]["logfilelen"])
    body = raw[end:]
    assert len(body) == size
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        assert "miner.log" in archive.getnames()
        log = archive.extractfile("miner.log").read().decode()
    assert "hashrate" in log and "pool 1" in log


def test_reads_after_writes_reflect_state_across_a_reset(farm):
    host = farm.miners[API205]
    Session(host, PASSWORD).write("set_hostname", hostname="temp")
    assert farm.api("POST", "/reset")[0] == 200
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "WhatsMiner"
    assert farm.writes(host) == []
