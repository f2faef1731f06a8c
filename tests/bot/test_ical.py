"""bot.calendar.ical: invitations, cancellations and feeds that calendar clients read correctly."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component, Timezone

from bot.calendar import texts as calendar_texts
from bot.calendar.ical import (
    PRODID,
    Deadline,
    Event,
    Person,
    cancellation,
    event_from_meeting,
    feed,
    invite,
)
from storage.models import Meeting

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2027, 1, 10, 12, 30, 15, 123456, tzinfo=UTC)
CHANGED = datetime(2027, 1, 9, 8, 0, tzinfo=UTC)
ORGANIZER = Person("ordforande@region.example", "Eva Ordförande")
ATTENDEES = [
    Person("asa.oberg@region.example", "Åsa Öberg"),
    Person("per@region.example"),
    Person("PER@region.example", "Per again"),  # a duplicate address: listed once
]
HOSTILE = 'Möte, del 1; "viktigt"\\ nu\nRad två\r\nRad tre\rslut 😀🇸🇪 ÅÄÖ åäö\x00\x1b'
HOSTILE_CLEAN = 'Möte, del 1; "viktigt"\\ nu\nRad två\nRad tre\nslut 😀🇸🇪 ÅÄÖ åäö'


def make_event(
    day: date = date(2027, 3, 29),
    start: time | None = time(9),
    end: time | None = time(10),
    **changes: object,
) -> Event:
    fields: dict[str, object] = {
        "uid": "3f1c2a9e-0000-4000-8000-000000000001@ledningsbot",
        "sequence": 0,
        "summary": "AU-möte",
        "start_date": day,
        "end_date": day,
        "start_time": start,
        "end_time": end,
        "location": "Regionhuset, sal 3",
        "description": None,
        "cancelled": False,
        "updated_at": CHANGED,
    }
    return Event(**{**fields, **changes})  # type: ignore[arg-type]


def parse(data: bytes) -> Calendar:
    """Parse, and fail on anything icalendar had to ignore."""
    cal = Calendar.from_ical(data)
    assert isinstance(cal, Calendar)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return cal


def unfolded(data: bytes) -> list[str]:
    """The logical content lines."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def vevents(cal: Calendar) -> list[Component]:
    return list(cal.walk("VEVENT"))


def check_shape(data: bytes) -> Calendar:
    """What every ICS we produce must satisfy."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line  # folded at 75 octets
        line.decode("utf-8")  # folding never splits a character
    cal = parse(data)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    for vevent in vevents(cal):
        for name in ("UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "DTSTART", "DTEND", "STATUS"):
            assert name in vevent, name
        assert vevent["DTSTAMP"].dt.utcoffset() == timedelta(0)
    check_not_floating(data, cal)
    return cal


def check_not_floating(data: bytes, cal: Calendar) -> None:
    """Every DATE-TIME outside VTIMEZONE carries a TZID or is UTC; TZIDs have a VTIMEZONE."""
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    inside_tz = False
    for line in unfolded(data):
        if line == "BEGIN:VTIMEZONE":
            inside_tz = True
        elif line == "END:VTIMEZONE":
            inside_tz = False
        name, _, value = line.partition(":")
        if inside_tz or not re.fullmatch(r"\d{8}T\d{6}Z?", value):
            continue
        match = re.search(r";TZID=([^;:]+)", name)
        assert value.endswith("Z") or match, line
        if match:
            assert match.group(1) in tzids, line
    for vevent in vevents(cal):
        for name in ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED"):
            if name in vevent and isinstance(vevent[name].dt, datetime):
                assert vevent[name].dt.tzinfo is not None, name


def wall(vevent: Component, name: str) -> datetime:
    value = vevent[name].dt
    assert isinstance(value, datetime)
    return value


# ---------------------------------------------------------------- round trips


def test_invite_update_cancel_and_feed_round_trip() -> None:
    event = make_event(description=HOSTILE)
    first = invite(event, ORGANIZER, ATTENDEES, now=NOW, tz=STHLM)
    moved = replace(event, sequence=1, start_time=time(13), end_time=time(15))
    update = invite(moved, ORGANIZER, ATTENDEES, now=NOW, tz=STHLM)
    cancel = cancellation(
        replace(event, sequence=2, cancelled=True), ORGANIZER, ATTENDEES, now=NOW, tz=STHLM
    )
    subscribed = feed("AU – möten", [event], now=NOW, tz=STHLM)
    sequences = []
    for data in (first, update, cancel, subscribed):
        cal = check_shape(data)
        (vevent,) = vevents(cal)
        assert str(vevent["UID"]) == event.uid
        sequences.append(int(vevent["SEQUENCE"]))
    assert sequences == [0, 1, 2, 0]
    assert wall(vevents(parse(update))[0], "DTSTART").hour == 13


def test_dtstamp_is_now_in_utc_for_scheduling_messages() -> None:
    cal = parse(invite(make_event(), ORGANIZER, ATTENDEES, now=NOW))
    (vevent,) = vevents(cal)
    assert vevent["DTSTAMP"].dt == NOW.replace(microsecond=0)
    assert "DTSTAMP:20270110T123015Z" in unfolded(
        invite(make_event(), ORGANIZER, ATTENDEES, now=NOW)
    )
    assert vevent["LAST-MODIFIED"].dt == CHANGED


# ---------------------------------------------------------------- time zones


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 3, 26), 8),  # last Friday before DST starts (28 March): CET
        (date(2027, 3, 29), 7),  # Monday after the change: CEST
        (date(2027, 10, 29), 7),  # last Friday before DST ends (31 October): CEST
        (date(2027, 11, 1), 8),  # Monday after the change: CET
    ],
)
def test_dst_instants(day: date, utc_hour: int) -> None:
    data = invite(make_event(day), ORGANIZER, ATTENDEES, now=NOW)
    lines = unfolded(data)
    assert f"DTSTART;TZID=Europe/Stockholm:{day:%Y%m%d}T090000" in lines
    assert f"DTEND;TZID=Europe/Stockholm:{day:%Y%m%d}T100000" in lines
    cal = check_shape(data)
    (vevent,) = vevents(cal)
    start = wall(vevent, "DTSTART")
    expected = datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    assert start.astimezone(UTC) == expected
    # The same instant from the VTIMEZONE we wrote, not from the system's zone database.
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert isinstance(vtimezone, Timezone)
    own_tz = vtimezone.to_tz(lookup_tzid=False)
    assert not isinstance(own_tz, ZoneInfo)
    assert start.replace(tzinfo=own_tz).astimezone(UTC) == expected
    end = wall(vevent, "DTEND").replace(tzinfo=own_tz)
    assert end.astimezone(UTC) == expected + timedelta(hours=1)


def test_stockholm_vtimezone_uses_rrules_and_matches_zoneinfo() -> None:
    data = feed("LG", [make_event()], now=NOW)
    cal = parse(data)
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Stockholm"
    lines = unfolded(data)
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in lines
    assert not any(line.startswith("RDATE") for line in lines)
    assert isinstance(vtimezone, Timezone)
    own_tz = vtimezone.to_tz(lookup_tzid=False)
    # Agrees with the zone database: daily over five years, hourly around every change.
    moments = [datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(5 * 366)]
    for year in range(2026, 2031):
        for month in (3, 10):
            last_sunday = max(
                date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6
            )
            first = datetime.combine(last_sunday, time(), UTC) - timedelta(hours=6)
            moments += [first + timedelta(hours=n) for n in range(12)]
    for moment in moments:
        assert moment.astimezone(own_tz).utcoffset() == moment.astimezone(STHLM).utcoffset()


def test_vtimezone_only_when_needed_and_only_once() -> None:
    timed = [make_event(date(2027, 3, 26)), make_event(date(2027, 11, 1), uid="b@x")]
    assert len(parse(feed("LG", timed, now=NOW)).walk("VTIMEZONE")) == 1
    all_day = make_event(start=None, end=None)
    assert parse(feed("LG", [all_day], now=NOW)).walk("VTIMEZONE") == []


def test_other_zone_falls_back_to_generated_vtimezone() -> None:
    new_york = ZoneInfo("America/New_York")
    data = invite(make_event(date(2027, 3, 29)), ORGANIZER, ATTENDEES, now=NOW, tz=new_york)
    assert "DTSTART;TZID=America/New_York:20270329T090000" in unfolded(data)
    cal = check_shape(data)
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert isinstance(vtimezone, Timezone)
    own_tz = vtimezone.to_tz(lookup_tzid=False)
    start = wall(vevents(cal)[0], "DTSTART").replace(tzinfo=own_tz)
    assert start.astimezone(UTC) == datetime(2027, 3, 29, 13, tzinfo=UTC)


def test_multi_day_timed_and_default_duration() -> None:
    event = make_event(date(2027, 5, 10), time(13), time(12), end_date=date(2027, 5, 11))
    lines = unfolded(invite(event, ORGANIZER, ATTENDEES, now=NOW))
    assert "DTSTART;TZID=Europe/Stockholm:20270510T130000" in lines
    assert "DTEND;TZID=Europe/Stockholm:20270511T120000" in lines
    lines = unfolded(invite(make_event(end=None), ORGANIZER, ATTENDEES, now=NOW))
    assert "DTSTART;TZID=Europe/Stockholm:20270329T090000" in lines
    assert "DTEND;TZID=Europe/Stockholm:20270329T100000" in lines


# ---------------------------------------------------------------- all-day


def test_all_day_end_is_exclusive() -> None:
    two_days = make_event(date(2027, 2, 1), None, None, end_date=date(2027, 2, 2))
    lines = unfolded(invite(two_days, ORGANIZER, ATTENDEES, now=NOW))
    assert "DTSTART;VALUE=DATE:20270201" in lines
    assert "DTEND;VALUE=DATE:20270203" in lines
    one_day = make_event(date(2027, 11, 17), None, None)
    data = feed("LG", [one_day], now=NOW)
    assert "DTSTART;VALUE=DATE:20271117" in unfolded(data)
    assert "DTEND;VALUE=DATE:20271118" in unfolded(data)
    (vevent,) = vevents(check_shape(data))
    assert vevent["DTSTART"].dt == date(2027, 11, 17)
    assert vevent["DTEND"].dt == date(2027, 11, 18)
    assert "1–2 februari 2027" in str(
        vevents(parse(feed("LG", [two_days], now=NOW)))[0]["DESCRIPTION"]
    )


# ---------------------------------------------------------------- scheduling messages


def test_invite_method_organizer_and_attendees() -> None:
    data = invite(make_event(), ORGANIZER, ATTENDEES, now=NOW)
    lines = unfolded(data)
    assert "METHOD:REQUEST" in lines
    assert 'ORGANIZER;CN="Eva Ordförande":mailto:ordforande@region.example' in lines
    attendees = [line for line in lines if line.startswith("ATTENDEE")]
    assert attendees == [
        'ATTENDEE;CN="Åsa Öberg";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;'
        "ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:asa.oberg@region.example",
        "ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:"
        "mailto:per@region.example",
    ]
    (vevent,) = vevents(check_shape(data))
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["TRANSP"]) == "OPAQUE"
    assert str(vevent["LOCATION"]) == "Regionhuset, sal 3"
    description = str(vevent["DESCRIPTION"])
    assert "När: måndag 29 mars 2027 kl. 09.00–10.00" in description
    assert "Var: Regionhuset, sal 3" in description


def test_cancellation_keeps_uid_and_attendees() -> None:
    event = make_event(sequence=3)
    data = cancellation(event, ORGANIZER, ATTENDEES, now=NOW)
    lines = unfolded(data)
    assert "METHOD:CANCEL" in lines
    assert "STATUS:CANCELLED" in lines
    assert sum(line.startswith("ATTENDEE") for line in lines) == 2
    assert any(line.startswith("ORGANIZER") for line in lines)
    (vevent,) = vevents(check_shape(data))
    assert str(vevent["UID"]) == event.uid
    assert int(vevent["SEQUENCE"]) == 3
    assert str(vevent["SUMMARY"]) == "AU-möte"  # clients add their own "Cancelled:"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"  # a cancelled session blocks no time
    assert str(vevent["DESCRIPTION"]).startswith(calendar_texts.CAL_CANCELLED)


def test_scheduling_needs_attendees_and_aware_now() -> None:
    with pytest.raises(ValueError):
        invite(make_event(), ORGANIZER, [], now=NOW)
    with pytest.raises(ValueError):
        invite(make_event(), ORGANIZER, ATTENDEES, now=datetime(2027, 1, 10, 12))


# ---------------------------------------------------------------- feeds


def test_feed_headers_and_no_method() -> None:
    cancelled = make_event(date(2027, 4, 5), uid="c@x", cancelled=True, sequence=1)
    deadline = Deadline(
        uid="u-12@ledningsbot",
        summary="Uppdrag U-12: Ta fram underlag, budget; plan",
        day=date(2027, 4, 1),
        description="Från beslut LG-2027-3",
        updated_at=CHANGED,
    )
    data = feed("LG; möten, 2027", [make_event(), cancelled], now=NOW, deadlines=[deadline])
    lines = unfolded(data)
    assert not any(line.startswith("METHOD") for line in lines)
    assert "NAME:LG\\; möten\\, 2027" in lines
    assert "X-WR-CALNAME:LG\\; möten\\, 2027" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "X-WR-TIMEZONE:Europe/Stockholm" in lines
    assert not any(line.startswith(("ORGANIZER", "ATTENDEE")) for line in lines)
    cal = check_shape(data)
    assert "METHOD" not in cal
    # NAME is TEXT (RFC 7986), so escaped; icalendar 7 reads it back as an unknown type and
    # leaves the escapes in place.
    assert str(cal["NAME"]) == "LG\\; möten\\, 2027"
    assert cal.refresh_interval == timedelta(hours=1)
    by_uid = {str(v["UID"]): v for v in vevents(cal)}
    assert set(by_uid) == {make_event().uid, "c@x", "u-12@ledningsbot"}
    assert str(by_uid["c@x"]["STATUS"]) == "CANCELLED"
    assert str(by_uid["c@x"]["SUMMARY"]) == "Inställt: AU-möte"
    due = by_uid["u-12@ledningsbot"]
    assert str(due["SUMMARY"]) == deadline.summary
    assert str(due["TRANSP"]) == "TRANSPARENT"
    assert due["DTSTART"].dt == date(2027, 4, 1)
    assert due["DTEND"].dt == date(2027, 4, 2)
    assert "torsdag 1 april 2027" in str(due["DESCRIPTION"])


def test_feed_is_stable_while_nothing_changes() -> None:
    events = [make_event(), make_event(date(2027, 2, 1), None, None, uid="b@x")]
    first = feed("LG", events, now=NOW)
    assert feed("LG", events, now=NOW + timedelta(hours=5)) == first
    (vevent, _) = vevents(parse(first))
    assert vevent["DTSTAMP"].dt == CHANGED  # RFC 5545 3.8.7.2: no METHOD → last change


# ---------------------------------------------------------------- hostile text


def test_hostile_text_is_escaped_and_round_trips() -> None:
    long_text = ("Ärende å ä ö 😀, ; " * 30).strip()
    event = make_event(
        summary=HOSTILE + "\nEND:VEVENT\nBEGIN:VEVENT",
        location=HOSTILE,
        description=long_text + "\n" + HOSTILE,
        url="https://slack.example/archives/C1/p123?x=1&y=2",
    )
    person = Person("a@region.example", 'Nils "Nisse" Ö;\nSvensson, chef')
    for data in (
        invite(event, ORGANIZER, [person], now=NOW),
        cancellation(event, ORGANIZER, [person], now=NOW),
        feed(HOSTILE, [event], now=NOW),
    ):
        cal = check_shape(data)
        (vevent,) = vevents(cal)  # nothing injected a second event
        assert str(vevent["SUMMARY"]).startswith(HOSTILE_CLEAN)
        assert str(vevent["LOCATION"]) == HOSTILE_CLEAN
        assert long_text in str(vevent["DESCRIPTION"])
        assert HOSTILE_CLEAN in str(vevent["DESCRIPTION"])
        assert str(vevent["URL"]) == event.url
        raw = data.decode("utf-8")
        assert "\\," in raw and "\\;" in raw and "\\n" in raw
        assert "\x00" not in raw and "\x1b" not in raw
    (vevent,) = vevents(parse(invite(event, ORGANIZER, [person], now=NOW)))
    assert vevent["ATTENDEE"].params["CN"] == "Nils 'Nisse' Ö; Svensson, chef"


@pytest.mark.parametrize(
    "email",
    ["", "nobody", "a b@x.se", "a@x.se\r\nATTENDEE:mailto:evil@x.se", "a@x.se;RSVP=FALSE", "a@x"],
)
def test_unusable_addresses_are_refused(email: str) -> None:
    with pytest.raises(ValueError):
        Person(email)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x.se/\r\nX:1", "https://x.se/ a"])
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        make_event(url=url)


def test_event_validation() -> None:
    with pytest.raises(ValueError):
        make_event(end_date=date(2027, 3, 28))
    with pytest.raises(ValueError):
        make_event(start=time(10), end=time(9))
    with pytest.raises(ValueError):
        make_event(start=None, end=time(9))
    with pytest.raises(ValueError):
        make_event(updated_at=datetime(2027, 1, 1))


# ---------------------------------------------------------------- from a Meeting


def test_event_from_meeting() -> None:
    meeting = Meeting(
        ref="AU-270329",
        organ_id=1,
        kind="möte",
        title="Budget, våren; del 2",
        start_date=date(2027, 3, 29),
        end_date=date(2027, 3, 29),
        start_time=time(9),
        end_time=time(11, 30),
        location="Regionhuset",
        status="inställt",
        uid="abc@ledningsbot",
        sequence=4,
        cancel_reason="Krockar med fullmäktige",
        created_by="U1",
        created_at=datetime(2027, 1, 1, 8, 0),  # naive, as SQLite gives it back: UTC
        updated_at=datetime(2027, 1, 2, 9, 0, tzinfo=UTC),
    )
    event = event_from_meeting(meeting, "AU", summary="AU-möte")
    assert event.uid == "abc@ledningsbot"
    assert event.sequence == 4
    assert event.cancelled
    assert (event.start_time, event.end_time) == (time(9), time(11, 30))
    assert event.created_at == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert event.description is not None
    assert "Budget, våren; del 2" in event.description
    assert "Referens: AU-270329" in event.description
    assert "Skäl: Krockar med fullmäktige" in event.description
    (vevent,) = vevents(check_shape(feed("AU", [event], now=NOW)))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["CREATED"].dt == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
