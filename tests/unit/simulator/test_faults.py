"""Faults injected through the control API behave as their names say, and /reset clears them."""

from __future__ import annotations

import socket

import pytest

from simclient import API205, PASSWORD, Session, exchange, listening, parse, read


def inject(farm, host, **fault):
    status, body = farm.api("POST", "/miners/%s/fault" % host, fault)
    assert status == 200, body
    return body


def test_refuse_without_limits_closes_the_port(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="refuse")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, 4028), timeout=2)
    farm.api("DELETE", "/miners/%s/fault" % host)
    assert read(host, "get_version")["Code"] == 131


def test_refuse_with_times_resets_that_many_connections(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="refuse", times=2)
    for _i in range(2):
        with pytest.raises(ConnectionResetError):
            exchange(host, {"cmd": "summary"})
    assert read(host, "summary")["SUMMARY"]


def test_hang_accepts_and_never_answers(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="hang", times=1)
    with pytest.raises(socket.timeout):
        exchange(host, {"cmd": "summary"}, timeout=1)
    assert read(host, "summary")["SUMMARY"]


def test_no_reply_closes_without_answering_and_skips_the_write(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="no_reply", commands=["set_hostname"], times=1)
    session = Session(host, PASSWORD)
    assert exchange(host, session.envelope("set_hostname", hostname="never")) == b""
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "WhatsMiner"
    assert farm.writes(host)[-1]["fault"] == "no_reply"


def test_malformed_answers_invalid_json(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="malformed", commands=["summary"], times=1)
    with pytest.raises(ValueError):
        parse(exchange(host, {"cmd": "summary"}))
    assert read(host, "summary")["SUMMARY"]


def test_truncate_closes_half_way_through_the_reply(farm):
    host = farm.miners[API205]
    full = exchange(host, {"cmd": "pools"})
    inject(farm, host, kind="truncate", commands=["pools"], times=1)
    cut = exchange(host, {"cmd": "pools"})
    assert 0 < len(cut) < len(full) and full.startswith(cut[:40])


def test_code_fault_answers_the_code_plain_for_reads_and_encrypted_for_writes(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="code", code=132, commands=["summary", "set_led"], times=2)
    reply = read(host, "summary")
    assert (reply["STATUS"], reply["Code"]) == ("E", 132)
    session = Session(host, PASSWORD)
    raw = exchange(host, session.envelope("set_led", color="red", period=1, duration=1, start=0))
    assert "enc" in parse(raw) and session.open_reply(raw)["Code"] == 132
    assert farm.state(host)["led"] == {"mode": "auto"}
    assert read(host, "summary")["SUMMARY"]


def test_code_fault_136_on_get_token_is_plaintext(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="code", code=136, commands=["get_token"], times=1)
    reply = read(host, "get_token")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 136, "over max connect")
    assert read(host, "get_token")["Code"] == 134


def test_commands_filter_leaves_other_commands_alone(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="no_reply", commands=["pools"])
    assert exchange(host, {"cmd": "pools"}) == b""
    assert exchange(host, {"cmd": "pools"}) == b""
    assert read(host, "summary")["SUMMARY"]
    assert farm.state(host)["faults"] == [{"kind": "no_reply", "code": None, "commands": ["pools"], "times": None}]


def test_reset_clears_faults(farm):
    host = farm.miners[API205]
    inject(farm, host, kind="refuse")
    assert not listening(host)
    assert farm.api("POST", "/reset")[0] == 200
    assert listening(host) and farm.state(host)["faults"] == []


def test_bad_fault_request_is_a_400(farm):
    assert farm.api("POST", "/miners/%s/fault" % farm.miners[API205], {"kind": "explode"})[0] == 400
    assert farm.api("POST", "/miners/%s/fault" % farm.miners[API205], {"kind": "code"})[0] == 400
