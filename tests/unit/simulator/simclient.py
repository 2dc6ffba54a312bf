"""A deliberately plain client for the simulator tests: raw sockets, the collection's _crypto, nothing else."""

from __future__ import annotations

import ctypes
import ctypes.util
import ipaddress
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "plugins" / "module_utils"))

import _crypto  # noqa: E402

FARM = REPO / "tests" / "simulator" / "farm.py"
TEMPLATES = REPO / "tests" / "simulator" / "templates"
NETWORKS_FILE = REPO / "tests" / "output" / "test-networks"


def template(persona: str, name: str) -> dict:
    """One of the simulator's reply templates (copied from real captures)."""
    return json.loads((TEMPLATES / persona / (name + ".json")).read_text(encoding="utf-8"))


def simulator_python() -> str:
    """The interpreter that has pycryptodome: $SIM_PYTHON, else the repo's .venv, else this one."""
    explicit = os.environ.get("SIM_PYTHON")
    if explicit:
        return explicit
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def exchange(host: str, payload, port: int = 4028, timeout: float = 5.0, source: str | None = None) -> bytes:
    """One request, read to EOF as the miner closes."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
    with socket.create_connection((host, port), timeout=timeout, source_address=(source, 0) if source else None) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes) -> dict:
    return json.loads(raw.rstrip(b"\0"))


def read(host: str, command: str, **params) -> dict:
    return parse(exchange(host, dict({"cmd": command}, **params)))


class Session:
    """Token + key for one miner, as the collection's client will hold them."""

    def __init__(self, host: str, password: str, source: str | None = None) -> None:
        self.host = host
        self.password = password
        self.source = source
        self.token_reply = read(host, "get_token") if source is None else parse(exchange(host, {"cmd": "get_token"}, source=source))
        msg = self.token_reply["Msg"]
        self.key = _crypto.derive_key(password, msg["salt"])
        self.aes = _crypto.aes_key(self.key)
        self.sign = _crypto.make_sign(self.key, msg["time"], msg["newsalt"])

    def envelope(self, command: str, **params) -> bytes:
        body = json.dumps(dict({"cmd": command}, **params, token=self.sign)).encode("utf-8")
        return json.dumps({"enc": 1, "data": _crypto.encrypt(self.aes, body)}).encode("utf-8")

    def open_reply(self, raw: bytes) -> dict:
        """Decrypt {"enc": ...}; a plaintext error comes back as it is."""
        outer = parse(raw)
        if "enc" not in outer:
            return outer
        return json.loads(_crypto.decrypt(self.aes, outer["enc"]))

    def write(self, command: str, timeout: float = 5.0, **params) -> dict:
        return self.open_reply(exchange(self.host, self.envelope(command, **params), timeout=timeout))

    def send_firmware(self, payload: bytes, chunk: int = 50000) -> tuple:
        """update_firmware as a client sends it: the command, its "ready" reply, then the length and the file
        in chunks on the same connection; returns both replies."""
        with socket.create_connection((self.host, 4028), timeout=10) as sock:
            sock.sendall(self.envelope("update_firmware"))
            ready = self.open_reply(sock.recv(65536))
            sock.sendall(struct.pack("<I", len(payload)))
            for offset in range(0, len(payload), chunk):
                sock.sendall(payload[offset:offset + chunk])
            rest = b""
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                rest += part
        return ready, self.open_reply(rest)


def _die_with_parent():
    """A preexec_fn that makes the kernel send SIGTERM to the farm when the process that started it ends.

    ansible-test units runs every test in a fork that leaves with os._exit(), so no teardown or atexit
    handler of that fork runs; without this, each farm a forked test starts would outlive the run.
    Returns None where prctl is not available (not Linux): farm.py's --lifetime is then the only bound.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arm():
        prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)  # bound before the fork: nothing to import here
    return arm


class Farm:
    """farm.py as a subprocess, stopped with SIGTERM, and by the kernel if its parent dies first."""

    def __init__(self, workdir: Path, *args: str, script: Path = FARM) -> None:
        self.script = script
        self.ready_file = workdir / "farm-ready.json"
        self.args = list(args)
        self.proc = None
        self.miners: list = []
        self.control = ""
        self.cleanup = None

    def start(self, timeout: float = 30.0) -> Farm:
        if self.ready_file.exists():
            self.ready_file.unlink()
        self.proc = subprocess.Popen(
            [simulator_python(), str(self.script), "--ready-file", str(self.ready_file)] + self.args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent(),
        )
        deadline = time.monotonic() + timeout
        while not self.ready_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError("farm exited with %s: %s" % (self.proc.returncode, self.proc.stderr.read()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("farm not ready within %s s" % timeout)
            time.sleep(0.05)
        info = json.loads(self.ready_file.read_text(encoding="utf-8"))
        self.miners = info["miners"]
        self.control = info["control"]
        return self

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        if self.cleanup is not None:
            self.cleanup.cleanup()
            self.cleanup = None
        return self.proc.returncode

    def api(self, method: str, path: str, body=None):
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(self.control + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def state(self, address: str) -> dict:
        return self.api("GET", "/miners/" + address)[1]

    def writes(self, address: str) -> list:
        return self.api("GET", "/miners/%s/writes" % address)[1]


def wait_until(predicate, timeout: float = 10.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    raise AssertionError("condition not met within %s s" % timeout)


def listening(host: str, port: int = 4028) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


PASSWORD = "s3cret"
# miners 0-3 api205 (M50S, M56S, ...), 4-7 btminer2021 (M31S, M20S, ...), 8-11 v3compat2026 (M60S)
PERSONAS = "api205:4,btminer2021:4,v3compat2026:4"
API205, API205_HYDRO, BTMINER, BTMINER_H3, V3COMPAT = 0, 1, 4, 5, 8


def farm_networks(prefix: int) -> list:
    """Candidate networks of that prefix length for a test farm: inside $HASHOPS_TEST_NETWORKS (a CIDR
    inside 127.0.0.0/8, for runs that must keep to a given range), else inside 127.64.0.0 - 127.250.255.255.

    ansible-test units passes no variable of ours to the tests, so the Makefile also writes that one
    into tests/output/test-networks, which is read when the variable is not set.
    """
    wanted = os.environ.get("HASHOPS_TEST_NETWORKS")
    if not wanted and NETWORKS_FILE.is_file():
        wanted = NETWORKS_FILE.read_text(encoding="utf-8").strip()
    if wanted:
        network = ipaddress.ip_network(wanted, strict=False)
        if not network.subnet_of(ipaddress.ip_network("127.0.0.0/8")) or network.prefixlen > prefix:
            raise RuntimeError("HASHOPS_TEST_NETWORKS=%s is not a /%d or larger inside 127.0.0.0/8" % (wanted, prefix))
    else:
        network = ipaddress.ip_network("127.%d.%d.0/24" % (random.randint(64, 250), random.randint(0, 255)))
    subnets = [str(subnet) for subnet in network.subnets(new_prefix=prefix)]
    random.shuffle(subnets)
    return subnets[:16]


def start_farm(tmp_path_factory, *extra: str, miners: int = 12, personas: str = PERSONAS, script: Path = FARM) -> Farm:
    """A farm on a random free network (see farm_networks), so parallel runs rarely meet; the next one if taken.

    A farm of more than four miners gets a /24, as tests move its miners to spare addresses such as .200;
    a smaller one a /27, so that many fit in a narrow $HASHOPS_TEST_NETWORKS.
    tmp_path_factory may be None: the farm then works in a temporary directory removed by stop().
    script is the farm.py to run (another copy of the simulator, such as an installed collection's).
    """
    last_error = None
    for network in farm_networks(24 if miners > 4 else 27):
        if tmp_path_factory is not None:
            workdir, cleanup = tmp_path_factory.mktemp("farm"), None
        else:
            cleanup = tempfile.TemporaryDirectory(prefix="hashops-farm-")
            workdir = Path(cleanup.name)
        farm = Farm(workdir, "--miners", str(miners), "--network", network,
                    "--password", PASSWORD, "--persona", personas, "--lifetime", "600", *extra, script=script)
        farm.cleanup = cleanup
        try:
            return farm.start()
        except RuntimeError as err:
            last_error = err
            if cleanup is not None:
                cleanup.cleanup()
    raise RuntimeError("could not start a farm: %s" % last_error)
