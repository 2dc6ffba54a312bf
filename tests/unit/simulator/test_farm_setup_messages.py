"""The simulator as a user starts it: missing packages give the install line, and the web UI's TLS key is made
at start (cryptography, else openssl), or the web UI serves plain HTTP when neither is there."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess

from simclient import FARM, TEMPLATES, listening, simulator_python, wait_until

NETWORK = "127.0.141.0/24"
WEB = ["--web-port", "18080", "--web-tls-port", "18443"]


def blocker(tmp_path, *packages: str) -> str:
    """A directory that, first on PYTHONPATH, makes these packages fail to import."""
    for package in packages:
        (tmp_path / "blocked" / package).mkdir(parents=True)
        (tmp_path / "blocked" / package / "__init__.py").write_text('raise ImportError("%s is blocked by the test")\n' % package)
    return str(tmp_path / "blocked")


def run_farm(tmp_path, env: dict, *extra: str) -> tuple:
    """Start a one-miner v3compat2026 farm, return (proc, ready info); the caller stops proc."""
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [simulator_python(), str(FARM), "--miners", "1", "--network", NETWORK, "--persona", "v3compat2026",
         "--ready-file", str(ready), "--lifetime", "60", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **env))
    try:
        wait_until(lambda: ready.exists() or proc.poll() is not None, timeout=20)
    except AssertionError:
        proc.kill()
        raise
    if proc.poll() is not None:
        raise AssertionError("farm exited %s: %s" % (proc.returncode, proc.stderr.read()))
    return proc, json.loads(ready.read_text(encoding="utf-8"))


def stop(proc) -> str:
    proc.terminate()
    proc.wait(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return err


def peer_certificate(host: str, port: int) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=5) as raw:
        with context.wrap_socket(raw) as sock:
            return sock.getpeercert(binary_form=True)


def test_a_missing_package_prints_the_install_line_not_a_traceback(tmp_path):
    package = "Crypto"  # pycryptodome, which plugins/module_utils/_crypto.py imports
    done = subprocess.run(
        [simulator_python(), str(FARM), "--miners", "1", "--network", NETWORK],
        capture_output=True, text=True, timeout=30, env=dict(os.environ, PYTHONPATH=blocker(tmp_path, package)), check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "NameError" not in done.stderr
    assert "needs the collection's controller packages" in done.stderr
    assert "%s is blocked by the test" % package in done.stderr
    assert "%s -m pip install -r %s" % (simulator_python(), FARM.parents[2] / "requirements.txt") in done.stderr
    assert not listening("127.0.141.1")


def test_no_key_is_shipped_or_left_behind(tmp_path):
    assert not list(TEMPLATES.glob("*.key")), "a private key is shipped with the simulator"
    proc, info = run_farm(tmp_path, {"TMPDIR": str(tmp_path)}, *WEB)
    try:
        assert b"whatsminer-simulator" in peer_certificate(info["miners"][0], 18443)
        assert not list(tmp_path.glob("whatsminer-sim-tls-*")), "the key stayed on disk after the farm loaded it"
    finally:
        stop(proc)


def test_without_cryptography_the_openssl_command_makes_the_certificate(tmp_path):
    proc, info = run_farm(tmp_path, {"PYTHONPATH": blocker(tmp_path, "cryptography")}, *WEB)
    try:
        assert b"whatsminer-simulator" in peer_certificate(info["miners"][0], 18443)
    finally:
        assert "no HTTPS" not in stop(proc)


def test_without_cryptography_or_openssl_the_web_ui_serves_plain_http_and_says_so(tmp_path):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    proc, info = run_farm(tmp_path, {"PYTHONPATH": blocker(tmp_path, "cryptography"), "PATH": str(empty)}, *WEB)
    host = info["miners"][0]
    try:
        with socket.create_connection((host, 18080), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host.encode())
            reply = sock.makefile("rb").read()
        assert reply.startswith(b"HTTP/1.1 200 ") and b"/cgi-bin/luci" in reply
        assert not listening(host, 18443)
    finally:
        err = stop(proc)
    assert "no HTTPS web UI (neither the Python package cryptography nor the openssl command is installed)" in err
    assert "port 18080 serves it over plain HTTP" in err
