"""WhatsMinerClient against hostile miners on loopback: every call ends in time, and says what happened.

The bounds asserted here are generous upper limits (a loaded 2-core machine must pass them), not
speed measurements: before the deadline existed, most of these calls never ended at all.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import hostile  # noqa: E402  pylint: disable=wrong-import-position
from hostile import Hostile  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.hashops.whatsminer.plugins.module_utils import _client  # noqa: E402
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient  # noqa: E402
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (  # noqa: E402
    ConnectionFailed,
    MinerTimeout,
    OutcomeUnknown,
    ProtocolError,
    TokenRejected,
    UsageError,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import command as command_resource  # noqa: E402
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import facts as facts_resource  # noqa: E402

TIMEOUT = 1.0


def _fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


@pytest.fixture(autouse=True)
def nothing_left_behind():
    """Every test here must end with the threads and file descriptors it started with."""
    threads = set(threading.enumerate())
    fds = _fds()
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (set(threading.enumerate()) - threads or (fds and _fds() > fds)):
        time.sleep(0.05)
    assert not set(threading.enumerate()) - threads, "a thread was left running"
    if fds is not None:
        assert _fds() <= fds, "a socket or file was left open"


def client_for(server: Hostile, **options) -> WhatsMinerClient:
    options.setdefault("timeout", TIMEOUT)
    options.setdefault("password", hostile.PASSWORD)
    return WhatsMinerClient(server.host, port=server.port, **options)


def timed(call):
    """``(exception or None, result, seconds)`` of ``call()``."""
    started = time.monotonic()
    try:
        result = call()
    except Exception as err:  # pylint: disable=broad-exception-caught
        return err, None, time.monotonic() - started
    return None, result, time.monotonic() - started


def writes_received(server: Hostile) -> int:
    return sum(1 for request in server.requests if isinstance(request, dict) and request.get("enc") == 1)


def names_host_and_command(err, server, command):
    text = str(err)
    return f"miner {server.host}:" in text and f"'{command}'" in text


# ---- reads ---------------------------------------------------------------------------------

READS = [
    # kind, exception, words in the message, tried again
    ("trickle", MinerTimeout, "kept the reply coming for 1 s without finishing it", True),
    ("silent", MinerTimeout, "no reply within 1 s", True),
    ("mute", MinerTimeout, "no reply within 1 s", True),
    ("reset_on_accept", ConnectionFailed, "", True),
    ("reset", ConnectionFailed, "reset the connection", True),
    ("empty", ProtocolError, "without a reply", True),
    ("malformed", ProtocolError, "", True),
    ("cut", ProtocolError, "", True),
    ("flood", ProtocolError, "grew past 4,194,304 bytes", False),
]


@pytest.mark.parametrize("kind, error, words, retried", READS, ids=[case[0] for case in READS])
def test_a_read_ends_in_time_names_host_and_command_and_retries_the_transient(kind, error, words, retried):
    with Hostile(kind) as server:
        err, _result, seconds = timed(lambda: client_for(server).read("get_version"))
        connections = server.connections
    assert isinstance(err, error), repr(err)
    assert names_host_and_command(err, server, "get_version")
    assert words in str(err)
    assert connections == (2 if retried else 1)
    assert ("tried twice" in str(err)) == retried
    assert seconds < 2 * TIMEOUT + 2 * TIMEOUT  # two attempts of at most TIMEOUT each, plus a wide margin


def test_one_deadline_per_exchange_whatever_the_peer_trickles():
    with Hostile("trickle", interval=0.1) as server:
        err, _result, seconds = timed(lambda: client_for(server, read_retries=0).read("summary"))
    assert isinstance(err, MinerTimeout)
    assert "bytes so far" in str(err)
    assert seconds < 3 * TIMEOUT


def test_a_trickle_costs_almost_no_cpu():
    with Hostile("trickle", interval=0.05) as server:
        cpu = time.process_time()
        err, _result, seconds = timed(lambda: client_for(server, timeout=1.5, read_retries=0).read("summary"))
        cpu = time.process_time() - cpu
    assert isinstance(err, MinerTimeout)
    assert cpu < 0.5 * seconds  # blocked in recv with a timeout, never spinning


def test_a_flood_is_refused_at_max_reply_with_bounded_memory():
    with Hostile("flood") as server:
        tracemalloc.start()
        try:
            err, _result, seconds = timed(lambda: client_for(server, timeout=5).read("summary"))
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(err, ProtocolError) and "grew past" in str(err)
    assert peak < 3 * _client.MAX_REPLY
    assert seconds < 5 * 3


def test_a_reply_without_the_close_is_used_once_it_is_whole():
    with Hostile("good", no_fin=True) as server:
        err, reply, seconds = timed(lambda: client_for(server, timeout=5).read("get_version"))
    assert err is None
    assert reply["Msg"]["fw_ver"] == "20230803.11.REL"
    assert seconds < 5  # FIN_GRACE_S after the object, not the whole timeout


def test_a_refusal_is_an_answer_and_is_not_repeated():
    with Hostile("wrong_api") as server:
        err, _result, _seconds = timed(lambda: client_for(server).read("summary"))
        assert server.connections == 1
    assert "error 14" in str(err)


def test_a_bad_timeout_is_a_usage_error_not_a_busy_loop():
    with Hostile("good") as server:
        for value in (0, -1, float("nan"), float("inf")):
            with pytest.raises(UsageError, match="timeout must be a positive number"):
                client_for(server, timeout=value).read("summary")
        assert server.connections == 0


# ---- facts ---------------------------------------------------------------------------------

def test_facts_name_the_error_the_miner_gave():
    with Hostile("wrong_api") as server:
        with pytest.raises(ProtocolError) as err:
            facts_resource.run(client_for(server), {"gather_subset": ["all"]}, check=False, diff=False)
    text = str(err.value)
    assert "every read was answered with an error; the first: summary+" in text
    assert "error 14 (invalid cmd)" in text
    assert f"miner {server.host}:" in text


@pytest.mark.parametrize("kind", ["trickle", "empty", "malformed", "reset"])
def test_facts_retry_once_then_fail_in_time_with_what_happened(kind):
    with Hostile(kind) as server:
        err, _result, seconds = timed(lambda: facts_resource.run(client_for(server), {"gather_subset": ["all"]},
                                                                 check=False, diff=False))
        connections = server.connections
    assert isinstance(err, (MinerTimeout, ProtocolError, ConnectionFailed))
    assert f"miner {server.host}:" in str(err) and "summary+" in str(err)
    assert connections == 2
    assert seconds < 4 * TIMEOUT


# ---- writes --------------------------------------------------------------------------------

LOST = [
    # kind, words saying what became of the reply
    ("trickle", "unfinished after 1 s"),
    ("mute", "missing (nothing came back within 1 s)"),
    ("reset", "the miner reset the connection"),
    ("empty", "missing (the miner closed the connection without one)"),
    ("malformed", "unusable ("),
    ("cut", "unusable (the encrypted reply was cut off after 37 bytes)"),
    ("flood", "unusable (it grew past 4,194,304 bytes without ending)"),
]


@pytest.mark.parametrize("kind, words", LOST, ids=[case[0] for case in LOST])
def test_a_write_whose_reply_is_lost_is_outcome_unknown_and_sent_once(kind, words):
    with Hostile(kind) as server:
        err, _result, seconds = timed(lambda: client_for(server, timeout=2 if kind == "flood" else TIMEOUT)
                                      .write("set_led", param="auto"))
        sent = writes_received(server)
    assert isinstance(err, OutcomeUnknown), repr(err)
    assert (err.host, err.command) == (server.host, "set_led")
    assert words in err.cause
    assert str(err).startswith(f"miner {server.host}: command 'set_led': the command was sent; the miner's reply was ")
    assert str(err).endswith("so it may or may not have been applied: read the miner's state to know")
    assert sent == 1  # a write is never repeated once it went out
    assert seconds < 3 * TIMEOUT + (4 if kind == "flood" else 0)


@pytest.mark.parametrize("kind", ["silent", "reset_on_accept"])
def test_a_write_that_never_got_its_token_says_it_was_not_sent(kind):
    with Hostile(kind) as server:
        err, _result, seconds = timed(lambda: client_for(server).write("set_led", param="auto"))
    assert isinstance(err, (MinerTimeout, ConnectionFailed)) and not isinstance(err, OutcomeUnknown)
    assert f"miner {server.host}: command 'get_token'" in str(err)
    assert "'set_led' was not sent" in str(err)
    assert seconds < 4 * TIMEOUT


@pytest.mark.parametrize("kind, silence", [
    ("empty", "closed the connection without a reply"),
    ("reset", "reset the connection without a reply"),
    ("mute", "stayed silent for 1 s"),
])
def test_a_restarting_command_without_reply_is_none_and_says_why(kind, silence):
    with Hostile(kind) as server:
        miner = client_for(server)
        err, reply, seconds = timed(lambda: miner.write("restart_btminer"))
    assert err is None and reply is None
    assert miner.last_silence == silence
    assert seconds < 3 * TIMEOUT


@pytest.mark.parametrize("kind", ["trickle", "malformed", "cut"])
def test_a_restarting_command_with_a_broken_reply_is_outcome_unknown(kind):
    with Hostile(kind) as server:
        with pytest.raises(OutcomeUnknown, match="may or may not have been applied"):
            client_for(server).write("restart_btminer")


def test_the_command_module_does_not_call_no_reply_a_success():
    with Hostile("empty") as server:
        result = command_resource.run(client_for(server), {"command": "power_off", "params": {"respbefore": "true"}},
                                      check=False, diff=False)
    assert result["sent"] and result["changed"] and result["reply"] is None
    assert result["msg"] == ("sent; the miner closed the connection without a reply, which is normal for this "
                             "command, so whether it was carried out is unknown: read the state back")


def test_an_unusable_salt_is_a_protocol_error_naming_get_token():
    with Hostile("wrong_api") as server:
        with pytest.raises(ProtocolError) as err:
            client_for(server).write("set_led", param="auto")
        assert writes_received(server) == 0
    text = str(err.value)
    assert f"miner {server.host}: command 'get_token'" in text
    assert "the miner's get_token reply had an unusable salt/time" in text
    assert "'set_led' was not sent" in text


def test_a_135_on_get_token_itself_is_not_blamed_on_a_fresh_token():
    with Hostile("token135") as server:
        with pytest.raises(TokenRejected) as err:
            client_for(server).write("set_led", param="auto")
    assert "even after a fresh one" not in str(err.value)
    assert "token request itself" in str(err.value)


class _Scripted(WhatsMinerClient):
    """Answers get_token from a script, so every field can be made absurd."""

    token_msg: dict = {}

    def _exchange(self, command, request):
        import json  # pylint: disable=import-outside-toplevel
        self._progress.sent = True
        return json.dumps({"STATUS": "S", "Code": 134, "Msg": self.token_msg}).encode()


@pytest.mark.parametrize("msg", [
    {"time": 5039, "salt": "BQ5hoXV9", "newsalt": "P5NTAcEp"},
    {"time": "5039", "salt": ["BQ5hoXV9"], "newsalt": "P5NTAcEp"},
    {"time": "5" * 5000, "salt": "BQ5hoXV9", "newsalt": "P5NTAcEp"},
    {"time": "5039", "salt": "BQ5hoXV9toolong", "newsalt": "P5NTAcEp"},
    {"time": "5039", "salt": "", "newsalt": "P5NTAcEp"},
    {"time": "50\x0039", "salt": "BQ5hoXV9", "newsalt": "P5NTAcEp"},
    {"time": "5039", "salt": "BQ5hoXV9", "newsalt": "sel\u00e9"},
], ids=["int-time", "list-salt", "huge-time", "long-salt", "empty-salt", "nul-in-time", "non-ascii-newsalt"])
def test_absurd_get_token_fields_are_a_protocol_error(msg):
    miner = type("Absurd", (_Scripted,), {"token_msg": msg})("10.9.8.7", password=hostile.PASSWORD, timeout=1)
    with pytest.raises(ProtocolError) as err:
        miner.write("set_led", param="auto")
    assert "miner 10.9.8.7: command 'get_token'" in str(err.value)
    assert "'set_led' was not sent" in str(err.value)


# ---- streams -------------------------------------------------------------------------------

def test_a_dripping_log_download_fails_in_time(tmp_path):
    with Hostile("logs_drip", interval=0.1) as server:
        err, _result, seconds = timed(lambda: client_for(server).download_logs(str(tmp_path / "logs.tgz")))
    assert isinstance(err, MinerTimeout)
    assert "the download was too slow" in str(err) and "of 1,048,576 bytes" in str(err)
    assert names_host_and_command(err, server, "download_logs")
    assert seconds < 3 * TIMEOUT


def test_a_stalled_log_download_fails_after_timeout(tmp_path):
    with Hostile("logs_stall") as server:
        err, _result, seconds = timed(lambda: client_for(server).download_logs(str(tmp_path / "logs.tgz")))
    assert isinstance(err, MinerTimeout)
    assert "the download stalled: nothing moved for 1 s after 3 of 1,048,576 bytes" in str(err)
    assert seconds < 3 * TIMEOUT
    assert not (tmp_path / "logs.tgz").exists()  # no partial tarball left behind


def test_a_log_length_nobody_believes_is_refused(tmp_path):
    with Hostile("logs_stall", log_length=10 ** 12) as server:
        with pytest.raises(ProtocolError, match="more than the"):
            client_for(server).download_logs(str(tmp_path / "logs.tgz"))
    assert not (tmp_path / "logs.tgz").exists()


@pytest.mark.parametrize("kind", ["firmware_deaf", "firmware_slow"])
def test_an_upload_to_a_miner_that_stops_reading_fails_in_time(kind, tmp_path):
    image = tmp_path / "fw.bin"
    with image.open("wb") as out:
        out.truncate(32 * 1024 * 1024)  # sparse: nothing to write, plenty to send
    with Hostile(kind, interval=0.1) as server:
        err, _result, seconds = timed(lambda: client_for(server).upload_firmware(str(image)))
    assert isinstance(err, MinerTimeout), repr(err)
    assert names_host_and_command(err, server, "update_firmware")
    assert "the upload stalled" in str(err) or "the upload was too slow" in str(err)
    assert "the miner did not get the whole image" in str(err)
    assert seconds < 4 * TIMEOUT


def test_a_stream_header_that_never_comes_says_nothing_was_uploaded(tmp_path):
    image = tmp_path / "fw.bin"
    image.write_bytes(b"WMFW" + b"\0" * 1024)
    with Hostile("mute") as server:
        err, _result, seconds = timed(lambda: client_for(server).upload_firmware(str(image)))
    assert isinstance(err, MinerTimeout)
    assert "no reply within 1 s; nothing was uploaded" in str(err)
    assert seconds < 3 * TIMEOUT
