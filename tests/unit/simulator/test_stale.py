"""The stale fault: the write answers success (and restarts as usual) but the miner goes back to the old value."""

from __future__ import annotations

import socket
import struct
import time

from simclient import API205, BTMINER, PASSWORD, V3COMPAT, Session, exchange, listening, read, wait_until

NEW_POOLS = dict(pool1="stratum+tcp://new.pool:3333", worker1="acct.w1", passwd1="x",
                 pool2="", worker2="", passwd2="", pool3="", worker3="", passwd3="")


def inject(farm, host, **fault):
    status, body = farm.api("POST", "/miners/%s/fault" % host, dict(fault, kind="stale"))
    assert status == 200, body
    return body


def summary_fields(host: str) -> dict:
    reply = read(host, "summary")
    return reply["Msg"] if isinstance(reply["STATUS"], str) else reply["SUMMARY"][0]


def pool_urls(host: str) -> list:
    return [p["URL"] for p in read(host, "pools")["POOLS"]]


def test_stale_set_high_power_answers_restarts_and_comes_back_in_the_old_mode(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["set_high_power"], times=1)
    session = Session(host, PASSWORD)
    assert session.write("set_high_power")["Code"] == 131
    assert not listening(host)  # it restarts as the command always does
    wait_until(lambda: listening(host), timeout=10)
    fields = summary_fields(host)
    assert fields["Power Mode"] == "Normal" and fields["Elapsed"] < 5
    assert read(host, "status")["Msg"]["power_mode"] == "normal"
    entry = farm.writes(host)[-1]
    assert (entry["command"], entry["code"], entry["fault"]) == ("set_high_power", 131, "stale")
    assert farm.state(host)["faults"] == []  # times=1: used up
    assert session.write("set_high_power")["Code"] == 131  # the next one sticks
    wait_until(lambda: listening(host), timeout=10)
    assert summary_fields(host)["Power Mode"] == "High" and "fault" not in farm.writes(host)[-1]


def test_stale_power_off_leaves_the_miner_mining(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["power_off"])
    assert Session(host, PASSWORD).write("power_off", respbefore="true")["Msg"] == "API command OK"
    status = read(host, "status")["Msg"]
    assert status["mineroff"] == "false" and status["mineroff_reason"] == ""
    fields = summary_fields(host)
    assert fields["MHS av"] > 0 and fields["Elapsed"] < 5  # btminer started again (protocol.md 7.1 power_off)
    assert farm.state(host)["mining"] is True and farm.writes(host)[-1]["fault"] == "stale"


def test_stale_power_off_with_a_delay_is_off_for_a_while_then_mining_again(farm):
    host = farm.miners[BTMINER]
    inject(farm, host, commands=["power_off"], times=1, delay=1)
    assert farm.state(host)["faults"][0]["delay"] == 1.0
    assert Session(host, PASSWORD).write("power_off", respbefore="true")["Code"] == 131
    assert read(host, "status")["Msg"]["btmineroff"] == "true"
    started = time.monotonic()
    wait_until(lambda: read(host, "status")["Msg"]["btmineroff"] == "false", timeout=5, step=0.1)
    assert time.monotonic() - started > 0.5
    assert summary_fields(host)["MHS av"] > 0


def test_stale_update_pools_reads_back_the_old_pools(farm):
    host = farm.miners[V3COMPAT]
    before = pool_urls(host)
    inject(farm, host, commands=["update_pools"], times=2)
    session = Session(host, PASSWORD)
    for _attempt in range(2):
        assert session.write("update_pools", **NEW_POOLS)["Code"] == 131
        assert pool_urls(host) == before
    assert session.write("update_pools", **NEW_POOLS)["Code"] == 131
    assert pool_urls(host) == ["stratum+tcp://new.pool:3333", "", ""]
    assert [w.get("fault") for w in farm.writes(host)] == ["stale", "stale", None]


def test_stale_without_commands_takes_writes_only(farm):
    host = farm.miners[API205]
    inject(farm, host, times=1)
    assert read(host, "summary")["SUMMARY"]
    for command in ("get_token", "get_miner_info"):
        assert read(host, command)["STATUS"] == "S"
    assert farm.state(host)["faults"][0]["kind"] == "stale"  # reads left it alone
    session = Session(host, PASSWORD)
    assert session.write("set_hostname", hostname="never")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "WhatsMiner"
    assert farm.state(host)["faults"] == []


def test_a_write_refused_for_its_token_does_not_use_up_the_stale_fault(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["set_hostname"], times=1)
    session = Session(host, PASSWORD)
    good_sign, session.sign = session.sign, "NotAValidSignAtAll0000"
    assert session.write("set_hostname", hostname="refused")["Code"] == 135
    session.sign = good_sign
    assert session.write("set_hostname", hostname="reverted")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "WhatsMiner"


def test_other_faults_and_stale_are_independent(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["set_led"], times=1)
    fault = {"kind": "code", "code": 132, "commands": ["set_led"], "times": 1}
    assert farm.api("POST", "/miners/%s/fault" % host, fault)[0] == 200
    session = Session(host, PASSWORD)
    assert session.write("set_led", param="red,200,100,0")["Code"] == 132  # the code fault first, nothing done
    assert session.write("set_led", param="red,200,100,0")["Code"] == 131  # then the stale one
    assert farm.state(host)["led"] == {"mode": "auto"}


def test_stale_net_config_does_not_move_the_miner(farm):
    host = farm.miners[API205]
    new = host.rsplit(".", 1)[0] + ".220"
    inject(farm, host, commands=["net_config"], times=1)
    session = Session(host, PASSWORD)
    assert exchange(host, session.envelope("net_config", ip=new, mask="255.255.255.0", gate="127.0.0.254",
                                           dns="127.0.0.53", host="")) == b""
    wait_until(lambda: not farm.state(host)["restarting"], timeout=10)
    assert listening(host) and not listening(new)
    msg = read(host, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"]) == ("dhcp", host)
    assert farm.state(host)["address"] == host


def test_stale_update_pwd_keeps_the_old_password(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["update_pwd"], times=1)
    assert Session(host, PASSWORD).write("update_pwd", old=PASSWORD, new="n3w_pw")["Code"] == 131
    assert Session(host, PASSWORD).write("set_led", param="auto")["Code"] == 131


def test_reset_drops_a_pending_stale_restore(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["set_hostname"], times=1, delay=30)
    assert Session(host, PASSWORD).write("set_hostname", hostname="later")["Code"] == 131
    assert read(host, "get_miner_info")["Msg"]["hostname"] == "later"
    assert farm.api("POST", "/reset")[0] == 200
    assert farm.state(host)["faults"] == [] and farm.state(host)["hostname"] == "WhatsMiner"


def test_bad_stale_delay_is_a_400(farm):
    host = farm.miners[API205]
    assert farm.api("POST", "/miners/%s/fault" % host, {"kind": "stale", "delay": -1})[0] == 400
    assert farm.api("POST", "/miners/%s/fault" % host, {"kind": "stale", "delay": "soon"})[0] == 400


def test_stale_firmware_update_comes_back_with_the_old_version(farm):
    host = farm.miners[API205]
    inject(farm, host, commands=["update_firmware"], times=1)
    session = Session(host, PASSWORD)
    payload = b"WMFW 20250321.14.Rel\n" + bytes(range(256)) * 100
    with socket.create_connection((host, 4028), timeout=10) as sock:
        sock.sendall(session.envelope("update_firmware"))
        assert session.open_reply(sock.recv(65536))["Msg"] == "ready"
        sock.sendall(struct.pack("<I", len(payload)) + payload)
        done = b""
        while chunk := sock.recv(65536):
            done += chunk
    assert session.open_reply(done)["Code"] == 131
    wait_until(lambda: listening(host), timeout=10)
    assert read(host, "get_version")["Msg"]["fw_ver"] == "20240624.18.REL"
    assert farm.writes(host)[-1]["fault"] == "stale"
