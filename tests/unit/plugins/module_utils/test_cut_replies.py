# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every stored reply (the .raw one too) cut off at every byte: none may come back as complete facts
without saying so.

For each cut, either ``decode_json`` raises a WhatsMinerError, or the facts equal those of the
whole reply, or every fact that differs is None and named in ``truncated`` (protocol.md 10.4 and
the ``_state`` module docstring). Fewer boards, fewer pools or a value silently null are failures.

Two stored replies are cgminer ``stats`` dumps (40 and 67 KB) that the collection never reads;
cutting those at every byte costs minutes (each cut is parsed whole), so by default they are cut
at every byte of their first KB and their last 64 bytes and at every 499th byte between.
``HASHOPS_CUT_EVERY_BYTE=1`` (``make fuzz`` sets it) cuts them at every byte too.

Joined reads are built from stored parts and cut at every byte of their summary part (where a cut
may be repaired) and its edges, and at every 7th byte elsewhere: each of their other parts is also
cut at every byte as a reply of its own. ``HASHOPS_CUT_EVERY_BYTE=1`` cuts them at every byte.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import TruncatedReply, WhatsMinerError
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import CUT, decode_json, is_cut, split_joined
from ansible_collections.hashops.whatsminer.plugins.module_utils._state import normalise

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HOST = "10.1.2.3"
NESTED = ("temperature", "fans", "psu")
BIG = 8 * 1024
HEAD = 1024
TAIL = 64
STRIDE = 499

# The command each stored file answers, where its name does not start with it.
COMMANDS = {
    "asic-rs/v1/summary_with_errors.json": "summary",
    "asic-rs/v2/get_error_code_with_errors.json": "get_error_code",
    "foreman/multi_pools+summary+edevs__part_summary__M31S_fw20210109.22.REL.pretty.json": "summary",
    "foreman/multi_pools+summary+edevs__part_pools__M31S_fw20210109.22.REL.pretty.json": "pools",
    "foreman/multi_pools+summary+edevs__part_edevs__M31S_fw20210109.22.REL.pretty.json": "edevs",
    "foreman/enc_response_wire__error_code45_write_disabled__whatsminer-v1.1.json": "set_led",
    "foreman/enc_response_wire__write_ok__whatsminer-v1.1.json": "set_led",
    "foreman/enc_response_decrypted__error_code45_write_disabled__whatsminer-v1.1.json": "set_led",
    "foreman/enc_response_decrypted__write_ok__whatsminer-v1.1.json": "set_led",
    "foreman/error_code24_missing_command__M30S_cgminer-4.9.2.json": "summary",
    "other/error_code14_invalid_cmd__cmd-stats__whatsminer-v1.3_2023-02.json": "stats",
    "other/error_code14_invalid_cmd__cmd-version__whatsminer-v1.1_2026-02.json": "version",
    "whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json": "devdetails",
    "whatsminer-pulse/bundle__summary+edevs+devdetails+get_miner_info__M60S-class_2026-02.json": "bundle",
}

# Joined reads as the miner answers them (protocol.md 10.3), built from stored parts: the summary
# first, as the collection sends it, and in the order of Foreman's capture.
M31S = "foreman/multi_pools+summary+edevs__part_{}__M31S_fw20210109.22.REL.pretty.json"
JOINED = {
    "summary+pools+edevs (M31S 2021)": {part: M31S.format(part) for part in ("summary", "pools", "edevs")},
    "pools+summary+edevs (M31S 2021, Foreman's order)": {part: M31S.format(part) for part in ("pools", "summary", "edevs")},
    "summary+pools+edevs (asic-rs v1, errors in summary)": {
        "summary": "asic-rs/v1/summary_with_errors.json", "pools": "asic-rs/v1/pools.json", "edevs": "asic-rs/v1/devs.json"},
    "summary+pools+edevs+devdetails (2026 firmware)": {
        "summary": "whatsminer-pulse/summary__M60S-class_2026-02_v2compat-Msg-object.json",
        "pools": "asic-rs/v2/pools.json",
        "edevs": "whatsminer-pulse/edevs__M60S-class_2026-02.json",
        "devdetails": "whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json"},
}

# Replies real firmware cuts off (a summary listing error entries, get_error_code's list): some of
# their cuts must still be read, marked, as the repair of protocol.md 10.4 promises.
REPAIRABLE = (
    "asic-rs/v1/summary_with_errors.json",
    "asic-rs/v2/get_error_code_with_errors.json",
    "foreman/summary__M30S_fw20200512.13.REL.json",
    "foreman/summary__M31S_fw20201202.22.REL.json",
    "foreman/multi_pools+summary+edevs__part_summary__M31S_fw20210109.22.REL.pretty.json",
)


def reply_files():
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.suffix in (".json", ".raw"))


def command_of(name: str) -> str:
    if name in COMMANDS:
        return COMMANDS[name]
    base = Path(name).name
    return base.split("__")[0] if "__" in base else base.rsplit(".", 1)[0]


def every_byte() -> bool:
    return bool(os.environ.get("HASHOPS_CUT_EVERY_BYTE"))


def offsets(size: int):
    if size <= BIG or every_byte():
        return range(size)
    return sorted(set(range(HEAD)) | set(range(HEAD, size - TAIL, STRIDE)) | set(range(size - TAIL, size)))


def facts(reply: dict, command: str) -> dict:
    if command == "bundle":
        replies = reply
    elif "+" in command:
        replies = split_joined(reply, command)
    else:
        replies = {command: reply}
    return normalise(replies)


def leaves(state: dict) -> dict:
    flat = {}
    for key, value in state.items():
        if key in NESTED and isinstance(value, dict):
            flat.update((f"{key}.{name}", item) for name, item in value.items())
        elif key != "truncated":
            flat[key] = value
    return flat


def undeclared_losses(cut_state: dict, full_state: dict) -> list:
    """The facts of a cut reply that differ from the whole reply's without being None and named."""
    named = set(cut_state.get("truncated", ()))
    cut, full = leaves(cut_state), leaves(full_state)
    assert set(cut) == set(full)
    return [(path, full[path], cut[path]) for path in full
            if cut[path] != full[path] and (cut[path] is not None or path not in named)]


def check_every_cut(raw: bytes, command: str, sizes=None) -> dict:
    full_state = facts(decode_json(raw, HOST, command), command)
    outcomes = {"refused": 0, "whole": 0, "marked": 0}
    for size in offsets(len(raw)) if sizes is None else sizes:
        cut = raw[:size]
        try:
            reply = decode_json(cut, HOST, command)
        except WhatsMinerError:
            outcomes["refused"] += 1
            continue
        state = facts(reply, command)
        if state == full_state:
            outcomes["whole"] += 1
            continue
        assert is_cut(reply), f"cut after {size} bytes: facts changed but the reply is not marked\n{cut!r}"
        losses = undeclared_losses(state, full_state)
        assert not losses, f"cut after {size} bytes: (fact, whole, cut) {losses}\n{cut!r}"
        outcomes["marked"] += 1
    return outcomes


@pytest.mark.parametrize("name", reply_files())
def test_every_cut_of_a_stored_reply_is_refused_whole_or_marked(name):
    raw = (FIXTURES / name).read_bytes()
    outcomes = check_every_cut(raw, command_of(name))
    if name in REPAIRABLE:
        assert outcomes["marked"] > 0, outcomes


def joined_reply(parts: dict) -> bytes:
    reply = {part: [json.loads((FIXTURES / name).read_bytes())] for part, name in parts.items()}
    reply["id"] = 1
    return json.dumps(reply, separators=(",", ":")).encode()


def joined_offsets(raw: bytes, parts: dict):
    if every_byte():
        return range(len(raw))
    summary = json.dumps([json.loads((FIXTURES / parts["summary"]).read_bytes())], separators=(",", ":")).encode()
    start = raw.index(b'"summary":' + summary)
    end = start + len(b'"summary":' + summary)
    return sorted(set(range(0, len(raw), 7)) | set(range(max(0, start - 16), min(len(raw), end + 16)))
                  | set(range(len(raw) - 16, len(raw))))


@pytest.mark.parametrize("label", sorted(JOINED))
def test_every_cut_of_a_joined_reply_is_refused_whole_or_marked(label):
    parts = JOINED[label]
    raw = joined_reply(parts)
    outcomes = check_every_cut(raw, "+".join(parts), joined_offsets(raw, parts))
    if "errors in summary" in label or label.startswith("summary+pools+edevs (M31S"):
        assert outcomes["marked"] > 0, outcomes


def test_a_joined_reply_cut_in_its_summary_reports_the_lost_parts_as_unknown():
    parts = JOINED["summary+pools+edevs (M31S 2021)"]
    raw = joined_reply(parts)
    cut = raw[:raw.index(b'"Error Code 1"')]
    state = facts(decode_json(cut, HOST, "summary+pools+edevs"), "summary+pools+edevs")
    assert state["pools"] is None and state["hashboards"] is None and state["errors"] is None
    assert {"pools", "hashboards", "errors", "power_mode", "mac"} <= set(state["truncated"])
    assert state["hashrate_ths"] == pytest.approx(99.794)  # arrived before the cut


@pytest.mark.parametrize("name", [
    "foreman/edevs__M31S_fw20201202.22.REL.json",
    "whatsminer-pulse/edevs__M60S-class_2026-02.json",
    "foreman/pools__M31S_fw20201202.22.REL.json",
    "asic-rs/v2/pools.json",
])
def test_a_cut_board_or_pool_list_is_always_refused(name):
    raw = (FIXTURES / name).read_bytes()
    end = len(raw.rstrip())
    for size in range(1, end):
        with pytest.raises(TruncatedReply) as caught:
            decode_json(raw[:size], HOST, command_of(name))
        assert f"cut off after {size} bytes" in str(caught.value)


def test_the_marker_is_a_documented_key():
    assert CUT == "_hashops_cut"
