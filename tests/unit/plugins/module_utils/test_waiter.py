# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restart waiter on a fake clock: each way a wait ends, and the sentence it ends with."""

from __future__ import annotations

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ConnectionFailed
from ansible_collections.hashops.whatsminer.plugins.module_utils._waiter import RestartTimeout, wait_for


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Reading:
    def __init__(self, value, elapsed=100):
        self.value = value
        self.elapsed = elapsed


def script(clock, timeline):
    """``read()`` answering by the fake time: [(until_s, Reading or exception)]."""
    def read():
        for until, outcome in timeline:
            if clock.now < until:
                if isinstance(outcome, Exception):
                    raise outcome
                return outcome
        outcome = timeline[-1][1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    return read


def want(value):
    return lambda reading: [] if reading.value == value else [f"mode reads {reading.value!r}, asked {value!r}"]


def run(clock, timeline, check, **options):
    options.setdefault("timeout", 60)
    options.setdefault("expect_restart", True)
    return wait_for(script(clock, timeline), check, host="10.0.0.9", what="set_high_power",
                    clock=clock, sleep=clock.sleep, **options)


REFUSED = ConnectionFailed("10.0.0.9", "summary", "connection refused on port 4028")


def test_restart_seen_as_refusal_then_read_back():
    clock = Clock()
    waited = run(clock, [(3, REFUSED), (999, Reading("high", elapsed=1))], want("high"), elapsed_before=100)
    assert waited.restarted and 3 <= waited.elapsed_s < 10


def test_restart_seen_as_run_time_starting_again_without_refusal():
    clock = Clock()
    waited = run(clock, [(2, Reading("normal", elapsed=101)), (999, Reading("high", elapsed=2))], want("high"),
                 elapsed_before=100)
    assert waited.restarted


def test_no_restart_seen_but_read_back_as_asked_is_accepted_after_the_grace():
    clock = Clock()
    waited = run(clock, [(999, Reading("high", elapsed=150))], want("high"), elapsed_before=100, down_grace_s=15)
    assert not waited.restarted and waited.elapsed_s >= 15


def test_came_back_with_the_old_value_fails_naming_what_it_reports():
    clock = Clock()
    with pytest.raises(RestartTimeout) as err:
        run(clock, [(2, REFUSED), (999, Reading("normal", elapsed=1))], want("high"), elapsed_before=100, settle_s=10)
    assert "came back after restarting" in str(err.value)
    assert "mode reads 'normal', asked 'high'" in str(err.value)
    assert "10.0.0.9" in str(err.value) and "set_high_power" in str(err.value)
    assert clock.now < 20


def test_never_came_back_fails_with_the_last_error_and_the_time_waited():
    clock = Clock()
    with pytest.raises(RestartTimeout) as err:
        run(clock, [(999, REFUSED)], want("high"), timeout=30)
    assert "did not answer again within 30 s" in str(err.value)
    assert "connection refused" in str(err.value)
    assert 30 <= clock.now <= 31


def test_without_a_check_the_miner_only_has_to_answer():
    clock = Clock()
    waited = run(clock, [(4, REFUSED), (999, Reading("anything", elapsed=0))], None)
    assert waited.restarted


def test_a_write_that_does_not_restart_settles_quickly():
    clock = Clock()
    waited = run(clock, [(1, Reading("normal")), (999, Reading("high"))], want("high"), expect_restart=False)
    assert not waited.restarted and waited.elapsed_s < 2


def test_a_write_that_does_not_restart_and_never_shows_fails_after_settling():
    clock = Clock()
    with pytest.raises(RestartTimeout) as err:
        run(clock, [(999, Reading("normal"))], want("high"), expect_restart=False, settle_s=15)
    assert "answers but does not report the change" in str(err.value)
    assert 15 <= clock.now < 25


def test_poll_interval_stays_bounded():
    clock = Clock()
    calls = []

    def read():
        calls.append(clock.now)
        raise REFUSED
    with pytest.raises(RestartTimeout):
        wait_for(read, None, host="h", what="reboot", timeout=120, expect_restart=True, clock=clock, sleep=clock.sleep)
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    assert max(gaps) <= 5.0 + 1e-9 and len(calls) > 20
