# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reply parsing against every stored real reply, the quirk repairs of protocol.md 10.4, error codes
to exceptions, '+'-joined replies and the JSON-then-bytes framing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _errors
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import (
    CUT,
    MAX_DEPTH,
    check,
    decode_json,
    first_json_object,
    is_cut,
    split_joined,
    status_of,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HOST = "10.1.2.3"

# Every stored reply in the V2 envelope: its (STATUS, Code) as status_of reads it.
ENVELOPE = {
    "asic-rs/v1/devs.json": ("S", 9),
    "asic-rs/v1/get_psu.json": ("S", 131),
    "asic-rs/v1/get_version.json": ("S", 131),
    "asic-rs/v1/pools.json": ("S", 7),
    "asic-rs/v1/status.json": ("S", 131),
    "asic-rs/v1/summary.json": ("S", 11),
    "asic-rs/v1/summary_with_errors.json": ("S", 11),
    "asic-rs/v2/devs.json": ("S", 9),
    "asic-rs/v2/get_error_code.json": ("S", 131),
    "asic-rs/v2/get_error_code_with_errors.json": ("S", 131),
    "asic-rs/v2/get_miner_info.json": ("S", 131),
    "asic-rs/v2/get_psu.json": ("S", 131),
    "asic-rs/v2/get_version.json": ("S", 131),
    "asic-rs/v2/pools.json": ("S", 7),
    "asic-rs/v2/status.json": ("S", 131),
    "asic-rs/v2/summary.json": ("S", 11),
    "foreman/devs__M20S_fw20200917.22.REL.json": ("S", 9),
    "foreman/devs__M30S_fw20200512.13.REL.json": ("S", 9),
    "foreman/edevs__M31S_fw20201202.22.REL.json": ("S", 9),
    "foreman/enc_response_decrypted__error_code45_write_disabled__whatsminer-v1.1.json": ("E", 45),
    "foreman/enc_response_decrypted__write_ok__whatsminer-v1.1.json": ("S", 131),
    "foreman/error_code24_missing_command__M30S_cgminer-4.9.2.json": ("E", 24),
    "foreman/get_token__whatsminer-v1.1_2020-12.json": ("S", 134),
    "foreman/multi_pools+summary+edevs__part_edevs__M31S_fw20210109.22.REL.pretty.json": ("S", 9),
    "foreman/multi_pools+summary+edevs__part_pools__M31S_fw20210109.22.REL.pretty.json": ("S", 7),
    "foreman/multi_pools+summary+edevs__part_summary__M31S_fw20210109.22.REL.pretty.json": ("S", 11),
    "foreman/pools__M20S_old-fw_cgminer-4.9.2_2019.json": ("S", 7),
    "foreman/pools__M30S_fw20200512.13.REL.json": ("S", 7),
    "foreman/pools__M31S_fw20201202.22.REL.json": ("S", 7),
    "foreman/pools__M3_cgminer-4.9.2_2018.json": ("S", 7),
    "foreman/stats__M20S_old-fw_cgminer-4.9.2_2019.json": ("S", 70),
    "foreman/stats__M3_cgminer-4.9.2_2018.json": ("S", 70),
    "foreman/status__M31S_fw20210109.22.REL_sleeping.json": ("S", 131),
    "foreman/summary__M20S_fw20200917.22.REL.raw": ("S", 11),
    "foreman/summary__M20S_old-fw_cgminer-4.9.2_2019.json": ("S", 11),
    "foreman/summary__M30S_fw20200512.13.REL.json": ("S", 11),
    "foreman/summary__M31S_fw20201202.22.REL.json": ("S", 11),
    "foreman/summary__M3_cgminer-4.9.2_2018.json": ("S", 11),
    "other/error_code14_invalid_cmd__cmd-stats__whatsminer-v1.3_2023-02.json": ("E", 14),
    "other/error_code14_invalid_cmd__cmd-version__whatsminer-v1.1_2026-02.json": ("E", 14),
    "other/get_token__whatsminer-v1.3_2023-03.json": ("S", 134),
    "whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json": ("E", 132),
    # 2024-11+ edevs: the inner STATUS has no When and no Code.
    "whatsminer-pulse/edevs__M60S-class_2026-02.json": ("S", None),
    "whatsminer-pulse/edevs__M60S-class_2026-02__node-capture.json": ("S", None),
    "whatsminer-pulse/get_miner_info__M60S-class_2026-02.json": ("S", 131),
    "whatsminer-pulse/summary__M60S-class_2026-02_v2compat-Msg-object.json": ("S", 131),
}

# Stored files that are not one V2 reply: what identifies each instead.
NOT_ENVELOPE = {
    "asic-rs/v3/get_device_info.json": lambda r: r["code"] == 0 and r["desc"] == "get.device.info",
    "asic-rs/v3/get_device_info_with_errors.json": lambda r: r["code"] == 0 and len(r["msg"]["error-code"]) == 5,
    "asic-rs/v3/get_miner_status_edevs.json": lambda r: r["code"] == 0 and len(r["msg"]["edevs"]) == 3,
    "asic-rs/v3/get_miner_status_pools.json": lambda r: r["code"] == 0 and len(r["msg"]["pools"]) == 3,
    "asic-rs/v3/get_miner_status_summary.json": lambda r: r["code"] == 0 and "summary" in r["msg"],
    "foreman/enc_response_wire__error_code45_write_disabled__whatsminer-v1.1.json": lambda r: isinstance(r["enc"], str),
    "foreman/enc_response_wire__write_ok__whatsminer-v1.1.json": lambda r: isinstance(r["enc"], str),
    "whatsminer-pulse/bundle__summary+edevs+devdetails+get_miner_info__M60S-class_2026-02.json": (
        lambda r: [status_of(r[c])[:2] for c in ("summary", "edevs", "devdetails", "get_miner_info")]
        == [("S", 131), ("S", None), ("E", 132), ("S", 131)]),
    "crypto_test_vectors.json": lambda r: set(r) == {"_note", "A", "B"},
}


def fixture_files():
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file() and p.name != "README.md")


def load(name: str) -> dict:
    return decode_json((FIXTURES / name).read_bytes(), HOST, name)


# ---- every stored reply ------------------------------------------------------------------------

def test_every_fixture_file_has_an_expectation():
    assert fixture_files() == sorted(list(ENVELOPE) + list(NOT_ENVELOPE))


@pytest.mark.parametrize("name", sorted(ENVELOPE))
def test_every_real_reply_decodes_with_its_status_and_code(name):
    assert status_of(load(name))[:2] == ENVELOPE[name]


@pytest.mark.parametrize("name", sorted(NOT_ENVELOPE))
def test_every_other_stored_file_decodes(name):
    assert NOT_ENVELOPE[name](load(name))


def test_the_raw_m20s_summary_is_not_json_until_repaired():
    raw = (FIXTURES / "foreman/summary__M20S_fw20200917.22.REL.raw").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        json.loads(raw)
    assert load("foreman/summary__M20S_fw20200917.22.REL.raw")["SUMMARY"][0]["Firmware Version"] == "'20200917.22.REL'"


def test_a_real_reply_with_a_trailing_nul_decodes_to_the_same_object():
    raw = (FIXTURES / "asic-rs/v1/summary.json").read_bytes()
    assert decode_json(raw + b"\x00", HOST, "summary") == json.loads(raw)


# ---- quirk repairs (protocol.md 10.4), one minimal input each --------------------------------------

@pytest.mark.parametrize("raw, expected", [
    pytest.param(b'{"STATUS":"S","Code":131}\x00', {"STATUS": "S", "Code": 131}, id="trailing-nul"),
    pytest.param('{"STATUS":"S","Code":131}\x00', {"STATUS": "S", "Code": 131}, id="trailing-nul-in-text"),
    pytest.param(b'{"a":1,"b":[1,2,],}', {"a": 1, "b": [1, 2]}, id="trailing-comma"),
    pytest.param(b'{"Msg":"line one\nline two"}', {"Msg": "line oneline two"}, id="raw-newline-in-string"),
    pytest.param(b'{"Msg":{"fan_speed":"6000""temp0":"33.5"}}', {"Msg": {"fan_speed": "6000", "temp0": "33.5"}}, id="missing-comma-before-temp0"),
    pytest.param(b'{"Msg":{"hw_version":"""temp0":"33.5"}}', {"Msg": {"hw_version": "", "temp0": "33.5"}}, id="missing-comma-after-empty-value"),
    pytest.param(
        b'{"STATUS":"S","When":1642392343,"Code":131,"Msg":{"error_code":["329":"2022-01-17 11:28:11"]},"Description":""}',
        {"STATUS": "S", "When": 1642392343, "Code": 131, "Msg": {"error_code": {"329": "2022-01-17 11:28:11"}}, "Description": ""},
        id="api-2.0.4-error-code-list"),
    pytest.param(
        b'{"Msg":{"error_code":["1":"2022-01-17 11:28:11", "2":"2022-01-17 11:28:12"]}}',
        {"Msg": {"error_code": {"1": "2022-01-17 11:28:11", "2": "2022-01-17 11:28:12"}}},
        id="api-2.0.4-error-code-list-of-two"),
    pytest.param(b'{"Firmware Version":"\\\'20200917.22.REL\\\'"}', {"Firmware Version": "'20200917.22.REL'"}, id="backslash-quote"),
    pytest.param(b'{"a":inf,"b":nan,"c":1}', {"a": "", "b": "", "c": 1}, id="inf-nan"),
])
def test_each_quirk_is_repaired(raw, expected):
    assert decode_json(raw, HOST, "summary") == expected


def test_a_reply_truncated_inside_a_long_error_list_keeps_the_complete_entries():
    raw = (b'{"STATUS":"S","When":1,"Code":131,"Msg":{"error_code":['
           b'{"110":"2024-01-01 00:00:00"},{"111":"2024-01-01 00:00:01"},{"112":"2024-01-0')
    reply = decode_json(raw, HOST, "get_error_code")
    assert reply["Msg"]["error_code"] == [{"110": "2024-01-01 00:00:00"}, {"111": "2024-01-01 00:00:01"}]
    assert status_of(reply)[:2] == ("S", 131)


def test_single_quoted_versions_are_valid_json_and_kept_as_reported():
    # Stripping the quotes is the state model's job (``_state.normalise``), not the parser's.
    assert decode_json(b'{"Firmware Version":"\'20210322.22.REL\'"}', HOST, "summary") == {"Firmware Version": "'20210322.22.REL'"}


def test_valid_json_is_not_repaired():
    # Strings that contain what the repairs look for survive when the reply needs no repair.
    reply = {"Msg": "a,}b ,] \\' :inf, \"\"temp0\":", "Description": "line\nbreak"}
    assert decode_json(json.dumps(reply).encode(), HOST, "status") == reply


@pytest.mark.parametrize("raw", [b"", b"\x00", b" \r\n", b"not json", b"[1,2]", b'{"a":'])
def test_unreadable_replies_raise_a_protocol_error_naming_host_and_command(raw):
    with pytest.raises(_errors.ProtocolError) as caught:
        decode_json(raw, HOST, "summary")
    assert HOST in str(caught.value)
    assert "'summary'" in str(caught.value)


# ---- status_of and check -------------------------------------------------------------------------

def test_status_of_reads_the_flat_daemon_envelope():
    assert status_of(load("other/get_token__whatsminer-v1.3_2023-03.json")) == ("S", 134, "")
    assert status_of(load("whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json")) == (
        "E", 132, "This command is deprecated.")


def test_status_of_reads_the_list_style_envelope():
    assert status_of(load("foreman/summary__M31S_fw20201202.22.REL.json")) == ("S", 11, "Summary")
    assert status_of(load("foreman/error_code24_missing_command__M30S_cgminer-4.9.2.json")) == (
        "E", 24, "Missing JSON 'command'")


def test_status_of_a_reply_without_status():
    assert status_of({"enc": "abc"}) == ("", None, "")
    assert status_of({"STATUS": []}) == ("", None, "")


def test_check_returns_a_successful_reply_unchanged():
    reply = load("asic-rs/v2/status.json")
    assert check(reply, HOST, "status") is reply


def error_reply(code: int, msg: str) -> dict:
    return {"STATUS": "E", "When": 1700000000, "Code": code, "Msg": msg, "Description": ""}


@pytest.mark.parametrize("reply, after_write, expected", [
    pytest.param(load("other/error_code14_invalid_cmd__cmd-stats__whatsminer-v1.3_2023-02.json"), False, _errors.InvalidCommand, id="14"),
    pytest.param(error_reply(23, "json cmd err"), False, _errors.InvalidJson, id="23-read"),
    pytest.param(error_reply(23, "json cmd err"), True, _errors.WrongPassword, id="23-after-write"),
    pytest.param(load("foreman/enc_response_decrypted__error_code45_write_disabled__whatsminer-v1.1.json"), True,
                 _errors.WriteApiDisabled, id="45"),
    pytest.param(load("whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json"), False, _errors.CommandFailed, id="132"),
    pytest.param(error_reply(135, "check token err"), True, _errors.TokenRejected, id="135"),
    pytest.param(error_reply(136, "over max connect"), False, _errors.TokenLimit, id="136"),
    pytest.param(error_reply(137, "base64 decode err"), True, _errors.Base64Error, id="137"),
])
def test_check_raises_the_exception_class_of_each_code(reply, after_write, expected):
    with pytest.raises(expected) as caught:
        check(reply, HOST, "set_led", after_write=after_write)
    assert type(caught.value) is expected  # pylint: disable=unidiomatic-typecheck
    assert caught.value.code == reply["Code"]
    assert caught.value.msg == reply["Msg"]
    assert caught.value.host == HOST
    assert HOST in str(caught.value)
    assert "'set_led'" in str(caught.value)
    assert str(reply["Code"]) in str(caught.value)


def test_check_raises_a_plain_api_error_for_an_unmapped_code():
    with pytest.raises(_errors.ApiError) as caught:
        check(load("foreman/error_code24_missing_command__M30S_cgminer-4.9.2.json"), HOST, "status")
    assert type(caught.value) is _errors.ApiError  # pylint: disable=unidiomatic-typecheck
    assert caught.value.code == 24
    assert "Missing JSON 'command'" in str(caught.value)


def test_every_api_error_is_a_whatsminer_error():
    assert issubclass(_errors.ApiError, _errors.WhatsMinerError)
    assert issubclass(_errors.ProtocolError, _errors.WhatsMinerError)


# ---- '+'-joined commands ---------------------------------------------------------------------------

MULTI_PARTS = {
    part: f"foreman/multi_pools+summary+edevs__part_{part}__M31S_fw20210109.22.REL.pretty.json"
    for part in ("pools", "summary", "edevs")
}


def test_split_joined_returns_each_part_of_the_foreman_multi_command_reply():
    parts = {part: load(name) for part, name in MULTI_PARTS.items()}
    joined = {part: [reply] for part, reply in parts.items()}
    joined["id"] = 1
    assert split_joined(joined, "pools+summary+edevs") == parts


def test_split_joined_parts_keep_their_own_status():
    joined = {part: [load(name)] for part, name in MULTI_PARTS.items()}
    split = split_joined(joined, "pools+summary+edevs")
    assert [status_of(split[part])[:2] for part in ("pools", "summary", "edevs")] == [("S", 7), ("S", 11), ("S", 9)]


def test_split_joined_gives_none_for_a_missing_part():
    joined = {"summary": [load(MULTI_PARTS["summary"])], "id": 1}
    assert split_joined(joined, "summary+pools")["pools"] is None


def test_split_joined_of_a_single_command_is_the_reply_itself():
    reply = load("asic-rs/v1/summary.json")
    assert split_joined(reply, "summary") == {"summary": reply}


# ---- first_json_object -------------------------------------------------------------------------

@pytest.mark.parametrize("buffer, expected", [
    pytest.param(b'{"Msg":{"logfilelen":"3"}}\x1f\x8b\x08', 26, id="json-then-gzip-bytes"),
    pytest.param(b'{"a":"}{"}rest', 10, id="braces-in-string"),
    pytest.param(b'{"a":"\\"}"}tail', 11, id="escaped-quote-in-string"),
    pytest.param(b'{"a":{"b":{}}}', 14, id="nested"),
    pytest.param(b'{"enc":"abc', None, id="incomplete-string"),
    pytest.param(b'{"a":{"b":1}', None, id="incomplete-object"),
    pytest.param(b"", None, id="empty"),
])
def test_first_json_object_length(buffer, expected):
    assert first_json_object(buffer) == expected


def test_first_json_object_finds_a_real_encrypted_header_followed_by_data():
    header = (FIXTURES / "foreman/enc_response_wire__write_ok__whatsminer-v1.1.json").read_bytes().strip()
    assert first_json_object(header + b"\x00\x01\x02{") == len(header)


# ---- hostile and broken replies: each crash or hang found, by name ---------------------------------

def test_the_api_204_error_list_repair_does_not_backtrack():
    # 22 pairs without commas took minutes with the former pattern
    raw = b'{"error_code":[' + b'  '.join(b'"1":"t"' for _unused in range(22))
    started = time.process_time()
    with pytest.raises(_errors.ProtocolError):
        decode_json(raw, HOST, "c")
    assert time.process_time() - started < 0.5
    closed = raw + b"]}"
    started = time.process_time()
    with pytest.raises(_errors.ProtocolError):
        decode_json(closed, HOST, "get_error_code")
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("command", ["c", "summary", "get_error_code"])
def test_closing_a_cut_reply_is_linear(command):
    # 4000 keys took tens of seconds with the former repair, which parsed the reply once per comma
    raw = b'{"a":1 ' + b','.join(b'"k%d":%d' % (i, i) for i in range(4000)) + b'}'
    started = time.process_time()
    with pytest.raises(_errors.ProtocolError):
        decode_json(raw, HOST, command)
    cut = b'{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{' + b",".join(
        b'"Error Code %d":%d,"Error %d Time":"2024-01-01 00:00:%02d"' % (i, 100 + i, i, i % 60) for i in range(1500))
    assert len(cut) > 60_000
    reply = decode_json(cut, HOST, "summary")
    assert time.process_time() - started < 1.0
    assert reply["SUMMARY"][0][CUT] is True


@pytest.mark.parametrize("code", [b"1e400", b"-1e400", b"-Infinity", b"Infinity", b"NaN", b"1" + b"0" * 400, b"true", b'"x"'])
def test_a_code_that_is_no_integer_is_not_reported(code):
    for reply in (b'{"STATUS":"E","Code":%s,"Msg":"m"}' % code, b'{"STATUS":[{"STATUS":"E","Code":%s,"Msg":"m"}]}' % code):
        decoded = decode_json(reply, HOST, "status")
        assert status_of(decoded) == ("E", None, "m")
        with pytest.raises(_errors.ApiError) as caught:
            check(decoded, HOST, "status")
        assert caught.value.code is None


def test_numbers_no_float_holds_are_kept_as_the_text_sent():
    reply = decode_json(b'{"a":1e400,"b":-Infinity,"c":NaN,"d":Infinity,"e":1.5,"f":-1e-400}', HOST, "summary")
    assert reply == {"a": "1e400", "b": "-Infinity", "c": "NaN", "d": "Infinity", "e": 1.5, "f": -0.0}


def test_a_huge_integer_is_read_and_one_beyond_pythons_limit_is_refused():
    assert decode_json(b'{"a":1' + b"0" * 400 + b"}", HOST, "summary") == {"a": 10 ** 400}
    with pytest.raises(_errors.ProtocolError):
        decode_json(b'{"a":1' + b"0" * 5000 + b"}", HOST, "summary")


@pytest.mark.parametrize("raw", [
    pytest.param(b"[" * 100_000, id="100000-open-brackets"),
    pytest.param(b'{"a":' * 2000 + b"1" + b"}" * 2000, id="2000-deep-closed"),
    pytest.param(b'{"STATUS":"S","Msg":' + b"[" * 600 + b"]" * 600 + b"}", id="600-deep-in-msg"),
    pytest.param(b'{"STATUS":"S","Msg":' + b"[" * 600 + b"]" * 600, id="600-deep-then-cut"),
    pytest.param(b"{" + b'"a":{' * 40 + b'"b":[1,2,]' + b"}" * 41, id="deep-and-needing-repair"),
])
def test_deep_nesting_is_a_protocol_error(raw):
    for command in ("summary", "get_error_code", "summary+pools", "status"):
        started = time.process_time()
        with pytest.raises(_errors.ProtocolError) as caught:
            decode_json(raw, HOST, command)
        assert time.process_time() - started < 0.5
        assert f"nests more than {MAX_DEPTH} levels" in str(caught.value)


def test_nesting_up_to_the_limit_is_read_and_brackets_in_strings_do_not_count():
    deep = b'{"a":' * (MAX_DEPTH - 1) + b"[]" + b"}" * (MAX_DEPTH - 1)
    assert decode_json(deep, HOST, "summary")
    with pytest.raises(_errors.ProtocolError):
        decode_json(b"[" + deep + b"]", HOST, "summary")
    assert decode_json(b'{"Msg":"' + b"[{" * 5000 + b'"}', HOST, "status") == {"Msg": "[{" * 5000}


def test_decode_json_keeps_its_positional_signature_and_takes_the_depth_as_a_keyword():
    assert decode_json(b'{"a":[[1]]}', HOST, "summary") == {"a": [[1]]}
    with pytest.raises(_errors.ProtocolError):
        decode_json(b'{"a":[[1]]}', HOST, "summary", max_depth=2)


# ---- cut-off replies (protocol.md 10.4): closed only where firmware cuts, and then marked ---------------

M31S_SUMMARY = "foreman/summary__M31S_fw20201202.22.REL.json"


def test_a_cut_reply_names_the_bytes_that_arrived():
    raw = (FIXTURES / "foreman/pools__M31S_fw20201202.22.REL.json").read_bytes()[:700]
    with pytest.raises(_errors.TruncatedReply) as caught:
        decode_json(raw, HOST, "pools")
    assert "cut off after 700 bytes" in str(caught.value)
    assert isinstance(caught.value, _errors.ProtocolError)


def test_a_cut_pools_reply_is_refused_not_read_as_no_pools():
    raw = (FIXTURES / "foreman/pools__M31S_fw20201202.22.REL.json").read_bytes()
    cut = raw[:raw.index(b'"POOLS":[') + len(b'"POOLS":[{"POOL":1')]
    with pytest.raises(_errors.TruncatedReply):
        decode_json(cut, HOST, "pools")


def test_a_cut_edevs_reply_is_refused_not_read_as_fewer_boards():
    raw = (FIXTURES / "foreman/edevs__M31S_fw20201202.22.REL.json").read_bytes()
    second_board = raw.index(b'{"ASC":1')
    for size in (second_board - 1, second_board + 40, len(raw) - 20):
        with pytest.raises(_errors.TruncatedReply):
            decode_json(raw[:size], HOST, "edevs")


def test_a_summary_cut_among_its_error_entries_is_closed_and_marked():
    raw = (FIXTURES / M31S_SUMMARY).read_bytes()
    cut = raw[:raw.index(b'"Error Code 2"') + 6]
    reply = decode_json(cut, HOST, "summary")
    row = reply["SUMMARY"][0]
    assert row[CUT] is True and reply[CUT] is True
    assert row["Error Code 1"] == 111 and "Error Code 2" not in row
    assert CUT not in reply["STATUS"][0]  # whole before the cut: not marked
    assert status_of(reply)[:2] == ("S", 11)


def test_a_summary_cut_without_error_entries_is_refused():
    raw = (FIXTURES / "foreman/summary__M3_cgminer-4.9.2_2018.json").read_bytes()
    for size in (200, 600, len(raw) - 5):
        with pytest.raises(_errors.TruncatedReply):
            decode_json(raw[:size], HOST, "summary")


def test_a_summary_cut_before_its_error_entries_is_refused():
    raw = (FIXTURES / M31S_SUMMARY).read_bytes()
    with pytest.raises(_errors.TruncatedReply):
        decode_json(raw[:raw.index(b'"Error Code 0"') - 3], HOST, "summary")


def test_a_cut_reply_keeps_a_last_value_that_arrived_whole():
    raw = b'{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Error Code 0":110,"Error 0 Time":"2024-01-01 10:00:00"'
    assert decode_json(raw, HOST, "summary")["SUMMARY"][0]["Error 0 Time"] == "2024-01-01 10:00:00"
    # a number may have been cut anywhere: dropped
    assert "Error Code 1" not in decode_json(raw + b',"Error Code 1":11', HOST, "summary")["SUMMARY"][0]


def test_a_cut_api_204_error_list_is_closed_as_an_object():
    raw = b'{"STATUS":"S","When":1,"Code":131,"Msg":{"error_code":["329":"2022-01-17 11:28:11","330":"2022-01-1'
    reply = decode_json(raw, HOST, "get_error_code")
    assert reply["Msg"]["error_code"] == {"329": "2022-01-17 11:28:11"}
    assert reply["Msg"][CUT] is True


def test_a_get_error_code_cut_before_its_list_is_refused():
    with pytest.raises(_errors.TruncatedReply):
        decode_json(b'{"STATUS":"S","When":1,"Code":131,"Msg":{"err', HOST, "get_error_code")


def test_a_joined_reply_cut_in_its_summary_gives_the_lost_parts_as_cut_objects():
    summary = json.loads((FIXTURES / M31S_SUMMARY).read_bytes())
    pools = json.loads((FIXTURES / "foreman/pools__M31S_fw20201202.22.REL.json").read_bytes())
    raw = json.dumps({"summary": [summary], "pools": [pools], "id": 1}, separators=(",", ":")).encode()
    cut = raw[:raw.index(b'"Error Code 1"')]
    parts = split_joined(decode_json(cut, HOST, "summary+pools+edevs"), "summary+pools+edevs")
    assert parts["summary"][CUT] is True and parts["summary"]["SUMMARY"][0][CUT] is True
    assert parts["pools"] == {CUT: True} and parts["edevs"] == {CUT: True}
    assert is_cut(parts["pools"])
    # cut inside pools, after a whole summary: not where firmware cuts
    with pytest.raises(_errors.TruncatedReply):
        decode_json(raw[:raw.index(b'"POOLS"') + 20], HOST, "summary+pools+edevs")


def test_a_whole_joined_reply_gives_missing_parts_as_none():
    assert split_joined({"summary": [{"STATUS": "S"}], "id": 1}, "summary+pools") == {"summary": {"STATUS": "S"}, "pools": None}


def test_first_json_object_is_linear_in_what_follows_the_header():
    header = b'{"enc":"abc"}'
    started = time.process_time()
    assert first_json_object(header + b'"' * 1_000_000) == len(header)
    assert first_json_object(b'{"a":"' + b'\\"' * 200_000) is None
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("filler", [4089, 4090, 4091, 4092, 16380, 16381])
def test_first_json_object_reads_strings_across_its_windows(filler):
    # braces and an escaped quote in a string that crosses the 4096-byte window, at several offsets
    header = b'{"a":"' + b"x" * filler + b'\\"}{\\\\' + b"}" * 10 + b'","b":{}}'
    assert first_json_object(header + b"\x1f\x8b}}{" * 1000) == len(header)
    assert first_json_object(header[:-1]) is None
