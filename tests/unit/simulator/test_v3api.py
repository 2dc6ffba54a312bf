"""The API V3 on 4433 that v3compat2026 miners also answer (length-prefixed JSON): reads, signed writes,
encrypted parameters, heartbeats, the client limit, and the faults and write log shared with port 4028."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import time

from Crypto.Cipher import AES
from simclient import API205, PASSWORD, V3COMPAT, Session, listening, read, template, wait_until


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
    # power-limit-set beyond the capture: pyasic, asic-rs and Tether read it there (v3api.device_info)
    assert set(reply["msg"]["miner"]) == set(captured["miner"]) | {"power-limit-set"}
    assert reply["msg"]["miner"]["power-limit-set"] == ""
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


def test_fan_and_heat_settings_read_what_port_4028_wrote(farm):
    host = farm.miners[V3COMPAT]
    assert v3(host, "get.fan.setting")["msg"] == {"fan-poweroff-cool": 0, "fan-zero-speed": 0, "fan-temp-offset": 0}
    assert v3(host, "get.miner.setting")["msg"]["heat-mode"] == "anti-freezing"
    session = Session(host, PASSWORD)
    for command, params in (("set_poweroff_cool", {"poweroff_cool": "1"}), ("set_temp_offset", {"temp_offset": "-10"}),
                            ("set_heat_mode", {"mode": "heating"})):
        assert session.write(command, **params)["Code"] == 131
    assert v3(host, "get.fan.setting")["msg"] == {"fan-poweroff-cool": 1, "fan-zero-speed": 0, "fan-temp-offset": -10}
    assert v3(host, "get.miner.setting")["msg"]["heat-mode"] == "heating"


def test_unsigned_set_commands_are_not_permitted_and_other_personas_have_no_v3(farm):
    assert v3(farm.miners[V3COMPAT], "set.system.led", "auto")["code"] == -4
    assert v3(farm.miners[V3COMPAT], "get.nothing")["code"] == -2
    try:
        socket.create_connection((farm.miners[API205], 4433), timeout=1).close()
        refused = False
    except ConnectionRefusedError:
        refused = True
    assert refused


# ---- writes, auth, faults, limits (docs/protocol_v3.md) ------------------------------------------

def signed(host: str, cmd: str, param=None, password: str = PASSWORD, ts=None, encrypt: bool = False) -> dict:
    """A set.* request as the V3 sources build it: ts, account super, token over the miner's salt."""
    salt = v3(host, "get.device.info", "salt")["msg"]["salt"]
    ts = int(time.time()) if ts is None else ts
    key = hashlib.sha256(f"{cmd}{password}{salt}{ts}".encode()).digest()
    if encrypt:
        plain = json.dumps(param).encode()
        pad = 16 - len(plain) % 16
        param = base64.b64encode(AES.new(key, AES.MODE_ECB).encrypt(plain + bytes([pad]) * pad)).decode()
    request = {"cmd": cmd, "ts": ts, "account": "super", "token": base64.b64encode(key).decode()[:8]}
    if param is not None:
        request["param"] = param
    return request


def send(host: str, request: dict, sock=None) -> dict:
    body = json.dumps(request).encode()
    own = sock is None
    sock = sock or socket.create_connection((host, 4433), timeout=5)
    try:
        sock.sendall(struct.pack("<I", len(body)) + body)
        size = struct.unpack("<I", sock.recv(4, socket.MSG_WAITALL))[0]
        return json.loads(sock.recv(size, socket.MSG_WAITALL))
    finally:
        if own:
            sock.close()


def closed_unanswered(sock) -> bool:
    """The miner ended the connection (close or reset) without a byte of reply."""
    try:
        return sock.recv(4) == b""
    except ConnectionResetError:
        return True


def test_signed_write_changes_the_state_and_lands_in_the_write_log(farm):
    host = farm.miners[V3COMPAT]
    reply = send(host, signed(host, "set.miner.service", "stop"))
    assert reply["code"] == 0 and reply["desc"] == "set.miner.service"
    assert farm.state(host)["mining"] is False
    assert read(host, "status")["Msg"]["mineroff"] == "true"  # the V2 port sees the same miner
    entry = farm.writes(host)[-1]
    assert (entry["command"], entry["api"], entry["v2_command"], entry["code"]) == ("set.miner.service", "v3", "power_off", 0)


def test_pools_travel_encrypted_and_their_passwords_stay_out_of_the_log(farm):
    host = farm.miners[V3COMPAT]
    pools = [{"pool": "stratum+tcp://v3.example:3333", "worker": "farm.v3", "passwd": "poolsecret"}]
    request = signed(host, "set.miner.pools", pools, encrypt=True)
    assert "poolsecret" not in json.dumps(request)
    assert send(host, request)["code"] == 0
    state = farm.state(host)
    assert state["pools"][0] == {"url": "stratum+tcp://v3.example:3333", "user": "farm.v3", "password_set": True}
    assert "poolsecret" not in json.dumps(farm.writes(host))
    assert send(host, signed(host, "set.miner.pools", pools))["code"] == -1  # not encrypted: refused


def test_no_permission_for_a_bad_token_the_write_api_off_or_the_factory_password(farm):
    host = farm.miners[V3COMPAT]
    assert send(host, signed(host, "set.miner.service", "stop", password="wrong"))["code"] == -4
    assert farm.api("POST", "/miners/%s/write_api" % host, {"enabled": False})[0] == 200
    assert send(host, signed(host, "set.miner.service", "stop"))["code"] == -4
    farm.api("POST", "/miners/%s/write_api" % host, {"enabled": True})
    farm.api("POST", "/miners/%s/password" % host, {"password": "admin"})
    assert send(host, signed(host, "set.miner.service", "stop", password="admin"))["code"] == -4
    assert farm.state(host)["mining"] is True
    assert [e["code"] for e in farm.writes(host)] == [-4, -4, -4]


def test_heartbeat_frames_get_no_answer_and_the_connection_serves_several_requests(farm):
    host = farm.miners[V3COMPAT]
    with socket.create_connection((host, 4433), timeout=5) as sock:
        sock.sendall(b"\0\0\0\0")
        assert send(host, {"cmd": "get.device.info", "param": "salt"}, sock)["msg"]["salt"]
        sock.sendall(b"\0\0\0\0")
        assert send(host, {"cmd": "get.miner.status", "param": "summary"}, sock)["code"] == 0


def test_the_eleventh_concurrent_client_is_closed(farm):
    host = farm.miners[V3COMPAT]
    held = [socket.create_connection((host, 4433), timeout=5) for _i in range(10)]
    try:
        assert all(send(host, {"cmd": "get.device.info", "param": "salt"}, s)["code"] == 0 for s in held[:1])
        with socket.create_connection((host, 4433), timeout=5) as extra:
            extra.sendall(struct.pack("<I", 2) + b"{}")
            assert closed_unanswered(extra)
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert v3(host, "get.device.info", "salt")["code"] == 0


def test_a_fault_named_by_the_v2_command_takes_the_v3_request(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "no_reply", "commands": ["power_off"], "times": 1})
    request = signed(host, "set.miner.service", "stop")
    with socket.create_connection((host, 4433), timeout=5) as sock:
        body = json.dumps(request).encode()
        sock.sendall(struct.pack("<I", len(body)) + body)
        assert closed_unanswered(sock)
    assert farm.state(host)["mining"] is True
    assert farm.writes(host)[-1]["fault"] == "no_reply"
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "code", "code": 45, "commands": ["summary"], "times": 1})
    assert v3(host, "get.miner.status", "summary")["code"] == -4


def test_a_refuse_fault_for_api_v3_closes_port_4433_only(farm):
    host = farm.miners[V3COMPAT]
    assert farm.api("POST", "/miners/%s/fault" % host, {"kind": "refuse", "api": "v3"})[0] == 200
    wait_until(lambda: not listening(host, 4433))
    assert read(host, "get_version")["Msg"]["fw_ver"]
    farm.api("DELETE", "/miners/%s/fault" % host)
    wait_until(lambda: listening(host, 4433))


def test_a_restarting_v3_write_takes_both_ports_away_and_starts_elapsed_again(farm):
    host = farm.miners[V3COMPAT]
    assert send(host, signed(host, "set.miner.power_mode", "high"))["code"] == 0
    assert farm.state(host)["power_mode"] == "high"
    wait_until(lambda: listening(host, 4433) and listening(host, 4028))
    assert v3(host, "get.miner.status", "summary")["msg"]["summary"]["elapsed"] < 30


def test_a_stale_power_off_slips_on_v2_while_v3_stop_sticks(farm):
    """protocol.md 13: on M64 fw 20250409.15.REL a V2 power_off did not keep the miner off; V3 stop did."""
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "stale", "commands": ["power_off"], "delay": 0.3})
    assert send(host, signed(host, "set.miner.service", "stop"))["code"] == 0
    time.sleep(0.6)
    assert farm.state(host)["mining"] is False  # the V3 write stuck; the stale fault still waits for V2
    assert [f["kind"] for f in farm.state(host)["faults"]] == ["stale"]
    send(host, signed(host, "set.miner.service", "start"))
    session = Session(host, PASSWORD)
    assert session.write("power_off", respbefore="true")["Code"] == 131
    wait_until(lambda: farm.state(host)["mining"], timeout=5)  # the V2 one did not
    assert farm.writes(host)[-1]["fault"] == "stale"
