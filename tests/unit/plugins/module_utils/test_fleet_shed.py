# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_fleet.shed against the simulated farm over TCP: the plan's reading spares a read, stop reads back status only."""

from __future__ import annotations

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils import _fleet

pytestmark = pytest.mark.skipif(not _crypto.HAS_CRYPTO_LIBS, reason="pycryptodome is required")

PASSWORD = "s3cret"
MINING = {"is_mining": True, "power_mode": "normal", "power_pct": 100, "power_w": 3400.0, "hashrate_ths": 70.0,
          "efficiency_jth": 48.57}


def target(address: str) -> _fleet.Target:
    return _fleet.Target(name="m1", address=address, port=4028, timeout=5.0, password=PASSWORD)


def commands(farm, address: str) -> list:
    return [entry["command"] for entry in farm.writes(address)]


def test_a_shed_uses_the_plans_reading_instead_of_reading_again(farm):
    address = farm.miners[0]
    # the reading says the miner is off, the miner says it mines: only a shed that did not read again believes it
    result = _fleet.shed(target(address), "stop", 50, False, 5.0, planned=dict(MINING, is_mining=False))
    assert result["msg"] == "already curtailed: nothing sent" and not result["changed"]
    assert commands(farm, address) == [] and farm.state(address)["mining"]


def test_stop_from_a_reading_sends_power_off_and_verifies_it_by_status_alone(farm):
    address = farm.miners[0]
    result = _fleet.shed(target(address), "stop", 50, False, 5.0, planned=MINING)
    assert not result["failed"], result["msg"]
    assert result["before"] == MINING and result["commands"] == ["power_off"]
    assert result["after"]["is_mining"] is False and result["after"]["power_w"] is None  # status has no power
    assert commands(farm, address) == ["power_off"] and not farm.state(address)["mining"]


@pytest.mark.parametrize("index", [4, 8])  # btminer2021 (btmineroff), v3compat2026 (mineroff)
def test_every_firmware_generation_is_verified_off_by_status(farm, index):
    address = farm.miners[index]
    result = _fleet.shed(target(address), "stop", 50, False, 5.0, _fleet.survey(target(address), "stop")["facts"])
    assert not result["failed"], result["msg"]
    assert result["after"]["is_mining"] is False and not farm.state(address)["mining"]


def test_low_power_reads_again_whatever_the_reading_says(farm):
    address = farm.miners[0]
    # its restart is told from Elapsed read just before the command, so the reading is not enough
    result = _fleet.shed(target(address), "low_power", 50, False, 20.0, planned=dict(MINING, is_mining=False))
    assert not result["failed"], result["msg"]
    assert commands(farm, address) == ["set_low_power"] and farm.state(address)["power_mode"] == "low"


def test_a_power_off_that_does_not_hold_fails_the_status_read_back_naming_the_miner(farm):
    address = farm.miners[0]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "stale", "commands": ["power_off"]})
    result = _fleet.shed(target(address), "stop", 50, False, 1.5, planned=MINING)
    assert result["failed"] and result["msg"].startswith(f"m1 ({address}): ")
    assert "command 'power_off'" in result["msg"] and "status still says the miner is mining" in result["msg"]
    assert farm.state(address)["mining"]


def test_check_mode_from_a_reading_sends_nothing(farm):
    address = farm.miners[0]
    result = _fleet.shed(target(address), "stop", 50, True, 5.0, planned=MINING)
    assert result["changed"] and result["commands"] == ["power_off"] and result["after"] is None
    assert commands(farm, address) == []


def test_a_stop_plan_reads_a_hashing_miner_through_summary_alone(farm):
    address = farm.miners[0]
    # status would fail: a survey that asked for it could not have read the miner
    farm.api("POST", f"/miners/{address}/fault", {"kind": "refuse", "commands": ["status"]})
    result = _fleet.survey(target(address), "stop")
    assert not result["failed"], result["msg"]
    assert result["facts"]["is_mining"] is True and result["facts"]["power_w"] > 0


def test_a_stop_plan_asks_status_of_a_miner_summary_shows_idle(farm):
    address = farm.miners[0]
    planned = _fleet.survey(target(address), "stop")["facts"]
    assert not _fleet.shed(target(address), "stop", 50, False, 5.0, planned)["failed"]
    farm.api("POST", f"/miners/{address}/fault", {"kind": "refuse", "commands": ["status"]})
    assert _fleet.survey(target(address), "stop")["failed"]  # status was asked, and its connection reset
    farm.api("DELETE", f"/miners/{address}/fault", None)
    result = _fleet.survey(target(address), "stop")
    assert result["facts"]["is_mining"] is False


def test_other_modes_always_read_status_for_the_power_mode_and_percent(farm):
    address = farm.miners[0]
    assert _fleet.survey(target(address), "stop")["facts"]["power_pct"] is None  # summary alone has no percent
    assert _fleet.survey(target(address), "percent")["facts"]["power_pct"] is not None
