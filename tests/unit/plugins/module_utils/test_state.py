# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The normalised state model, per firmware generation from real replies, then rule by rule."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import CUT, decode_json, split_joined
from ansible_collections.hashops.whatsminer.plugins.module_utils._state import commands_for, normalise, resolve_subsets

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

KEYS = {
    "identity": {"model", "model_raw", "firmware_version", "api_version", "platform", "mac", "serial", "hostname", "ip",
                 "dhcp", "netmask", "gateway", "dns", "led"},
    "mining": {"is_mining", "power_mode", "power_limit_w", "power_limit_set", "power_pct", "power_w", "target_freq_pct",
               "upfreq_speed", "hashrate_ths", "factory_hashrate_ths", "temperature", "fans", "uptime_s", "fast_boot"},
    "pools": {"pools"},
    "hashboards": {"hashboards"},
    "psu": {"psu"},
    "errors": {"errors"},
    "raw": {"raw"},
}
ALL_KEYS = set().union(*(keys for name, keys in KEYS.items() if name != "raw"))


def load(name: str) -> dict:
    return decode_json((FIXTURES / name).read_bytes(), "10.1.2.3", name)


def replies(**files) -> dict:
    return {command: load(name) for command, name in files.items()}


PULSE_2026 = dict(
    summary="whatsminer-pulse/summary__M60S-class_2026-02_v2compat-Msg-object.json",
    edevs="whatsminer-pulse/edevs__M60S-class_2026-02.json",
    devdetails="whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json",
    get_miner_info="whatsminer-pulse/get_miner_info__M60S-class_2026-02.json",
)
ASIC_RS_V1 = dict(
    summary="asic-rs/v1/summary_with_errors.json",
    edevs="asic-rs/v1/devs.json",
    pools="asic-rs/v1/pools.json",
    status="asic-rs/v1/status.json",
    get_version="asic-rs/v1/get_version.json",
    get_psu="asic-rs/v1/get_psu.json",
)
ASIC_RS_V2 = dict(
    summary="asic-rs/v2/summary.json",
    edevs="asic-rs/v2/devs.json",
    pools="asic-rs/v2/pools.json",
    status="asic-rs/v2/status.json",
    get_version="asic-rs/v2/get_version.json",
    get_psu="asic-rs/v2/get_psu.json",
    get_miner_info="asic-rs/v2/get_miner_info.json",
    get_error_code="asic-rs/v2/get_error_code_with_errors.json",
)


def board_rates(state: dict) -> list:
    return [board["hashrate_ths"] for board in state["hashboards"]]


# ---- 2026 firmware: flat summary, TH/s edevs, devdetails 132 ------------------------------------

@pytest.fixture(name="pulse")
def fixture_pulse():
    return normalise(replies(**PULSE_2026))


def test_pulse_2026_summary_in_msg_is_read_in_mhs(pulse):
    assert pulse["hashrate_ths"] == pytest.approx(111.338)
    assert pulse["factory_hashrate_ths"] == pytest.approx(165.848)


def test_pulse_2026_boards_are_read_in_ths(pulse):
    assert board_rates(pulse) == pytest.approx([37.9, 38.17, 35.27])
    assert sum(board_rates(pulse)) == pytest.approx(pulse["hashrate_ths"], abs=0.01)


def test_pulse_2026_boards(pulse):
    assert pulse["hashboards"] == [
        {"slot": 0, "temperature_c": 73.88, "hashrate_ths": 37.9, "chips": 215, "frequency_mhz": 362, "serial": "SKM3CSD7104715KA1227"},
        {"slot": 1, "temperature_c": 78.19, "hashrate_ths": 38.17, "chips": 215, "frequency_mhz": 373, "serial": "SKM3CSD7104614B74283"},
        {"slot": 2, "temperature_c": 72.62, "hashrate_ths": 35.27, "chips": 215, "frequency_mhz": 338, "serial": "SKM3CSD7104522K92245"},
    ]


def test_pulse_2026_mining_state(pulse):
    assert pulse["is_mining"] is True
    assert pulse["power_mode"] == "normal"
    assert pulse["power_limit_w"] == 3600
    assert pulse["power_w"] == pytest.approx(3173.453, abs=0.001)
    assert pulse["uptime_s"] == 911
    assert pulse["fast_boot"] is False
    assert pulse["upfreq_speed"] == 0
    assert pulse["fans"] == {"in_rpm": 3764, "out_rpm": 3735}
    assert pulse["temperature"]["env_c"] == pytest.approx(28.687)
    assert pulse["temperature"]["chip_max_c"] == pytest.approx(84.193, abs=0.001)


def test_pulse_2026_network_identity(pulse):
    assert pulse["dhcp"] is True
    assert pulse["ip"] == "10.21.29.68"
    assert pulse["netmask"] == "255.255.255.0"
    assert pulse["gateway"] == "10.21.29.254"
    assert pulse["dns"] == ["10.0.2.15"]
    assert pulse["hostname"] == "WhatsMiner"
    assert pulse["mac"] == "CE:0C:1D:00:2A:53"
    assert pulse["led"] == "auto"


def test_pulse_2026_what_is_not_reported_is_none(pulse):
    assert pulse["model"] is None  # devdetails answered 132
    assert pulse["model_raw"] is None
    assert pulse["serial"] is None  # minersn is ""
    assert pulse["firmware_version"] is None  # get_version was not sent
    assert pulse["api_version"] is None
    assert pulse["platform"] is None
    assert pulse["power_limit_set"] is None
    assert pulse["power_pct"] is None
    assert pulse["target_freq_pct"] is None
    assert pulse["pools"] is None
    assert pulse["errors"] is None
    assert pulse["psu"] == {"model": None, "serial": "12245104509", "vendor": None, "vin_v": None, "iin_a": None,
                            "fan_rpm": None, "temperature_c": None}


def test_pulse_2026_bundle_gives_the_same_state_as_the_split_files(pulse):
    bundle = load("whatsminer-pulse/bundle__summary+edevs+devdetails+get_miner_info__M60S-class_2026-02.json")
    assert normalise(bundle) == pulse


def test_pulse_2026_node_capture_boards_are_ths_without_a_summary():
    state = normalise(replies(edevs="whatsminer-pulse/edevs__M60S-class_2026-02__node-capture.json"), {"hashboards"})
    assert board_rates(state) == pytest.approx([13.7, 15.01, 15.11])


# ---- asic-rs v1: btminer 2021, daemon "whatsminer v1.4.0" -------------------------------------------

@pytest.fixture(name="v1")
def fixture_v1():
    return normalise(replies(**ASIC_RS_V1))


def test_v1_versions(v1):
    assert v1["firmware_version"] == "20210322.22.REL"  # get_version first; status says 20220919.15.REL
    assert v1["api_version"] == "1.4.0"
    assert v1["platform"] is None


def test_v1_mining_state(v1):
    assert v1["is_mining"] is True  # btmineroff "false"
    assert v1["power_mode"] == "normal"
    assert v1["power_limit_w"] == 3500
    assert v1["power_w"] == 3417
    assert v1["hashrate_ths"] == pytest.approx(67.753)
    assert v1["factory_hashrate_ths"] == pytest.approx(68.796)
    assert v1["temperature"] == {"env_c": None, "chip_min_c": 71.0, "chip_max_c": 92.5, "chip_avg_c": 84.11}
    assert v1["uptime_s"] == 10792
    assert v1["fast_boot"] is None
    assert v1["mac"] == "C4:08:28:00:A4:19"  # from summary: get_miner_info not answered


def test_v1_boards_are_read_in_mhs(v1):
    assert board_rates(v1) == pytest.approx([22.65, 22.714, 22.387])
    assert [board["serial"] for board in v1["hashboards"]] == ["H5M14S69129A17K10095", "H5M14S69129A17K10058", "H5M14S69129A17K10002"]


def test_v1_errors_come_from_summary_error_codes(v1):
    assert v1["errors"] == [{"code": 110, "time": None}, {"code": 600, "time": None}]


def test_v1_psu_with_four_fields_leaves_the_rest_to_summary_or_none(v1):
    assert v1["psu"] == {"model": "P21-12-3600-E", "serial": None, "vendor": None, "vin_v": None, "iin_a": None,
                         "fan_rpm": 9060, "temperature_c": None}


def test_v1_pools(v1):
    assert v1["pools"] == [
        {"url": "stratum+tcp://btc.example.pool:3333", "user": "asic-rs.test", "status": "Alive", "priority": 0},
        {"url": "stratum+tcp://btc2.example.pool:3333", "user": "asic-rs.test", "status": "Alive", "priority": 1},
        {"url": "stratum+tcp://btc3.example.pool:3333", "user": "asic-rs.test", "status": "Alive", "priority": 2},
    ]


def test_v1_summary_without_errors_reports_an_empty_error_list():
    state = normalise(replies(summary="asic-rs/v1/summary.json"), {"errors"})
    assert state == {"errors": []}


# ---- asic-rs v2: API 2.0.5 ---------------------------------------------------------------------------

@pytest.fixture(name="v2")
def fixture_v2():
    return normalise(replies(**ASIC_RS_V2))


def test_v2_versions_and_platform(v2):
    assert v2["firmware_version"] == "20230803.11.REL"
    assert v2["api_version"] == "2.0.5"
    assert v2["platform"] == "H616"


def test_v2_power_settings_come_from_status(v2):
    assert v2["power_mode"] == "low"  # status power_mode wins over summary "Normal"
    assert v2["power_limit_set"] == 3600
    assert v2["power_limit_w"] == 3300
    assert v2["target_freq_pct"] == 0
    assert v2["is_mining"] is True  # mineroff "false"


def test_v2_boards_are_read_in_mhs(v2):
    assert board_rates(v2) == pytest.approx([41.5, 41.8, 41.7])
    assert [board["frequency_mhz"] for board in v2["hashboards"]] == [600, 600, 600]


def test_v2_errors_come_from_get_error_code(v2):
    assert v2["errors"] == [{"code": 218, "time": "2024-06-15 10:30:00"}, {"code": 110, "time": "2024-06-15 09:15:00"}]


def test_v2_empty_get_error_code_is_an_empty_list():
    assert normalise(replies(get_error_code="asic-rs/v2/get_error_code.json"), {"errors"}) == {"errors": []}


def test_v2_identity_reports_only_what_get_miner_info_has(v2):
    assert v2["hostname"] == "WhatsMiner"
    assert v2["mac"] == "D4:01:02:03:04:05"
    assert v2["led"] == "auto"
    assert [v2[key] for key in ("ip", "dhcp", "netmask", "gateway", "dns", "serial", "upfreq_speed")] == [None] * 7


def test_v2_psu(v2):
    assert v2["psu"] == {"model": "P222B", "serial": None, "vendor": None, "vin_v": None, "iin_a": None,
                         "fan_rpm": 6000, "temperature_c": None}


# ---- Foreman captures: cgminer 2018-2019, btminer 2020-2021 -------------------------------------------

@pytest.mark.parametrize("files, expected", [
    pytest.param(
        dict(summary="foreman/summary__M20S_fw20200917.22.REL.raw", edevs="foreman/devs__M20S_fw20200917.22.REL.json"),
        {"firmware_version": "20200917.22.REL", "mac": "C4:11:04:01:3C:75", "power_mode": "normal", "power_limit_w": 3500,
         "hashrate_ths": 68.711, "factory_hashrate_ths": 67.051, "errors": [], "boards": [22.712, 23.22, 22.778]},
        id="M20S-fw20200917"),
    pytest.param(
        dict(summary="foreman/summary__M30S_fw20200512.13.REL.json", edevs="foreman/devs__M30S_fw20200512.13.REL.json"),
        {"firmware_version": "20200512.13.REL", "mac": "C6:02:14:00:1F:B3", "power_mode": "normal", "power_limit_w": 3600,
         "hashrate_ths": 85.106, "factory_hashrate_ths": 86.472, "errors": [{"code": 205, "time": None}],
         "boards": [29.377, 27.876, 27.854]},
        id="M30S-fw20200512"),
    pytest.param(
        dict(summary="foreman/summary__M31S_fw20201202.22.REL.json", edevs="foreman/edevs__M31S_fw20201202.22.REL.json"),
        {"firmware_version": "20201202.22.REL", "mac": "C6:06:12:00:2D:63", "power_mode": "high", "power_limit_w": 3600,
         "hashrate_ths": 76.719, "factory_hashrate_ths": 75.697,
         "errors": [{"code": 110, "time": None}, {"code": 111, "time": None}, {"code": 131, "time": None}],
         "boards": [24.732, 26.094, 25.892]},
        id="M31S-fw20201202"),
    pytest.param(
        dict(summary="foreman/summary__M20S_old-fw_cgminer-4.9.2_2019.json"),
        {"firmware_version": None, "mac": None, "power_mode": None, "power_limit_w": None,
         "hashrate_ths": 65.492, "factory_hashrate_ths": None, "errors": [], "boards": None},
        id="M20S-cgminer-2019"),
    pytest.param(
        dict(summary="foreman/summary__M3_cgminer-4.9.2_2018.json"),
        {"firmware_version": None, "mac": None, "power_mode": None, "power_limit_w": None,
         "hashrate_ths": 11.764, "factory_hashrate_ths": None, "errors": None, "boards": None},
        id="M3-cgminer-2018"),
])
def test_foreman_summaries(files, expected):
    state = normalise(replies(**files))
    expected = dict(expected)
    boards = expected.pop("boards")
    assert {key: state[key] for key in expected} == expected
    if boards is None:
        assert state["hashboards"] is None
    else:
        assert board_rates(state) == pytest.approx(boards)
    assert state["is_mining"] is True


def test_foreman_m30s_psu_input_comes_from_summary():
    state = normalise(replies(summary="foreman/summary__M30S_fw20200512.13.REL.json"), {"psu"})
    assert state["psu"]["vin_v"] == pytest.approx(228.75)
    assert state["psu"]["iin_a"] == pytest.approx(14.23)
    assert state["psu"]["fan_rpm"] == 7576


def test_foreman_m3_reports_no_temperatures_or_power():
    state = normalise(replies(summary="foreman/summary__M3_cgminer-4.9.2_2018.json"), {"mining"})
    assert state["temperature"] == {"env_c": None, "chip_min_c": None, "chip_max_c": None, "chip_avg_c": None}
    assert state["power_w"] is None
    assert state["uptime_s"] is None
    assert state["fans"] == {"in_rpm": 5730, "out_rpm": 5880}


@pytest.mark.parametrize("name, first_url, count", [
    ("foreman/pools__M3_cgminer-4.9.2_2018.json", "stratum+tcp://bitcoin.1viabtc.com:3333", 3),
    ("foreman/pools__M20S_old-fw_cgminer-4.9.2_2019.json", "stratum+tcp://us-east.stratum.slushpool.com:3333", 2),
    ("foreman/pools__M30S_fw20200512.13.REL.json", "stratum+tcp://sha256asicboost.eu.nicehash.com:3368", 3),
    ("foreman/pools__M31S_fw20201202.22.REL.json", "stratum+tcp://btc.ss.poolin.com:443", 3),
])
def test_foreman_pools_whether_slots_count_from_0_or_1(name, first_url, count):
    pools = normalise(replies(pools=name), {"pools"})["pools"]
    assert len(pools) == count
    assert pools[0]["url"] == first_url
    assert [pool["priority"] for pool in pools] == list(range(count))


def test_foreman_m3_dead_pool_status_is_kept_as_reported():
    pools = normalise(replies(pools="foreman/pools__M3_cgminer-4.9.2_2018.json"), {"pools"})["pools"]
    assert [pool["status"] for pool in pools] == ["Dead", "Alive", "Alive"]


def test_foreman_m31s_joined_reply_and_sleeping_status():
    parts = ("pools", "summary", "edevs")
    joined = {part: [load(f"foreman/multi_pools+summary+edevs__part_{part}__M31S_fw20210109.22.REL.pretty.json")] for part in parts}
    read = split_joined(joined, "+".join(parts))
    read["status"] = load("foreman/status__M31S_fw20210109.22.REL_sleeping.json")
    state = normalise(read)
    assert state["is_mining"] is False  # btmineroff "true" beats a summary still showing hash rate
    assert state["firmware_version"] == "20210109.22.REL"  # status "Firmware Version", quotes stripped
    assert state["power_mode"] == "high"
    assert state["hashrate_ths"] == pytest.approx(99.794)
    assert board_rates(state) == pytest.approx([32.683, 33.607, 33.504])
    assert state["errors"] == [{"code": 206, "time": None}, {"code": 2320, "time": None}]
    assert state["pools"] == [{"url": "stratum+tcp://btc.luxor.tech:700", "user": "xxx", "status": "Alive", "priority": 0}]


# ---- subsets -------------------------------------------------------------------------------------

def test_default_is_all_subsets_without_raw(pulse):
    assert set(pulse) == ALL_KEYS
    assert "raw" not in pulse


@pytest.mark.parametrize("subset", sorted(set(KEYS) - {"raw"}))
def test_each_subset_adds_exactly_its_keys(subset):
    assert set(normalise(replies(**ASIC_RS_V2), {subset})) == KEYS[subset]


@pytest.mark.parametrize("requested, expected", [
    (None, set(KEYS) - {"raw"}),
    (["all"], set(KEYS) - {"raw"}),
    ([], set(KEYS) - {"raw"}),
    ("pools", {"pools"}),
    (["identity", "mining"], {"identity", "mining"}),
    (["!psu"], set(KEYS) - {"raw", "psu"}),
    (["all", "!psu", "!errors"], set(KEYS) - {"raw", "psu", "errors"}),
    (["pools", "!pools"], {"pools"}),
    (["!all"], set()),
    (["!all", "pools"], {"pools"}),
    (["!all", "!raw"], set()),
    (["all", "raw"], set(KEYS)),
    (["raw"], {"raw"}),
    (["!all", "raw"], {"raw"}),
    (["all", "raw", "!psu"], set(KEYS) - {"psu"}),
    ([" identity "], {"identity"}),
])
def test_resolve_subsets_follows_gather_subset_rules(requested, expected):
    assert resolve_subsets(requested) == frozenset(expected)


@pytest.mark.parametrize("requested", [["hardware"], ["!nonsense"], ["all", "Pools"]])
def test_an_unknown_subset_is_refused_with_the_valid_names(requested):
    with pytest.raises(ValueError) as caught:
        resolve_subsets(requested)
    assert "identity" in str(caught.value)
    assert requested[-1] in str(caught.value)


def test_exclusions_remove_keys_from_the_state():
    state = normalise(replies(**ASIC_RS_V2), ["all", "!psu", "!hashboards"])
    assert set(state) == ALL_KEYS - {"psu", "hashboards"}


def test_raw_is_added_only_when_asked():
    read = replies(**ASIC_RS_V2)
    read["devdetails"] = None
    assert "raw" not in normalise(read)
    assert "raw" not in normalise(read, ["all", "!raw"])
    state = normalise(read, ["all", "raw"])
    assert state["raw"] == read
    assert set(state) == ALL_KEYS | {"raw"}


def test_raw_alone_gives_only_the_replies():
    read = replies(**ASIC_RS_V2)
    assert normalise(read, ["raw"]) == {"raw": read}


@pytest.mark.parametrize("requested", [None, ["all"], ["identity", "mining"], ["raw"], ["!all", "raw"], ["all", "raw", "!psu"]])
def test_resolving_subsets_twice_changes_nothing(requested):
    once = resolve_subsets(requested)
    assert resolve_subsets(once) == once
    assert commands_for(once) == commands_for(requested)


def test_raw_is_a_copy_of_the_replies():
    read = replies(**ASIC_RS_V2)
    state = normalise(read, ["raw"])
    state["raw"]["summary"]["SUMMARY"][0]["MHS av"] = 0
    assert read["summary"]["SUMMARY"][0]["MHS av"] == 125000000.0


def test_inventory_scan_reads_only_five_commands():
    assert set(commands_for(["identity", "mining"])) == {"summary", "get_version", "get_miner_info", "devdetails", "status"}


@pytest.mark.parametrize("requested, expected", [
    (["pools"], ("pools",)),
    (["hashboards"], ("summary", "edevs")),
    (["errors"], ("summary", "get_error_code")),
    (["psu"], ("summary", "get_miner_info", "get_psu")),
    (None, _state.COMMAND_ORDER),
    (["raw"], _state.COMMAND_ORDER),
    (["identity", "raw"], _state.COMMAND_ORDER),
    (["all", "!pools", "!hashboards", "!psu", "!errors"], ("summary", "devdetails", "get_version", "get_miner_info", "status")),
])
def test_commands_for_each_subset_in_send_order(requested, expected):
    assert commands_for(requested) == expected


def test_every_read_command_is_a_readable_command():
    from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import READ_COMMANDS  # pylint: disable=import-outside-toplevel

    assert set(_state.COMMAND_ORDER) <= READ_COMMANDS
    assert {command for reads in _state.READS.values() for command in reads} == set(_state.COMMAND_ORDER)
    assert set(_state.READS) == set(_state.SUBSETS)


# ---- rules on minimal replies --------------------------------------------------------------------

def flat(msg) -> dict:
    return {"STATUS": "S", "When": 1700000000, "Code": 131, "Msg": msg, "Description": ""}


def listed(key: str, rows: list) -> dict:
    return {"STATUS": [{"STATUS": "S", "When": 1700000000, "Code": 11, "Msg": key.title(), "Description": "btminer"}], key: rows, "id": 1}


ERROR_132 = {"STATUS": "E", "When": 1700000000, "Code": 132, "Msg": "This command is deprecated.", "Description": ""}


def test_nothing_read_gives_none_everywhere():
    state = normalise({})
    assert set(state) == ALL_KEYS
    for key in KEYS["identity"] | KEYS["mining"] - {"temperature", "fans"}:
        assert state[key] is None, key
    assert state["pools"] is None and state["hashboards"] is None and state["errors"] is None
    assert set(state["psu"].values()) == {None}
    assert set(state["temperature"].values()) == {None}
    assert set(state["fans"].values()) == {None}


def test_failed_commands_given_as_none_or_error_replies_count_as_not_reported():
    read = {command: None for command in _state.COMMAND_ORDER}
    read["summary"] = ERROR_132
    read["pools"] = ERROR_132
    assert normalise(read) == normalise({})


@pytest.mark.parametrize("status, summary_mhs, expected", [
    ({"mineroff": "true"}, 100.0, False),
    ({"mineroff": "false"}, 0, True),
    ({"btmineroff": "true"}, 100.0, False),
    ({"btmineroff": "false"}, None, True),
    ({}, 100.0, True),
    ({}, 0, False),
    ({}, None, None),
    ({"mineroff": ""}, 5.0, True),
])
def test_is_mining_reads_status_then_summary_hash_rate(status, summary_mhs, expected):
    summary = listed("SUMMARY", [{} if summary_mhs is None else {"MHS av": summary_mhs}])
    state = normalise({"status": flat(status), "summary": summary}, {"mining"})
    assert state["is_mining"] is expected


@pytest.mark.parametrize("status_mode, summary_mode, expected", [
    ("low", "Normal", "low"),
    ("", "High", "high"),
    (None, "Low", "low"),
    ("sleep", "Normal", "normal"),
    ("", "", None),
    (None, None, None),
])
def test_power_mode_is_lowercase_and_empty_is_none(status_mode, summary_mode, expected):
    status = {} if status_mode is None else {"power_mode": status_mode}
    summary = {} if summary_mode is None else {"Power Mode": summary_mode}
    state = normalise({"status": flat(status), "summary": listed("SUMMARY", [summary])}, {"mining"})
    assert state["power_mode"] == expected


def test_newer_status_settings_are_numbers_and_an_empty_limit_is_the_default():
    status = flat({"mineroff": "false", "power_mode": "normal", "power_limit_set": "", "hash_percent": "-10", "power_pct": "90"})
    state = normalise({"status": status}, {"mining"})
    assert state["power_limit_set"] is None
    assert state["target_freq_pct"] == -10
    assert state["power_pct"] == 90


def test_fast_boot_enable_is_true():
    state = normalise({"summary": flat({"Btminer Fast Boot": "enable"})}, {"mining"})
    assert state["fast_boot"] is True


@pytest.mark.parametrize("version, expected", [
    ("whatsminer v1.4.0", "1.4.0"),
    ("2.0.5", "2.0.5"),
    ("", None),
])
def test_api_version_drops_the_old_daemon_prefix(version, expected):
    assert normalise({"get_version": flat({"api_ver": version})}, {"identity"})["api_version"] == expected


@pytest.mark.parametrize("read, expected", [
    ({"get_version": flat({"fw_ver": "20250321.14.Rel"}), "status": flat({"FirmwareVersion": "20240624.18.REL"})}, "20250321.14.Rel"),
    ({"status": flat({"FirmwareVersion": "20240624.18.REL"})}, "20240624.18.REL"),
    ({"status": flat({"Firmware Version": "'20210109.22.REL'"})}, "20210109.22.REL"),
    ({"summary": listed("SUMMARY", [{"Firmware Version": "'20210322.22.REL'"}])}, "20210322.22.REL"),
    ({"get_version": flat({"fw_ver": ""}), "summary": flat({"Firmware Version": "'20200512.13.REL'"})}, "20200512.13.REL"),
    ({"summary": flat({"Firmware Version": "''"})}, None),
])
def test_firmware_version_sources_in_order_with_quotes_stripped(read, expected):
    assert normalise(read, {"identity"})["firmware_version"] == expected


@pytest.mark.parametrize("read, model, model_raw", [
    ({"devdetails": listed("DEVDETAILS", [{"DEVDETAILS": 0, "Model": "M31SV10"}])}, "M31SV10", "M31SV10"),
    ({"devdetails": listed("DEVDETAILS", [{"Model": "M56S_VH31"}, {"Model": "M56S_VH31"}])}, "M56SVH30", "M56S_VH31"),
    ({"devdetails": listed("DEVDETAILS", [{"Model": ""}, {"Model": "M30S+VE40"}])}, "M30S+VE40", "M30S+VE40"),
    ({"devdetails": listed("DEVDETAILS", [{"Model": "M50S++"}])}, "M50S++", "M50S++"),
    ({"devdetails": ERROR_132, "get_version": flat({"miner_type": "M60S_VK40"})}, "M60SVK40", "M60S_VK40"),
    ({"devdetails": listed("DEVDETAILS", [{"Model": "M31SV10"}]), "get_version": flat({"miner_type": "M30S+VE40"})}, "M31SV10", "M31SV10"),
    ({"devdetails": ERROR_132}, None, None),
])
def test_model_from_devdetails_else_miner_type(read, model, model_raw):
    state = normalise(read, {"identity"})
    assert (state["model"], state["model_raw"]) == (model, model_raw)


def test_model_string_is_never_templated():
    state = normalise({"devdetails": listed("DEVDETAILS", [{"Model": "{{ lookup('env', 'HOME') }}"}])}, {"identity"})
    assert state["model_raw"] == "{{ lookup('env', 'HOME') }}"


def test_network_settings_from_get_miner_info():
    info = flat({"ip": "192.168.1.189", "proto": "static", "netmask": "255.255.255.0", "gateway": "192.168.1.1",
                 "dns": "192.168.1.1 8.8.8.8", "hostname": "rack1-07", "mac": "C6:07:20:00:1E:C2", "ledstat": "auto",
                 "minersn": "HTM3X40", "powersn": "P1", "upfreq_speed": "5"})
    state = normalise({"get_miner_info": info, "summary": listed("SUMMARY", [{"MAC": "00:00:00:00:00:00"}])}, {"identity", "mining"})
    assert state["dhcp"] is False
    assert state["dns"] == ["192.168.1.1", "8.8.8.8"]
    assert state["hostname"] == "rack1-07"
    assert state["mac"] == "C6:07:20:00:1E:C2"  # get_miner_info before summary
    assert state["serial"] == "HTM3X40"
    assert state["upfreq_speed"] == 5
    assert state["led"] == "auto"


def test_empty_dns_is_an_empty_list_and_unknown_proto_is_none():
    state = normalise({"get_miner_info": flat({"dns": "", "proto": "pppoe"})}, {"identity"})
    assert state["dns"] == []
    assert state["dhcp"] is None


@pytest.mark.parametrize("vendor_key", ["vendor", "vender"])
def test_psu_strings_become_numbers_in_volts_and_amps(vendor_key):
    psu = flat({"name": "P221B", "hw_version": "V01.00", "sw_version": "V01.00.V01.03", "model": "P221B", "iin": "8718",
                "vin": "22400", "pin": "3000", "fan_speed": "6976", "version": "-1", "serial_no": "A1232B0120100049",
                vendor_key: "7", "temp0": "33.5"})
    state = normalise({"get_psu": psu, "get_miner_info": flat({"powersn": "other"})}, {"psu"})
    assert state["psu"] == {"model": "P221B", "serial": "A1232B0120100049", "vendor": "7", "vin_v": 224.0, "iin_a": 8.718,
                            "fan_rpm": 6976, "temperature_c": 33.5}


def test_psu_fields_that_are_not_numbers_are_none():
    state = normalise({"get_psu": flat({"vin": "", "iin": "n/a", "fan_speed": None, "temp0": "nan"})}, {"psu"})
    assert [state["psu"][key] for key in ("vin_v", "iin_a", "fan_rpm", "temperature_c")] == [None] * 4


def test_pool_slots_with_an_empty_url_are_skipped():
    pools = listed("POOLS", [
        {"POOL": 1, "URL": "stratum+tcp://a:3333", "Status": "Alive", "Priority": 0, "User": "w.1"},
        {"POOL": 2, "URL": "", "Status": "Dead", "Priority": 1, "User": ""},
        {"POOL": 3, "URL": "stratum+tcp://c:3333", "Status": "Dead", "Priority": 2, "User": ""},
    ])
    assert normalise({"pools": pools}, {"pools"})["pools"] == [
        {"url": "stratum+tcp://a:3333", "user": "w.1", "status": "Alive", "priority": 0},
        {"url": "stratum+tcp://c:3333", "user": None, "status": "Dead", "priority": 2},
    ]


def test_errors_from_the_api_2_0_4_dict_form():
    raw = b'{"STATUS":"S","When":1642392343,"Code":131,"Msg":{"error_code":["329":"2022-01-17 11:28:11"]},"Description":""}'
    state = normalise({"get_error_code": decode_json(raw, "h", "get_error_code")}, {"errors"})
    assert state["errors"] == [{"code": 329, "time": "2022-01-17 11:28:11"}]


def test_get_error_code_is_preferred_to_summary_and_summary_is_the_fallback():
    summary = load("asic-rs/v1/summary_with_errors.json")
    with_errors = load("asic-rs/v2/get_error_code_with_errors.json")
    assert [e["code"] for e in normalise({"summary": summary, "get_error_code": with_errors}, {"errors"})["errors"]] == [218, 110]
    assert [e["code"] for e in normalise({"summary": summary, "get_error_code": None}, {"errors"})["errors"]] == [110, 600]
    invalid = {"STATUS": "E", "When": 1, "Code": 14, "Msg": "invalid cmd", "Description": "whatsminer v1.3"}
    assert [e["code"] for e in normalise({"summary": summary, "get_error_code": invalid}, {"errors"})["errors"]] == [110, 600]


def test_error_entries_keep_only_numeric_codes():
    msg = {"error_code": [{"264": "2026-05-23 09:19:10", "reason": "Power xfer error."}, "junk", {"x": "y"}]}
    # the V3 entry's reason is kept beside the code (docs/protocol_v3.md, "Reads")
    assert normalise({"get_error_code": flat(msg)}, {"errors"})["errors"] == [
        {"code": 264, "time": "2026-05-23 09:19:10", "reason": "Power xfer error."}]


def test_summary_error_times_are_read_when_reported():
    summary = listed("SUMMARY", [{"Error Code Count": 1, "Error Code 0": 2310, "Error 0 Time": "2024-01-01 10:00:00"}])
    assert normalise({"summary": summary}, {"errors"})["errors"] == [{"code": 2310, "time": "2024-01-01 10:00:00"}]


# ---- the unit of per-board hash rates --------------------------------------------------------------

def board(mhs, **extra) -> dict:
    return dict({"Slot": 0, "MHS av": mhs}, **extra)


@pytest.mark.parametrize("boards, summary, expected", [
    pytest.param([board(37.9), board(38.17)], {"MHS av": 76070000}, [37.9, 38.17], id="ths-against-summary"),
    pytest.param([board(37900000.0), board(38170000.0)], {"MHS av": 76070000}, [37.9, 38.17], id="mhs-against-summary"),
    pytest.param([board(900.0), board(1100.0)], {"MHS av": 2000.0}, [0.001, 0.001], id="mhs-warming-up-against-summary"),
    pytest.param([board(37.9, **{"Factory GHS": 56792})], {}, [37.9], id="ths-against-board-factory"),
    pytest.param([board(37900000.0, **{"Factory GHS": 56792})], {}, [37.9], id="mhs-against-board-factory"),
    pytest.param([board(37.9)], {}, [37.9], id="ths-by-magnitude"),
    pytest.param([board(37900000.0)], {}, [37.9], id="mhs-by-magnitude"),
    pytest.param([board(0), board(0)], {"MHS av": 0}, [0, 0], id="idle"),
    pytest.param([board(37.9), {"Slot": 1}], {"MHS av": 37900000}, [37.9, None], id="board-without-rate"),
])
def test_board_unit_is_told_from_the_numbers(boards, summary, expected):
    read = {"edevs": listed("DEVS", boards), "summary": flat(summary)}
    assert board_rates(normalise(read, {"hashboards"})) == pytest.approx(expected)


def test_boards_from_devs_when_edevs_was_not_sent():
    state = normalise(replies(devs="foreman/devs__M30S_fw20200512.13.REL.json"), {"hashboards"})
    assert [b["slot"] for b in state["hashboards"]] == [0, 1, 2]
    assert board_rates(state) == pytest.approx([29.377, 27.876, 27.854])


def test_board_slot_falls_back_to_asc_then_position():
    rows = [{"ASC": 4, "MHS av": 1.0}, {"MHS av": 1.0}]
    state = normalise({"edevs": listed("DEVS", rows)}, {"hashboards"})
    assert [b["slot"] for b in state["hashboards"]] == [4, 1]


# ---- hostile and broken replies: each crash or hang found, by name ---------------------------------

def test_a_huge_error_code_count_costs_only_the_entries_present():
    started = time.process_time()
    for count in (10 ** 12, 1e15, "1000000000000", 10 ** 400, 1e400, -5):
        summary = flat({"Error Code Count": count, "Error Code 0": 110, "Error Code 7": 205})
        errors = normalise({"summary": summary}, {"errors"})["errors"]
        assert errors in ([{"code": 110, "time": None}, {"code": 205, "time": None}], [], None), count
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("key", ["\u00b2", "\u0661\u0662", "12\u00b3", "", " ", "1" * 40, "0x1f", "-3"])
def test_an_error_code_key_that_is_not_ascii_digits_is_skipped(key):
    msg = {"error_code": [{key: "2024-01-01 00:00:00"}, {"218": "2024-06-15 10:30:00"}]}
    assert normalise({"get_error_code": flat(msg)}, {"errors"})["errors"] == [{"code": 218, "time": "2024-06-15 10:30:00"}]


HUGE = ["1" + "0" * 309, 10 ** 400, -10 ** 400, "1e400", "-1e400", 1e308 * 10, float("nan"), "Infinity", "NaN", 2e15]


@pytest.mark.parametrize("value", HUGE, ids=repr)
def test_a_figure_beyond_any_miner_is_not_reported(value):
    summary = flat({key: value for key in ("MHS av", "Factory GHS", "Power", "Uptime", "Power Limit", "Error Code Count")})
    read = {
        "summary": summary,
        "get_psu": flat({"vin": value, "iin": value, "fan_speed": value, "temp0": value}),
        "edevs": listed("DEVS", [board(value, **{"Factory GHS": value}), board(37.9), board(value)]),
        "status": flat({"power_limit_set": value, "hash_percent": value}),
    }
    state = normalise(read, ["all", "raw"])
    assert state["hashrate_ths"] is None and state["factory_hashrate_ths"] is None
    assert state["psu"]["vin_v"] is None and state["psu"]["iin_a"] is None
    assert [b["hashrate_ths"] for b in state["hashboards"]] == [None, 37.9, None]
    assert state["is_mining"] is None
    assert "truncated" not in state


def test_a_devs_list_with_one_rate_beyond_float_range_keeps_the_others():
    read = {"edevs": listed("DEVS", [board("1" + "0" * 309), board(37900000.0), board(38100000.0)])}
    assert board_rates(normalise(read, {"hashboards"})) == [None, 37.9, 38.1]


def test_raw_copies_replies_of_any_depth_without_recursion():
    deep = inner = {}
    for _unused in range(5000):
        inner["a"] = [{}]
        inner = inner["a"][0]
    state = normalise({"summary": flat(deep)}, ["raw"])
    assert state["raw"]["summary"]["Msg"] is not deep
    node, depth = state["raw"]["summary"]["Msg"], 0
    while node:
        node, depth = node["a"][0], depth + 1
    assert depth == 5000


def test_raw_copies_shared_and_cyclic_values_once():
    shared = {"x": 1}
    cyclic = {"STATUS": "S", "Msg": {"a": shared, "b": shared}}
    cyclic["Msg"]["self"] = cyclic
    raw = normalise({"status": cyclic}, ["raw"])["raw"]["status"]
    assert raw["Msg"]["a"] is raw["Msg"]["b"] and raw["Msg"]["a"] is not shared
    assert raw["Msg"]["self"] is raw


@pytest.mark.parametrize("replies_", [None, [], "summary", 7, {"summary": [1, 2]}, {"summary": "x", "pools": 3.5}])
def test_replies_of_the_wrong_type_are_not_reported(replies_):
    assert normalise(replies_) == normalise({})


@pytest.mark.parametrize("field", ["Model", "URL", "PCB SN", "mac", "Firmware Version"])
def test_an_integer_string_field_beyond_any_miner_is_not_reported(field):
    value = 10 ** 5000 // 10 ** 4000  # 1001 digits: str() of it works, but no miner sends it
    read = {"devdetails": listed("DEVDETAILS", [{field: value}]), "pools": listed("POOLS", [{field: value}]),
            "edevs": listed("DEVS", [{field: value}]), "get_miner_info": flat({field: value}),
            "summary": listed("SUMMARY", [{field: value}])}
    state = normalise(read)
    assert state["model"] is None and state["mac"] is None and state["pools"] == []


# ---- replies cut off (protocol.md 10.4): unknown, never a shorter list --------------------------------

M31S_SUMMARY = "foreman/summary__M31S_fw20201202.22.REL.json"


def cut_summary(before: bytes) -> dict:
    raw = (FIXTURES / M31S_SUMMARY).read_bytes()
    return decode_json(raw[:raw.index(before)], "h", "summary")


def test_a_summary_cut_among_its_errors_reports_errors_and_what_follows_as_unknown():
    state = normalise({"summary": cut_summary(b'"Error Code 2"')})
    assert state["errors"] is None
    assert state["hashrate_ths"] == pytest.approx(76.719)  # arrived before the cut
    assert state["fans"] == {"in_rpm": 5700, "out_rpm": 0}
    for fact in ("power_mode", "power_limit_w", "factory_hashrate_ths", "mac", "firmware_version"):
        assert state[fact] is None
    assert state["truncated"] == [
        "errors", "factory_hashrate_ths", "fast_boot", "firmware_version", "mac", "power_limit_w", "power_mode",
        "psu.iin_a", "psu.vin_v", "temperature.chip_avg_c", "temperature.chip_max_c", "temperature.chip_min_c",
        "temperature.env_c",
    ]


def test_truncated_lists_only_facts_of_the_subsets_asked_for():
    assert normalise({"summary": cut_summary(b'"Error Code 2"')}, {"errors"}) == {"errors": None, "truncated": ["errors"]}
    state = normalise({"summary": cut_summary(b'"Error Code 2"')}, {"hashboards", "pools"})
    assert "truncated" not in state


def test_a_summary_cut_after_its_count_keeps_its_whole_error_list():
    state = normalise({"summary": cut_summary(b'"Security Mode"')}, {"errors", "mining"})
    assert state["errors"] == [{"code": 110, "time": None}, {"code": 111, "time": None}, {"code": 131, "time": None}]
    assert "errors" not in state["truncated"] and "power_mode" in state["truncated"]


def test_facts_another_reply_reports_are_not_lost_with_a_cut_summary():
    read = {"summary": cut_summary(b'"Error Code 2"'), "status": flat({"power_mode": "low", "FirmwareVersion": "20240624.18.REL"}),
            "get_miner_info": flat({"mac": "C6:06:12:00:2D:63"})}
    state = normalise(read)
    assert (state["power_mode"], state["firmware_version"], state["mac"]) == ("low", "20240624.18.REL", "C6:06:12:00:2D:63")
    assert not {"power_mode", "firmware_version", "mac"} & set(state["truncated"])


def test_a_cut_error_list_is_unknown_and_get_error_code_is_not_replaced_by_summary():
    raw = (FIXTURES / "asic-rs/v2/get_error_code_with_errors.json").read_bytes()
    cut = decode_json(raw[:raw.index(b'{"110"')], "h", "get_error_code")
    read = {"get_error_code": cut, "summary": load("asic-rs/v1/summary_with_errors.json")}
    assert normalise(read, {"errors"}) == {"errors": None, "truncated": ["errors"]}


def test_parts_of_a_joined_read_lost_in_a_cut_are_unknown():
    lost = {CUT: True}
    state = normalise({"summary": lost, "pools": lost, "edevs": lost, "devdetails": lost})
    assert state["pools"] is None and state["hashboards"] is None and state["model"] is None
    assert {"pools", "hashboards", "errors", "model", "model_raw", "hashrate_ths", "mac"} <= set(state["truncated"])


def test_nothing_cut_means_no_truncated_key():
    assert "truncated" not in normalise(replies(**ASIC_RS_V2), ["all", "raw"])
    assert "truncated" not in normalise({})


@pytest.mark.parametrize("fact, rows", [
    ("pools", lambda n: listed("POOLS", [{"URL": f"stratum+tcp://p{i}:3333"} for i in range(n)])),
    ("hashboards", lambda n: listed("DEVS", [board(1.0) for _unused in range(n)])),
    ("errors", lambda n: flat({"error_code": [{str(100 + i): ""} for i in range(n)]})),
])
def test_a_flood_is_unknown_rather_than_cut_short(fact, rows):
    command = {"pools": "pools", "hashboards": "edevs", "errors": "get_error_code"}[fact]
    limit = {"pools": _state.MAX_POOLS, "hashboards": _state.MAX_BOARDS, "errors": _state.MAX_ERRORS}[fact]
    assert len(normalise({command: rows(limit)}, {fact})[fact]) == limit
    started = time.process_time()
    assert normalise({command: rows(limit * 100)}, {fact}) == {fact: None, "truncated": [fact]}
    assert time.process_time() - started < 2


@pytest.mark.parametrize("name", ["foreman/summary__M31S_fw20201202.22.REL.json", "asic-rs/v1/summary_with_errors.json",
                                  "foreman/summary__M30S_fw20200512.13.REL.json",
                                  "whatsminer-pulse/summary__M60S-class_2026-02_v2compat-Msg-object.json"])
def test_every_fact_read_from_a_summary_key_is_named_with_that_key(name):
    """_FROM_SUMMARY must name every fact a summary key gives: drop each key in turn and see what changes."""
    reply = load(name)
    row = reply["SUMMARY"][0] if "SUMMARY" in reply else reply["Msg"]
    full = normalise({"summary": reply})
    declared = {}
    for path, key in _state._FROM_SUMMARY:  # pylint: disable=protected-access
        declared.setdefault(key, set()).add(path)
    for key in list(row):
        without = dict(reply)
        smaller = {k: v for k, v in row.items() if k != key}
        if "SUMMARY" in reply:
            without["SUMMARY"] = [smaller]
        else:
            without["Msg"] = smaller
        changed = {path for path, value in leaves(normalise({"summary": without})).items() if value != leaves(full)[path]}
        changed -= {"errors"}  # the error list has its own completeness rule
        assert changed <= declared.get(key, set()), (key, changed)


def leaves(state: dict) -> dict:
    flat_state = {}
    for key, value in state.items():
        if key in ("temperature", "fans", "psu"):
            flat_state.update((f"{key}.{name}", item) for name, item in value.items())
        else:
            flat_state[key] = value
    return flat_state
