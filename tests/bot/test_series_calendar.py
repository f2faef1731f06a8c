"""A recurring series in calendars: one item (a master VEVENT with RRULE and EXDATE, an
override with RECURRENCE-ID for each occurrence that differs), sent once per invitee over
signed HTTP with the Slack stand-in and iMIP e-mail to an SMTP server on loopback, updated one
occurrence at a time, and shown the same way in the webcal feed. The recurrence is expanded
with dateutil and compared with the meetings in the register."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlalchemy import DateTime, bindparam, create_engine, text
from sqlmodel import col, select

from bot import commands
from bot.calendar import feeds, ical, invites
from bot.calendar import series as series_of
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, StaticDirectory
from bot.core.replies import Attachment, Message
from handlers.slack_standin import LocalSlack
from storage.db import Database, alembic_config, normalise_url
from storage.models import Invitation, Meeting
from tests.bot.test_invites import calendar_part, delivery_states, report, uploads_for
from tests.conftest import DATABASES, POSTGRES_URL
from tests.harness import PEOPLE, Harness, buttons, run, sara_in_lg, text_of
from tests.smtp import Inbox

LG_MEMBERS = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER", "UBOT"]
INVITEES = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER"]
SERIES = (
    "ny LG varje torsdag 13-14 från 3 december till 28 januari "
    "utom 24 december och 31 december Regionhuset"
)
BASE = "https://ledningsbot.region.example"
LINK = re.compile(r"`https://ledningsbot\.region\.example(/kalender/[A-Za-z0-9_-]+\.ics)`")


@pytest.fixture
def series_cal(
    calendar_product: Product, slack: LocalSlack, organs: None, clock: FixedClock
) -> Iterator[Harness]:
    """The bot over HTTP with SMTP on loopback; LG meets every Thursday 3 Dec – 28 Jan."""
    with Harness(calendar_product, slack) as running:
        slack.set_members("C0LG", LG_MEMBERS)
        planned = text_of(running.command("/mote", SERIES, user="magnus"))
        assert "varje torsdag, 7 möten" in planned, planned
        yield running


def occurrences(app: Product) -> list[Meeting]:
    with app.db.transaction() as session:
        return list(
            session.exec(
                select(Meeting)
                .where(col(Meeting.series_uid).is_not(None))
                .order_by(col(Meeting.series_date))
            ).all()
        )


def going_ahead(app: Product) -> set[datetime]:
    """The starts of the occurrences in the register that are not cancelled."""
    return {
        datetime.combine(m.start_date, m.start_time or datetime.min.time(), STOCKHOLM)
        for m in occurrences(app)
        if m.status != "inställt"
    }


def expand(cal: Calendar) -> set[datetime]:
    """Every start the calendar item gives: the RRULE from DTSTART, less EXDATE, with each
    override's RECURRENCE-ID replaced by its DTSTART (dateutil, as a client would)."""
    (master,) = [e for e in cal.walk("VEVENT") if e.get("RRULE") is not None]
    uid = str(master["UID"])
    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
    starts = {s.astimezone(UTC) for s in rule}
    exdate = master.get("EXDATE")
    for group in exdate if isinstance(exdate, list) else [exdate] if exdate else []:
        starts -= {d.dt.astimezone(UTC) for d in group.dts}
    for override in cal.walk("VEVENT"):
        if override.get("RECURRENCE-ID") is not None and str(override["UID"]) == uid:
            original = override.decoded("RECURRENCE-ID").astimezone(UTC)
            assert original in starts, original  # it replaces an occurrence of the rule
            starts = (starts - {original}) | {override.decoded("DTSTART").astimezone(UTC)}
    return starts


def exdates(event: Any) -> list[datetime]:
    found = event.get("EXDATE")
    groups = found if isinstance(found, list) else [found] if found else []
    return sorted(d.dt for group in groups for d in group.dts)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def invitation_rows(app: Product) -> list[Invitation]:
    with app.db.transaction() as session:
        return list(session.exec(select(Invitation)).all())


# ---------------------------------------------------------------------------- invitations


def test_a_series_is_sent_once_and_each_change_as_that_occurrence_alone(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    handler = inbox[0]
    app = series_cal.product
    series = occurrences(app)
    uid = series[0].series_uid
    assert uid and len(series) == 7

    # inviting to any occurrence invites to the series: one DM, one file, one e-mail each
    planned = text_of(series_cal.command("/mote", "bjud in LG-261210", user="magnus"))
    assert "Bjuder in 4 personer till `LG-261210`" in planned
    assert "Det är en serie (varje torsdag kl. 13.00–14.00, 3 december 2026–28 januari 2027)" in (
        planned
    )
    assert "inte ett per möte" in planned
    (done,) = report(slack, "Inbjudan för `LG-261210`")
    assert "4 DM och 4 e-post" in done
    mails = handler.wait(4)
    assert len(mails) == 4 and len(slack.uploaded_files()) == 4
    for user_id in INVITEES:
        (dm,) = slack.dms(user_id)
        text = text_of(dm)
        assert "bjuder in dig till *LG-möte*, en serie" in text
        assert "varje torsdag kl. 13.00–14.00, 3 december 2026–28 januari 2027" in text
        assert buttons(dm)[0] == ("Kommer", "mote_svar_kommer", "LG-261210+")
        (ics,) = uploads_for(slack, user_id)
        assert ics["METHOD"] == "REQUEST"
        (master,) = ics.walk("VEVENT")
        assert str(master["UID"]) == uid and int(master["SEQUENCE"]) == 0
        assert master["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert master.decoded("DTSTART") == at(date(2026, 12, 3), 13)
        assert master.decoded("DTEND") == at(date(2026, 12, 3), 14)
        rule = master["RRULE"]
        assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TH"]
        assert rule["UNTIL"] == [datetime(2027, 1, 28, 12, 0, tzinfo=UTC)]  # 13.00 CET
        assert "UNTIL=20270128T120000Z" in master["RRULE"].to_ical().decode()
        assert exdates(master) == [at(date(2026, 12, 24), 13), at(date(2026, 12, 31), 13)]
        assert expand(ics) == {s.astimezone(UTC) for s in going_ahead(app)}
        assert ics.walk("VTIMEZONE")  # the one the code always writes
    subjects = {m.message["Subject"] for m in mails}
    assert subjects == {
        "Inbjudan: LG-möte varje torsdag kl. 13.00–14.00, 3 december 2026–28 januari 2027"
    }
    for mail in mails:
        part, ics = calendar_part(mail)
        assert part.get_param("method") == "REQUEST" and ics["METHOD"] == "REQUEST"
        (master,) = ics.walk("VEVENT")
        assert str(master["UID"]) == uid and master.get("RRULE") is not None
        plain = next(iter(mail.message.iter_parts())).get_content()
        assert "Referenser: LG-261203 … LG-270128" in plain
    # invited to every occurrence to come (RSVPs and feeds per meeting); claims on one row
    rows = invitation_rows(app)
    assert len(rows) == 4 * 7
    claimed = [r for r in rows if r.dm_sequence is not None]
    assert len(claimed) == 4 and {r.meeting_id for r in claimed} == {series[0].id}

    # the series' buttons answer for the whole series
    answered = series_cal.click("mote_svar_kommer", "LG-261210+", user="anna")
    assert "gäller alla kommande möten i serien" in text_of(answered)
    shown = text_of(series_cal.command("/mote", "visa LG-270121", user="jenny"))
    assert "*Kommer:* <@U0ANNA>" in shown

    # asked again: nobody gets the series twice
    again = text_of(series_cal.command("/mote", "bjud in LG-270107", user="magnus"))
    assert "Alla (4) har redan fått inbjudan" in again

    # one occurrence moved: REQUEST with that occurrence alone, its RECURRENCE-ID, SEQUENCE 1
    clock.advance(timedelta(minutes=1))
    moved = text_of(
        series_cal.command("/mote", "flytta LG-261217 till 18 december 10-12", user="magnus")
    )
    assert "De 4 inbjudna får den nya tiden" in moved
    report(slack, "Nya tiden för `LG-261217`")
    mails = handler.wait(8)
    for user_id in INVITEES:
        _first, update = uploads_for(slack, user_id)
        assert update["METHOD"] == "REQUEST"
        (event,) = update.walk("VEVENT")
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
        assert event.decoded("RECURRENCE-ID") == at(date(2026, 12, 17), 13)
        assert event.decoded("DTSTART") == at(date(2026, 12, 18), 10)
        assert event.get("RRULE") is None
        assert "har fått ny tid" in text_of(slack.dms(user_id)[-1])
    for mail in mails[4:]:
        (event,) = calendar_part(mail)[1].walk("VEVENT")
        assert event.decoded("RECURRENCE-ID") == at(date(2026, 12, 17), 13)

    # one occurrence cancelled: CANCEL with its RECURRENCE-ID, SEQUENCE 2
    clock.advance(timedelta(minutes=1))
    series_cal.command("/mote", "ställ in LG-270107 krock", user="magnus")
    report(slack, "Avbokningen för `LG-270107`")
    mails = handler.wait(12)
    for user_id in INVITEES:
        *_, cancel = uploads_for(slack, user_id)
        assert cancel["METHOD"] == "CANCEL"
        (event,) = cancel.walk("VEVENT")
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
        assert event.decoded("RECURRENCE-ID") == at(date(2027, 1, 7), 13)
        assert str(event["STATUS"]) == "CANCELLED"
    for mail in mails[8:]:
        part, ics = calendar_part(mail)
        assert part.get_param("method") == "CANCEL" and ics["METHOD"] == "CANCEL"
    assert [len(slack.dms(u)) for u in INVITEES] == [3, 3, 3, 3]

    # someone invited now gets the whole series as it is: master, EXDATE, the override
    series_cal.command("/mote", "bjud in LG-270114 <@U0JENNY|jenny>", user="magnus")
    report(slack, "Inbjudan för `LG-270114`")
    (ics,) = uploads_for(slack, "U0JENNY")
    master, override = ics.walk("VEVENT")
    assert {str(master["UID"]), str(override["UID"])} == {uid}
    assert {int(master["SEQUENCE"]), int(override["SEQUENCE"])} == {2}
    assert exdates(master) == [
        at(date(2026, 12, 24), 13),
        at(date(2026, 12, 31), 13),
        at(date(2027, 1, 7), 13),
    ]
    assert override.decoded("RECURRENCE-ID") == at(date(2026, 12, 17), 13)
    assert expand(ics) == {s.astimezone(UTC) for s in going_ahead(app)}
    assert [len(slack.dms(u)) for u in INVITEES] == [3, 3, 3, 3]  # nobody else again
    anchor = [r for r in invitation_rows(app) if r.meeting_id == series[0].id]
    states = delivery_states(app, series[0].id)
    assert {states[r.user_id][:2] for r in anchor} == {(2, "skickad")}


def test_whoever_missed_a_version_gets_the_whole_series(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    handler = inbox[0]
    app = series_cal.product
    series_cal.command("/mote", "bjud in LG-261203 <@U0ANNA|anna> <@U0ROGER|roger>", user="sara")
    report(slack, "Inbjudan för `LG-261203`")
    handler.wait(2)
    clock.advance(timedelta(minutes=1))
    slack.fail_next("chat.postMessage", error="channel_not_found")  # Anna's DM of the move
    series_cal.command("/mote", "flytta LG-270114 till 15 januari 13-14", user="magnus")
    report(slack, "Nya tiden för `LG-270114`")
    handler.wait(4)
    clock.advance(timedelta(minutes=1))
    series_cal.command("/mote", "ställ in LG-270121", user="magnus")
    report(slack, "Avbokningen för `LG-270121`")
    handler.wait(6)
    # Roger had version 1: the cancelled occurrence alone. Anna's DM of version 1 failed: her
    # DM brings the whole series (a REQUEST with the EXDATE and the override), and so does
    # her e-mail (the same file).
    *_, roger = uploads_for(slack, "U0ROGER")
    assert roger["METHOD"] == "CANCEL" and len(roger.walk("VEVENT")) == 1
    *_, anna = uploads_for(slack, "U0ANNA")
    assert anna["METHOD"] == "REQUEST" and len(anna.walk("VEVENT")) == 2
    master = next(e for e in anna.walk("VEVENT") if e.get("RRULE") is not None)
    assert at(date(2027, 1, 21), 13) in exdates(master) and int(master["SEQUENCE"]) == 2
    assert expand(anna) == {s.astimezone(UTC) for s in going_ahead(app)}
    anna_mail = [m for m in handler.to("anna@example.se")][-1]
    assert calendar_part(anna_mail)[1]["METHOD"] == "REQUEST"
    # The text speaks of what happened (the cancellation); the file brings her up to date.
    assert str(anna_mail.message["Subject"]).startswith("Inställt: LG-möte torsdag 21 januari")


# ---------------------------------------------------------------------------- the feed


@pytest.fixture
def feed_web(product: Product, slack: LocalSlack, organs: None) -> Iterator[Harness]:
    feed_product = replace(product, calendar=CalendarConfig(public_base_url=BASE))
    with Harness(feed_product, slack) as running:
        slack.set_members("C0LG", LG_MEMBERS)
        running.command("/mote", SERIES, user="magnus")
        running.command("/mote", "ny LG 8 december 9-12")
        yield running


def test_the_feed_shows_a_series_as_one_item(
    feed_web: Harness, slack: LocalSlack, clock: FixedClock
) -> None:
    app = feed_web.product
    found = LINK.findall(text_of(feed_web.command("/kalender", "", user="anna")))
    assert found
    status, body = feed_web.get(found[0])
    assert status == 200
    cal = Calendar.from_ical(body.encode())
    uid = occurrences(app)[0].series_uid
    mine = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    assert len(mine) == 1 and mine[0].get("RRULE") is not None  # not seven events
    others = [e for e in cal.walk("VEVENT") if str(e["UID"]) != uid]
    assert [e.decoded("DTSTART") for e in others] == [at(date(2026, 12, 8), 9)]
    assert int(mine[0]["SEQUENCE"]) == 0
    assert expand(cal) == {s.astimezone(UTC) for s in going_ahead(app)}
    assert "varje torsdag kl. 13.00–14.00" in str(mine[0]["DESCRIPTION"])

    clock.advance(timedelta(minutes=1))
    feed_web.command("/mote", "flytta LG-261210 till 11 december 13-14 Stadshuset", user="magnus")
    feed_web.command("/mote", "ställ in LG-270114", user="magnus")
    status, body = feed_web.get(found[0])
    cal = Calendar.from_ical(body.encode())
    mine = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    (master,) = [e for e in mine if e.get("RRULE") is not None]
    (override,) = [e for e in mine if e.get("RECURRENCE-ID") is not None]
    assert {int(e["SEQUENCE"]) for e in mine} == {2}
    assert override.decoded("RECURRENCE-ID") == at(date(2026, 12, 10), 13)
    assert override.decoded("DTSTART") == at(date(2026, 12, 11), 13)
    assert "Stadshuset" in str(override["LOCATION"]) and "LG-261210" in str(override["DESCRIPTION"])
    assert at(date(2027, 1, 14), 13) in exdates(master)
    assert expand(cal) == {s.astimezone(UTC) for s in going_ahead(app)}
    # and again, from the caches: the same bytes
    assert feed_web.get(found[0]) == (200, body)


# ---------------------------------------------------------------------------- without SMTP


class Keeper:
    """A Postman that keeps each DM's key and file (no Slack)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Attachment, bool]] = []
        self.texts: list[str] = []

    def send(
        self, user_id: str, message: Message, attachment: Attachment, key: str, *, doubt: bool
    ) -> None:
        self.sent.append((user_id, key, attachment, doubt))
        self.texts.append(message.fallback)


def test_without_smtp_the_whole_series_is_published_and_a_crash_is_finished_once(
    quiet: Ctx, clock: FixedClock
) -> None:
    assert "7 möten" in run(quiet, "/mote", SERIES)
    uid = occurrences(quiet.app)[0].series_uid
    box = Keeper()
    report = invites.deliver(quiet.app, invites.invite(quiet, "LG-261210", ""), box)
    assert report.dms == 2
    assert [(u, k) for u, k, _a, _d in box.sent] == [
        ("U0ANNA", f"inbjudan:serie:{uid}:U0ANNA:0"),
        ("U0ROGER", f"inbjudan:serie:{uid}:U0ROGER:0"),
    ]
    for _user, _key, attachment, _doubt in box.sent:
        assert attachment.filename == "LG-261210-serie.ics"
        ics = Calendar.from_ical(attachment.content)
        assert ics["METHOD"] == "PUBLISH"
        (master,) = ics.walk("VEVENT")
        assert master.get("ORGANIZER") is None and master.get("ATTENDEE") is None
        assert expand(ics) == {s.astimezone(UTC) for s in going_ahead(quiet.app)}

    # a move whose batch is cut short by a crash: the safety tick sends the series' version 1
    # once (the whole series: PUBLISH replaces what the calendar has), asking Slack first
    clock.advance(timedelta(minutes=1))
    # planned and claimed by the command; the process dies before delivering
    run(quiet, "/mote", "flytta LG-261217 till 18 december 10-12")
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    (resumed,) = invites.resume(quiet.app, box, str)
    assert resumed.dms == 2
    later = box.sent[2:]
    assert [(u, k, d) for u, k, _a, d in later] == [
        ("U0ANNA", f"inbjudan:serie:{uid}:U0ANNA:1", True),
        ("U0ROGER", f"inbjudan:serie:{uid}:U0ROGER:1", True),
    ]
    ics = Calendar.from_ical(later[0][2].content)
    assert ics["METHOD"] == "PUBLISH"
    master, override = ics.walk("VEVENT")
    assert int(master["SEQUENCE"]) == int(override["SEQUENCE"]) == 1
    assert override.decoded("RECURRENCE-ID") == at(date(2026, 12, 17), 13)
    assert expand(ics) == {s.astimezone(UTC) for s in going_ahead(quiet.app)}
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    assert invites.resume(quiet.app, box, str) == []
    assert "Alla (2) har redan fått" in invites.planned_message(
        invites.invite(quiet, "LG-270114", "")
    )
    # one occurrence cancelled: the DM says which; the file is the whole series (PUBLISH)
    clock.advance(timedelta(minutes=1))
    cancelled = commands.run(quiet, "/mote", "ställ in LG-270121").invites
    assert isinstance(cancelled, invites.InviteBatch)
    invites.deliver(quiet.app, cancelled, box)
    last = box.sent[4:]
    assert [(u, k) for u, k, _a, _d in last] == [
        ("U0ANNA", f"inbjudan:serie:{uid}:U0ANNA:2"),
        ("U0ROGER", f"inbjudan:serie:{uid}:U0ROGER:2"),
    ]
    assert all("är inställt" in t and "LG-270121" in t for t in box.texts[4:])
    ics = Calendar.from_ical(last[0][2].content)
    master = next(e for e in ics.walk("VEVENT") if e.get("RRULE") is not None)
    assert ics["METHOD"] == "PUBLISH" and at(date(2027, 1, 21), 13) in exdates(master)
    assert expand(ics) == {s.astimezone(UTC) for s in going_ahead(quiet.app)}


# ---------------------------------------------------------------------------- iCalendar alone


def test_until_is_written_as_rfc_5545_requires_and_all_day_series_use_dates() -> None:
    stamp = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    timed = ical.Event(
        uid="serie@ledningsbot",
        sequence=3,
        summary="AU-möte",
        start_date=date(2025, 6, 5),
        end_date=date(2025, 6, 5),
        start_time=time(13),
        end_time=time(14),
        location=None,
        description=None,
        cancelled=False,
        updated_at=stamp,
    )
    # a rule stored before 0014 (UNTIL a bare date) is written with UNTIL in UTC
    old = ical.Series(timed, "FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828", (date(2025, 6, 19),))
    (master,) = Calendar.from_ical(ical.feed("x", [old], now=stamp)).walk("VEVENT")
    assert "UNTIL=20250828T110000Z" in master["RRULE"].to_ical().decode()
    assert exdates(master) == [at(date(2025, 6, 19), 13)]
    # all day: DTSTART, UNTIL, EXDATE and RECURRENCE-ID are dates
    day = replace(timed, start_time=None, end_time=None)
    moved = replace(day, start_date=date(2025, 6, 13), end_date=date(2025, 6, 13))
    series = ical.Series(
        day,
        "FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828",
        (date(2025, 6, 19),),
        ((date(2025, 6, 12), moved),),
    )
    cal = Calendar.from_ical(ical.feed("x", [series], now=stamp))
    master, override = cal.walk("VEVENT")
    assert "UNTIL=20250828;" in master["RRULE"].to_ical().decode() + ";"
    assert master.decoded("DTSTART") == date(2025, 6, 5)
    assert exdates(master) == [date(2025, 6, 19)]
    assert override.decoded("RECURRENCE-ID") == date(2025, 6, 12)
    assert not cal.walk("VTIMEZONE")
    # an override must be of the series: the same UID and SEQUENCE
    with pytest.raises(ValueError):
        ical.Series(
            day, "FREQ=WEEKLY;BYDAY=TH", (), ((date(2025, 6, 12), replace(moved, uid="x")),)
        )


def test_migration_0014_keeps_each_occurrence_in_its_series(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0013")
    engine = create_engine(url)
    now = "2026-11-23 08:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organ (id, short_name, name, reminders_enabled, reminder_lead_days,"
                " created_by, created_at) VALUES (1, 'AU', 'Arbetsutskottet', 0, 3, 'U', :now)"
            ),
            {"now": now},
        )
        for i, day in enumerate(("2025-06-05", "2025-06-12"), start=1):
            connection.execute(
                text(
                    "INSERT INTO meeting (id, ref, organ_id, kind, start_date, end_date,"
                    " start_time, end_time, location, status, uid, sequence, series_uid,"
                    " series_rule, created_by, created_at, updated_at) VALUES (:id, :ref, 1,"
                    " 'möte', :day, :day, '13:00:00.000000', '14:00:00.000000', 'Regionhuset',"
                    " 'planerat', :uid, 0, 's@ledningsbot', 'FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828',"
                    " 'U', :now, :now)"
                ),
                {
                    "id": i,
                    "ref": f"AU-{day[2:].replace('-', '')}",
                    "day": day,
                    "uid": f"m{i}",
                    "now": now,
                },
            )
    engine.dispose()
    command.upgrade(config, "head")
    database = Database(url)
    with database.transaction() as session:
        rows = list(session.exec(select(Meeting).order_by(col(Meeting.id))).all())
    assert [r.series_date for r in rows] == [date(2025, 6, 5), date(2025, 6, 12)]
    assert {(r.series_start, r.series_end, r.series_location) for r in rows} == {
        (time(13), time(14), "Regionhuset")
    }
    assert {r.series_rule for r in rows} == {"FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828T110000Z"}


def test_a_feed_spliced_from_cached_events_is_the_feed_made_afresh(
    product: Product, organs: None, clock: FixedClock
) -> None:
    """The feed's event cache holds a series (master and overrides) as one block: after an
    unrelated change the spliced feed is byte for byte the one a fresh process makes."""
    app = replace(product, calendar=CalendarConfig(public_base_url=BASE))
    directory = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()}, members={"C0LG": ["U0ANNA"]}
    )
    sara = Ctx(app, "U0SARA", "C0LG", directory)
    anna = Ctx(app, "U0ANNA", "C0LG", directory)
    run(sara, "/mote", "ny LG 1 december 9-12")
    run(sara, "/mote", SERIES)
    run(sara, "/mote", "ny LG 8 december 9-12")
    clock.advance(timedelta(minutes=1))
    run(sara, "/mote", "flytta LG-261210 till 11 december 13-14")
    run(sara, "/mote", "ställ in LG-270107")
    tokens = [link.https.rsplit("/", 1)[1].removesuffix(".ics") for link in feeds.links(anna)]
    server = feeds.FeedServer(app)
    cold = [server.get(token).body for token in tokens]
    clock.advance(timedelta(minutes=1))
    run(sara, "/mote", "flytta LG-261208 till 9 december 9-12")  # not the series
    warm = [server.get(token).body for token in tokens]
    fresh = [feeds.FeedServer(app).get(token).body for token in tokens]
    assert warm == fresh and warm != cold
    for body in warm:
        cal = Calendar.from_ical(body)
        assert len(cal.walk("VEVENT")) == 4  # two meetings, the master and one override
        assert expand(cal) == {s.astimezone(UTC) for s in going_ahead(app)}


def test_the_agenda_of_one_occurrence_is_sent_as_its_override(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    series_cal.command("/mote", "bjud in LG-261210 <@U0ANNA|anna> <@U0ROGER|roger>", user="sara")
    report(slack, "Inbjudan för `LG-261210`")
    inbox[0].wait(2)
    clock.advance(timedelta(minutes=1))
    series_cal.command("/mote", "kallelse LG-261210", user="magnus")
    report(slack, "Kallelsen för `LG-261210`")
    mails = inbox[0].wait(4)
    for user_id in ("U0ANNA", "U0ROGER"):
        _series, agenda = uploads_for(slack, user_id)
        assert agenda["METHOD"] == "REQUEST"
        (event,) = agenda.walk("VEVENT")
        assert event.decoded("RECURRENCE-ID") == at(date(2026, 12, 10), 13)
        assert event.decoded("DTSTART") == at(date(2026, 12, 10), 13)  # the time is unchanged
        assert "Mötets öppnande" in str(event["DESCRIPTION"]) and int(event["SEQUENCE"]) == 1
        assert "Kallelse till *LG-möte*" in text_of(slack.dms(user_id)[-1])
    for mail in mails[2:]:
        (event,) = calendar_part(mail)[1].walk("VEVENT")
        assert event.decoded("RECURRENCE-ID") == at(date(2026, 12, 10), 13)


# ---------------------------------------------------------------------- the series runs out


def test_last_live_occurrence_cancelled_is_sent_as_cancel(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """Each cancellation goes out as that occurrence's CANCEL; the last one, which leaves the
    series with nothing going ahead, cancels the whole series (the master, no RECURRENCE-ID)
    in the DM's file and in the e-mail."""
    handler = inbox[0]
    series_cal.command("/mote", "bjud in LG-261203 <@U0ANNA|anna>", user="magnus")
    report(slack, "Inbjudan för `LG-261203`")
    handler.wait(1)
    refs = [m.ref for m in occurrences(series_cal.product)]
    for n, ref in enumerate(refs, start=2):
        clock.advance(timedelta(minutes=1))
        series_cal.command("/mote", f"ställ in {ref}", user="magnus")
        report(slack, f"Avbokningen för `{ref}`")
        handler.wait(n)
    files = uploads_for(slack, "U0ANNA")
    assert [str(c["METHOD"]) for c in files] == ["REQUEST"] + ["CANCEL"] * len(refs)
    *singles, last = files
    for cal in singles[1:]:
        (event,) = cal.walk("VEVENT")
        assert event.get("RECURRENCE-ID") is not None
    (master,) = last.walk("VEVENT")
    assert master.get("RECURRENCE-ID") is None and master.get("RRULE") is not None
    assert str(master["STATUS"]) == "CANCELLED"
    assert int(master["SEQUENCE"]) == len(refs)
    _part, mailed = calendar_part(handler.wait(len(refs) + 1)[-1])
    assert str(mailed["METHOD"]) == "CANCEL"
    (mailed_master,) = mailed.walk("VEVENT")
    assert mailed_master.get("RECURRENCE-ID") is None


def test_a_past_occurrence_moved_ahead_takes_rsvps(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """Anna is invited to the series on 11 December, when LG-261210 is over; it is then
    postponed after the fact to 22 December: her "ny tid" DM's buttons take her answer."""
    clock.advance(timedelta(days=18))  # 11 December: LG-261203 and LG-261210 are over
    series_cal.command("/mote", "bjud in LG-261217 <@U0ANNA|anna>", user="magnus")
    report(slack, "Inbjudan för `LG-261217`")
    moved = text_of(
        series_cal.command("/mote", "flytta LG-261210 till 22 december 13-14", user="magnus")
    )
    assert "22 december" in moved, moved
    report(slack, "Nya tiden för `LG-261210`")
    dm = slack.dms("U0ANNA")[-1]
    assert "LG-261210" in text_of(dm) and "22 december" in text_of(dm), text_of(dm)
    answered = text_of(series_cal.click("mote_svar_kommer", "LG-261210", user="anna"))
    assert "Kommer" in answered and "LG-261210" in answered, answered
    shown = text_of(series_cal.command("/mote", "visa LG-261210", user="magnus"))
    assert "U0ANNA" in shown, shown


def test_attendance_of_a_held_first_occurrence_gains_later_invitees(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """The first occurrence keeps the series' claims, also of those invited once it is over:
    they are not invited to it, in `/mote visa` nor in the attendance list."""
    first = occurrences(series_cal.product)[0]
    series_cal.command("/mote", f"bjud in {first.ref} <@U0SARA|sara>", user="magnus")
    report(slack, f"Inbjudan för `{first.ref}`")
    clock.advance(timedelta(days=11))
    series_cal.command("/mote", "bjud in LG-261210 <@U0JENNY|jenny>", user="magnus")
    report(slack, "Inbjudan för `LG-261210`")
    shown = text_of(series_cal.command("/mote", f"visa {first.ref}", user="magnus"))
    assert "U0SARA" in shown and "U0JENNY" not in shown, shown
    present = text_of(series_cal.command("/mote", f"närvaro {first.ref}", user="magnus"))
    assert "U0JENNY" not in present and "Jenny" not in present, present
    later = text_of(series_cal.command("/mote", "visa LG-261210", user="magnus"))
    assert "U0SARA" in later and "U0JENNY" in later, later


def test_series_answer_names_a_cancelled_occurrence(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """The series' DM names LG-261210, since cancelled: the answer names the occurrence it is
    for, and the cancellation's file speaks of that occurrence, not of the series."""
    handler = inbox[0]
    series_cal.command("/mote", "bjud in LG-261210 <@U0ANNA|anna>", user="magnus")
    report(slack, "Inbjudan för `LG-261210`")
    handler.wait(1)
    clock.advance(timedelta(minutes=1))
    series_cal.command("/mote", "ställ in LG-261210", user="magnus")
    report(slack, "Avbokningen för `LG-261210`")
    *_, cancel = uploads_for(slack, "U0ANNA")
    assert str(cancel["METHOD"]) == "CANCEL"
    (event,) = cancel.walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "LG-261210" in description and "varje torsdag" not in description, description
    _part, mailed = calendar_part(handler.wait(2)[-1])
    (mailed_event,) = mailed.walk("VEVENT")
    assert "varje torsdag" not in str(mailed_event["DESCRIPTION"])
    answered = text_of(series_cal.click("mote_svar_kommer", "LG-261210+", user="anna"))
    assert "10 december" not in answered and "LG-261217" in answered, answered


# ------------------------------------------------------------- installations from before 0014


@pytest.fixture(params=DATABASES)
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (SQLite, or a scratch schema in PostgreSQL) to migrate."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    schema = f"m0014_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalise_url(POSTGRES_URL))
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def old_series(url: str, occurrences: list[tuple[str, str, str, int]], rule: str) -> None:
    """A series as the code before 0014 left it: (day, start, end, sequence) per occurrence,
    each an item of its own (uid m1, m2, …)."""
    command.upgrade(alembic_config(url), "0013")
    engine = create_engine(normalise_url(url))
    now = "2026-11-23 08:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organ (id, short_name, name, reminders_enabled, reminder_lead_days,"
                " created_by, created_at) VALUES (1, 'AU', 'Arbetsutskottet', false, 3, 'U', :now)"
            ),
            {"now": now},
        )
        for i, (day, start, end, seq) in enumerate(occurrences, start=1):
            connection.execute(
                text(
                    "INSERT INTO meeting (id, ref, organ_id, kind, start_date, end_date,"
                    " start_time, end_time, location, status, uid, sequence, series_uid,"
                    " series_rule, created_by, created_at, updated_at) VALUES (:id, :ref, 1,"
                    " 'möte', :day, :day, :start, :end, 'Regionhuset', 'planerat', :uid, :seq,"
                    " 's@ledningsbot', :rule, 'U', :now, :now)"
                ),
                {
                    "id": i,
                    "ref": f"AU-{i}",
                    "day": day,
                    "uid": f"m{i}",
                    "now": now,
                    "start": f"{start}:00",
                    "end": f"{end}:00",
                    "seq": seq,
                    "rule": rule,
                },
            )
    engine.dispose()


MOVED_BEFORE_0014 = [
    # 12 June moved to Friday 13 June 10–11: the same week
    (
        [
            ("2025-06-05", "13:00", "14:00", 0),
            ("2025-06-13", "10:00", "11:00", 1),
            ("2025-06-19", "13:00", "14:00", 0),
        ],
        [date(2025, 6, 5), date(2025, 6, 12), date(2025, 6, 19)],
    ),
    # the first, 5 June, moved to Tuesday 10 June 9–10: into the next occurrence's week
    (
        [
            ("2025-06-10", "09:00", "10:00", 1),
            ("2025-06-12", "13:00", "14:00", 0),
            ("2025-06-19", "13:00", "14:00", 0),
        ],
        [date(2025, 6, 5), date(2025, 6, 12), date(2025, 6, 19)],
    ),
]


@pytest.mark.parametrize(("before", "planned"), MOVED_BEFORE_0014)
def test_migration_0014_keeps_an_occurrence_moved_before_it(
    old_url: str, before: list[tuple[str, str, str, int]], planned: list[date]
) -> None:
    """An occurrence moved before 0014: the series stays Thursdays 13–14, the moved one keeps
    its place in the rule, and the calendar item gives exactly the meetings of the register."""
    old_series(old_url, before, "FREQ=WEEKLY;BYDAY=TH;UNTIL=20250619")
    command.upgrade(alembic_config(old_url), "head")
    database = Database(old_url)
    try:
        with database.transaction() as session:
            rows = list(session.exec(select(Meeting).order_by(col(Meeting.id))).all())
    finally:
        database.dispose()
    assert [r.series_date for r in rows] == planned
    assert {(r.series_start, r.series_end) for r in rows} == {(time(13), time(14))}
    assert {r.series_rule for r in rows} == {"FREQ=WEEKLY;BYDAY=TH;UNTIL=20250619T110000Z"}
    item = series_of.of_meetings(rows, "AU", summary="AU-möte", tz=STOCKHOLM)
    cal = Calendar.from_ical(ical.feed("AU", [item], now=datetime(2026, 1, 1, tzinfo=STOCKHOLM)))
    register = {datetime.combine(r.start_date, r.start_time or time(0), STOCKHOLM) for r in rows}
    assert {d.astimezone(STOCKHOLM) for d in expand(cal)} == register


def migrated_from_0013(app: Product, *before: tuple[Meeting, str, datetime]) -> None:
    """Take the database back to 0013 and up again: 0014 runs on what the bot holds now, with
    the invitations ``before`` (meeting, user, when) that the code before 0014 left."""
    config = alembic_config(app.db.url)
    command.downgrade(config, "0013")
    with app.db.engine.begin() as connection:
        for meeting, user_id, at in before:
            pre_0014_invitation(connection, meeting, user_id, at)
    command.upgrade(config, "head")


def pre_0014_invitation(connection: Any, meeting: Meeting, user_id: str, at: datetime) -> None:
    """What the code before 0014 left: invited to this occurrence alone (its own UID, v0)."""
    connection.execute(
        text(
            "INSERT INTO invitation (meeting_id, user_id, email, invited_by, invited_at,"
            " dm_sequence, dm_status, mail_sequence, mail_status) VALUES (:meeting, :user,"
            " :email, 'U0MAGNUS', :at, 0, 'sent', 0, 'sent')"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        {
            "meeting": meeting.id,
            "user": user_id,
            "email": f"{user_id.lower()}@example.se",
            "at": at.astimezone(UTC),
        },
    )


def test_pre_0014_invitation_to_the_anchor_is_not_the_series(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """Anna had the first occurrence alone before 0014: inviting her now sends her the series,
    she does not count as having it already."""
    app = series_cal.product
    first = occurrences(app)[0]
    migrated_from_0013(app, (first, "U0ANNA", clock.now()))
    out = text_of(series_cal.command("/mote", f"bjud in {first.ref} <@U0ANNA|anna>", user="magnus"))
    assert "redan" not in out, out
    report(slack, f"Inbjudan för `{first.ref}`")
    (cal,) = uploads_for(slack, "U0ANNA")
    assert str(cal["METHOD"]) == "REQUEST"
    (master,) = [e for e in cal.walk("VEVENT") if e.get("RRULE") is not None]
    assert str(master["UID"]) == first.series_uid
    assert expand(cal) == {d.astimezone(UTC) for d in going_ahead(app)}


def test_pre_0014_invitation_to_a_later_occurrence_gets_its_cancellation(
    series_cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """Roger had LG-261210 alone before 0014: when it is cancelled he is told, with the whole
    series (which he never had)."""
    app = series_cal.product
    second = occurrences(app)[1]
    migrated_from_0013(app, (second, "U0ROGER", clock.now()))
    clock.advance(timedelta(minutes=1))
    out = text_of(series_cal.command("/mote", f"ställ in {second.ref}", user="magnus"))
    assert "inbjudna" in out, out
    report(slack, f"Avbokningen för `{second.ref}`")
    (cal,) = uploads_for(slack, "U0ROGER")
    (master,) = [e for e in cal.walk("VEVENT") if e.get("RRULE") is not None]
    assert str(master["UID"]) == second.series_uid
    assert expand(cal) == {d.astimezone(UTC) for d in going_ahead(app)}
    assert at(second.start_date, 13).astimezone(UTC) not in expand(cal)


def test_a_fully_cancelled_series_finished_by_the_safety_tick_is_a_cancel(
    calendar_product: Product, organs: None, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """The last cancellation's batch is cut short by a crash: the safety tick sends the whole
    series as METHOD:CANCEL (the master, no RECURRENCE-ID), and the DM says it is off, with no
    buttons to answer."""
    handler = inbox[0]
    sara = sara_in_lg(calendar_product, "U0ANNA")
    assert "7 möten" in run(sara, "/mote", SERIES)
    box = Keeper()
    invites.deliver(calendar_product, invites.invite(sara, "LG-261203", ""), box)
    *earlier, last = [m.ref for m in occurrences(calendar_product)]
    for ref in earlier:
        clock.advance(timedelta(minutes=1))
        batch = commands.run(sara, "/mote", f"ställ in {ref}").invites
        assert isinstance(batch, invites.InviteBatch)
        invites.deliver(calendar_product, batch, box)
    clock.advance(timedelta(minutes=1))
    run(sara, "/mote", f"ställ in {last}")  # planned and claimed; the process dies
    clock.advance(calendar_product.lease + timedelta(seconds=1))
    (resumed,) = invites.resume(calendar_product, box, str)
    assert resumed.dms == 1 and resumed.mails == 1
    _user, _key, attachment, _doubt = box.sent[-1]
    cal = Calendar.from_ical(attachment.content)
    assert str(cal["METHOD"]) == "CANCEL"
    (master,) = cal.walk("VEVENT")
    assert master.get("RECURRENCE-ID") is None and master.get("RRULE") is not None
    assert str(master["STATUS"]) == "CANCELLED"
    assert "inställd" in box.texts[-1] and "kommer" not in box.texts[-1].lower()
    mail = handler.wait(len(earlier) + 2)[-1]
    _part, mailed = calendar_part(mail)
    assert str(mailed["METHOD"]) == "CANCEL"
    assert "Inställd serie" in str(mail.message["Subject"])
    body = mail.message.get_body(("plain",))
    assert body is not None
    assert "inget av mötena blir av" in body.get_content()
    assert "bjuder in" not in body.get_content()


def test_a_changed_series_finished_by_the_safety_tick_says_it_changed(
    calendar_product: Product, organs: None, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """A move's batch cut short by a crash is finished by the safety tick with the whole series
    as it is now: the e-mail says the series has changed, not that someone invites to it."""
    handler = inbox[0]
    sara = sara_in_lg(calendar_product, "U0ANNA")
    assert "7 möten" in run(sara, "/mote", SERIES)
    box = Keeper()
    invites.deliver(calendar_product, invites.invite(sara, "LG-261203", ""), box)
    handler.wait(1)
    clock.advance(timedelta(minutes=1))
    run(sara, "/mote", "flytta LG-270114 till 15 januari 13-14")  # claimed; the process dies
    clock.advance(calendar_product.lease + timedelta(seconds=1))
    (resumed,) = invites.resume(calendar_product, box, str)
    assert resumed.dms == 1 and resumed.mails == 1
    assert "har ändrats" in box.texts[-1]
    mail = handler.wait(2)[-1]
    assert str(mail.message["Subject"]).startswith("Ändrad serie: LG-möte")
    body = mail.message.get_body(("plain",))
    assert body is not None
    assert "LG-möte, en serie av möten, har ändrats" in body.get_content()
    assert "bjuder in" not in body.get_content()
