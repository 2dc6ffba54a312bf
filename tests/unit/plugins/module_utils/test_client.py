"""WhatsMinerClient against the simulated farm over real TCP: what the miner received and holds."""

from __future__ import annotations

import gzip
import io
import socket
import tarfile
import threading
import time

import pytest
from simclient import API205, BTMINER, PASSWORD, V3COMPAT

from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    MinerTimeout,
    OutcomeUnknown,
    ProtocolError,
    TokenLimit,
    TokenRejected,
    UsageError,
    WriteApiDisabled,
    WrongPassword,
)


def client(farm, index, password=PASSWORD, **options):
    options.setdefault("timeout", 3)
    return WhatsMinerClient(farm.miners[index], password=password, **options)


@pytest.mark.parametrize("index", [API205, BTMINER, V3COMPAT])
def test_read_returns_checked_reply_on_every_generation(farm, index):
    reply = client(farm, index).read("get_version")
    assert reply["Msg"]["fw_ver"] == farm.state(farm.miners[index])["firmware_version"]


@pytest.mark.parametrize("index", [API205, BTMINER, V3COMPAT])
def test_read_joined_splits_parts_and_keeps_failed_parts_as_none(farm, index):
    replies = client(farm, index).read_joined("summary", "pools", "edevs", "devdetails", "get_version")
    assert set(replies) == {"summary", "pools", "edevs", "devdetails", "get_version"}
    assert replies["summary"] is not None and replies["pools"] is not None
    if index == V3COMPAT:
        assert replies["devdetails"] is None  # Code 132 "deprecated" on 2024-11+ firmware
    else:
        assert replies["devdetails"]["DEVDETAILS"]


def test_one_token_serves_every_write_of_a_client(farm):
    address = farm.miners[API205]
    miner = client(farm, API205)
    for color in ("red", "green", "red"):
        miner.write("set_led", color=color, period=1000, duration=500, start=0)
    assert farm.state(address)["tokens_active"] == 1
    assert [w["command"] for w in farm.writes(address)] == ["set_led"] * 3


def test_write_without_password_fails_before_sending(farm):
    address = farm.miners[API205]
    with pytest.raises(UsageError, match="nothing was sent") as err:
        client(farm, API205, password=None).write("set_led", param="auto")
    assert address in str(err.value) and "set_led" in str(err.value)
    assert farm.writes(address) == []
    assert farm.state(address)["tokens_active"] == 0


def test_wrong_password_is_named_as_such(farm):
    with pytest.raises(WrongPassword, match="wrong admin password") as err:
        client(farm, API205, password="not-it").write("set_led", param="auto")
    assert "not-it" not in str(err.value)
    assert farm.writes(farm.miners[API205]) == []


def test_write_api_switched_off_says_where_to_switch_it_on(farm):
    address = farm.miners[BTMINER]
    farm.api("POST", f"/miners/{address}/write_api", {"enabled": False})
    with pytest.raises(WriteApiDisabled, match="WhatsMinerTool"):
        client(farm, BTMINER).write("set_led", param="auto")


def test_token_rejected_once_is_fetched_again(farm):
    address = farm.miners[API205]
    miner = client(farm, API205)
    miner.write("set_led", param="auto")
    farm.api("POST", f"/miners/{address}/fault", {"kind": "code", "code": 135, "commands": ["set_led"], "times": 1})
    reply = miner.write("set_led", color="red", period=1000, duration=500, start=0)
    assert reply["Code"] == 131
    assert farm.state(address)["led"] != "auto"


def test_full_token_table_is_retried_with_backoff_then_reported(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "code", "code": 136, "commands": ["get_token"], "times": 2})
    assert client(farm, API205, backoff_s=0.01).write("set_led", param="auto")["Code"] == 131
    farm.api("POST", f"/miners/{address}/fault", {"kind": "code", "code": 136, "commands": ["get_token"], "times": 10})
    with pytest.raises(TokenLimit, match="token table is full"):
        client(farm, API205, backoff_s=0.01, token_retries=2).write("set_led", param="auto")


def test_no_reply_is_sent_outcome_unknown_never_success(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "no_reply", "commands": ["restart_btminer", "set_led"], "times": 2})
    restarting = client(farm, API205)
    assert restarting.write("restart_btminer") is None  # normal for this command, and proves nothing either way
    assert restarting.last_silence == "closed the connection without a reply"
    with pytest.raises(OutcomeUnknown, match="closed the connection without one") as err:
        client(farm, API205).write("set_led", param="auto")
    assert "the command was sent" in str(err.value) and "may or may not have been applied" in str(err.value)
    assert (err.value.host, err.value.command) == (address, "set_led")


def test_refused_connection_names_the_miner_and_the_command(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "refuse", "times": 2})
    with pytest.raises(ConnectionFailed) as err:
        client(farm, API205).read("summary")
    assert address in str(err.value) and "'summary'" in str(err.value)


def test_frozen_miner_times_out_instead_of_hanging(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "hang", "times": 2})
    started = time.monotonic()
    with pytest.raises(MinerTimeout, match="no reply within 0.5 s"):
        client(farm, API205, timeout=0.5).read("summary")
    assert time.monotonic() - started < 3


def test_truncated_reply_keeps_only_complete_fields(farm):
    address = farm.miners[V3COMPAT]
    whole = client(farm, V3COMPAT).read("get_miner_info")["Msg"]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "truncate", "commands": ["get_miner_info"], "times": 2})
    try:
        cut = client(farm, V3COMPAT).read("get_miner_info").get("Msg", {})
    except ProtocolError:
        return
    assert len(cut) < len(whole)
    assert all(whole[key] == value for key, value in cut.items())


def test_firmware_upload_streams_the_file_and_the_miner_reports_the_new_version(farm, tmp_path):
    address = farm.miners[API205]
    image = tmp_path / "fw.bin"
    with image.open("wb") as out:
        out.write(b"WMFW 20261126.01.REL\n")
        out.write(b"\xa5" * (3 * 1024 * 1024))
    client(farm, API205).upload_firmware(str(image), chunk_size=32 * 1024)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            version = client(farm, API205, timeout=1).read("get_version")["Msg"]["fw_ver"]
            if version == "20261126.01.REL":
                break
        except (ConnectionFailed, MinerTimeout):
            pass
        time.sleep(0.2)
    assert farm.state(address)["firmware_version"] == "20261126.01.REL"
    assert farm.writes(address)[-1]["command"] == "update_firmware"


def test_firmware_upload_accepts_a_file_object(farm):
    stream = io.BytesIO(b"WMFW 20261127.02.REL\n" + b"\0" * 4096)
    client(farm, BTMINER).upload_firmware(stream)
    assert farm.writes(farm.miners[BTMINER])[-1]["command"] == "update_firmware"


def test_log_download_is_a_complete_gzip_tarball(farm, tmp_path):
    dest = tmp_path / "logs.tgz"
    size = client(farm, API205).download_logs(str(dest))
    assert size == dest.stat().st_size > 0
    with tarfile.open(dest, "r:gz") as archive:
        assert archive.getnames()
    with gzip.open(dest) as unpacked:
        assert unpacked.read(1)


def test_concurrent_clients_each_get_their_answer(farm):
    errors = []

    def read_many(index):
        try:
            miner = client(farm, index)
            for _attempt in range(20):
                assert miner.read("get_version")["STATUS"] == "S"
        except Exception as err:  # pylint: disable=broad-exception-caught
            errors.append(err)

    threads = [threading.Thread(target=read_many, args=(i,)) for i in range(len(farm.miners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def test_unreachable_port_fails_fast_with_a_sentence():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match="connection refused"):
        WhatsMinerClient("127.0.0.1", port=port, timeout=1).read("summary")


# ---- time bounds and honest outcomes against the simulator (hostile servers: test_client_deadline.py) ----

def test_a_malformed_reply_to_a_read_is_asked_again_once(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "malformed", "commands": ["get_version"], "times": 1})
    assert client(farm, API205).read("get_version")["Msg"]["fw_ver"]


def test_a_read_that_stays_broken_says_it_was_tried_twice(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "malformed", "commands": ["get_version"], "times": 2})
    with pytest.raises(ProtocolError, match="tried twice"):
        client(farm, API205).read("get_version")


def test_a_write_whose_reply_is_cut_was_applied_and_is_reported_as_unknown(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "truncate", "commands": ["set_led"], "times": 1})
    with pytest.raises(OutcomeUnknown) as err:
        client(farm, API205).write("set_led", color="red", period=1000, duration=500, start=0)
    assert "the encrypted reply was cut off after" in err.value.cause
    assert "may or may not have been applied" in str(err.value)
    assert '{"enc"' not in str(err.value)  # says what happened, quotes no ciphertext
    # and indeed the miner carried it out, exactly once
    assert farm.state(address)["led"] != "auto"
    assert [w["command"] for w in farm.writes(address)] == ["set_led"]


def test_a_restarting_command_that_hangs_is_none_after_the_timeout(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "hang", "commands": ["restart_btminer"], "times": 1})
    miner = client(farm, API205, timeout=0.5)
    started = time.monotonic()
    assert miner.write("restart_btminer") is None
    assert miner.last_silence == "stayed silent for 0.5 s"
    assert time.monotonic() - started < 3


def test_a_135_on_get_token_names_the_token_request_itself(farm):
    address = farm.miners[API205]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "code", "code": 135, "commands": ["get_token"], "times": 1})
    with pytest.raises(TokenRejected) as err:
        client(farm, API205).write("set_led", param="auto")
    assert "command 'get_token'" in str(err.value)
    assert "even after a fresh one" not in str(err.value)
    assert "'set_led' was not sent" in str(err.value)
    assert farm.writes(address) == []
