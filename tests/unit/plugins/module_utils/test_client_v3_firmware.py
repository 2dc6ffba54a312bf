"""WhatsMinerV3Client.upload_firmware (set.system.update_firmware) over real TCP: against the simulated farm,
and, for the bytes on the wire, against a bare socket that plays the miner of matroskin's upgrade flow."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import struct
import threading
import time

import pytest
from simclient import PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils import _connection
from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import converge
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    CommandFailed,
    ConnectionFailed,
    MinerTimeout,
    OutcomeUnknown,
    UsageError,
    WriteApiDisabled,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import firmware
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade

COMMAND = "set.system.update_firmware"
NEW = "20260601.01.Rel"
BARE_MINER = "127.0.154.250"  # inside this suite's loopback range; the farm is elsewhere


def image(version=NEW, size=300 * 1024) -> bytes:
    head = f"WMFW {version}\n".encode()
    return head + bytes(range(256)) * ((size - len(head)) // 256)


def v3client(farm, password=PASSWORD, **options):
    options.setdefault("timeout", 3)
    return WhatsMinerV3Client(farm.miners[V3COMPAT], password=password, **options)


def reported_version(farm, wait_s=15.0) -> str | None:
    """The fwversion get.device.info reports once the miner listens again after its reboot."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            return v3client(farm, timeout=1, read_retries=0).get("get.device.info")["msg"]["system"]["fwversion"]
        except (ConnectionFailed, MinerTimeout):
            time.sleep(0.2)
    return None


class Recording(io.BytesIO):
    """A file object that notes the size of every read, to show the image is streamed in chunks."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list = []

    def read(self, size=-1):
        self.reads.append(size)
        return super().read(size)


# ---- against the simulated farm ------------------------------------------------------------------
def test_the_image_goes_after_ready_is_logged_as_v3_and_the_miner_reboots_into_it(farm, tmp_path):
    host = farm.miners[V3COMPAT]
    data = image()
    path = tmp_path / "fw.bin"
    path.write_bytes(data)
    final = v3client(farm).upload_firmware(str(path), chunk_size=32 * 1024)
    assert (final["code"], final["desc"]) == (0, COMMAND)
    entry = farm.writes(host)[-1]
    assert (entry["command"], entry["api"], entry["v2_command"], entry["code"]) == (COMMAND, "v3", "update_firmware", 0)
    assert (entry["size"], entry["received"], entry["sha256"], entry["version"]) == (
        len(data), len(data), hashlib.sha256(data).hexdigest(), NEW)
    assert farm.state(host)["last_upgrade"]["outcome"] == "installed"
    assert reported_version(farm) == NEW
    assert len(farm.writes(host)) == 1


def test_an_image_the_miner_refuses_raises_its_error_and_nothing_changes(farm):
    host = farm.miners[V3COMPAT]
    before = farm.state(host)["firmware_version"]
    with pytest.raises(CommandFailed, match=r"error -1 \(invalid firmware file: not a firmware file\)"):
        v3client(farm).upload_firmware(io.BytesIO(b"\x7fELF" + b"\0" * 5000))
    state = farm.state(host)
    assert (state["firmware_version"], state["last_upgrade"], state["restarting"]) == (before, None, False)
    assert [(e["command"], e["code"], e["error"]) for e in farm.writes(host)] == [(COMMAND, -1, "not a firmware file")]


def test_minus_4_is_write_api_disabled_and_no_image_byte_is_sent(farm):
    host = farm.miners[V3COMPAT]
    with pytest.raises(WriteApiDisabled, match="or the password is wrong"):
        v3client(farm, password="wrong1").upload_firmware(io.BytesIO(image()))
    farm.api("POST", "/miners/%s/write_api" % host, {"enabled": False})
    with pytest.raises(WriteApiDisabled, match=f"miner {host}: command '{COMMAND}'"):
        v3client(farm).upload_firmware(io.BytesIO(image()))
    assert [(e["command"], e["code"]) for e in farm.writes(host)] == [(COMMAND, -4)] * 2
    assert farm.state(host)["last_upgrade"] is None


def test_a_salt_that_changed_is_fetched_again_once_and_the_upload_goes_through(farm):
    host = farm.miners[V3COMPAT]
    client = v3client(farm, password="n3wpass")
    client.salt()
    farm.api("POST", "/miners/%s/password" % host, {"password": "n3wpass"})
    assert client.upload_firmware(io.BytesIO(image()))["code"] == 0
    assert [e["code"] for e in farm.writes(host)] == [-4, 0]


def test_a_cut_final_reply_is_outcome_unknown_and_the_image_is_not_sent_again(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "truncate", "commands": ["update_firmware"], "api": "v3"})
    with pytest.raises(OutcomeUnknown, match=rf"miner {host}: command '{COMMAND}'.*cut short"):
        v3client(farm).upload_firmware(io.BytesIO(image()))
    assert [(e["command"], e["code"]) for e in farm.writes(host)] == [(COMMAND, 0)]
    assert reported_version(farm) == NEW  # it was applied: only the read-back can tell


def test_without_a_password_nothing_is_sent(farm):
    host = farm.miners[V3COMPAT]
    with pytest.raises(UsageError, match="needs the miner's admin password"):
        v3client(farm, password=None).upload_firmware(io.BytesIO(image()))
    assert farm.writes(host) == []


def test_the_firmware_module_upgrades_a_v3_miner_through_v3_and_then_sends_nothing(farm, tmp_path):
    host = farm.miners[V3COMPAT]
    path = tmp_path / "fw.bin"
    path.write_bytes(image())
    task = {"host": host, "port": 4028, "password": PASSWORD, "timeout": 3.0, "api": "auto", "v3_port": 4433,
            "src": str(path), "version": None, "checksum": None, "platform": None, "force": False, "wait": True,
            "wait_timeout": 30}
    client = _connection.client_from_params(task, firmware)
    assert isinstance(client, V3Facade)
    first = firmware.run(client, task, False, False)
    assert first["changed"] and first["restarted"] and not first.get("failed"), first
    assert client.commands_sent == [{"api": "v3", "command": COMMAND}]
    assert (first["version"], first["bytes_sent"]) == (NEW, path.stat().st_size)
    second_client = _connection.client_from_params(task, firmware)
    second = converge(second_client, task, False, firmware.Upgrade())
    assert not second["changed"] and second["commands"] == [] and second_client.commands_sent == []
    assert [(e["command"], e.get("api")) for e in farm.writes(host)] == [(COMMAND, "v3")]


# ---- the bytes on the wire, against a bare socket ------------------------------------------------
def frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return struct.pack("<I", len(body)) + body


def read_frame(conn) -> dict:
    size = struct.unpack("<I", conn.recv(4, socket.MSG_WAITALL))[0]
    return json.loads(conn.recv(size, socket.MSG_WAITALL))


class BareMiner:
    """Answers the salt read, then one upload: "ready", reads the size and the image, then sends ``final`` (raw
    bytes). ``mode`` mute: no "ready"; deaf: "ready", then never reads; hold: reads it all, then neither answers
    nor closes. Whatever it does, it lets go once the client is done (``upload``)."""

    def __init__(self, final: bytes = b"", mode: str = "reply"):
        self.final = final
        self.mode = mode
        self.request = None
        self.size = None
        self.received = b""
        self.done = threading.Event()
        self.server = socket.socket()
        self.server.bind((BARE_MINER, 0))
        self.server.listen(2)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _peer = self.server.accept()
        with conn:
            read_frame(conn)
            conn.sendall(frame({"code": 0, "when": 1, "msg": {"salt": "abcdefgh"}, "desc": "get.device.info"}))
        conn, _peer = self.server.accept()
        with conn:
            self.request = read_frame(conn)
            if self.mode == "mute":
                self.done.wait(10)
                return
            conn.sendall(frame({"code": 0, "when": 1, "msg": "ready", "desc": COMMAND}))
            if self.mode == "deaf":
                self.done.wait(10)
                return
            self.size = struct.unpack("<I", conn.recv(4, socket.MSG_WAITALL))[0]
            while len(self.received) < self.size:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                self.received += chunk
            if self.mode == "hold":
                self.done.wait(10)
                return
            conn.sendall(self.final)

    def upload(self, source, timeout=3.0, **options):
        client = WhatsMinerV3Client(BARE_MINER, port=self.port, password="s3cret", timeout=timeout)
        try:
            return client.upload_firmware(source, **options)
        finally:
            self.done.set()
            self.thread.join(5)
            self.server.close()


def timed(call):
    started = time.monotonic()
    try:
        return call(), time.monotonic() - started
    except Exception as err:  # pylint: disable=broad-exception-caught
        return err, time.monotonic() - started


def test_the_request_is_signed_then_the_image_follows_its_little_endian_size_in_chunks():
    data = image(size=200 * 1024 + 17)
    source = Recording(b"skipped" + data)
    source.seek(len(b"skipped"))  # a file object is sent from where it stands
    done = {"code": 0, "when": 2, "msg": "ok", "desc": COMMAND}
    miner = BareMiner(b"\0\0\0\0" + frame(done))  # a heartbeat before the final reply is skipped
    assert miner.upload(source, chunk_size=16 * 1024) == done
    assert set(miner.request) == {"cmd", "ts", "token", "account"}  # no param (matroskin's request example)
    assert (miner.request["cmd"], miner.request["account"], len(miner.request["token"])) == (COMMAND, "super", 8)
    assert (miner.size, miner.received) == (len(data), data)
    assert source.reads and max(source.reads) <= 16 * 1024 and len(source.reads) >= len(data) // (16 * 1024)


def test_a_miner_that_reboots_without_a_final_reply_gives_none():
    assert BareMiner(b"").upload(io.BytesIO(image())) is None


def test_a_final_frame_cut_short_is_outcome_unknown():
    with pytest.raises(OutcomeUnknown, match="cut short"):
        BareMiner(frame({"code": 0, "msg": "ok"})[:9]).upload(io.BytesIO(image()))


def test_no_ready_within_the_timeout_says_nothing_was_uploaded():
    err, seconds = timed(lambda: BareMiner(mode="mute").upload(io.BytesIO(image()), timeout=1.0))
    assert isinstance(err, MinerTimeout) and "no reply within 1 s; nothing was uploaded" in str(err), repr(err)
    assert seconds < 3


def test_a_miner_that_stops_reading_the_image_fails_within_the_stall_bound(tmp_path):
    path = tmp_path / "fw.bin"
    with path.open("wb") as out:
        out.truncate(32 * 1024 * 1024)  # sparse: nothing to write, plenty to send
    err, seconds = timed(lambda: BareMiner(mode="deaf").upload(str(path), timeout=1.0))
    assert isinstance(err, MinerTimeout), repr(err)
    assert f"command '{COMMAND}'" in str(err) and "the miner did not get the whole image" in str(err)
    assert seconds < 4


def test_silence_after_the_whole_image_is_none_after_one_more_timeout():
    result, seconds = timed(lambda: BareMiner(mode="hold").upload(io.BytesIO(image()), timeout=1.0))
    assert result is None and 0.9 < seconds < 3
