"""farm.py as users run it: argument checks, address layout, ready file, clean exit."""

from __future__ import annotations

import json
import signal
import subprocess


from simclient import FARM, read, simulator_python, start_farm


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([simulator_python(), str(FARM)] + list(args), capture_output=True, text=True, timeout=30, check=False)


def test_network_outside_loopback_is_refused():
    result = run_cli("--miners", "2", "--network", "10.0.0.0/24")
    assert result.returncode == 2 and "127.0.0.0/8" in result.stderr


def test_persona_counts_must_add_up_to_the_miner_count():
    result = run_cli("--miners", "3", "--network", "127.1.2.0/24", "--persona", "api205:1,btminer2021:1")
    assert result.returncode == 2 and "add up to 2" in result.stderr


def test_too_many_miners_for_the_network_is_refused():
    result = run_cli("--miners", "300", "--network", "127.1.2.0/24")
    assert result.returncode == 2 and "do not fit" in result.stderr


def test_spread_places_miners_with_a_stride_and_lifetime_ends_the_farm(tmp_path_factory):
    farm = start_farm(tmp_path_factory, "--spread", "7", "--lifetime", "2", miners=3, personas="v3compat2026")
    try:
        first = [int(part) for part in farm.miners[0].split(".")]
        assert [int(m.split(".")[3]) for m in farm.miners] == [first[3], first[3] + 7, first[3] + 14]
        assert read(farm.miners[2], "get_version")["Code"] == 131
        assert farm.proc.wait(10) == 0
        assert not farm.ready_file.exists()
    finally:
        farm.stop()


def test_sigterm_exits_cleanly_and_stdout_has_the_ready_line(tmp_path_factory):
    farm = start_farm(tmp_path_factory, miners=2, personas="api205")
    farm.proc.send_signal(signal.SIGTERM)
    assert farm.proc.wait(10) == 0
    line = json.loads(farm.proc.stdout.readline())
    assert line["miners"] == farm.miners and line["control"] == farm.control
    farm.stop()
