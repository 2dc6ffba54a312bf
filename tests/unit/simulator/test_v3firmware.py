"""set.system.update_firmware on port 4433 (v3firmware.py), with raw sockets: the flow of matroskin's page
("ready", a 4-byte little-endian size, the image, a final reply, the reboot), judged by the V2 upload's rules."""

from __future__ import annotations

import json
import socket
import struct

from images import combined, plain
from simclient import PASSWORD, V3COMPAT, listening, wait_until
from test_v3api import signed, v3

COMMAND = "set.system.update_firmware"


def upload(host: str, image: bytes, password: str = PASSWORD) -> tuple:
    """The signed request; then, only after "ready", the size and the image on the same socket. Both replies
    (the second None when the miner said something else than ready, or closed without one)."""
    request = json.dumps(signed(host, COMMAND, password=password)).encode()
    with socket.create_connection((host, 4433), timeout=10) as sock:
        sock.sendall(struct.pack("<I", len(request)) + request)
        ready = read_frame(sock)
        if ready is None or ready["msg"] != "ready":
            return ready, None
        sock.sendall(struct.pack("<I", len(image)) + image)
        return ready, read_frame(sock)


def read_frame(sock):
    head = sock.recv(4, socket.MSG_WAITALL)
    if len(head) < 4:
        return None
    size = struct.unpack("<I", head)[0]
    return json.loads(sock.recv(size, socket.MSG_WAITALL))


def fwversion_when_up(host: str):
    try:
        return v3(host, "get.device.info", "system")["msg"]["system"]["fwversion"] if listening(host) else None
    except (OSError, ValueError, struct.error):
        return None


def test_ready_then_the_image_then_ok_and_the_reboot_into_the_new_version(farm):
    host = farm.miners[V3COMPAT]
    package = plain("20260601.01.Rel", b"\x01\x02" * 5000)
    ready, done = upload(host, package)
    assert (ready["code"], ready["msg"], ready["desc"]) == (0, "ready", COMMAND)
    assert (done["code"], done["msg"], done["desc"]) == (0, "ok", COMMAND)
    entry = farm.writes(host)[-1]
    assert (entry["command"], entry["api"], entry["v2_command"], entry["size"]) == (
        COMMAND, "v3", "update_firmware", len(package))
    assert farm.state(host)["last_upgrade"]["previous_version"] == "20251209.16.Rel2"
    wait_until(lambda: fwversion_when_up(host) == "20260601.01.Rel")


def test_a_whole_combined_image_is_refused_with_minus_1_and_nothing_changes(farm):
    host = farm.miners[V3COMPAT]
    image = combined([("h616", plain("20260601.01.Rel")), ("h6os", plain("20260601.01.Rel"))])
    _ready, done = upload(host, image)
    assert done["code"] == -1 and "a whole combined image (packages for h616, h6os)" in done["msg"]
    state = farm.state(host)
    assert (state["firmware_version"], state["last_upgrade"], state["restarting"]) == ("20251209.16.Rel2", None, False)


def test_a_bad_token_gets_minus_4_and_no_ready(farm):
    host = farm.miners[V3COMPAT]
    ready, done = upload(host, plain("20260601.01.Rel"), password="wrong1")
    assert (ready["code"], done) == (-4, None)
    assert [(e["command"], e["code"]) for e in farm.writes(host)] == [(COMMAND, -4)]


def test_a_planned_old_version_outcome_comes_back_on_the_old_version(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "old_version"})
    assert upload(host, plain("20260601.01.Rel"))[1]["code"] == 0
    wait_until(lambda: fwversion_when_up(host) is not None)
    assert fwversion_when_up(host) == "20251209.16.Rel2"
    assert farm.state(host)["last_upgrade"]["outcome"] == "old_version"


def test_a_fault_on_the_v2_command_takes_the_v3_upload(farm):
    host = farm.miners[V3COMPAT]
    farm.api("POST", "/miners/%s/fault" % host, {"kind": "code", "code": 132, "commands": ["update_firmware"]})
    ready, done = upload(host, plain("20260601.01.Rel"))
    assert (ready["code"], done) == (-1, None)
    assert farm.state(host)["last_upgrade"] is None
