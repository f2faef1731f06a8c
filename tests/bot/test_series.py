"""Recurring meetings: `/mote ny AU varje torsdag 13-14 från 5 juni till 28 augusti` is one
series, each occurrence a meeting of its own."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import col, select

from bot import commands
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx
from storage.models import Meeting
from tests.harness import MakeCtx, said


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def series_of(ctx: Ctx) -> list[Meeting]:
    with ctx.db.transaction() as session:
        return list(session.exec(select(Meeting).order_by(col(Meeting.start_date))).all())


def test_a_weekly_series_is_one_meeting_per_week(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2025-05-20T09:00"))
    au = ctx(channel="C0AU")
    answer = said(
        commands.run(
            au, "/mote", "ny AU varje torsdag 13-14 från 5 juni till 28 augusti Regionhuset"
        )
    )
    assert "Planerat: AU varje torsdag, 13 möten:" in answer
    assert "torsdag 5 juni 2025 kl. 13.00–14.00, Regionhuset · `AU-250605`" in answer
    assert "`AU-250828`" in answer and "`AU-250904`" not in answer
    meetings = series_of(au)
    assert [m.start_date for m in meetings][:3] == [
        date(2025, 6, 5),
        date(2025, 6, 12),
        date(2025, 6, 19),
    ]
    assert len({m.series_uid for m in meetings}) == 1 and meetings[0].series_uid
    # RFC 5545 3.3.10: DTSTART is a local time, so UNTIL is UTC (13.00 CEST = 11.00Z)
    assert {m.series_rule for m in meetings} == {"FREQ=WEEKLY;BYDAY=TH;UNTIL=20250828T110000Z"}
    assert [m.series_date for m in meetings] == [m.start_date for m in meetings]
    assert {(m.series_start, m.series_end, m.series_location) for m in meetings} == {
        (time(13), time(14), "Regionhuset")
    }
    assert {(m.start_time, m.end_time) for m in meetings} == {(time(13), time(14))}

    # each occurrence moves and is cancelled on its own, and stays in the series
    moved = said(commands.run(au, "/mote", "flytta AU-250612 till 13 juni 13-14"))
    assert "Flyttat" in moved
    said(commands.run(au, "/mote", "ställ in AU-250619 semester"))
    listed = said(commands.run(au, "/mote", "lista AU"))
    assert "`AU-250612`" in listed and "fredag 13 juni" in listed
    assert "`AU-250619`" not in listed and "`AU-250626`" in listed
    after = {m.ref: m for m in series_of(au)}
    assert after["AU-250612"].series_uid == meetings[0].series_uid
    assert after["AU-250619"].status == "inställt"
    # the moved occurrence keeps its place in the series (its RECURRENCE-ID)
    assert after["AU-250612"].series_date == date(2025, 6, 12)
    assert after["AU-250612"].start_date == date(2025, 6, 13)


def test_holidays_in_a_series_are_asked_about_and_can_be_left_out(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2025-05-20T09:00"))
    au = ctx(channel="C0AU")
    reply = commands.run(au, "/mote", "ny AU varje fredag 9-10 från 30 maj till 27 juni")
    question = said(reply)
    assert "6 juni 2025 är nationaldagen, ingen arbetsdag" in question
    assert "20 juni 2025 är midsommarafton, ingen arbetsdag" in question
    assert "utom 19 juni" in question and "Spara ändå" in question
    assert series_of(au) == []  # nothing stored before the answer
    kept = said(commands.confirm(au, reply.message.parts[-1].buttons[0].value))
    assert "varje fredag, 5 möten" in kept
    skipped = said(
        commands.run(
            au, "/mote", "ny LG varje fredag 11-12 från 30 maj till 27 juni utom 6 juni och 20 juni"
        )
    )
    assert "varje fredag, 3 möten" in skipped, skipped
    assert "`LG-250606`" not in skipped and "`LG-250613`" in skipped


def test_a_series_that_is_not_understood_says_so(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2025-05-20T09:00"))
    answer = said(
        commands.run(
            ctx(channel="C0AU"), "/mote", "ny AU varje tosdag 13-14 från 5 juni till 28 augusti"
        )
    )
    assert "”tosdag”" in answer and "varje torsdag 13-14 från 5 juni" in answer
    assert series_of(ctx()) == []
