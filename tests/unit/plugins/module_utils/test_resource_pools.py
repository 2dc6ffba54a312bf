# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_pools: URL normalisation, validation, comparison against real replies, the write."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption, Reading
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import decode_json
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import pools

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def reading(name: str) -> Reading:
    reply = decode_json((FIXTURES / name).read_bytes(), "h", "pools")
    return Reading(_state.normalise({"pools": reply}, ["pools"]), {"pools": reply})


def params(*entries, update_password="on_change"):
    return {"pools": [dict({"password": None}, **entry) for entry in entries], "update_password": update_password,
            "wait": True, "wait_timeout": 60}


@pytest.mark.parametrize("given, compared", [
    ("stratum+tcp://btc.pool.example.com:3333", "stratum+tcp://btc.pool.example.com:3333"),
    ("Stratum+TCP://BTC.Pool.Example.com:3333/", "stratum+tcp://btc.pool.example.com:3333"),
    ("btc.pool.example.com:3333", "stratum+tcp://btc.pool.example.com:3333"),
    ("  stratum2+tcp://Pool.example.com:3336//  ", "stratum2+tcp://pool.example.com:3336"),
    ("stratum+ssl://pool.example.com:443/Path/Kept", "stratum+ssl://pool.example.com:443/Path/Kept"),
])
def test_url_normalisation(given, compared):
    assert pools.normalise_url(given) == compared


@pytest.mark.parametrize("entries, message", [
    ([], "give 1 to 3 pools"),
    ([{"url": f"p{i}.example.com:3333", "user": "w"} for i in range(4)], "give 1 to 3 pools"),
    ([{"url": "stratum+tcp://", "user": "w"}], "is not a pool address"),
    ([{"url": "pool example.com", "user": "w"}], "is not a pool address"),
    ([{"url": "pool.example.com:3333", "user": "  "}], "user must not be empty"),
])
def test_invalid_pools_name_the_option_and_send_nothing(entries, message):
    with pytest.raises(InvalidOption) as err:
        pools.desired(params(*entries), "10.0.0.1")
    assert "option 'pools'" in str(err.value) and message in str(err.value)
    assert str(err.value).endswith("nothing was sent")


def test_real_reply_in_priority_order_compares_equal_to_its_echo():
    have = pools.current(reading("asic-rs/v2/pools.json"), {})
    want = pools.desired(params(
        {"url": "STRATUM+TCP://btc.example.pool:3333/", "user": "asic-rs.test"},
        {"url": "btc2.example.pool:3333", "user": "asic-rs.test"},
        {"url": "stratum+tcp://btc3.example.pool:3333", "user": "asic-rs.test"},
    ), "h")
    assert have == want


def test_cgminer_era_pools_numbered_from_zero_read_the_same():
    have = pools.current(reading("foreman/pools__M20S_old-fw_cgminer-4.9.2_2019.json"), {})
    assert have["pools"] and all(p["url"].startswith("stratum+tcp://") for p in have["pools"])


def test_unused_slots_are_cleared_with_all_nine_keys():
    p = params({"url": "pool.example.com:3333", "user": "farm.m01", "password": "pw-long"})
    steps = pools.plan(pools.desired(p, "h"), {"pools": []}, ["pools"], p)
    assert [s.command for s in steps] == ["update_pools"]
    assert steps[0].params == {"pool1": "stratum+tcp://pool.example.com:3333", "worker1": "farm.m01",
                               "passwd1": "pw-long", "pool2": "", "worker2": "", "passwd2": "",
                               "pool3": "", "worker3": "", "passwd3": ""}
    assert steps[0].unverifiable == ("password",)
    assert steps[0].shown()["params"]["passwd1"] == "********"


def test_password_defaults_to_the_placeholder():
    p = params({"url": "pool.example.com:3333", "user": "w"})
    assert pools.plan(pools.desired(p, "h"), {}, ["pools"], p)[0].params["passwd1"] == "x"


def test_on_change_sends_nothing_when_url_and_user_match_and_always_sends():
    p = params({"url": "pool.example.com:3333", "user": "w"})
    want = pools.desired(p, "h")
    assert pools.plan(want, want, [], p) == []
    always = params({"url": "pool.example.com:3333", "user": "w"}, update_password="always")
    assert [s.command for s in pools.plan(want, want, [], always)] == ["update_pools"]


def test_only_real_passwords_are_secrets():
    p = params({"url": "a.example.com:1", "user": "w", "password": "hunter2"}, {"url": "b.example.com:1", "user": "w"})
    assert pools.secrets(p) == {"hunter2"}
