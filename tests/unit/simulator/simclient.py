"""A deliberately plain client for the simulator tests: raw sockets, the collection's _crypto, nothing else."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "plugins" / "module_utils"))

import _crypto  # noqa: E402

FARM = REPO / "tests" / "simulator" / "farm.py"
TEMPLATES = REPO / "tests" / "simulator" / "templates"


def template(persona: str, name: str) -> dict:
    """One of the simulator's reply templates (copied from real captures)."""
    return json.loads((TEMPLATES / persona / (name + ".json")).read_text(encoding="utf-8"))


def simulator_python() -> str:
    """The interpreter that has passlib and pycryptodome: $SIM_PYTHON, else the repo's .venv, else this one."""
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


class Farm:
    """farm.py as a subprocess, stopped with SIGTERM."""

    def __init__(self, workdir: Path, *args: str) -> None:
        self.ready_file = workdir / "farm-ready.json"
        self.args = list(args)
        self.proc = None
        self.miners: list = []
        self.control = ""

    def start(self, timeout: float = 30.0) -> Farm:
        if self.ready_file.exists():
            self.ready_file.unlink()
        self.proc = subprocess.Popen(
            [simulator_python(), str(FARM), "--ready-file", str(self.ready_file)] + self.args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


def start_farm(tmp_path_factory, *extra: str, miners: int = 12, personas: str = PERSONAS) -> Farm:
    """A farm on a random /24 of 127.0.0.0/8, so parallel runs rarely meet; retried if the range is taken."""
    last_error = None
    for _attempt in range(5):
        network = "127.%d.%d.0/24" % (random.randint(64, 250), random.randint(0, 255))
        farm = Farm(tmp_path_factory.mktemp("farm"), "--miners", str(miners), "--network", network,
                    "--password", PASSWORD, "--persona", personas, "--lifetime", "600", *extra)
        try:
            return farm.start()
        except RuntimeError as err:
            last_error = err
    raise RuntimeError("could not start a farm: %s" % last_error)
