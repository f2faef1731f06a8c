"""What a meeting is, below its service and its texts: its statuses, its kinds and when it takes
place."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.dates import When
from storage.models import Meeting

PLANNED = "planerat"
CANCELLED = "inställt"
#: A meeting recorded after it took place (e.g. from imported minutes, or `/mote ny` with a
#: past date): never reminded of or invited to, since both look at planned meetings only.
HELD = "hållet"  # recorded afterwards: it took place; no reminders, no invitations
MEETING = "möte"  # a meeting proper; the other kinds are sessions (workshop, internat, …)
DEFAULT_LENGTH = timedelta(hours=2)  # a start time but no end time
ALL_DAY_START = time(8, 0)
ALL_DAY_END = time(17, 0)


def when_of(meeting: Meeting) -> When:
    return When(meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time)


def starts_at(meeting: Meeting, tz: ZoneInfo) -> datetime:
    """When it begins (an all-day session at 08.00)."""
    return datetime.combine(meeting.start_date, meeting.start_time or ALL_DAY_START, tz)


def ends_at(meeting: Meeting, tz: ZoneInfo) -> datetime:
    """When it is over: its end time; two hours after a start with no end; 17.00 on the last day
    of an all-day session."""
    if meeting.end_time is not None:
        return datetime.combine(meeting.end_date, meeting.end_time, tz)
    if meeting.start_time is not None and meeting.end_date == meeting.start_date:
        return starts_at(meeting, tz) + DEFAULT_LENGTH
    return datetime.combine(meeting.end_date, ALL_DAY_END, tz)


def has_ended(meeting: Meeting, now: datetime, tz: ZoneInfo) -> bool:
    return ends_at(meeting, tz) <= now


_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def weekly_rule(weekday: int, last: date, start_time: time | None, tz: ZoneInfo) -> str:
    """The RRULE of a weekly series ending on `last` (inclusive). RFC 5545 3.3.10: with a
    timed DTSTART (a local time with TZID) UNTIL is a UTC date-time, the start of the last day's
    occurrence; with an all-day DTSTART it is a date."""
    if start_time is None:
        until = f"{last:%Y%m%d}"
    else:
        until = f"{datetime.combine(last, start_time, tz).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"FREQ=WEEKLY;BYDAY={_BYDAY[weekday]};UNTIL={until}"
