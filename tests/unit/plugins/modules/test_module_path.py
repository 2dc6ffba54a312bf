"""The modules run as plain modules (delegated to a jump host, or through gather_facts): same code, same masking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from simclient import API205, PASSWORD

MODULES = Path(__file__).resolve().parents[4] / "plugins" / "modules"


def run_module(name: str, tmp_path, **args) -> dict:
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, str(MODULES / f"{name}.py"), str(args_file)], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    return json.loads(done.stdout)


def test_pool_password_is_masked_in_the_module_result_and_invocation(farm, tmp_path):
    address = farm.miners[API205]
    result = run_module("whatsminer_command", tmp_path, host=address, password=PASSWORD, command="update_pools",
                        params={"pool1": "stratum+tcp://pool.example.net:3333", "worker1": "w", "passwd1": "pool-secret-9"})
    text = json.dumps(result)
    assert result["changed"] and result["reply"]["Code"] == 131
    assert "pool-secret-9" not in text and PASSWORD not in text
    assert farm.state(address)["pools"][0]["url"] == "stratum+tcp://pool.example.net:3333"


def test_check_mode_sends_no_write_through_the_module_path(farm, tmp_path):
    address = farm.miners[API205]
    result = run_module("whatsminer_command", tmp_path, host=address, password=PASSWORD, command="set_led",
                        params={"param": "auto"}, _ansible_check_mode=True)
    assert result["changed"] and not result["sent"]
    assert farm.writes(address) == []


def test_facts_module_needs_a_host(tmp_path):
    result = run_module("whatsminer_facts", tmp_path)
    assert result["failed"] and "host is required" in result["msg"]


def test_facts_module_reads_the_miner(farm, tmp_path):
    address = farm.miners[API205]
    result = run_module("whatsminer_facts", tmp_path, host=address, gather_subset=["identity"])
    assert result["ansible_facts"]["whatsminer"]["mac"] == farm.state(address)["mac"]
