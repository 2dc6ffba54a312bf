# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-compare-write-verify engine, on a fake miner with one setting per option."""

from __future__ import annotations

import types

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _converge, _waiter
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption, Step, converge, known
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    OutcomeUnknown,
    WriteApiDisabled,
)


class FakeMiner:
    """Holds ``colour`` (readable) and ``secret_sauce`` (never readable); ``paint`` restarts btminer."""

    host = "10.0.0.7"

    def __init__(self, colour="red", apply=True, restart_reads=0):
        self.colour = colour
        self.apply = apply
        self.elapsed = 500
        self.writes = []
        self.down_reads = 0
        self.restart_reads = restart_reads
        self.fail_write = None

    def read_joined(self, *commands):
        if self.down_reads:
            self.down_reads -= 1
            raise ConnectionFailed(self.host, commands[0], "connection refused on port 4028")
        summary = {"STATUS": [{"STATUS": "S"}], "SUMMARY": [{"Elapsed": self.elapsed}]}
        return {"summary": summary, "status": {"STATUS": "S", "Msg": {"colour": self.colour}}}

    def write(self, command, **params):
        if self.fail_write:
            raise self.fail_write
        self.writes.append((command, params))
        if command == "paint" and self.apply:
            self.colour = params["colour"]
            self.elapsed = 0
            self.down_reads = self.restart_reads
        return None


def resource(restarts="btminer"):
    def desired(params, host):
        if params.get("colour") == "plaid":
            raise InvalidOption(host, "colour", "must be red, green or blue, got 'plaid'")
        return {name: params[name] for name in ("colour", "secret_sauce") if params.get(name) is not None}

    def current(reading, want):
        return known(colour=reading.msg("status").get("colour"))

    def plan(want, have, differ, params):
        steps = []
        if "colour" in differ:
            steps.append(Step("paint", {"colour": want["colour"]}, ("colour",), restarts=restarts))
        if "secret_sauce" in differ:
            steps.append(Step("season", {"passwd1": want["secret_sauce"]}, ("secret_sauce",)))
        return steps

    return types.SimpleNamespace(READS=("summary", "status"), SUBSETS=("mining",), desired=desired,
                                 current=current, plan=plan)


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    """The waiter's clock advances only when it sleeps, so waiting tests take no time."""
    clock = types.SimpleNamespace(now=1000.0)

    def sleep(seconds):
        clock.now += seconds
    monkeypatch.setattr(_waiter, "time", types.SimpleNamespace(monotonic=lambda: clock.now, sleep=sleep))


def params(**options):
    return dict({"wait": True, "wait_timeout": 30}, **options)


def test_check_mode_sends_no_write_and_reports_the_commands():
    miner = FakeMiner()
    result = converge(miner, params(colour="blue"), True, resource())
    assert miner.writes == []
    assert result["changed"] and result["commands"] == [{"command": "paint", "params": {"colour": "blue"}}]
    assert result["diff"] == {"before": {"colour": "red"}, "after": {"colour": "blue"}}
    assert result["msg"] == "check mode: nothing was sent"


def test_apply_writes_waits_for_the_restart_and_verifies():
    miner = FakeMiner(restart_reads=2)
    result = converge(miner, params(colour="blue"), False, resource())
    assert miner.writes == [("paint", {"colour": "blue"})]
    assert result["changed"] and result["restarted"] and not result.get("failed")
    assert miner.colour == "blue"


def test_second_run_reports_no_change_and_sends_nothing():
    miner = FakeMiner(colour="blue")
    result = converge(miner, params(colour="blue"), False, resource())
    assert not result["changed"] and miner.writes == [] and result["commands"] == []


def test_an_option_left_unset_is_left_alone():
    miner = FakeMiner()
    result = converge(miner, params(), False, resource())
    assert not result["changed"] and result["diff"] == {"before": {}, "after": {}}


def test_an_unreadable_setting_is_sent_every_time_and_listed_never_unchanged():
    miner = FakeMiner()
    first = converge(miner, params(secret_sauce="tabasco"), False, resource())
    second = converge(miner, params(secret_sauce="tabasco"), False, resource())
    assert first["changed"] and second["changed"]
    assert second["unverifiable"] == ["secret_sauce"]
    assert "secret_sauce" not in second["diff"]["before"]
    assert second["commands"][0]["params"]["passwd1"] == "********"


def test_a_miner_that_comes_back_with_the_old_value_fails_with_what_it_reports():
    miner = FakeMiner(apply=False)
    miner.elapsed = 0  # as if btminer restarted
    result = converge(miner, params(colour="blue", wait_timeout=5), False, resource())
    assert result["failed"] and result["changed"]
    assert "colour reads 'red', asked 'blue'" in result["msg"]
    assert "10.0.0.7" in result["msg"]


def test_wait_false_returns_restarted_unverified_and_says_so():
    miner = FakeMiner(apply=False)
    result = converge(miner, params(colour="blue", wait=False), False, resource())
    assert result["restarted"] and not result.get("failed")
    assert "not verified" in result["notes"][0]


def test_a_lost_reply_is_settled_by_reading_back():
    miner = FakeMiner(colour="red")
    original = miner.write

    def write(command, **p):
        original(command, **p)
        raise OutcomeUnknown(miner.host, command, "the miner closed the connection without a reply")
    miner.write = write
    result = converge(miner, params(colour="blue"), False, resource())
    assert not result.get("failed") and miner.colour == "blue"
    assert any("the reply was lost; the outcome was settled by waiting for the restart" in note
               for note in result["notes"])


def test_a_refused_write_fails_naming_host_and_command():
    miner = FakeMiner()
    miner.fail_write = WriteApiDisabled(miner.host, "paint", 45, "can't access write cmd")
    result = converge(miner, params(colour="blue"), False, resource())
    assert result["failed"] and "miner 10.0.0.7: command 'paint'" in result["msg"]
    assert "write API is disabled" in result["msg"]
    assert result["commands"] == [] and not result["changed"]


def test_a_bad_option_fails_before_any_read_or_write():
    miner = FakeMiner()
    with pytest.raises(InvalidOption) as err:
        converge(miner, params(colour="plaid"), False, resource())
    assert str(err.value) == "miner 10.0.0.7: option 'colour': must be red, green or blue, got 'plaid'; nothing was sent"
    assert miner.writes == []


def test_reading_btminer_run_time_from_both_summary_styles():
    listed = _converge.Reading({}, {"summary": {"SUMMARY": [{"Elapsed": 12}]}})
    flat = _converge.Reading({}, {"summary": {"STATUS": "S", "Msg": {"Elapsed": 7.5}}})
    missing = _converge.Reading({}, {"summary": None})
    assert (listed.elapsed, flat.elapsed, missing.elapsed) == (12, 7.5, None)


def test_a_lost_reply_to_a_write_nothing_can_verify_fails_as_unknown():
    miner = FakeMiner()

    def write(command, **p):
        miner.writes.append((command, p))
        raise OutcomeUnknown(miner.host, command, "missing (the miner closed the connection without one)")
    miner.write = write
    result = converge(miner, params(secret_sauce="tabasco"), False, resource())
    assert result["failed"] and result["changed"]
    assert "may or may not have been applied" in result["msg"]
    assert result["commands"] == [{"command": "season", "params": {"passwd1": "********"}}]
