"""Hostile miners on loopback: servers that misbehave on purpose, for the client's time bounds.

Importable by the unit tests (``Hostile(kind).start()``, a context manager) and runnable as a
script for the hostile_servers integration target:

    python hostile.py --ready-file servers.json [--network 127.0.90] [--kinds trickle,flood,...]

starts one server per kind on its own loopback address (random port), writes
``{"password": ..., "servers": [{"kind", "host", "port"}, ...]}`` to the ready file and runs until
SIGTERM/SIGINT or ``--lifetime`` seconds. Nothing here listens outside 127.0.0.0/8.

Unless ``honest_token`` is off, a server answers ``get_token`` properly (so a write gets as far as
sending its encrypted request) and misbehaves on every other request. The kinds:

trickle           sends a valid-looking reply one byte every ``interval`` seconds, never done in time
flood             sends an endless reply, well past the client's MAX_REPLY
silent            accepts and never reads or answers
mute              reads the request, then never answers (and never closes)
reset_on_accept   accepts and resets the connection at once
reset             reads the request, then resets the connection
empty             reads the request, then closes without a reply
malformed         answers with JSON that no repair can read
cut               answers with a reply cut off mid-way: mid-ciphertext for a write
wrong_api         answers every command with error 14; get_token's salt is unusable
token135          answers get_token with error 135
good              answers like a miner (``no_fin``: then keeps the connection open)
logs_drip         download_logs: a proper header, then the log one byte every ``interval``
logs_stall        download_logs: a proper header, then nothing
firmware_deaf     update_firmware: "ready", then never reads the image
firmware_slow     update_firmware: "ready", then reads 512 bytes every ``interval``
"""

from __future__ import annotations

import argparse
import json
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "plugins" / "module_utils"))

import _crypto  # noqa: E402  pylint: disable=wrong-import-position

PASSWORD = "h0stile"
SALT = "BQ5hoXV9"
BAD_SALT = "bad$salt!"
TOKEN_TIME = "5039"
NEWSALT = "P5NTAcEp"
MAX_REPLY = 4 * 1024 * 1024

KINDS = ("trickle", "flood", "silent", "mute", "reset_on_accept", "reset", "empty", "malformed", "cut", "wrong_api",
         "token135", "good", "logs_drip", "logs_stall", "firmware_deaf", "firmware_slow")
# The kinds the integration target runs, each against facts, a read and a write.
PLAYBOOK_KINDS = ("trickle", "flood", "silent", "mute", "reset_on_accept", "reset", "empty", "malformed", "cut", "wrong_api")

_VERSION = {"STATUS": "S", "When": 1773871985, "Code": 131,
            "Msg": {"api_ver": "2.0.5", "fw_ver": "20230803.11.REL", "platform": "H616"}, "Description": ""}


def _dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class Hostile:
    """One misbehaving miner on ``host`` and a free port; ``connections`` and ``requests`` record what came in."""

    def __init__(self, kind: str, host: str = "127.0.0.1", password: str = PASSWORD, honest_token: bool = True,
                 interval: float = 0.2, hold: float = 60.0, no_fin: bool = False, log_length: int = 1024 * 1024):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        self.kind = kind
        self.host = host
        self.honest_token = honest_token
        self.interval = interval
        self.hold = hold
        self.no_fin = no_fin
        self.log_length = log_length
        self.connections = 0
        self.requests: list = []
        self.received = 0  # bytes of firmware taken by the firmware_* kinds
        self._aes = _crypto.aes_key(_crypto.derive_key(password, SALT))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list = []
        self._open: set = set()
        self._listener = None
        self._wake = None
        self._acceptor = None
        self.port = 0

    # ---- life cycle ----------------------------------------------------------------------
    def start(self) -> Hostile:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.kind.startswith("firmware"):
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited: the image backs up soon
        listener.bind((self.host, 0))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._wake = socket.socketpair()
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"hostile-{self.kind}", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end every connection and join every thread."""
        self._stop.set()
        if self._wake is not None:
            self._wake[1].send(b"x")
        if self._acceptor is not None:
            self._acceptor.join(10)
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in list(self._threads):
            thread.join(10)
        for sock in (self._listener, *(self._wake or ())):
            if sock is not None:
                sock.close()
        self._listener = self._wake = self._acceptor = None

    def __enter__(self) -> Hostile:
        return self.start() if self._listener is None else self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def alive_threads(self) -> int:
        return sum(thread.is_alive() for thread in self._threads) + bool(self._acceptor and self._acceptor.is_alive())

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _events in selector.select():
                    if key.fileobj is not self._listener or self._stop.is_set():
                        continue
                    try:
                        conn, _peer = self._listener.accept()
                    except OSError:
                        continue
                    with self._lock:
                        self.connections += 1
                        self._open.add(conn)
                        self._threads = [t for t in self._threads if t.is_alive()]
                        thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                        self._threads.append(thread)
                    thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._behave(conn)
        except OSError:
            pass  # the client gave up or reset: that is what these servers are for
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    # ---- behaviours ----------------------------------------------------------------------
    def _behave(self, conn: socket.socket) -> None:
        kind = self.kind
        if kind == "silent":
            self._stop.wait(self.hold)
            return
        if kind == "reset_on_accept":
            _reset(conn)
            return
        request = self._read_request(conn)
        self.requests.append(request)
        command = request.get("command", request.get("cmd")) if isinstance(request, dict) else None
        encrypted = isinstance(request, dict) and request.get("enc") == 1
        if command == "get_token" and kind == "token135":
            conn.sendall(_dumps({"STATUS": "E", "When": int(time.time()), "Code": 135, "Msg": "check token err",
                                 "Description": ""}))
            return
        if command == "get_token" and (self.honest_token or kind in ("wrong_api", "good")):
            salt = BAD_SALT if kind == "wrong_api" else SALT
            conn.sendall(_dumps({"STATUS": "S", "When": int(time.time()), "Code": 134,
                                 "Msg": {"time": TOKEN_TIME, "salt": salt, "newsalt": NEWSALT}, "Description": ""}))
            return
        getattr(self, "_" + kind)(conn, encrypted)

    def _read_request(self, conn: socket.socket):
        """Read until one JSON object has arrived (as a miner does), the client's close, or 2 s."""
        conn.settimeout(2.0)
        data = b""
        decoder = json.JSONDecoder()
        while len(data) < 1024 * 1024:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
            try:
                value, _end = decoder.raw_decode(data.decode("utf-8", "replace").strip())
                return value
            except ValueError:
                continue
        return data

    def _encrypted(self, reply: dict) -> bytes:
        return _dumps({"enc": _crypto.encrypt(self._aes, _dumps(reply))})

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for index in range(len(data)):
            conn.sendall(data[index:index + 1])
            if self._stop.wait(self.interval):
                return

    def _trickle(self, conn, _encrypted):
        self._drip(conn, b'{"STATUS":"S","When":1773871985,"Code":131,"Msg":"' + b"x" * 100000 + b'"}')

    def _flood(self, conn, _encrypted):
        conn.settimeout(10)
        conn.sendall(b'{"STATUS":"S","Code":131,"Msg":"')
        block = b"x" * 65536
        sent = 0
        while sent < 3 * MAX_REPLY and not self._stop.is_set():
            conn.sendall(block)
            sent += len(block)

    def _mute(self, _conn, _encrypted):
        self._stop.wait(self.hold)

    def _reset(self, conn, _encrypted):
        _reset(conn)

    def _empty(self, conn, _encrypted):
        conn.shutdown(socket.SHUT_WR)

    def _malformed(self, conn, _encrypted):
        conn.sendall(b'{"STATUS":"S" "Code":131 "Msg" oops}')

    def _cut(self, conn, encrypted):
        whole = self._encrypted({"STATUS": "S", "When": 1773871985, "Code": 131, "Msg": "API command OK",
                                 "Description": ""}) if encrypted else _dumps(_VERSION)
        conn.sendall(whole[:37] if encrypted else b'{"Msg":{"hostname":"rack7-m6')

    def _wrong_api(self, conn, _encrypted):
        conn.sendall(_dumps({"STATUS": "E", "When": int(time.time()), "Code": 14, "Msg": "invalid cmd",
                             "Description": ""}))

    def _token135(self, conn, encrypted):
        self._good(conn, encrypted)

    def _good(self, conn, encrypted):
        if encrypted:
            conn.sendall(self._encrypted({"STATUS": "S", "When": int(time.time()), "Code": 131,
                                          "Msg": "API command OK", "Description": ""}))
        else:
            conn.sendall(_dumps(_VERSION) + b"\0")
        if self.no_fin:
            conn.settimeout(self.hold)
            while conn.recv(4096):
                pass

    def _logs_header(self, conn):
        conn.sendall(self._encrypted({"STATUS": "S", "When": int(time.time()), "Code": 131,
                                      "Msg": {"logfilelen": str(self.log_length)}, "Description": ""}))

    def _logs_drip(self, conn, _encrypted):
        self._logs_header(conn)
        self._drip(conn, b"\x1f" * self.log_length)

    def _logs_stall(self, conn, _encrypted):
        self._logs_header(conn)
        conn.sendall(b"\x1f\x8b\x08")
        self._stop.wait(self.hold)

    def _ready(self, conn):
        conn.sendall(self._encrypted({"STATUS": "S", "When": int(time.time()), "Code": 131, "Msg": "ready",
                                      "Description": ""}))

    def _firmware_deaf(self, conn, _encrypted):
        self._ready(conn)
        self._stop.wait(self.hold)

    def _firmware_slow(self, conn, _encrypted):
        self._ready(conn)
        conn.settimeout(self.hold)
        while not self._stop.wait(self.interval):
            chunk = conn.recv(512)
            if not chunk:
                return
            self.received += len(chunk)


def _reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--network", default="127.0.90", help="first three octets of the loopback addresses")
    parser.add_argument("--kinds", default=",".join(PLAYBOOK_KINDS))
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--lifetime", type=float, default=300.0, help="stop by itself after this many seconds")
    args = parser.parse_args(argv)
    if not args.network.startswith("127."):
        parser.error("--network must be inside 127.0.0.0/8")
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    servers = []
    try:
        for index, kind in enumerate(args.kinds.split(","), 1):
            servers.append(Hostile(kind, host=f"{args.network}.{index}", password=args.password,
                                   interval=args.interval, hold=args.lifetime).start())
        ready = {"password": args.password,
                 "servers": [{"kind": s.kind, "host": s.host, "port": s.port} for s in servers]}
        Path(args.ready_file + ".tmp").write_text(json.dumps(ready), encoding="utf-8")
        Path(args.ready_file + ".tmp").rename(args.ready_file)
        stopping.wait(args.lifetime)
    finally:
        for server in servers:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
