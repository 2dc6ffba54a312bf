# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_firmware on a fake miner: what is compared, what is sent (the right slice, or nothing),
the one retry, and each way an upgrade can fail, with the miner and the cause in the message."""

from __future__ import annotations

import hashlib
import os
import types

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _waiter
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    UsageError,
    WriteApiDisabled,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import firmware

from images import combined, plain  # tests/unit/simulator, on sys.path through conftest

OLD, NEW = "20240624.18.REL", "20250321.14.Rel"
HOST = "10.0.0.9"


class FakeMiner:
    """Reports fw_ver/platform/mining; an upload reads the stream as the client does, then reboots."""

    host = HOST

    def __init__(self, version=OLD, platform="H616", outcome="installed", down_reads=2):
        self.version = version
        self.platform = platform
        self.mining = True
        self.elapsed = 900
        self.outcome = outcome
        self.down_reads_after = down_reads
        self.down = 0
        self.uploads = []  # the bytes of each upload
        self.upload_errors = []  # raised by the next uploads, before ("ready") or after reading some bytes
        self.reads = 0

    def read_joined(self, *commands):
        self.reads += 1
        if self.down:
            self.down -= 1
            raise ConnectionFailed(self.host, commands[0], "connection refused on port 4028")
        version = {"fw_ver": self.version} if self.version else {}
        if self.platform:
            version["platform"] = self.platform
        return {"summary": {"STATUS": [{"STATUS": "S"}], "SUMMARY": [{"Elapsed": self.elapsed}]},
                "status": {"STATUS": "S", "Msg": {"mineroff": "false" if self.mining else "true"}},
                "get_version": {"STATUS": "S", "Msg": version}}

    def upload_firmware(self, stream):
        size = stream.seek(0, os.SEEK_END) - 0
        stream.seek(0)
        if self.upload_errors:
            error, after = self.upload_errors.pop(0)
            if after:
                stream.read(after)
            self.uploads.append(None)
            raise error
        data = stream.read(size)
        self.uploads.append(data)
        first = data.split(b"\n", 1)[0]
        if self.outcome != "old_version" and first.startswith(b"WMFW "):
            self.version = first[5:].decode()
        if self.outcome == "not_mining":
            self.mining = False
        self.elapsed = 0
        self.down = 10 ** 9 if self.outcome == "never_back" else self.down_reads_after
        return {"STATUS": "S", "Code": 131, "Msg": "Updated"}


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    clock = types.SimpleNamespace(now=1000.0)

    def sleep(seconds):
        clock.now += seconds
    fake = types.SimpleNamespace(monotonic=lambda: clock.now, sleep=sleep)
    monkeypatch.setattr(_waiter, "time", fake)
    monkeypatch.setattr(firmware, "time", fake)


def image(tmp_path, data: bytes):
    path = tmp_path / "fw.bin"
    path.write_bytes(data)
    return str(path)


def params(src, **options):
    base = dict(host=HOST, port=4028, password="pw", timeout=10.0, src=src, version=None, checksum=None,
                platform=None, force=False, wait=True, wait_timeout=900)
    base.update(options)
    return base


def run(miner, src, check=False, **options):
    return firmware.run(miner, params(src, **options), check, True)


BOARDS = [("h616", plain(NEW, b"6" * 2000)), ("h6os", plain(NEW, b"o" * 3000))]


def test_check_mode_reports_from_and_to_and_sends_nothing(tmp_path):
    miner = FakeMiner()
    result = run(miner, image(tmp_path, combined(BOARDS)), check=True)
    assert result["changed"] and miner.uploads == []
    assert result["msg"] == f"check mode: would upgrade from {OLD} to {NEW}; nothing was sent"
    assert (result["previous_version"], result["version"], result["bytes_sent"]) == (OLD, NEW, 0)
    assert result["package"] == {"platform": "h616", "offset": 6812, "size": len(BOARDS[0][1])}
    assert result["diff"] == {"before": {"version": OLD}, "after": {"version": NEW}}
    assert result["commands"] == [{"command": "update_firmware", "params": {}}]


def test_a_plain_image_is_sent_whole_and_verified(tmp_path):
    data = plain(NEW, os.urandom(5000))
    miner = FakeMiner()
    result = run(miner, image(tmp_path, data))
    assert miner.uploads == [data]
    assert result["changed"] and result["restarted"] and not result.get("failed")
    assert (result["previous_version"], result["version"]) == (OLD, NEW)
    assert result["bytes_sent"] == len(data) and result["package"] is None
    assert isinstance(result["elapsed_s"], float)


def test_a_combined_image_sends_only_the_package_for_the_miners_platform(tmp_path):
    miner = FakeMiner(platform="H6OS")
    result = run(miner, image(tmp_path, combined(BOARDS)))
    assert miner.uploads == [BOARDS[1][1]]
    assert result["package"]["platform"] == "h6os" and result["bytes_sent"] == len(BOARDS[1][1])
    assert result["version"] == NEW


def test_a_miner_already_on_the_version_gets_nothing(tmp_path):
    miner = FakeMiner(version=NEW)
    result = run(miner, image(tmp_path, plain(NEW)))
    assert not result["changed"] and miner.uploads == [] and result["commands"] == []
    assert result["previous_version"] == result["version"] == NEW


def test_force_sends_the_image_again(tmp_path):
    miner = FakeMiner(version=NEW)
    result = run(miner, image(tmp_path, plain(NEW)), force=True)
    assert result["changed"] and len(miner.uploads) == 1 and not result.get("failed")


def test_an_image_without_a_package_for_the_platform_is_refused_before_anything_is_sent(tmp_path):
    miner = FakeMiner(platform="H3")
    with pytest.raises(UsageError) as err:
        run(miner, image(tmp_path, combined(BOARDS)))
    text = str(err.value)
    assert text.startswith(f"miner {HOST}: command 'update_firmware': ")
    assert "no package for platform h3 (it holds packages for h616, h6os)" in text and "nothing was sent" in text
    assert miner.uploads == []


def test_a_wrong_platform_is_refused_in_check_mode_too(tmp_path):
    with pytest.raises(UsageError, match="no package for platform h3"):
        run(FakeMiner(platform="H3"), image(tmp_path, combined(BOARDS)), check=True)


def test_no_reported_platform_needs_the_platform_option_for_a_combined_image(tmp_path):
    src = image(tmp_path, combined(BOARDS))
    with pytest.raises(UsageError, match="the miner reports no platform .* set the platform option"):
        run(FakeMiner(platform=None), src)
    miner = FakeMiner(platform=None)
    result = run(miner, src, platform="h6os")
    assert miner.uploads == [BOARDS[1][1]] and result["package"]["platform"] == "h6os"


def test_a_platform_option_that_contradicts_the_miner_is_refused(tmp_path):
    miner = FakeMiner(platform="H616")
    with pytest.raises(UsageError, match="reports platform H616, but platform h6os was given"):
        run(miner, image(tmp_path, combined(BOARDS)), platform="h6os")
    assert miner.uploads == []


def test_a_checksum_mismatch_is_refused_before_any_byte_is_sent(tmp_path):
    data = plain(NEW)
    miner = FakeMiner()
    with pytest.raises(UsageError) as err:
        run(miner, image(tmp_path, data), checksum="sha256:" + "0" * 64)
    assert "checksum of" in str(err.value) and hashlib.sha256(data).hexdigest() in str(err.value)
    assert miner.uploads == []
    result = run(miner, image(tmp_path, data), checksum="sha256:" + hashlib.sha256(data).hexdigest().upper())
    assert result["changed"] and miner.uploads == [data]


def test_a_malformed_checksum_fails_before_the_miner_is_read(tmp_path):
    miner = FakeMiner()
    with pytest.raises(InvalidOption, match="option 'checksum': must be 'sha256:'"):
        run(miner, image(tmp_path, plain(NEW)), checksum="md5:abc")
    assert miner.reads == 0


def test_the_version_is_read_from_the_images_first_line_or_asked_for(tmp_path):
    with pytest.raises(InvalidOption, match="option 'version': cannot tell which version .* set version"):
        run(FakeMiner(), image(tmp_path, b"\x7fELF" + b"\0" * 100))
    assert run(FakeMiner(), image(tmp_path, b"\x7fELF" + b"\0" * 100), version=NEW, check=True)["version"] == NEW


def test_packages_that_name_different_versions_need_version_or_platform(tmp_path):
    src = image(tmp_path, combined([("h616", plain(NEW)), ("h6os", plain("20250101.10.Rel"))]))
    with pytest.raises(InvalidOption, match="h616: 20250321.14.Rel, h6os: 20250101.10.Rel"):
        run(FakeMiner(), src)
    assert run(FakeMiner(), src, platform="h616", check=True)["version"] == NEW


def test_a_version_that_differs_only_in_letter_case_is_refused_unless_forced(tmp_path):
    src = image(tmp_path, plain(NEW))
    miner = FakeMiner(version=NEW)
    with pytest.raises(UsageError, match="only in letter case"):
        run(miner, src, version="20250321.14.REL")
    assert miner.uploads == []


def test_a_miner_that_does_not_report_its_version_is_refused(tmp_path):
    with pytest.raises(UsageError, match="does not report its firmware version"):
        run(FakeMiner(version=None), image(tmp_path, plain(NEW)))


def test_an_upload_the_miner_never_said_ready_to_is_tried_once_more(tmp_path):
    miner = FakeMiner()
    refused = ConnectionFailed(HOST, "update_firmware", "connection refused on port 4028; nothing was uploaded")
    miner.upload_errors = [(refused, 0)]
    result = run(miner, image(tmp_path, plain(NEW)))
    assert len(miner.uploads) == 2 and not result.get("failed") and result["version"] == NEW
    assert any("tried once more" in note for note in result["notes"])


def test_a_second_failure_before_ready_fails_without_a_third_attempt(tmp_path):
    miner = FakeMiner()
    refused = ConnectionFailed(HOST, "update_firmware", "connection refused on port 4028; nothing was uploaded")
    miner.upload_errors = [(refused, 0), (refused, 0), (refused, 0)]
    result = run(miner, image(tmp_path, plain(NEW)))
    assert result["failed"] and len(miner.uploads) == 2 and not result["changed"]
    assert result["msg"].startswith(f"miner {HOST}: command 'update_firmware': connection refused")


def test_an_upload_cut_after_ready_is_not_retried(tmp_path):
    miner = FakeMiner()
    cut = ConnectionFailed(HOST, "update_firmware", "the connection broke after 1,000 of 4,025 bytes of the upload")
    miner.upload_errors = [(cut, 1000)]
    result = run(miner, image(tmp_path, plain(NEW)))
    assert result["failed"] and len(miner.uploads) == 1
    assert "the connection broke after 1,000" in result["msg"] and result["bytes_sent"] == 1000


def test_an_error_answer_is_not_retried(tmp_path):
    miner = FakeMiner()
    miner.upload_errors = [(WriteApiDisabled(HOST, "update_firmware", 45, "can't access write cmd"), 0)]
    result = run(miner, image(tmp_path, plain(NEW)))
    assert result["failed"] and len(miner.uploads) == 1 and "write API is disabled" in result["msg"]


@pytest.mark.parametrize("outcome, cause", [
    ("old_version", "it still reports the version it had before the upgrade: the image did not take"),
    ("not_mining", "it is not mining"),
    ("never_back", "the miner did not answer again within 900 s"),
])
def test_each_failed_upgrade_names_the_miner_and_the_cause(tmp_path, outcome, cause):
    miner = FakeMiner(outcome=outcome)
    result = run(miner, image(tmp_path, plain(NEW)))
    assert result["failed"] and result["changed"] and len(miner.uploads) == 1
    assert result["msg"].startswith(f"miner {HOST}: command 'update_firmware': ")
    assert cause in result["msg"]
    assert result["version"] is None and result["previous_version"] == OLD


def test_wait_false_returns_after_the_upload_unverified(tmp_path):
    miner = FakeMiner(outcome="never_back")
    result = run(miner, image(tmp_path, plain(NEW)), wait=False)
    assert result["changed"] and result["restarted"] and not result.get("failed")
    assert any("was not verified" in note for note in result["notes"])
