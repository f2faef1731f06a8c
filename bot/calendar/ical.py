"""iCalendar output: invitations, cancellations and subscription feeds (RFC 5545/5546/6047/7986).

Pure functions: no database, no Slack, no clock. The caller turns its meetings into
:class:`Event` values (see :func:`event_from_meeting`) and passes ``now`` and the time zone.

Choices that matter to calendar clients:

* Timed events are written as local wall-clock times with ``TZID`` (never floating, never
  converted to UTC), and the calendar carries one VTIMEZONE for that zone. For
  Europe/Stockholm it is a hand-written, RRULE-based block (EU rules: last Sunday of March
  02:00 → CEST, last Sunday of October 03:00 → CET), because icalendar's generated one lists
  every transition as RDATE, which Outlook is reported to misread. Other zones fall back to
  icalendar's generated VTIMEZONE, limited to the years the events need.
* All-day events use ``VALUE=DATE`` with an exclusive DTEND.
* A recurring series (:class:`Series`) is one calendar item: a master VEVENT (DTSTART the first
  occurrence, RRULE, EXDATE) and an override VEVENT (the same UID, RECURRENCE-ID) for each
  occurrence that differs. UNTIL is written as RFC 5545 3.3.10 requires: a UTC date-time when
  DTSTART is a local date-time, a date when it is a date. All its components carry the series'
  SEQUENCE. :func:`invite_series` sends it whole; :func:`occurrence_update` one occurrence
  (REQUEST with its override, or CANCEL with its RECURRENCE-ID, RFC 5546 3.2.2/3.2.5).
* TRANSP is OPAQUE, except for deadlines and cancelled sessions (which block no time).
* Invitations and cancellations (iTIP/iMIP) carry METHOD, ORGANIZER and ATTENDEEs; DTSTAMP is
  ``now``. Where nobody can receive the calendar's replies (no SMTP, so no ORGANIZER address
  that is read), :func:`publish` writes METHOD:PUBLISH with neither ORGANIZER nor ATTENDEE: the
  file is then an event to add, and Outlook and Apple Calendar offer no Accept whose reply would
  bounce. RFC 5546 (3.2.1) lists ORGANIZER as required in a PUBLISH; RFC 5545 (3.8.4.3) says
  it MUST NOT be in a component that is only on one person's calendar, which is what this file
  makes. We follow RFC 5545 here: an address that answers nothing is worse than none. A
  cancellation is then a PUBLISH of the same UID with a higher SEQUENCE, STATUS:CANCELLED, a
  title that says so and TRANSP:TRANSPARENT: clients that match the UID mark the event cancelled
  or replace it, the others at least show it as "Inställt: …" and not busy. (METHOD:CANCEL
  needs an ORGANIZER.)
* Feeds carry no METHOD; there DTSTAMP is the event's last change (RFC 5545 3.8.7.2:
  without METHOD, DTSTAMP means the same as LAST-MODIFIED), so an unchanged feed serialises
  to the same bytes and can be served with a stable ETag.
* User text (summary, location, description, names) is cleaned of control characters and
  escaped by icalendar; e-mail addresses and URLs that could not be written safely are
  refused with ``ValueError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vRecur,
    vText,
)
from icalendar import Event as VEvent

from bot.calendar import texts
from bot.core.dates import When, format_date, format_when

PRODID = "-//ledningsbot//ledningsbot//SV"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: How often subscribers should re-fetch a feed.
FEED_REFRESH = timedelta(hours=1)
#: Length of a timed event that has a start time but no end time.
DEFAULT_DURATION = timedelta(hours=1)
#: Meeting.status of a cancelled meeting (bot.meetings.CANCELLED; not imported, so that this
#: module stays free of the database layer).
_CANCELLED_STATUS = "inställt"

# Control characters are not allowed in iCalendar TEXT (RFC 5545 3.3.11), except tab; line
# breaks are normalised to "\n" first and then escaped by icalendar.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Characters that must not appear in an e-mail address written as a mailto: URI here.
_EMAIL = re.compile(r"[^\s@<>()\[\]\\,;:\"']+@[^\s@<>()\[\]\\,;:\"']+\.[^\s@<>()\[\]\\,;:\"']+")
_URL = re.compile(r"https?://[!-~]+")


@dataclass(frozen=True)
class Event:
    """What a calendar needs about one session; built by the caller from a Meeting."""

    uid: str
    sequence: int
    summary: str  # e.g. "AU-möte" or "Workshop (LG)"
    start_date: date
    end_date: date  # inclusive
    start_time: time | None  # local wall clock in the calendar's tz; None = all-day
    end_time: time | None
    location: str | None
    description: str | None
    cancelled: bool
    updated_at: datetime  # aware; LAST-MODIFIED, and DTSTAMP in feeds
    url: str | None = None
    created_at: datetime | None = None  # aware; CREATED when given
    when_text: str | None = None  # "När:" in the description, if not the days and times

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("Event.uid must not be empty")
        if self.sequence < 0:
            raise ValueError("Event.sequence must not be negative")
        if self.end_date < self.start_date:
            raise ValueError("Event.end_date must not be before Event.start_date")
        if self.start_time is None and self.end_time is not None:
            raise ValueError("Event.end_time requires Event.start_time")
        if (
            self.start_time is not None
            and self.end_time is not None
            and self.end_date == self.start_date
            and self.end_time <= self.start_time
        ):
            raise ValueError("Event.end_time must be after Event.start_time")
        _require_aware(self.updated_at, "Event.updated_at")
        if self.created_at is not None:
            _require_aware(self.created_at, "Event.created_at")
        if self.url is not None:
            _check_url(self.url)

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    @property
    def when(self) -> When:
        """The event's days and times, for Swedish formatting."""
        end_time = self.end_time
        if end_time is not None and self.start_time is not None and end_time <= self.start_time:
            end_time = None  # multi-day, ending earlier in the day than it started
        return When(self.start_date, self.end_date, self.start_time, end_time)


@dataclass(frozen=True)
class Person:
    """An organizer or attendee, addressed by e-mail."""

    email: str
    name: str | None = None

    def __post_init__(self) -> None:
        if not _EMAIL.fullmatch(self.email):
            raise ValueError(
                f"not an e-mail address that can be used in a calendar: {self.email!r}"
            )


@dataclass(frozen=True)
class Series:
    """A recurring series as one calendar item (RFC 5545 3.8.5): the master event (the series
    as planned; DTSTART is its first occurrence) with its RRULE, EXDATE for the occurrences
    cancelled or left out, and an override for each occurrence that differs from the master
    (the same UID, RECURRENCE-ID = the occurrence's start as planned). Every component carries
    the series' SEQUENCE (the master's)."""

    master: Event
    rule: str  # e.g. "FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828T110000Z"
    exdates: tuple[date, ...] = ()  # occurrences' dates as planned
    overrides: tuple[tuple[date, Event], ...] = ()  # (the date as planned, the occurrence)

    def __post_init__(self) -> None:
        recur = vRecur.from_ical(self.rule)
        if not recur.get("FREQ"):
            raise ValueError("Series.rule needs FREQ")
        for _day, event in self.overrides:
            if event.uid != self.master.uid or event.sequence != self.master.sequence:
                raise ValueError("an override has the series' UID and SEQUENCE")

    @property
    def uid(self) -> str:
        return self.master.uid

    @property
    def sequence(self) -> int:
        return self.master.sequence

    @property
    def all_day(self) -> bool:
        return self.master.all_day

    @property
    def events(self) -> list[Event]:
        return [self.master, *(event for _day, event in self.overrides)]

    def override(self, day: date) -> Event | None:
        return next((event for d, event in self.overrides if d == day), None)

    def recurrence_id(self, day: date, tz: ZoneInfo) -> date | datetime:
        """The start of the occurrence planned on `day`: its RECURRENCE-ID (and EXDATE)."""
        if self.master.start_time is None:
            return day
        return datetime.combine(day, self.master.start_time).replace(tzinfo=tz)


@dataclass(frozen=True)
class Deadline:
    """An assignment's due date, shown as an all-day event in a personal feed."""

    uid: str
    summary: str  # e.g. "Uppdrag U-12: Ta fram underlag"
    day: date
    description: str | None
    updated_at: datetime  # aware
    sequence: int = 0

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("Deadline.uid must not be empty")
        _require_aware(self.updated_at, "Deadline.updated_at")


class MeetingLike(Protocol):
    """The fields of storage.models.Meeting that :func:`event_from_meeting` reads."""

    @property
    def ref(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...
    @property
    def start_time(self) -> time | None: ...
    @property
    def end_time(self) -> time | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def uid(self) -> str: ...
    @property
    def sequence(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def cancel_reason(self) -> str | None: ...
    @property
    def agenda(self) -> str | None: ...


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def event_from_meeting(
    meeting: MeetingLike, organ_short_name: str, *, summary: str, url: str | None = None
) -> Event:
    """The calendar view of a meeting. ``summary`` is the caller's label
    (``bot.meetings.texts.kind_label``)."""
    cancelled = meeting.status == _CANCELLED_STATUS
    lines: list[str] = []
    if meeting.title:
        lines.append(meeting.title)
    lines.append(texts.CAL_ORGAN.format(organ=organ_short_name))
    lines.append(texts.CAL_REF.format(ref=meeting.ref))
    if cancelled and meeting.cancel_reason:
        lines.append(texts.CAL_CANCEL_REASON.format(reason=meeting.cancel_reason))
    if meeting.agenda and not cancelled:
        lines += ["", meeting.agenda]
    return Event(
        uid=meeting.uid,
        sequence=meeting.sequence,
        summary=summary,
        start_date=meeting.start_date,
        end_date=meeting.end_date,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        location=meeting.location,
        description="\n".join(lines),
        cancelled=cancelled,
        updated_at=_as_utc(meeting.updated_at),
        url=url,
        created_at=_as_utc(meeting.created_at),
    )


def invite(
    event: Event,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
) -> bytes:
    """An iMIP invitation or update (METHOD:REQUEST). Raise ``event.sequence`` for updates."""
    return _scheduling("REQUEST", event, organizer, attendees, now=now, tz=tz)


def cancellation(
    event: Event,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
) -> bytes:
    """An iMIP cancellation (METHOD:CANCEL, STATUS:CANCELLED) of the event with ``event.uid``.

    ``event.sequence`` must already be raised above the last one sent.
    """
    return _scheduling("CANCEL", event, organizer, attendees, now=now, tz=tz)


def invite_series(
    series: Series,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
) -> bytes:
    """An iMIP invitation to a whole series, or its new version (METHOD:REQUEST): the master
    with RRULE and EXDATE, and every override, all with the series' SEQUENCE."""
    stamp = _as_utc(_require_aware(now, "now"))
    return _scheduled(
        "REQUEST", _series_vevents(series, tz, stamp=stamp), series.events, organizer, attendees, tz
    )


def occurrence_update(
    series: Series,
    day: date,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
    occurrence: Event | None = None,
) -> bytes:
    """One occurrence changed (RFC 5546 3.2.2.2/3.2.5): METHOD:REQUEST with only its override,
    or, when the occurrence is cancelled, METHOD:CANCEL with its RECURRENCE-ID. ``day`` is the
    occurrence's date as planned; ``occurrence`` the occurrence as it is now (its own texts, and
    whether it is cancelled), else the series' view of that day."""
    stamp = _as_utc(_require_aware(now, "now"))
    if occurrence is not None:
        cancelled = occurrence.cancelled
        event = replace(occurrence, uid=series.uid, sequence=series.sequence)
    else:
        cancelled = day in series.exdates
        found = series.override(day)
        # back as planned, or cancelled: the master's instance on that day
        event = found if found is not None else _instance(series, day)
    if cancelled:
        event = replace(event, cancelled=True)
    vevent = _vevent(event, tz, stamp=stamp)
    vevent.add("RECURRENCE-ID", series.recurrence_id(day, tz))
    method = "CANCEL" if cancelled else "REQUEST"
    return _scheduled(method, [vevent], [event], organizer, attendees, tz)


def series_cancellation(
    series: Series,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
) -> bytes:
    """The whole series cancelled (RFC 5546 3.2.5): METHOD:CANCEL with the master (its UID,
    RRULE and SEQUENCE, no RECURRENCE-ID), so every occurrence leaves the calendar."""
    stamp = _as_utc(_require_aware(now, "now"))
    master = replace(series.master, cancelled=True)
    vevent = _vevent(master, tz, stamp=stamp)
    vevent.add("RRULE", _rule(series, tz))
    return _scheduled("CANCEL", [vevent], [master], organizer, attendees, tz)


def publish(event: Event | Series, *, now: datetime, tz: ZoneInfo = STOCKHOLM) -> bytes:
    """An event to add to one's calendar (METHOD:PUBLISH), with no ORGANIZER or ATTENDEE, so
    no client offers to answer it. A cancelled event keeps its UID, and shows as cancelled. A
    series is published whole (master, overrides, EXDATE): it replaces what the calendar has."""
    now = _as_utc(_require_aware(now, "now"))
    cal = _calendar()
    cal.add("METHOD", "PUBLISH")
    for vevent in _vevents(event, tz, lambda _e: now):
        cal.add_component(vevent)
    _add_timezone(cal, tz, [event])
    return cal.to_ical()


def feed(
    name: str,
    events: Sequence[Event | Series],
    *,
    now: datetime,
    tz: ZoneInfo = STOCKHOLM,
    deadlines: Sequence[Deadline] = (),
) -> bytes:
    """A subscription feed (no METHOD). Cancelled events stay, with STATUS:CANCELLED.

    ``now`` only caps DTSTAMP (a change stamped in the future is stamped ``now``).
    """
    now = _as_utc(_require_aware(now, "now"))
    cal = _calendar()
    clean_name = _text(name)
    cal.add("NAME", vText(clean_name))
    cal.add("X-WR-CALNAME", vText(clean_name))
    cal.add("X-WR-TIMEZONE", vText(tz.key))
    cal.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    for event in events:
        # Many clients ignore STATUS in subscribed calendars; a cancelled one says it in its
        # title too (see _vevents).
        for vevent in _vevents(event, tz, lambda e: min(_as_utc(e.updated_at), now)):
            cal.add_component(vevent)
    for deadline in deadlines:
        cal.add_component(_deadline_vevent(deadline, stamp=min(_as_utc(deadline.updated_at), now)))
    _add_timezone(cal, tz, events)
    return cal.to_ical()


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def _scheduling(
    method: str,
    event: Event,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> bytes:
    now = _as_utc(_require_aware(now, "now"))
    vevent = _vevent(event, tz, stamp=now, cancelled=event.cancelled or method == "CANCEL")
    return _scheduled(method, [vevent], [event], organizer, attendees, tz)


def _scheduled(
    method: str,
    vevents: list[VEvent],
    events: Sequence[Event],
    organizer: Person,
    attendees: Sequence[Person],
    tz: ZoneInfo,
) -> bytes:
    """An iTIP calendar: every component with the ORGANIZER and the ATTENDEEs."""
    people = _unique(attendees)
    if not people:
        raise ValueError("an invitation or cancellation needs at least one attendee")
    cal = _calendar()
    cal.add("METHOD", method)
    for vevent in vevents:
        vevent.add("ORGANIZER", _address(organizer))
        for person in people:
            address = _address(person)
            address.params["CUTYPE"] = "INDIVIDUAL"
            address.params["ROLE"] = "REQ-PARTICIPANT"
            address.params["PARTSTAT"] = "NEEDS-ACTION"
            address.params["RSVP"] = "TRUE"
            vevent.add("ATTENDEE", address)
        cal.add_component(vevent)
    _add_timezone(cal, tz, events)
    return cal.to_ical()


def _vevents(
    item: Event | Series, tz: ZoneInfo, stamp: Callable[[Event], datetime]
) -> list[VEvent]:
    """The components of an event or a series outside iTIP (a PUBLISH or a feed): a cancelled
    one says so in its title, for the clients that ignore STATUS there."""
    if isinstance(item, Series):
        vevents = _series_vevents(item, tz, stamp=stamp(item.master), stamps=stamp)
        events = item.events
    else:
        vevents, events = [_vevent(item, tz, stamp=stamp(item))], [item]
    for vevent, event in zip(vevents, events, strict=True):
        if event.cancelled:
            vevent["SUMMARY"] = vText(texts.CAL_CANCELLED_SUMMARY.format(summary=event.summary))
    return vevents


def _series_vevents(
    series: Series,
    tz: ZoneInfo,
    *,
    stamp: datetime,
    stamps: Callable[[Event], datetime] | None = None,
) -> list[VEvent]:
    """The master (RRULE, EXDATE) and the overrides (RECURRENCE-ID), in that order."""
    master = _vevent(series.master, tz, stamp=stamp)
    master.add("RRULE", _rule(series, tz))
    if series.exdates and not series.master.cancelled:
        master.add("EXDATE", [series.recurrence_id(d, tz) for d in sorted(set(series.exdates))])
    vevents = [master]
    for day, event in series.overrides:
        vevent = _vevent(event, tz, stamp=stamps(event) if stamps else stamp)
        vevent.add("RECURRENCE-ID", series.recurrence_id(day, tz))
        vevents.append(vevent)
    return vevents


def _rule(series: Series, tz: ZoneInfo) -> vRecur:
    """The RRULE, with UNTIL of the type RFC 5545 3.3.10 requires: a UTC date-time when DTSTART
    is a local date-time, a date when it is a date (a rule stored otherwise is put right)."""
    recur = vRecur.from_ical(series.rule)
    until = recur.get("UNTIL")
    if until:
        value = until[0]
        start = series.master.start_time
        if start is None:
            day = value.astimezone(tz).date() if isinstance(value, datetime) else value
            recur["UNTIL"] = [day]
        elif not isinstance(value, datetime):
            recur["UNTIL"] = [datetime.combine(value, start).replace(tzinfo=tz).astimezone(UTC)]
        elif value.tzinfo is None:
            recur["UNTIL"] = [value.replace(tzinfo=tz).astimezone(UTC)]
        else:
            recur["UNTIL"] = [value.astimezone(UTC)]
    return recur


def _instance(series: Series, day: date) -> Event:
    """The master's occurrence on `day` (as an override would show it)."""
    master = series.master
    length = master.end_date - master.start_date
    return replace(master, start_date=day, end_date=day + length)


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    return cal


def _vevent(
    event: Event, tz: ZoneInfo, *, stamp: datetime, cancelled: bool | None = None
) -> VEvent:
    if cancelled is None:
        cancelled = event.cancelled
    vevent = VEvent()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", stamp.replace(microsecond=0))
    vevent.add("SEQUENCE", event.sequence)
    start, end = _span(event, tz)
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)
    vevent.add("SUMMARY", _text(event.summary))
    if event.location and event.location.strip():
        vevent.add("LOCATION", _text(event.location))
    vevent.add("DESCRIPTION", _description(event, cancelled))
    if event.url is not None:
        vevent.add("URL", event.url)
    vevent.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
    vevent.add("LAST-MODIFIED", _as_utc(event.updated_at).replace(microsecond=0))
    if event.created_at is not None:
        vevent.add("CREATED", _as_utc(event.created_at).replace(microsecond=0))
    return vevent


def _deadline_vevent(deadline: Deadline, *, stamp: datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("UID", deadline.uid)
    vevent.add("DTSTAMP", stamp.replace(microsecond=0))
    vevent.add("SEQUENCE", deadline.sequence)
    vevent.add("DTSTART", deadline.day)
    vevent.add("DTEND", deadline.day + timedelta(days=1))
    vevent.add("SUMMARY", _text(deadline.summary))
    lines = [texts.CAL_DUE.format(day=format_date(deadline.day))]
    if deadline.description and deadline.description.strip():
        lines += ["", _text(deadline.description)]
    vevent.add("DESCRIPTION", "\n".join(lines))
    vevent.add("STATUS", "CONFIRMED")
    vevent.add("TRANSP", "TRANSPARENT")
    vevent.add("LAST-MODIFIED", _as_utc(deadline.updated_at).replace(microsecond=0))
    return vevent


def _span(event: Event, tz: ZoneInfo) -> tuple[date, date] | tuple[datetime, datetime]:
    """DTSTART and DTEND: dates with an exclusive end, or aware local date-times."""
    if event.start_time is None:
        return event.start_date, event.end_date + timedelta(days=1)
    start = datetime.combine(event.start_date, event.start_time)
    if event.end_time is None:
        end = datetime.combine(event.end_date, event.start_time) + DEFAULT_DURATION
    else:
        end = datetime.combine(event.end_date, event.end_time)
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


def _description(event: Event, cancelled: bool) -> str:
    lines: list[str] = []
    if cancelled:
        lines.append(texts.CAL_CANCELLED)
    lines.append(texts.CAL_WHEN.format(when=event.when_text or format_when(event.when)))
    if event.location and event.location.strip():
        lines.append(texts.CAL_WHERE.format(where=_text(event.location)))
    if event.description and event.description.strip():
        lines += ["", _text(event.description)]
    if event.url is not None:
        lines += ["", texts.CAL_LINK.format(url=event.url)]
    return "\n".join(lines)


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name and person.name.strip():
        # A parameter value cannot hold a double quote; icalendar would write RFC 6868's ^',
        # which most clients show as is.
        name = " ".join(_text(person.name).replace('"', "'").split())
        address.params["CN"] = name
    return address


def _unique(people: Iterable[Person]) -> list[Person]:
    seen: set[str] = set()
    result: list[Person] = []
    for person in people:
        key = person.email.casefold()
        if key not in seen:
            seen.add(key)
            result.append(person)
    return result


def _add_timezone(cal: Calendar, tz: ZoneInfo, items: Iterable[Event | Series]) -> None:
    """Add the VTIMEZONE the timed events need (none for all-day-only or UTC calendars)."""
    events = [e for i in items for e in (i.events if isinstance(i, Series) else [i])]
    timed = [e for e in events if not e.all_day]
    if not timed:
        return
    if tz.key == STOCKHOLM.key:
        cal.subcomponents.insert(0, _stockholm_vtimezone())
        return
    first = min(e.start_date for e in timed)
    last = max(e.end_date for e in timed)
    cal.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)
    )


def _stockholm_vtimezone() -> Timezone:
    """Europe/Stockholm with the EU rules as RRULEs (valid since 1996)."""
    vtimezone = Timezone()
    vtimezone.add("TZID", STOCKHOLM.key)
    vtimezone.add("X-LIC-LOCATION", STOCKHOLM.key)
    daylight = TimezoneDaylight()
    daylight.add("TZOFFSETFROM", timedelta(hours=1))
    daylight.add("TZOFFSETTO", timedelta(hours=2))
    daylight.add("TZNAME", "CEST")
    daylight.add("DTSTART", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("TZOFFSETFROM", timedelta(hours=2))
    standard.add("TZOFFSETTO", timedelta(hours=1))
    standard.add("TZNAME", "CET")
    standard.add("DTSTART", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    vtimezone.add_component(daylight)
    vtimezone.add_component(standard)
    return vtimezone


def _text(value: str) -> str:
    """User text fit for an iCalendar TEXT value: "\n" line breaks, no control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def _check_url(url: str) -> None:
    if not _URL.fullmatch(url):
        raise ValueError(f"not a URL that can be used in a calendar: {url!r}")


def _require_aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def _as_utc(value: datetime) -> datetime:
    """UTC; naive values (as some databases return them) are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


__all__ = [
    "PRODID",
    "Deadline",
    "Event",
    "MeetingLike",
    "Person",
    "Series",
    "cancellation",
    "event_from_meeting",
    "feed",
    "invite",
    "invite_series",
    "occurrence_update",
    "publish",
]
