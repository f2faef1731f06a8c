"""A recurring series as one calendar item, made from its occurrences in the register.

Each occurrence is a meeting of its own (reminders, moves, cancellations, RSVPs); a calendar
gets the series once: the master event as planned (``series_date``/``series_start``/
``series_end``/``series_location`` of the occurrences, DTSTART the first occurrence) with its
RRULE, EXDATE for each date of the rule with no occurrence going ahead (cancelled, or left out
with "utom …"), and an override (RECURRENCE-ID = the date as planned) for each occurrence that
differs from the master: moved, another place, or with its agenda (kallelse) published.

The series' SEQUENCE is the sum of its occurrences' sequences. Every change to an occurrence
(a move, a cancellation, the agenda) raises that occurrence's own sequence by one in the same
transaction, so the sum rises by exactly one per change, in step with the change itself and
with no second counter to keep in step (two occurrences changed at once count twice). Nothing
lowers a sequence, so it never goes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from icalendar import vRecur
from sqlmodel import Session, col, select

from bot.calendar import ical, texts
from bot.meetings.model import CANCELLED
from storage.models import Meeting

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_OCCURRENCES = 1000  # a bound on expanding a rule; our series are at most a year of weeks


class OccurrenceLike(ical.MeetingLike, Protocol):
    """A meeting row of a series (a Meeting, or a feed's row of its columns)."""

    @property
    def id(self) -> int | None: ...
    @property
    def series_uid(self) -> str | None: ...
    @property
    def series_rule(self) -> str | None: ...
    @property
    def series_date(self) -> date | None: ...
    @property
    def series_start(self) -> time | None: ...
    @property
    def series_end(self) -> time | None: ...
    @property
    def series_location(self) -> str | None: ...


def rows(session: Session, series_uid: str) -> list[Meeting]:
    """Every occurrence of a series, in order (cancelled ones too)."""
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.series_uid == series_uid)
            .order_by(col(Meeting.series_date), col(Meeting.id))
        ).all()
    )


def anchor(occurrences: Sequence[OccurrenceLike]) -> int:
    """The occurrence that keeps the series' invitation claims: the first one made (never
    deleted, so it stays the same whatever happens to the others)."""
    ids = [o.id for o in occurrences if o.id is not None]
    return min(ids)


def sequence(occurrences: Sequence[OccurrenceLike]) -> int:
    return sum(o.sequence for o in occurrences)


def planned_on(occurrence: OccurrenceLike) -> date:
    """The occurrence's date in the rule (its RECURRENCE-ID), whatever it was moved to."""
    return occurrence.series_date or occurrence.start_date


def differs(occurrence: OccurrenceLike) -> bool:
    """Is it not the master's instance on its day (so it needs an override)?"""
    return (
        occurrence.start_date != planned_on(occurrence)
        or occurrence.end_date != occurrence.start_date
        or occurrence.start_time != occurrence.series_start
        or occurrence.end_time != occurrence.series_end
        or (occurrence.location or None) != (occurrence.series_location or None)
        or bool(occurrence.agenda)
    )


def dates(rule: str, first: date, start: time | None, tz: ZoneInfo) -> list[date]:
    """The dates a weekly rule gives from `first` (its DTSTART): FREQ=WEEKLY with INTERVAL,
    one or more BYDAY, and UNTIL or COUNT, which is every rule this bot writes."""
    recur = vRecur.from_ical(rule)
    if [str(f).upper() for f in recur.get("FREQ", [])] != ["WEEKLY"]:
        raise ValueError(f"not a weekly rule: {rule!r}")
    interval = int((recur.get("INTERVAL") or [1])[0])
    weekdays = sorted(_DAYS.index(str(d)[-2:].upper()) for d in recur.get("BYDAY", []))
    weekdays = weekdays or [first.weekday()]
    count = int(recur["COUNT"][0]) if recur.get("COUNT") else MAX_OCCURRENCES
    until_value = (recur.get("UNTIL") or [None])[0]
    found: list[date] = []
    week = first - timedelta(days=first.weekday())
    while len(found) < min(count, MAX_OCCURRENCES):
        for weekday in weekdays:
            day = week + timedelta(days=weekday)
            if day < first:
                continue
            if until_value is not None and _after(day, start, until_value, tz):
                return found
            found.append(day)
            if len(found) >= min(count, MAX_OCCURRENCES):
                return found
        week += timedelta(weeks=interval)
    return found


def _after(day: date, start: time | None, until: date | datetime, tz: ZoneInfo) -> bool:
    if isinstance(until, datetime):
        moment = datetime.combine(day, start or time(0), tz)
        limit = until if until.tzinfo is not None else until.replace(tzinfo=tz)
        return moment.astimezone(UTC) > limit.astimezone(UTC)
    return day > until


def of_meetings(
    occurrences: Sequence[Any],
    organ_short_name: str,
    *,
    summary: str,
    tz: ZoneInfo,
    url: str | None = None,
) -> ical.Series:
    """The calendar item of a series from all of its occurrences (any order)."""
    items = sorted(
        (cast(OccurrenceLike, o) for o in occurrences), key=lambda o: (planned_on(o), o.id or 0)
    )
    if not items or not items[0].series_uid or not items[0].series_rule:
        raise ValueError("not the occurrences of a series")
    first_row = items[0]
    uid, rule = first_row.series_uid or "", first_row.series_rule or ""
    seq = sequence(items)
    live = [o for o in items if o.status != CANCELLED]
    first = planned_on(first_row)
    generated = dates(rule, first, first_row.series_start, tz)
    going = {planned_on(o) for o in live}
    last = max([*generated, *(planned_on(o) for o in items)])
    recurrence = texts.series_when(
        first.weekday(), first_row.series_start, first_row.series_end, first, last
    )
    lines: list[str] = []
    if first_row.title:
        lines.append(first_row.title)
    lines.append(texts.CAL_ORGAN.format(organ=organ_short_name))
    lines.append(texts.CAL_SERIES_REFS.format(first=items[0].ref, last=items[-1].ref))
    master = ical.Event(
        uid=uid,
        sequence=seq,
        summary=summary,
        start_date=first,
        end_date=first,
        start_time=first_row.series_start,
        end_time=first_row.series_end,
        location=first_row.series_location,
        description="\n".join(lines),
        cancelled=not live,
        updated_at=max(_utc(o.updated_at) for o in items),
        url=url,
        created_at=min(_utc(o.created_at) for o in items),
        when_text=recurrence,
    )
    overrides = tuple(
        (
            planned_on(o),
            _occurrence(o, organ_short_name, summary, uid, seq, url),
        )
        for o in live
        if differs(o)
    )
    exdates = tuple(d for d in generated if d not in going) if live else ()
    return ical.Series(master=master, rule=rule, exdates=exdates, overrides=overrides)


def occurrence_event(
    occurrence: Any, organ_short_name: str, *, summary: str, series: ical.Series
) -> ical.Event:
    """One occurrence as its override would show it (for its Swedish texts)."""
    return _occurrence(
        cast(OccurrenceLike, occurrence), organ_short_name, summary, series.uid, series.sequence
    )


def _occurrence(
    o: OccurrenceLike, short: str, summary: str, uid: str, seq: int, url: str | None = None
) -> ical.Event:
    event = ical.event_from_meeting(o, short, summary=summary, url=url)
    return replace(event, uid=uid, sequence=seq)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def recurrence_text(series: ical.Series) -> str:
    return series.master.when_text or ""
