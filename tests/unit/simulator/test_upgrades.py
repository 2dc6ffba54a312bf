"""Firmware upgrades: the slice a miner received in the control API, whole combined images refused,
outcomes that fail an upgrade, and the length of the reboot after one."""

from __future__ import annotations

import hashlib
import time

from images import combined, plain
from simclient import API205, BTMINER, PASSWORD, Session, listening, read, start_farm, wait_until


def fw_ver(host: str) -> str:
    return read(host, "get_version")["Msg"]["fw_ver"]


def fw_ver_when_up(host: str):
    """The version a miner reports, or None while it reboots (it may not have gone down yet)."""
    try:
        return fw_ver(host) if listening(host) else None
    except (OSError, ValueError):  # it went down between the two, or closed without a reply
        return None


def test_the_control_api_reports_the_slice_received(farm):
    host = farm.miners[API205]
    package = plain("20250321.14.Rel", b"\x01\x02" * 5000)
    _ready, done = Session(host, PASSWORD).send_firmware(package)
    assert done["Code"] == 131
    last = farm.state(host)["last_upgrade"]
    assert last["size"] == last["received"] == len(package)
    assert last["sha256"] == hashlib.sha256(package).hexdigest()
    assert (last["version"], last["outcome"]) == ("20250321.14.Rel", "installed")
    assert last["previous_version"] == "20240624.18.REL"
    wait_until(lambda: fw_ver_when_up(host) == "20250321.14.Rel")


def test_a_whole_combined_image_is_refused_and_names_its_packages(farm):
    host = farm.miners[API205]
    image = combined([("h616", plain("20250321.14.Rel")), ("h6os", plain("20250321.14.Rel"))])
    _ready, done = Session(host, PASSWORD).send_firmware(image)
    assert (done["STATUS"], done["Code"]) == ("E", 132)
    assert "combined image (packages for h616, h6os)" in done["Msg"]
    assert farm.state(host)["last_upgrade"] is None
    assert listening(host) and fw_ver(host) == "20240624.18.REL"


def test_a_file_whose_header_count_is_out_of_range_is_a_plain_file(farm):
    host = farm.miners[API205]
    image = combined([("h616", plain("20250321.14.Rel"))], count=65)
    _ready, done = Session(host, PASSWORD).send_firmware(image)
    assert done["Code"] == 132 and "not a firmware file" in done["Msg"]


def test_old_version_outcome_reboots_and_comes_back_on_the_old_version(farm):
    host = farm.miners[API205]
    assert farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "old_version"})[0] == 200
    Session(host, PASSWORD).send_firmware(plain("20250321.14.Rel"))
    assert not listening(host)
    wait_until(lambda: listening(host))
    assert fw_ver(host) == "20240624.18.REL"
    assert farm.state(host)["last_upgrade"]["outcome"] == "old_version"
    assert farm.state(host)["upgrade_outcomes"] == []


def test_not_mining_outcome_comes_back_on_the_new_version_with_btminer_off(farm):
    host = farm.miners[API205]
    farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "not_mining"})
    Session(host, PASSWORD).send_firmware(plain("20250321.14.Rel"))
    wait_until(lambda: listening(host))
    assert fw_ver(host) == "20250321.14.Rel"
    assert read(host, "status")["Msg"]["mineroff"] == "true"


def test_never_back_outcome_stays_away_until_the_farm_is_reset(farm):
    host = farm.miners[BTMINER]
    farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "never_back"})
    Session(host, PASSWORD).send_firmware(plain("20250321.14.Rel"))
    time.sleep(1.5)  # three times the farm's restart
    assert not listening(host) and farm.state(host)["restarting"]
    assert farm.api("POST", "/reset")[0] == 200
    wait_until(lambda: listening(host))


def test_outcomes_are_validated_and_can_be_cleared(farm):
    host = farm.miners[API205]
    assert farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "bricked"})[0] == 400
    assert farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "old_version", "times": 0})[0] == 400
    assert farm.api("POST", "/miners/%s/upgrade" % host, {"outcome": "old_version", "times": 2})[1] == {
        "upgrade_outcomes": ["old_version", "old_version"]}
    assert farm.api("DELETE", "/miners/%s/upgrade" % host)[1] == {"upgrade_outcomes": []}


def test_upgrade_seconds_sets_the_reboot_after_an_upgrade_only(tmp_path_factory):
    started = start_farm(tmp_path_factory, "--restart-seconds", "0.3", "--upgrade-seconds", "2.5", miners=1,
                         personas="api205:1")
    try:
        host = started.miners[0]
        Session(host, PASSWORD).write("set_high_power")  # a btminer restart: --restart-seconds
        wait_until(lambda: listening(host), timeout=2)
        Session(host, PASSWORD).send_firmware(plain("20250321.14.Rel"))
        began = time.monotonic()
        time.sleep(1.5)
        assert not listening(host)
        wait_until(lambda: listening(host), timeout=5)
        assert time.monotonic() - began >= 2.0
    finally:
        started.stop()
