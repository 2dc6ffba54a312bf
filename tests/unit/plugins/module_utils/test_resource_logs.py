# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_logs on a fake miner: the file name, a new file each run, never a half file, check mode."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ProtocolError, UsageError
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import logs

TARBALL = b"\x1f\x8b\x08\x00" + os.urandom(3000)


class FakeMiner:
    host = "10.0.0.4"

    def __init__(self, fail_after=None):
        self.fail_after = fail_after
        self.downloads = []

    def download_logs(self, dest):
        self.downloads.append(dest)
        with open(dest, "wb") as out:
            if self.fail_after is None:
                out.write(TARBALL)
                return len(TARBALL)
            out.write(TARBALL[:self.fail_after])
        os.unlink(dest)  # as the client does
        raise ProtocolError(self.host, "download_logs", f"the log download stopped after {self.fail_after} bytes")


def params(dest, **options):
    base = dict(host="10.0.0.4", port=4028, password="pw", timeout=10.0, dest=str(dest), prefix="rack1-m07")
    base.update(options)
    return base


def test_a_directory_gets_prefix_and_utc_time_and_each_run_a_new_file(tmp_path):
    miner = FakeMiner()
    first = logs.run(miner, params(tmp_path), False, False)
    second = logs.run(miner, params(tmp_path), False, False)
    assert first["changed"] and second["changed"] and first["path"] != second["path"]
    name = os.path.basename(first["path"])
    assert name.startswith("rack1-m07-") and name.endswith("Z.tgz")
    time.strptime(name[len("rack1-m07-"):-len(".tgz")], logs.STAMP)
    for result in (first, second):
        assert open(result["path"], "rb").read() == TARBALL
        assert result["bytes"] == len(TARBALL) and result["sha256"] == hashlib.sha256(TARBALL).hexdigest()
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(r["path"]) for r in (first, second))


def test_the_temporary_file_is_in_the_destination_directory(tmp_path):
    miner = FakeMiner()
    logs.run(miner, params(tmp_path), False, False)
    assert os.path.dirname(miner.downloads[0]) == str(tmp_path)
    assert os.path.basename(miner.downloads[0]).startswith(".rack1-m07-")


def test_a_file_dest_is_replaced(tmp_path):
    dest = tmp_path / "latest.tgz"
    dest.write_bytes(b"old")
    result = logs.run(FakeMiner(), params(dest), False, False)
    assert result["path"] == str(dest) and dest.read_bytes() == TARBALL


def test_a_cut_download_leaves_no_file_at_all(tmp_path):
    dest = tmp_path / "latest.tgz"
    dest.write_bytes(b"old")
    with pytest.raises(ProtocolError, match="stopped after 100 bytes"):
        logs.run(FakeMiner(fail_after=100), params(dest), False, False)
    assert os.listdir(tmp_path) == ["latest.tgz"] and dest.read_bytes() == b"old"


def test_check_mode_sends_nothing_and_writes_nothing(tmp_path):
    miner = FakeMiner()
    result = logs.run(miner, params(tmp_path), True, False)
    assert result["changed"] and result["bytes"] is None and result["sha256"] is None
    assert result["path"].startswith(str(tmp_path) + "/rack1-m07-")
    assert miner.downloads == [] and os.listdir(tmp_path) == []


def test_a_missing_directory_and_a_missing_password_fail_before_anything_is_sent(tmp_path):
    miner = FakeMiner()
    with pytest.raises(InvalidOption, match="option 'dest': the directory .* does not exist"):
        logs.run(miner, params(tmp_path / "nowhere" / "x.tgz"), False, False)
    with pytest.raises(InvalidOption, match="does not exist"):
        logs.run(miner, params(str(tmp_path / "nowhere") + "/"), False, False)
    with pytest.raises(UsageError, match="needs the miner's admin password"):
        logs.run(miner, params(tmp_path, password=None), True, False)
    assert miner.downloads == []


def test_an_unsafe_prefix_is_made_a_file_name(tmp_path):
    result = logs.run(FakeMiner(), params(tmp_path, prefix="../rack 1/m07"), False, False)
    assert os.path.dirname(result["path"]) == str(tmp_path)
    assert os.path.basename(result["path"]).startswith("_rack_1_m07-")


def test_names_taken_get_a_number(tmp_path):
    now = time.gmtime()
    folder, name, generated = logs.target(str(tmp_path), "m", "h", now)
    (tmp_path / name).write_bytes(b"x")
    temp = tmp_path / ".part"
    temp.write_bytes(b"y")
    path = logs.place(str(temp), folder, name, generated)
    assert path.endswith("-2.tgz") and (tmp_path / name).read_bytes() == b"x"
