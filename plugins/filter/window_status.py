# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""window_status: whether a daily maintenance window is open now, in the window's own time zone."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ansible.errors import AnsibleFilterError

CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def _clock(window: dict, key: str) -> datetime.time:
    value = window.get(key)
    match = CLOCK.match(str(value)) if value is not None else None
    if match is None:
        raise AnsibleFilterError("window_status: window.%s must be a time of day as HH:MM (00:00 to 23:59), got %r"
                                 % (key, value))
    return datetime.time(int(match.group(1)), int(match.group(2)))


def _zone(window: dict) -> ZoneInfo:
    name = window.get("timezone") or "UTC"
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AnsibleFilterError("window_status: window.timezone %r is not an IANA time zone name (such as "
                                 "Europe/Oslo or UTC): %s" % (name, exc)) from None


def _now(now, zone: ZoneInfo) -> datetime.datetime:
    if now is None:
        return datetime.datetime.now(tz=zone)
    if isinstance(now, datetime.datetime):
        moment = now
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(now))
        except ValueError:
            raise AnsibleFilterError("window_status: now must be an ISO 8601 date and time, got %r" % (now,)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def window_status(window, now=None) -> dict:
    """The window's state at ``now`` (default: the controller's clock).

    ``window`` is ``{start: "HH:MM", end: "HH:MM", timezone: "Area/City"}``; ``end`` earlier than ``start``
    means the window crosses midnight (``22:00``-``04:00`` is open from 22:00 to 04:00 the next morning).
    A null or empty window is always open.
    """
    if window is None or window == {}:
        return {"open": True, "always": True, "now": None, "timezone": None, "opened": None, "closes": None,
                "next_open": None, "minutes_left": None}
    if not isinstance(window, dict):
        raise AnsibleFilterError("window_status: the window must be a dictionary with start, end and timezone, "
                                 "got %s" % type(window).__name__)
    start, end = _clock(window, "start"), _clock(window, "end")
    if start == end:
        raise AnsibleFilterError("window_status: window.start and window.end are both %s: give a window of at "
                                 "least a minute, or no window at all to allow every hour" % start.strftime("%H:%M"))
    zone = _zone(window)
    moment = _now(now, zone)
    today = moment.date()

    def at(day: datetime.date, clock: datetime.time) -> datetime.datetime:
        # Wall-clock time in the zone; fold=0 takes the first of a repeated hour, a skipped hour moves forward.
        local = datetime.datetime.combine(day, clock, tzinfo=zone)
        return local.astimezone(datetime.timezone.utc).astimezone(zone)

    # The windows that could hold this moment: the one that opened yesterday and the one that opens today.
    candidates = []
    for offset in (-1, 0, 1):
        day = today + datetime.timedelta(days=offset)
        opens = at(day, start)
        closes = at(day + datetime.timedelta(days=1) if end < start else day, end)
        candidates.append((opens, closes))
    for opens, closes in candidates:
        if opens <= moment < closes:
            return {"open": True, "always": False, "now": moment.isoformat(), "timezone": str(zone),
                    "opened": opens.isoformat(), "closes": closes.isoformat(), "next_open": None,
                    "minutes_left": int((closes - moment).total_seconds() // 60)}
    next_open = min(opens for opens, _closes in candidates if opens > moment)
    return {"open": False, "always": False, "now": moment.isoformat(), "timezone": str(zone), "opened": None,
            "closes": None, "next_open": next_open.isoformat(), "minutes_left": 0}


class FilterModule:
    """Maintenance window filters."""

    def filters(self):
        return {"window_status": window_status}
