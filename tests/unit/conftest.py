"""The simulated farm for every test that asks for ``farm``: started once per test module, reset before each test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "simulator"))

from simclient import start_farm  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    started = start_farm(tmp_path_factory, "--restart-seconds", "0.5", "--idle-timeout", "2")
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def fresh_farm(request):
    if "farm" in request.fixturenames:
        status, _body = request.getfixturevalue("farm").api("POST", "/reset")
        assert status == 200
