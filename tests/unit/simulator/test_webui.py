"""The web UI of 2024+ firmware: port 80 answers 307 to https, whose LuCI pages point to /cgi-bin/luci."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest

from simclient import API205, BTMINER, PASSWORD, V3COMPAT, Session, exchange, listening, start_farm, wait_until


def get(host: str, path: str, port: int = 80, tls: bool = False, method: str = "GET") -> tuple:
    """(status, headers, body) over a real TCP connection; certificate checks off, as pyasic has them."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=5, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8")
    finally:
        conn.close()


@pytest.fixture
def web_farm(farm):
    if not farm.state(farm.miners[API205])["web_listening"]:
        pytest.skip("this farm could not bind ports 80/443 (no privilege, or a wildcard listener holds them)")
    return farm


@pytest.mark.parametrize("index", [API205, V3COMPAT])
def test_port_80_redirects_the_same_url_to_https(web_farm, index):
    host = web_farm.miners[index]
    status, headers, body = get(host, "/")
    assert (status, headers["location"], body) == (307, "https://%s/" % host, "")
    assert get(host, "/cgi-bin/luci?lang=en")[1]["location"] == "https://%s/cgi-bin/luci?lang=en" % host
    assert get(host, "/", method="POST")[0] == 307


@pytest.mark.parametrize("index", [API205, V3COMPAT])
def test_https_serves_the_luci_index_and_login_form(web_farm, index):
    host = web_farm.miners[index]
    status, headers, body = get(host, "/", 443, tls=True)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'URL=/cgi-bin/luci"' in body and 'href="/cgi-bin/luci"' in body
    status, _headers, body = get(host, "/cgi-bin/luci", 443, tls=True)
    assert status == 200 and 'action="/cgi-bin/luci"' in body and 'name="luci_password"' in body
    assert "<title>%s - LuCI</title>" % web_farm.state(host)["hostname"] in body
    assert get(host, "/nothing", 443, tls=True)[0] == 404
    assert get(host, "/", 443, tls=True, method="DELETE")[0] == 405


def test_the_certificate_is_the_farms_self_signed_one(web_farm):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((web_farm.miners[V3COMPAT], 443), timeout=5) as raw:
        with context.wrap_socket(raw) as sock:
            der = sock.getpeercert(binary_form=True)
    assert b"whatsminer-simulator" in der


def test_btminer2021_firmware_has_no_web_ui(farm):
    host = farm.miners[BTMINER]
    assert not listening(host, 80) and not listening(host, 443)
    assert farm.state(host)["web_listening"] is False


def test_a_reboot_and_a_refuse_fault_take_the_web_ui_down_a_btminer_restart_does_not(web_farm):
    host = web_farm.miners[API205]
    assert Session(host, PASSWORD).write("set_low_power")["Code"] == 131
    assert not listening(host) and get(host, "/")[0] == 307
    wait_until(lambda: listening(host), timeout=10)
    assert exchange(host, Session(host, PASSWORD).envelope("reboot")) == b""
    assert not listening(host, 80) and not listening(host, 443)
    wait_until(lambda: listening(host, 80) and listening(host, 443), timeout=10)
    assert web_farm.api("POST", "/miners/%s/fault" % host, {"kind": "refuse"})[0] == 200
    assert not listening(host, 80)
    web_farm.api("DELETE", "/miners/%s/fault" % host)
    assert get(host, "/")[0] == 307


@pytest.mark.parametrize("tls_port,expected", [("18443", 307), ("none", 200)])
def test_web_ports_are_options_and_without_tls_port_80_serves_luci_itself(tmp_path_factory, tls_port, expected):
    farm = start_farm(tmp_path_factory, "--web-port", "18080", "--web-tls-port", tls_port, miners=1, personas="v3compat2026")
    try:
        host = farm.miners[0]
        status, headers, body = get(host, "/", 18080)
        assert status == expected
        if expected == 307:
            assert headers["location"] == "https://%s:18443/" % host
            assert "/cgi-bin/luci" in get(host, "/", 18443, tls=True)[2]
        else:
            assert "/cgi-bin/luci" in body and not listening(host, 18443)
        assert not listening(host, 80)
    finally:
        farm.stop()
