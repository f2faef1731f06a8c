"""Meetings before and after the fact (issue 10): a meeting that already took place can be
recorded (held: its decisions hang on it, it gets no reminders or invitations), and a cancelled
meeting releases what was due at it, telling the owners where it went."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import select

from bot import commands, reminders
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx
from storage.models import Assignment, AssignmentEvent, Decision, Meeting
from tests.harness import said

MakeCtx = Callable[..., Ctx]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    return answer


def meeting(ctx: Ctx, ref: str) -> Meeting:
    with ctx.db.transaction() as session:
        return session.exec(select(Meeting).where(Meeting.ref == ref)).one()


def test_a_past_meeting_is_recorded_as_held(ctx: MakeCtx, organs: None, clock: FixedClock) -> None:
    clock.set(at("2023-09-01T16:00"))
    au = ctx(channel="C0AU")
    reply = commands.run(au, "/mote", "ny AU 230814 13-15")
    answer = said(reply)
    assert "Fört in i efterhand: *AU-möte* måndag 14 augusti 2023 kl. 13.00–15.00" in answer
    assert "inga påminnelser eller inbjudningar" in answer
    assert not [p for p in reply.message.parts if p.buttons]  # no *Bjud in*
    assert meeting(au, "AU-230814").status == "hållet"
    # the same day, once it has ended
    run(ctx(), "/mote", "ny LG 1 september 11-15")
    assert meeting(au, "LG-230901").status == "hållet"
    # its decisions hang on it
    logged = run(
        au, "/beslut", "AU 230814 §3: Arbetsutskottet beslutar att skicka ut informationen"
    )
    assert "möte `AU-230814` · § 3" in logged
    with au.db.transaction() as session:
        decision = session.exec(select(Decision)).one()
    assert decision.meeting_id == meeting(au, "AU-230814").id
    # no invitations, no reminders, not listed as coming, not moved
    assert "har redan varit" in run(au, "/mote", "bjud in AU-230814")
    assert "har redan varit" in run(ctx(), "/mote", "bjud in LG-230901")
    planned = reminders.plan(au.app, at("2023-08-01T00:00"), at("2023-09-30T00:00"))
    assert [p for p in planned if p.meeting.ref in ("AU-230814", "LG-230901")] == []
    assert "Inga kommande möten" in run(au, "/mote", "lista")
    assert "redan hållits" in run(au, "/mote", "flytta AU-230814 till 21 augusti 13-15")
    assert "redan hållits" in run(au, "/mote", "ställ in AU-230814")
    assert "Status: *hållet*" in run(au, "/mote", "visa AU-230814")


def test_a_cancelled_meeting_releases_what_was_due_at_it(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2023-08-25T09:00"))
    run(ctx(), "/mote", "ny LG 6 oktober 9-12")
    run(ctx(), "/mote", "ny internat 1-2 februari 2024")
    run(ctx(), "/mote", "ny LG 1 mars 2024 9-12")
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Lyfta projektdirektivet till internatet")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> <@U0ROGER|roger> Planera dagarna till internatet")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Boka lokal till internatet")
    run(ctx("anna"), "/uppdrag", "klart U-3")
    reply = commands.run(ctx(), "/mote", "ställ in LG-240201 för få anmälda")
    answer = said(reply)
    assert "Inställt" in answer
    assert "Uppdragen som skulle vara klara då (`U-1`, `U-2`) är flyttade till LG-240301" in answer
    dms = {user: message.fallback for user, message in reply.dms}
    assert set(dms) == {"U0ROGER", "U0ANNA"}
    assert dms["U0ROGER"].startswith("🚫 Internat (LG) 1–2 februari 2024 är inställt.")
    assert "`U-1` Lyfta projektdirektivet – till LG-240301 (fredag 1 mars 2024)" in dms["U0ROGER"]
    assert "`U-2`" in dms["U0ROGER"] and "`U-1`" not in dms["U0ANNA"]
    with ctx().db.transaction() as session:
        due = dict(session.exec(select(Assignment.ref, Assignment.due_meeting_id)).all())
        history = session.exec(
            select(AssignmentEvent.text).where(AssignmentEvent.kind == "flyttad")
        ).all()
    target, cancelled = meeting(ctx(), "LG-240301").id, meeting(ctx(), "LG-240201").id
    assert due == {"U-1": target, "U-2": target, "U-3": cancelled}  # what was done stays
    assert list(history) == [
        "LG-240201 ställdes in; nu till LG-240301 (fredag 1 mars 2024)",
        "LG-240201 ställdes in; nu till LG-240301 (fredag 1 mars 2024)",
    ]
    shown = run(ctx(), "/uppdrag", "visa U-1")
    assert "till LG-240301" in shown and "LG-240201 ställdes in" in shown


def test_a_cancelled_meeting_with_none_after_it(ctx: MakeCtx, organs: None) -> None:
    """Nothing planned after it: due at the organ's next meeting, not planned yet, and said."""
    run(ctx(), "/mote", "ny LG 7 december 9-12")
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Underlag till nästa LG")
    reply = commands.run(ctx(), "/mote", "ställ in LG-261207")
    [(user, message)] = reply.dms
    assert user == "U0ROGER"
    assert "är inställt" in message.fallback
    assert "till nästa LG-möte (inte planerat än)" in message.fallback
    with ctx().db.transaction() as session:
        a = session.exec(select(Assignment)).one()
    assert (a.due_meeting_id, a.due_date, a.due_organ_id is not None) == (None, None, True)
