# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state file is replaced whole with mode 0640; the event log is appended to, one JSON object a line."""

from __future__ import annotations

import json
import os
import stat

from ansible_collections.hashops.whatsminer.plugins.plugin_utils import _controller_files as files


def test_write_json_creates_the_directory_and_replaces_the_file_whole(tmp_path):
    path = tmp_path / "curtailment" / "state.json"
    files.write_json(str(path), {"version": 1, "active": True})
    files.write_json(str(path), {"version": 1, "active": False})
    assert json.loads(path.read_text()) == {"version": 1, "active": False}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o027 == 0  # no write for the group, nothing for others
    assert os.listdir(path.parent) == ["state.json"]  # no temporary file left behind


def test_append_line_adds_one_json_object_a_line(tmp_path):
    path = tmp_path / "log" / "events.jsonl"
    files.append_line(str(path), {"job": "curtail", "miners": ["m1"]})
    files.append_line(str(path), {"job": "restore", "miners": []})
    assert [json.loads(line)["job"] for line in path.read_text().splitlines()] == ["curtail", "restore"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
