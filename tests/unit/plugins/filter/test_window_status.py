# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hashops.whatsminer.plugins.filter.window_status import window_status

NIGHT = {"start": "02:00", "end": "05:00", "timezone": "Europe/Oslo"}
ACROSS = {"start": "22:00", "end": "04:00", "timezone": "America/Chicago"}


@pytest.mark.parametrize("now, is_open", [
    ("2026-01-10T01:59:00", False),
    ("2026-01-10T02:00:00", True),
    ("2026-01-10T04:59:59", True),
    ("2026-01-10T05:00:00", False),
    ("2026-01-10T12:00:00", False),
])
def test_window_within_one_day_opens_at_start_and_closes_at_end(now, is_open):
    assert window_status(NIGHT, now)["open"] is is_open


@pytest.mark.parametrize("now, is_open", [
    ("2026-01-10T21:59:00", False),
    ("2026-01-10T22:00:00", True),
    ("2026-01-10T23:59:00", True),
    ("2026-01-11T00:00:00", True),
    ("2026-01-11T03:59:00", True),
    ("2026-01-11T04:00:00", False),
    ("2026-01-11T12:00:00", False),
])
def test_window_crossing_midnight_is_open_on_both_sides_of_it(now, is_open):
    assert window_status(ACROSS, now)["open"] is is_open


def test_moment_with_an_offset_is_converted_to_the_window_zone():
    # 01:30 UTC is 02:30 in Oslo in winter (UTC+1)
    status = window_status(NIGHT, "2026-01-10T01:30:00+00:00")
    assert status["open"]
    assert status["now"] == "2026-01-10T02:30:00+01:00"
    assert status["closes"] == "2026-01-10T05:00:00+01:00"
    assert status["minutes_left"] == 150


def test_closed_window_says_when_it_opens_next():
    status = window_status(NIGHT, "2026-07-10T06:00:00")
    assert not status["open"]
    assert status["next_open"] == "2026-07-11T02:00:00+02:00"
    assert status["minutes_left"] == 0
    across = window_status(ACROSS, "2026-01-10T10:00:00")
    assert across["next_open"] == "2026-01-10T22:00:00-06:00"


def test_crossing_midnight_reports_the_close_on_the_next_day():
    status = window_status(ACROSS, "2026-01-10T23:00:00")
    assert status["opened"] == "2026-01-10T22:00:00-06:00"
    assert status["closes"] == "2026-01-11T04:00:00-06:00"


def test_daylight_saving_night_is_an_hour_shorter():
    # Europe/Oslo skips 02:00-03:00 on 2026-03-29: the window 02:00-05:00 lasts two hours that night.
    status = window_status(NIGHT, "2026-03-29T03:00:00+02:00")
    assert status["open"]
    assert status["minutes_left"] == 120


def test_no_window_is_always_open():
    assert window_status(None)["open"] and window_status(None)["always"]
    assert window_status({})["open"]


def test_utc_when_no_timezone_is_given():
    status = window_status({"start": "02:00", "end": "03:00"}, "2026-01-10T02:30:00+00:00")
    assert status["open"] and status["timezone"] == "UTC"


@pytest.mark.parametrize("window, words", [
    ({"start": "2:00pm", "end": "05:00"}, "window.start must be a time of day as HH:MM"),
    ({"start": "02:00", "end": "24:00"}, "window.end must be a time of day as HH:MM"),
    ({"end": "05:00"}, "window.start must be a time of day"),
    ({"start": "02:00", "end": "02:00"}, "are both 02:00"),
    ({"start": "02:00", "end": "05:00", "timezone": "Mars/Olympus"}, "is not an IANA time zone name"),
    ("02:00-05:00", "must be a dictionary"),
])
def test_bad_window_fails_with_a_sentence(window, words):
    with pytest.raises(AnsibleFilterError, match=words):
        window_status(window, "2026-01-10T03:00:00")


def test_bad_moment_fails_with_a_sentence():
    with pytest.raises(AnsibleFilterError, match="now must be an ISO 8601"):
        window_status(NIGHT, "tonight")
