"""Readable commands: shapes per persona match the captured replies, quirks included."""

from __future__ import annotations

import json
import re
import socket
import time
import pytest

from simclient import API205, API205_HYDRO, BTMINER, BTMINER_H3, V3COMPAT, exchange, parse, read, template


def test_api205_summary_has_the_template_fields_in_list_style(farm):
    reply = read(farm.miners[API205], "summary")
    assert reply["STATUS"][0]["Code"] == 11 and reply["STATUS"][0]["Msg"] == "Summary"
    assert list(reply["SUMMARY"][0]) == list(template("api205", "summary")["SUMMARY"][0])
    assert reply["id"] == 1


def test_btminer2021_summary_matches_the_m31s_capture_fields(farm):
    fields = read(farm.miners[BTMINER], "summary")["SUMMARY"][0]
    captured = [k for k in template("btminer2021", "summary")["SUMMARY"][0] if not re.match(r"(Factory )?Error|Error \d", k)]
    assert [k for k in fields if not re.match(r"(Factory )?Error|Error \d", k)] == captured
    assert fields["Firmware Version"] == "'20210109.22.REL'"


def test_btminer2021_forwarded_replies_end_with_nul_and_daemon_replies_do_not(farm):
    host = farm.miners[BTMINER]
    for command in ("summary", "pools", "edevs", "devs", "devdetails", "summary+pools"):
        assert exchange(host, {"cmd": command}).endswith(b"}\x00"), command
    for command in ("status", "get_version", "get_token", "get_psu", "get_miner_info"):
        assert exchange(host, {"cmd": command}).endswith(b"}"), command
    assert not exchange(farm.miners[API205], {"cmd": "summary"}).endswith(b"\x00")


def test_btminer2021_status_has_btmineroff_and_single_quoted_firmware(farm):
    reply = read(farm.miners[BTMINER], "status")
    assert reply["Msg"] == {"btmineroff": "false", "Firmware Version": "'20210109.22.REL'"}
    assert reply["Description"] == "whatsminer v1.4.0"


def test_btminer2021_get_version_is_the_v1_4_0_daemon(farm):
    assert read(farm.miners[BTMINER], "get_version")["Msg"] == {"api_ver": "whatsminer v1.4.0", "fw_ver": "20210109.22.REL"}
    assert read(farm.miners[BTMINER_H3], "get_version")["Msg"]["fw_ver"] == "20210322.22.REL"
    assert read(farm.miners[BTMINER_H3], "summary")["STATUS"][0]["Description"] == "cgminer 4.9.2"


def test_btminer2021_get_psu_has_only_the_old_four_fields(farm):
    assert sorted(read(farm.miners[BTMINER], "get_psu")["Msg"]) == ["hw_version", "model", "name", "sw_version"]


def test_btminer2021_error_codes_use_the_invalid_api204_form_and_summary_keys(farm):
    host = farm.miners[BTMINER + 3]  # index 7: every miner with index % 5 == 2 carries errors
    raw = exchange(host, {"cmd": "get_error_code"})
    assert re.search(rb'"error_code":\["\d+":"[0-9: -]+"', raw)
    with pytest.raises(ValueError):
        json.loads(raw)
    fixed = json.loads(raw.replace(b"[", b"{").replace(b"]", b"}"))
    codes = sorted(int(c) for c in fixed["Msg"]["error_code"])
    summary = read(host, "summary")["SUMMARY"][0]
    assert summary["Error Code Count"] == len(codes)
    assert sorted(summary["Error Code %d" % i] for i in range(len(codes))) == codes


def test_api205_error_codes_are_a_list_of_single_key_objects(farm):
    reply = read(farm.miners[2], "get_error_code")
    assert reply["Code"] == 131
    assert reply["Msg"]["error_code"] and all(len(item) == 1 for item in reply["Msg"]["error_code"])
    assert read(farm.miners[API205], "get_error_code")["Msg"] == {"error_code": []}


def test_api205_status_is_flat_with_mineroff_and_power_fields(farm):
    msg = read(farm.miners[API205], "status")["Msg"]
    assert msg == {"mineroff": "false", "mineroff_reason": "", "mineroff_time": "", "FirmwareVersion": "20240624.18.REL",
                   "power_mode": "normal", "power_limit_set": "", "hash_percent": "0", "power_pct": "100"}


def test_api205_get_psu_spells_vender_and_v3compat_spells_vendor(farm):
    assert "vender" in read(farm.miners[API205], "get_psu")["Msg"]
    assert "vendor" in read(farm.miners[V3COMPAT], "get_psu")["Msg"]


def test_api205_get_version_reports_2_0_5_on_h616(farm):
    assert read(farm.miners[API205], "get_version")["Msg"] == {"api_ver": "2.0.5", "fw_ver": "20240624.18.REL", "platform": "H616"}


def test_v3compat_summary_is_a_flat_msg_without_5s_windows(farm):
    reply = read(farm.miners[V3COMPAT], "summary")
    assert reply["STATUS"] == "S" and reply["Code"] == 131
    msg = reply["Msg"]
    assert list(msg) == list(template("v3compat2026", "summary")["Msg"])
    assert "MHS 5s" not in msg and "Target MHS" not in msg
    assert msg["Hash Stable"] in ("true", "false")
    assert isinstance(msg["Power"], float) and isinstance(msg["MHS av"], int)


def test_v3compat_edevs_are_in_ths_without_when_or_code(farm):
    reply = read(farm.miners[V3COMPAT], "edevs")
    assert reply["STATUS"] == [{"STATUS": "S", "Msg": "3 ASC(s)"}]
    assert list(reply["DEVS"][0]) == list(template("v3compat2026", "edevs")["DEVS"][0])
    assert all(20 < board["MHS av"] < 100 for board in reply["DEVS"])


def test_v3compat_devdetails_is_deprecated_with_code_132(farm):
    reply = read(farm.miners[V3COMPAT], "devdetails")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 132, "This command is deprecated.")


def test_v3compat_get_miner_info_has_the_2026_keys(farm):
    msg = read(farm.miners[V3COMPAT], "get_miner_info")["Msg"]
    assert list(msg) == list(template("v3compat2026", "get_miner_info")["Msg"])
    assert msg["hostname"] == "WhatsMiner" and msg["ip"] == farm.miners[V3COMPAT] and msg["ledstat"] == "auto"


@pytest.mark.parametrize("index", [API205, API205_HYDRO, BTMINER, BTMINER_H3, V3COMPAT])
def test_summary_hashrate_is_the_sum_of_the_boards_and_power_is_within_the_limit(farm, index):
    host = farm.miners[index]
    joined = parse(exchange(host, {"cmd": "summary+edevs"}))
    summary = joined["summary"][0]
    fields = summary["Msg"] if isinstance(summary["STATUS"], str) else summary["SUMMARY"][0]
    boards = joined["edevs"][0]["DEVS"]
    scale = 1e6 if index == V3COMPAT else 1.0
    assert fields["MHS av"] == pytest.approx(sum(b["MHS av"] for b in boards) * scale, abs=0.05)
    assert 0 < fields["Power"] <= fields["Power Limit"]
    assert 10 < fields["Power"] / (fields["MHS av"] / 1e6) < 60  # J/TH of real WhatsMiners


def test_miners_differ_from_each_other_but_not_between_reads(farm):
    macs = [read(h, "get_miner_info")["Msg"]["mac"] for h in farm.miners]
    assert len(set(macs)) == len(macs)
    first = read(farm.miners[API205], "edevs")["DEVS"]
    again = read(farm.miners[API205], "edevs")["DEVS"]
    assert [b["PCB SN"] for b in first] == [b["PCB SN"] for b in again]
    assert first[0]["PCB SN"] != read(farm.miners[2], "edevs")["DEVS"][0]["PCB SN"]


def test_pools_list_three_slots_with_unused_ones_empty(farm):
    pools = read(farm.miners[API205], "pools")["POOLS"]
    assert [p["POOL"] for p in pools] == [1, 2, 3]
    assert pools[0]["URL"].startswith("stratum+tcp://") and pools[0]["Stratum Active"] is True
    assert (pools[2]["URL"], pools[2]["User"]) == ("", "")


def test_command_key_and_cmd_key_are_both_accepted(farm):
    host = farm.miners[API205]
    assert read(host, "get_version")["Code"] == 131
    assert parse(exchange(host, {"command": "get_version"}))["Code"] == 131
    assert parse(exchange(host, {"command": "get_miner_info", "parameter": "ip,mac"}))["Msg"]["mac"]


def test_unknown_command_answers_plaintext_code_14(farm):
    reply = read(farm.miners[BTMINER], "stats")
    assert reply == {"STATUS": "E", "When": reply["When"], "Code": 14, "Msg": "invalid cmd",
                     "Description": "whatsminer v1.4.0"}


def test_pyasic_upgrade_firmware_spelling_is_an_unknown_command(farm):
    assert read(farm.miners[API205], "upgrade_firmware")["Code"] == 14


def test_join_of_btminer_commands_has_one_single_element_list_per_command(farm):
    reply = parse(exchange(farm.miners[API205], {"command": "pools+summary+edevs"}))
    assert list(reply) == ["pools", "summary", "edevs", "id"]
    assert reply["summary"][0]["SUMMARY"][0]["MHS av"] > 0
    assert reply["pools"][0]["POOLS"][0]["POOL"] == 1 and len(reply["edevs"]) == 1


def test_join_with_a_daemon_command_is_refused(farm):
    reply = read(farm.miners[API205], "summary+get_version")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 45, "command join err")


def test_connection_closed_without_a_request_is_tolerated(farm):
    host = farm.miners[API205]
    for _i in range(5):
        socket.create_connection((host, 4028), timeout=2).close()
    assert read(host, "get_version")["Code"] == 131


def test_request_split_across_packets_is_answered_when_complete(farm):
    with socket.create_connection((farm.miners[API205], 4028), timeout=5) as sock:
        sock.sendall(b'{"cmd":"get_')
        time.sleep(0.2)
        sock.sendall(b'version"}')
        data = sock.recv(65536)
    assert json.loads(data)["Msg"]["api_ver"] == "2.0.5"


def test_idle_connection_is_closed_after_the_idle_timeout(farm):
    with socket.create_connection((farm.miners[API205], 4028), timeout=6) as sock:
        started = time.monotonic()
        assert sock.recv(100) == b""
        assert 1.5 < time.monotonic() - started < 5


def test_request_that_is_not_json_answers_code_23(farm):
    reply = parse(exchange(farm.miners[API205], b"summary\n"))
    assert (reply["Code"], reply["Msg"]) == (23, "json cmd err")
