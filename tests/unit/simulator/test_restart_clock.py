"""What a client sees of a restart: a btminer restart starts summary Elapsed again, a reboot also Uptime.

Config modules take a drop in Elapsed (or the connection being refused) as the sign that btminer restarted
(protocol.md section 7.1: set_*_power, adjust_power_limit and set_target_freq restart btminer).
"""

from __future__ import annotations

import json
import socket
import struct

import pytest

from simclient import API205, BTMINER, PASSWORD, V3COMPAT, Session, exchange, listening, read, wait_until

WRITES = {
    "set_low_power": {},
    "adjust_power_limit": {"power_limit": "3000"},
    "set_target_freq": {"percent": "-10"},
    "restart_btminer": {},
}


def summary_fields(host: str) -> dict:
    reply = read(host, "summary")
    return reply["Msg"] if isinstance(reply["STATUS"], str) else reply["SUMMARY"][0]


def v3_elapsed(host: str) -> int:
    body = json.dumps({"cmd": "get.miner.status", "param": "summary"}).encode()
    with socket.create_connection((host, 4433), timeout=5) as sock:
        sock.sendall(struct.pack("<I", len(body)) + body)
        size = struct.unpack("<I", sock.recv(4, socket.MSG_WAITALL))[0]
        return json.loads(sock.recv(size, socket.MSG_WAITALL))["msg"]["summary"]["elapsed"]


# btminer2021 firmware has no adjust_power_limit (an API 2.0.5 command): it answers 14 there
CASES = [(index, command) for index in (API205, BTMINER, V3COMPAT) for command in sorted(WRITES)
         if (index, command) != (BTMINER, "adjust_power_limit")]


@pytest.mark.parametrize("index,command", CASES)
def test_btminer_restart_starts_elapsed_again_and_keeps_uptime(farm, index, command):
    host = farm.miners[index]
    before = summary_fields(host)
    assert before["Elapsed"] > 3600
    session = Session(host, PASSWORD)
    exchange(host, session.envelope(command, **WRITES[command]))  # restart_btminer closes without a reply (7.2)
    assert not listening(host)
    wait_until(lambda: listening(host), timeout=10)
    after = summary_fields(host)
    assert after["Elapsed"] < 5 < before["Elapsed"]
    assert after["Uptime"] >= before["Uptime"]
    if index == V3COMPAT:
        assert v3_elapsed(host) < 5
    assert session.write("set_led", param="auto")["Code"] == 131  # tokens survive a btminer restart
