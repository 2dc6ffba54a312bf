# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_power: ranges, readback per firmware generation (real replies), the order of writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption, Reading
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import decode_json
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import power

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OPTIONS = ("state", "mode", "power_limit", "target_freq_percent", "power_percent", "upfreq_speed", "fast_boot")


def reading(**files) -> Reading:
    replies = {command: decode_json((FIXTURES / name).read_bytes(), "h", command) for command, name in files.items()}
    return Reading(_state.normalise(replies, ["mining"]), replies)


API_205 = dict(summary="asic-rs/v2/summary.json", status="asic-rs/v2/status.json",
               get_miner_info="asic-rs/v2/get_miner_info.json")
API_14 = dict(summary="asic-rs/v1/summary.json", status="asic-rs/v1/status.json")


def params(**options):
    base = dict.fromkeys(OPTIONS)
    base.update(power_percent_mode="normal", wait=True, wait_timeout=600)
    base.update(options)
    return base


@pytest.mark.parametrize("option, value, allowed", [
    ("power_limit", 100000, "from 0 to 99999"),
    ("power_limit", -1, "from 0 to 99999"),
    ("target_freq_percent", 101, "from -100 to 100"),
    ("upfreq_speed", 10, "from 0 to 9"),
])
def test_out_of_range_names_the_option_and_the_range(option, value, allowed):
    with pytest.raises(InvalidOption) as err:
        power.desired(params(**{option: value}), "10.0.0.2")
    assert f"option '{option}'" in str(err.value) and allowed in str(err.value)


@pytest.mark.parametrize("value, mode, expected", [("80", "normal", 80), (" restore ", "normal", 100),
                                                   ("150", "normal", 150), ("0", "fast", 0)])
def test_power_percent_values(value, mode, expected):
    assert power.desired(params(power_percent=value, power_percent_mode=mode), "h") == {"power_percent": expected}


@pytest.mark.parametrize("value, mode", [("101", "fast"), ("201", "normal"), ("-5", "normal"), ("half", "normal")])
def test_power_percent_refused(value, mode):
    with pytest.raises(InvalidOption, match="option 'power_percent'"):
        power.desired(params(power_percent=value, power_percent_mode=mode), "h")


def test_api_205_reports_what_its_status_and_summary_carry():
    state = reading(**API_205)
    want = power.desired(params(state="mining", mode="low", power_limit=3600, target_freq_percent=0), "h")
    # this capture's status has no power_pct, its summary no fast boot, its get_miner_info no upfreq_speed
    assert power.current(state, want) == {"state": "mining", "mode": "low", "power_limit": 3600,
                                          "target_freq_percent": 0}


def test_an_empty_power_limit_set_is_the_vendor_default():
    state = reading(**API_205)
    state.replies["status"]["Msg"]["power_limit_set"] = ""
    assert power.current(state, {"power_limit": 99999})["power_limit"] == 99999


def test_2021_firmware_cannot_tell_the_vendor_limit_from_a_set_one():
    state = reading(**API_14)
    assert "power_limit" not in power.current(state, {"power_limit": 99999})
    assert power.current(state, {"power_limit": 3000}).get("power_limit") == state.state["power_limit_w"]
    assert "target_freq_percent" not in power.current(state, {})


def test_writes_in_safe_order_mining_first_stopped_last():
    want = power.desired(params(state="mining", mode="high", power_limit=3000, target_freq_percent=-10,
                                power_percent="90", upfreq_speed=2, fast_boot=True), "h")
    steps = power.plan(want, {}, list(want), params(power_percent="90"))
    assert [s.command for s in steps] == ["power_on", "enable_btminer_fast_boot", "adjust_upfreq_speed",
                                          "set_power_pct_v2", "set_high_power", "adjust_power_limit", "set_target_freq"]
    assert [s.restarts for s in steps][-3:] == ["btminer"] * 3
    stop = power.plan({"state": "stopped", "mode": "low"}, {}, ["state", "mode"], params())
    assert [s.command for s in stop] == ["set_low_power", "power_off"]
    assert stop[-1].params == {"respbefore": "true"}


def test_numbers_are_sent_as_strings_as_real_clients_send_them():
    want = power.desired(params(power_limit=3000, target_freq_percent=-10, upfreq_speed=2), "h")
    steps = {s.command: s.params for s in power.plan(want, {}, list(want), params())}
    assert steps == {"adjust_upfreq_speed": {"upfreq_speed": "2"}, "adjust_power_limit": {"power_limit": "3000"},
                     "set_target_freq": {"percent": "-10"}}


def test_restore_and_fast_mode_commands():
    assert power.plan({"power_percent": 100}, {}, ["power_percent"], params(power_percent="restore"))[0].command \
        == "restore_power_pct"
    assert power.plan({"power_percent": 50}, {}, ["power_percent"],
                      params(power_percent="50", power_percent_mode="fast"))[0].command == "set_power_pct"
