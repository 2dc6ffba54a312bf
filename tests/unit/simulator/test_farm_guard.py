"""A farm started by a process that ends without cleaning up (as every test forked by ansible-test units
does, with os._exit) is ended by the kernel, not left running."""

from __future__ import annotations

import os
import sys
import time

import pytest

from simclient import farm_networks, start_farm


def _alive(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's (prctl)")
def test_a_farm_ends_when_the_fork_that_started_it_exits_without_teardown():
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the forked "test": starts a farm, reports its pid, leaves as ansible_forked does
        os.close(read_end)
        try:
            farm = start_farm(None, miners=1, personas="api205")
            os.write(write_end, b"%d" % farm.proc.pid)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        farm_pid = int(reader.read() or b"0")
    os.waitpid(child, 0)
    assert farm_pid, "the forked child could not start a farm"
    deadline = time.monotonic() + 10
    while _alive(farm_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(farm_pid), "farm.py %d outlived the process that started it" % farm_pid


def test_farm_networks_keep_to_the_range_given(monkeypatch):
    monkeypatch.setenv("HASHOPS_TEST_NETWORKS", "127.130.0.0/23")
    assert sorted(farm_networks(24)) == ["127.130.0.0/24", "127.130.1.0/24"]
    small = farm_networks(27)
    assert len(small) == 16 and all(n.startswith(("127.130.0.", "127.130.1.")) and n.endswith("/27") for n in small)
