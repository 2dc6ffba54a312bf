"""The read-only API V3 on 4433 that v3compat2026 miners also answer (length-prefixed JSON)."""

from __future__ import annotations

import json
import socket
import struct

from simclient import API205, V3COMPAT, read, template


def v3(host: str, cmd: str, param=None) -> dict:
    body = json.dumps({"cmd": cmd, "param": param}).encode()
    with socket.create_connection((host, 4433), timeout=5) as sock:
        sock.sendall(struct.pack("<I", len(body)) + body)
        size = struct.unpack("<I", sock.recv(4, socket.MSG_WAITALL))[0]
        return json.loads(sock.recv(size, socket.MSG_WAITALL))


def test_device_info_has_the_captured_sections_and_this_miners_identity(farm):
    host = farm.miners[V3COMPAT]
    reply = v3(host, "get.device.info")
    assert reply["code"] == 0 and reply["desc"] == "get.device.info"
    captured = template("v3compat2026", "v3_get_device_info")["msg"]
    assert set(reply["msg"]) == set(captured)
    assert set(reply["msg"]["miner"]) == set(captured["miner"])
    assert reply["msg"]["miner"]["type"] == "M60S_VK40" and reply["msg"]["network"]["ip"] == host
    assert reply["msg"]["system"]["fwversion"] == read(host, "get_version")["Msg"]["fw_ver"]
    assert reply["msg"]["salt"] == farm.state(host)["password_salt"]


def test_miner_status_agrees_with_the_v2_port(farm):
    host = farm.miners[V3COMPAT]
    msg = v3(host, "get.miner.status", "summary+edevs+pools")["msg"]
    v2 = read(host, "summary")["Msg"]
    assert msg["summary"]["hash-average"] == round(v2["MHS av"] / 1e6, 3)
    assert [b["hash-average"] for b in msg["edevs"]] == [b["MHS av"] for b in read(host, "edevs")["DEVS"]]
    assert msg["pools"][0]["url"] == read(host, "pools")["POOLS"][0]["URL"]


def test_set_commands_are_not_permitted_and_other_personas_have_no_v3(farm):
    assert v3(farm.miners[V3COMPAT], "set.system.led", "auto")["code"] == -4
    assert v3(farm.miners[V3COMPAT], "get.nothing")["code"] == -2
    try:
        socket.create_connection((farm.miners[API205], 4433), timeout=1).close()
        refused = False
    except ConnectionRefusedError:
        refused = True
    assert refused
