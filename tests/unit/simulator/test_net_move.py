"""net_config moves a miner to another loopback address after its network restart, and DHCP brings it back."""

from __future__ import annotations

import json
import socket
import struct

import pytest

from simclient import API205, API205_HYDRO, BTMINER, PASSWORD, V3COMPAT, Session, exchange, listening, read, wait_until


def spare(farm, last_octet: int) -> str:
    """An address of the farm's /24 that no miner was given (the farm uses .1 to .12)."""
    return farm.miners[0].rsplit(".", 1)[0] + ".%d" % last_octet


def net_config(session: Session, host: str, ip: str, name: str = "") -> bytes:
    return exchange(host, session.envelope("net_config", ip=ip, mask="255.255.255.0", gate="127.0.0.254",
                                           dns="127.0.0.53", host=name))


def settled(farm, address: str) -> dict:
    """The miner's state once its restart is over (address may be its farm address or its new one)."""
    def done():
        state = farm.state(address)
        return None if state["restarting"] else state
    return wait_until(done, timeout=10)


def refused(host: str, port: int = 4028) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def v3_device_info(host: str) -> dict:
    body = json.dumps({"cmd": "get.device.info", "param": "network"}).encode()
    with socket.create_connection((host, 4433), timeout=5) as sock:
        sock.sendall(struct.pack("<I", len(body)) + body)
        size = struct.unpack("<I", sock.recv(4, socket.MSG_WAITALL))[0]
        return json.loads(sock.recv(size, socket.MSG_WAITALL))


def move(farm, index: int, ip: str, name: str = "") -> tuple:
    """net_config to ip; returns (old address, session) once the miner answers at ip."""
    host = farm.miners[index]
    session = Session(host, PASSWORD)
    assert net_config(session, host, ip, name) == b""  # net_config closes without a reply by default (7.2)
    wait_until(lambda: listening(ip), timeout=10)
    return host, session


def test_static_loopback_ip_moves_the_miner_and_the_old_address_refuses(farm):
    host = farm.miners[API205]
    new = spare(farm, 200)
    session = Session(host, PASSWORD)
    assert net_config(session, host, new, "rack3-m50s") == b""
    assert farm.state(host)["restarting"] is True
    assert refused(host) and not listening(new)  # the network restart: silent everywhere
    wait_until(lambda: listening(new), timeout=10)
    assert refused(host)
    version = read(new, "get_version")
    assert version["Code"] == 131 and version["Msg"]["fw_ver"] == "20240624.18.REL"
    msg = read(new, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"], msg["netmask"], msg["gateway"], msg["hostname"]) == (
        "static", new, "255.255.255.0", "127.0.0.254", "rack3-m50s")
    # tokens survive a network restart: the token fetched at the old address still signs writes at the new one
    session.host = new
    assert session.write("set_led", param="auto")["Code"] == 131
    fresh = Session(new, PASSWORD)
    assert fresh.write("set_hostname", hostname="rack3-m50s-b")["Code"] == 131
    assert read(new, "get_miner_info")["Msg"]["hostname"] == "rack3-m50s-b"
    assert [w["command"] for w in farm.writes(new)] == ["net_config", "set_led", "set_hostname"]


def test_control_api_follows_the_move_and_the_farm_address_stays_an_alias(farm):
    host, _session = move(farm, API205, spare(farm, 201))
    new = spare(farm, 201)
    status, miners = farm.api("GET", "/miners")
    assert status == 200
    assert miners[API205]["address"] == new and miners[API205]["farm_address"] == host
    assert [m["farm_address"] for m in miners] == farm.miners
    state = farm.state(new)
    assert (state["address"], state["farm_address"], state["network_error"]) == (new, host, None)
    assert state["listening"] is True and state["restarting"] is False
    assert farm.state(host) == dict(farm.state(host), address=new, farm_address=host)  # same miner, by its alias
    fault = {"kind": "code", "code": 132, "commands": ["summary"], "times": 1}
    assert farm.api("POST", "/miners/%s/fault" % host, fault)[0] == 200
    assert read(new, "summary")["Code"] == 132
    assert farm.api("GET", "/miners/%s" % spare(farm, 202))[0] == 404


def test_dhcp_brings_the_miner_back_to_its_farm_address(farm):
    new = spare(farm, 203)
    host, session = move(farm, API205_HYDRO, new)
    session.host = new
    assert exchange(new, session.envelope("net_config", param="dhcp")) == b""
    wait_until(lambda: listening(host), timeout=10)
    assert refused(new)
    msg = read(host, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"]) == ("dhcp", host)
    state = farm.state(host)
    assert (state["address"], state["farm_address"], state["network_error"]) == (host, host, None)
    assert farm.api("GET", "/miners")[1][API205_HYDRO]["address"] == host


def test_reset_puts_every_moved_miner_back_on_its_farm_address(farm):
    moved_to = {API205: spare(farm, 204), V3COMPAT: spare(farm, 205)}
    for index, new in moved_to.items():
        move(farm, index, new)
    v3_host = moved_to[V3COMPAT]
    assert v3_device_info(v3_host)["msg"]["network"]["ip"] == v3_host  # API V3 moved with it
    assert refused(farm.miners[V3COMPAT], 4433)
    assert farm.api("POST", "/reset")[0] == 200
    for index, new in moved_to.items():
        host = farm.miners[index]
        assert read(host, "get_version")["Code"] == 131 and refused(new)
        assert read(host, "get_miner_info")["Msg"]["ip"] == host
        assert farm.state(host)["address"] == host
    assert v3_device_info(farm.miners[V3COMPAT])["code"] == 0 and refused(v3_host, 4433)
    assert [m["address"] for m in farm.api("GET", "/miners")[1]] == farm.miners


def test_web_ui_moves_with_the_miner(farm):
    host = farm.miners[API205]
    if not farm.state(host)["web_listening"]:
        pytest.skip("this farm could not bind ports 80/443")
    new = spare(farm, 206)
    move(farm, API205, new)
    wait_until(lambda: listening(new, 80) and listening(new, 443), timeout=5)
    assert refused(host, 80) and refused(host, 443)


def test_an_address_held_by_another_miner_leaves_the_miner_where_it_was(farm):
    host = farm.miners[API205]
    other = farm.miners[BTMINER]
    session = Session(host, PASSWORD)
    assert net_config(session, host, other, "taken") == b""
    state = settled(farm, host)
    assert state["address"] == host and "in use" in state["network_error"] and other in state["network_error"]
    assert listening(host)
    msg = read(host, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"], msg["hostname"]) == ("dhcp", host, "taken")  # old network, new hostname
    assert read(other, "get_version")["Msg"]["fw_ver"].startswith("2021")  # the other miner is undisturbed
    assert farm.state(other)["address"] == other
    assert session.write("set_led", param="auto")["Code"] == 131


def test_an_address_that_cannot_be_bound_leaves_the_miner_where_it_was(farm):
    host = farm.miners[API205]
    blocked = spare(farm, 207)
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        squatter.bind((blocked, 4028))
        squatter.listen(1)
        assert net_config(Session(host, PASSWORD), host, blocked) == b""
        state = settled(farm, host)
    finally:
        squatter.close()
    assert state["address"] == host and state["network_error"].startswith("cannot listen on %s" % blocked)
    assert listening(host) and read(host, "get_miner_info")["Msg"]["ip"] == host


def test_a_later_network_restart_that_works_clears_network_error(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    net_config(session, host, farm.miners[BTMINER])
    assert settled(farm, host)["network_error"]
    net_config(session, host, spare(farm, 208))
    wait_until(lambda: listening(spare(farm, 208)), timeout=10)
    assert farm.state(host)["network_error"] is None


def test_a_static_ip_outside_loopback_is_reported_but_the_miner_stays(farm):
    host = farm.miners[API205]
    assert net_config(Session(host, PASSWORD), host, "10.20.30.40", "lan-miner") == b""
    state = settled(farm, host)
    assert (state["address"], state["network_error"]) == (host, None)
    wait_until(lambda: listening(host), timeout=5)
    msg = read(host, "get_miner_info")["Msg"]
    assert (msg["proto"], msg["ip"], msg["hostname"]) == ("static", "10.20.30.40", "lan-miner")


def test_a_freed_farm_address_can_be_taken_and_reset_sorts_it_out(farm):
    first, second = farm.miners[API205], farm.miners[API205_HYDRO]
    move(farm, API205, spare(farm, 209))
    move(farm, API205_HYDRO, first)  # the first miner's farm address is free now
    assert read(first, "get_miner_info")["Msg"]["mac"] == farm.state(second)["mac"]
    assert farm.state(first)["farm_address"] == second  # the current address wins over the alias
    assert farm.state(spare(farm, 209))["farm_address"] == first
    assert farm.api("POST", "/reset")[0] == 200
    assert read(first, "get_miner_info")["Msg"]["mac"] == farm.state(first)["mac"]
    assert farm.state(first)["farm_address"] == first and farm.state(second)["address"] == second
    assert listening(second) and refused(spare(farm, 209))


def test_factory_reset_of_a_moved_miner_brings_it_back_by_dhcp(farm):
    new = spare(farm, 210)
    host, session = move(farm, API205, new)
    session.host = new
    assert session.write("factory_reset")["Code"] == 131
    wait_until(lambda: listening(host), timeout=10)
    assert refused(new)
    assert read(host, "get_miner_info")["Msg"]["proto"] == "dhcp"
    assert read(host, "get_token")["Msg"]["salt"] == "BQ5hoXV9"
