"""The simulated farm for every test that asks for ``farm``: one per test process, reset before each test.

ansible-test units runs each test in a fork that ends with os._exit(), so a farm a fixture started
inside a test would never see its teardown. The farm is therefore started by the test process itself,
just before the first test that needs it is forked (the fork inherits it), and stopped when the
session ends, by atexit if the session does not end normally, and by the kernel (simclient's
parent-death signal) if the process is killed.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import pytest

# the test helpers (simclient, hostile) import by name, under plain pytest and ansible-test units alike
sys.path[:0] = [str(Path(__file__).resolve().parent / "simulator"), str(Path(__file__).resolve().parent)]

from simclient import start_farm  # noqa: E402  pylint: disable=wrong-import-position

_SHARED = {}  # "farm" -> the Farm of this process, "pid" -> the process that started it, "error" -> why not


def _shared_farm():
    """The farm, started on first use; a farm that cannot start fails the tests that need it, not the run."""
    if "farm" not in _SHARED and "error" not in _SHARED:  # a fork finds its parent's farm here
        try:
            _SHARED["farm"] = start_farm(None, "--restart-seconds", "0.5", "--idle-timeout", "2", "--lifetime", "3600")
            _SHARED["pid"] = os.getpid()
        except RuntimeError as err:
            _SHARED["error"] = str(err)
    if "error" in _SHARED:
        pytest.fail("the simulated farm did not start: %s" % _SHARED["error"], pytrace=False)
    return _SHARED["farm"]


def _stop_shared_farm():
    if "farm" in _SHARED and _SHARED.get("pid") == os.getpid():
        _SHARED.pop("pid")
        _SHARED.pop("farm").stop()


atexit.register(_stop_shared_farm)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Start the farm here, in the process that forks the tests, not inside a fork."""
    if "farm" in item.fixturenames:
        try:
            _shared_farm()
        except pytest.fail.Exception:
            pass  # the farm fixture reports it, in the test
    return (yield)


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    _stop_shared_farm()


@pytest.fixture(scope="session")
def farm():
    return _shared_farm()


@pytest.fixture(autouse=True)
def fresh_farm(request):
    if "farm" in request.fixturenames:
        status, _body = request.getfixturevalue("farm").api("POST", "/reset")
        assert status == 200
