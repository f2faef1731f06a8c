"""The command language, driven without Slack: what the user reads and what is stored."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlmodel import func, select

from bot import commands
from bot.core.clock import FixedClock
from bot.core.context import Ctx
from bot.core.replies import Reply
from storage.models import (
    Assignment,
    AssignmentOwner,
    Decision,
    DecisionRevision,
    Meeting,
    Organ,
)
from tests.harness import MakeCtx, run, said


def count(ctx: Ctx, model: type) -> int:
    with ctx.db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


# ---------------------------------------------------------------- organs


def test_only_admins_create_organs(ctx: MakeCtx) -> None:
    answer = run(ctx("anna"), "/organ", "ny LG Ledningsgrupp #x")
    assert "bara administratörer" in answer
    assert count(ctx(), Organ) == 0


def test_organ_list_bind_and_convenor(ctx: MakeCtx, organs: None) -> None:
    listing = run(ctx("anna"), "/organ", "lista")
    assert "*AU* – Arbetsutskottet" in listing and "<#C0AU>" in listing
    assert "sammankallande <@U0JENNY>" in listing
    assert "hör nu till <#C0ALLM>" in run(ctx(), "/organ", "koppla PG-AVTAL <#C0ALLM|allmant>")
    assert "redan kopplad till LG" in run(ctx(), "/organ", "koppla AU <#C0LG|ledningsgrupp>")
    assert "Sammankallande för AU är nu <@U0ROGER>" in run(
        ctx(), "/organ", "sammankallande AU <@U0ROGER|roger>"
    )
    assert "finns redan" in run(ctx(), "/organ", "ny lg Något annat")


# ---------------------------------------------------------------- meetings


def test_schedule_timed_allday_and_multiday_sessions(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(channel="C0AU"), "/mote", "ny AU 14 december 13-15 Regionhuset, sal 3")
    assert "*AU-möte* måndag 14 december 2026 kl. 13.00–15.00, Regionhuset, sal 3" in answer
    assert "`AU-261214`" in answer
    answer = run(ctx(), "/mote", "ny workshop 17 november 2027 Kreativa rummet")
    assert "*Workshop (LG)* onsdag 17 november 2027, Kreativa rummet" in answer
    answer = run(ctx(), "/mote", "ny internat 1-2 februari")
    assert "1–2 februari 2027" in answer and "`LG-270201`" in answer
    with ctx().db.transaction() as session:
        internat = session.exec(select(Meeting).where(Meeting.ref == "LG-270201")).one()
    assert (internat.start_date, internat.end_date) == (date(2027, 2, 1), date(2027, 2, 2))
    assert internat.start_time is None and internat.kind == "internat"
    assert internat.uid.endswith("@ledningsbot") and internat.sequence == 0
    listing = run(ctx("anna"), "/mote", "lista")
    assert listing.index("AU-261214") < listing.index("LG-270201") < listing.index("LG-271117")


def test_same_day_meetings_get_distinct_refs_once_confirmed(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/mote", "ny LG 7 december 9-12")
    asked = commands.run(ctx(), "/mote", "ny LG 7 december 13-15")
    assert "LG har redan ett möte den dagen: `LG-261207`" in said(asked)
    value = asked.message.parts[-1].buttons[0].value
    assert "`LG-261207-2`" in said(commands.confirm(ctx(), value))


def test_move_keeps_uid_raises_sequence_and_cancel(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/mote", "ny AU 14 december 13-15 Regionhuset")
    with ctx().db.transaction() as session:
        uid = session.exec(select(Meeting.uid)).one()
    moved = run(ctx(), "/mote", "flytta AU-261214 till 16 december 9-11 Växjö")
    assert "Flyttat från måndag 14 december 2026 kl. 13.00–15.00" in moved
    assert "onsdag 16 december 2026 kl. 09.00–11.00, Växjö" in moved
    cancelled = run(ctx(), "/mote", "ställ in AU-261214 för få anmälda")
    assert "Inställt" in cancelled and "för få anmälda" in cancelled
    with ctx().db.transaction() as session:
        meeting = session.exec(select(Meeting)).one()
    assert (meeting.uid, meeting.sequence, meeting.status) == (uid, 2, "inställt")
    assert "redan inställt" in run(ctx(), "/mote", "ställ in AU-261214")
    assert "Inga kommande möten" in run(ctx(), "/mote", "lista")


def test_members_may_not_schedule_but_the_convenor_may(ctx: MakeCtx, organs: None) -> None:
    assert "sammankallande för LG" in run(ctx("anna"), "/mote", "ny LG 7 december 9-12")
    assert "Planerat" in run(ctx("magnus"), "/mote", "ny LG 7 december 9-12")


def test_meeting_in_the_past_is_recorded_as_held(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(), "/mote", "ny LG 2026-01-05 9-12")
    assert "Fört in i efterhand" in answer and "inga påminnelser eller inbjudningar" in answer


# ---------------------------------------------------------------- decisions


def test_decision_ties_to_todays_meeting_and_numbers_per_organ_and_year(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    run(ctx(), "/mote", "ny LG 23 november 13-16")
    first = run(ctx(), "/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert "*LG-2026-1*" in first and "möte `LG-261123`" in first
    assert "*LG-2026-2*" in run(ctx(), "/beslut", "Beslut: Ledningsgruppen beslutar att fortsätta")
    assert "*AU-2026-1*" in run(ctx(channel="C0AU"), "/beslut", "AU beslutar att godkänna")
    clock.advance(timedelta(days=50))
    assert "*LG-2027-1*" in run(ctx(), "/beslut", "Nytt år, nytt nummer")


def test_decision_with_head_names_organ_date_and_item(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(channel="C0ALLM"), "/beslut", "LG 2025-05-09 §6: Ledningsgruppen beslutar att")
    assert "*LG-2025-1*" in answer and "fredag 9 maj 2025" in answer and "§ 6" in answer
    answer = run(ctx(channel="C0ALLM"), "/beslut", "AU 9/5: Arbetsutskottet beslutar")
    assert "fredag 9 maj 2025" not in answer and "lördag 9 maj 2026" in answer
    # a colon inside ordinary text is not a head
    answer = run(ctx(), "/beslut", "Ledningsgruppen beslutar följande: att avvakta")
    with ctx().db.transaction() as session:
        texts_ = [d.text for d in session.exec(select(Decision).order_by(Decision.id)).all()]
    assert texts_[-1] == "Ledningsgruppen beslutar följande: att avvakta"


def test_decision_outside_organ_channel_asks_which_organ(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(channel="C0ALLM"), "/beslut", "Något beslutas")
    assert "Vilket organ gäller det?" in answer and "`/beslut LG: " in answer
    assert count(ctx(), Decision) == 0


def test_amend_and_revoke_keep_history(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/beslut", "Ledningsgruppen beslutar att anta strategin")
    answer = run(
        ctx(),
        "/beslut",
        "ändra LG-2026-1 Ledningsgruppen beslutar att anta strategin 2027 skäl: årtal",
    )
    assert "ändrat" in answer
    assert "bara ändras av" in run(ctx("anna"), "/beslut", "ändra LG-2026-1 Annat skäl: nej")
    assert "skäl" in run(ctx(), "/beslut", "ändra LG-2026-1 Ny text utan skäl").lower()
    assert "sammankallande för LG" in run(ctx("anna"), "/beslut", "upphäv LG-2026-1 fel")
    assert "upphävt" in run(ctx("magnus"), "/beslut", "upphäv LG-2026-1 ersatt av nytt beslut")
    assert "redan upphävt" in run(ctx(), "/beslut", "ändra LG-2026-1 X skäl: y")
    shown = run(ctx("anna"), "/beslut", "visa lg-2026-1")
    assert "strategin 2027" in shown and "v2 ändrad" in shown and "skäl: årtal" in shown
    assert "v3 upphävd" in shown and "ersatt av nytt beslut" in shown
    assert "Ledningsgruppen beslutar att anta strategin" in shown  # the original wording
    with ctx().db.transaction() as session:
        revisions = session.exec(select(DecisionRevision).order_by(DecisionRevision.version)).all()
        decision = session.exec(select(Decision)).one()
    assert [(r.version, r.action, r.status) for r in revisions] == [
        (1, "skapad", "gällande"),
        (2, "ändrad", "gällande"),
        (3, "upphävd", "upphävd"),
    ]
    assert revisions[0].text == "Ledningsgruppen beslutar att anta strategin"
    assert decision.status == "upphävd"
    listing = run(ctx(), "/beslut", "lista")
    assert "~" in listing and "(upphävt)" in listing


def test_search_is_swedish_aware(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/beslut", "Tidigare hemsjukvårdsavtal gäller tillsvidare")
    run(ctx(), "/beslut", "Ledningsgruppen beslutar att processgrupp Kronobarnsmodellen fortsätter")
    run(ctx(), "/beslut", "Avtalen om hemsjukvård ses över av processgruppen")
    assert "LG-2026-3" in run(ctx(), "/beslut", "sök avtalet")  # avtal/avtalen/avtalet: one stem
    hits = run(ctx(), "/beslut", "sök hemsjukv")
    assert "LG-2026-1" in hits and "LG-2026-3" in hits  # prefix
    hits = run(ctx(), "/beslut", "sök processgrupper")
    assert "LG-2026-2" in hits and "LG-2026-3" in hits and "LG-2026-1" not in hits
    assert "Inga beslut" in run(ctx(), "/beslut", "sök budget")
    # nothing in the query is search syntax
    for hostile in ('"', "NEAR(a b)", "a OR b", "*", "x:* | y", "'; DROP TABLE decision; --"):
        assert "Något gick fel" not in run(ctx(), "/beslut", f"sök {hostile}")
    assert count(ctx(), Decision) == 3


def test_list_by_organ_and_year(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/beslut", "LG 2025-05-09: Beslut ett")
    run(ctx(), "/beslut", "Beslut två")
    run(ctx(channel="C0AU"), "/beslut", "Beslut tre")
    answer = run(ctx(), "/beslut", "lista LG 2025")
    assert "Beslut ett" in answer and "Beslut två" not in answer and "tre" not in answer
    answer = run(ctx(), "/beslut", "lista 2026 au")
    assert "Beslut tre" in answer and "två" not in answer


# ---------------------------------------------------------------- assignments


def test_assignment_to_next_au_with_report_back(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/mote", "ny AU 8 december 13-15")
    reply = commands.run(
        ctx(),
        "/uppdrag",
        "<@U0ANNA|anna>, <@U0ROGER|roger> och <@U0JENNY|jenny> ansvarar för att föra in det "
        "på respektive dagordning till nästa AU. Återkoppling sker till AU och ledningsgrupp.",
    )
    text = said(reply)
    assert "`U-1` ansvarar för att föra in det på respektive dagordning" in text
    assert "till AU-261208 (tisdag 8 december 2026)" in text
    assert "återkoppling till AU och ledningsgrupp" in text
    assert [user for user, _ in reply.dms] == ["U0ANNA", "U0ROGER", "U0JENNY"]
    with ctx().db.transaction() as session:
        a = session.exec(select(Assignment)).one()
    assert a.due_date == date(2026, 12, 8) and a.organ_id is not None


@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("till 2026-12-04", date(2026, 12, 4)),
        ("till 4/12", date(2026, 12, 4)),
        ("till 17 november", date(2027, 11, 17)),  # asked first: a year ahead
        ("till i morgon", date(2026, 11, 24)),
        ("senast om två veckor", date(2026, 12, 7)),
        ("till v 2", date(2027, 1, 15)),
        ("till LG 7 oktober", date(2027, 10, 7)),  # asked first: a year ahead
    ],
)
def test_assignment_due_forms(ctx: MakeCtx, organs: None, when: str, due: date) -> None:
    reply = commands.run(
        ctx(), "/uppdrag", f"<@U0ANNA|anna> Skriv en rapport till styrelsen {when}"
    )
    answer = said(reply)
    if due.year == 2027 and due.month > 6:
        assert "mer än ett halvår fram" in answer and count(ctx(), Assignment) == 0
        answer = said(commands.confirm(ctx(), reply.message.parts[-1].buttons[0].value))
    assert "`U-1` Skriv en rapport till styrelsen" in answer, answer
    with ctx().db.transaction() as session:
        assert session.exec(select(Assignment.due_date)).one() == due


def test_next_meeting_not_planned_yet_is_kept(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Förbered till nästa ledningsgrupp")
    assert "till nästa LG-möte (inte planerat än)" in answer


def test_organ_as_owner_dms_its_convenor(ctx: MakeCtx, organs: None) -> None:
    reply = commands.run(
        ctx(), "/uppdrag", "PG-AVTAL Uppdatera Länsgemensam strategi för psykisk hälsa till v 10"
    )
    assert [u for u, _ in reply.dms] == ["U0JENNY"]
    assert "PG-AVTAL (<@U0JENNY>)" in said(reply)
    mine = run(ctx("jenny"), "/uppdrag", "")
    assert "Uppdatera Länsgemensam strategi" in mine
    reply = commands.run(ctx(), "/uppdrag", "AU Ta fram förslag till v 10")
    assert reply.dms == [] and "AU har ingen sammankallande" in said(reply)


def test_owners_close_move_strike_others_are_refused(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till 4/12")
    refusal = run(ctx("roger"), "/uppdrag", "klar U-1")
    assert "Tyvärr" in refusal and "ansvariga" in refusal
    assert "sparad" in run(ctx("anna"), "/uppdrag", "status U-1 Utkast klart")
    assert "flyttat till nästa" in run(ctx("anna"), "/uppdrag", "flytta U-1 till nästa AU")
    assert "klart" in run(ctx("anna"), "/uppdrag", "klar u1 Skickat till AU")
    assert "redan klar" in run(ctx("anna"), "/uppdrag", "klar U-1")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Annat till 4/12")
    assert "struket" in run(ctx("magnus"), "/uppdrag", "stryk U-2 ersätts av U-1")  # LG convenor
    shown = run(ctx(), "/uppdrag", "visa U-1")
    assert "Utkast klart" in shown and "klar av <@U0ANNA>" in shown and "flyttad" in shown
    with ctx().db.transaction() as session:
        statuses = session.exec(select(Assignment.status).order_by(Assignment.id)).all()
    assert statuses == ["klar", "struken"]


def test_lists_of_assignments(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Första till 4/12")
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Andra till 3/12")
    run(ctx(), "/uppdrag", "PG-AVTAL Tredje till 7/12")
    everything = run(ctx(), "/uppdrag", "lista")
    assert everything.index("Andra") < everything.index("Första") < everything.index("Tredje")
    assert "Första" in run(ctx(), "/uppdrag", "lista <@U0ANNA|anna>")
    assert "Andra" not in run(ctx(), "/uppdrag", "lista <@U0ANNA|anna>")
    assert "Tredje" in run(ctx(), "/uppdrag", "lista <@U0JENNY|jenny>")  # she convenes PG-AVTAL
    by_organ = run(ctx(), "/uppdrag", "lista PG-AVTAL")
    assert "Tredje" in by_organ


def test_unknown_user_is_refused(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(), "/uppdrag", "<@U0NOBODY|nobody> Göra något till 4/12")
    assert "hittar ingen användare" in answer and "/uppdrag @Anna" in answer
    assert count(ctx(), Assignment) == 0 and count(ctx(), AssignmentOwner) == 0


def test_meeting_times_keep_wall_clock(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/mote", "ny LG 25 mars 2027 kl. 09.00 – 12.00")
    with ctx().db.transaction() as session:
        meeting = session.exec(select(Meeting)).one()
    assert (meeting.start_time, meeting.end_time) == (time(9), time(12))


def test_assignment_from_a_decision_links_both_ways(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/beslut", "Ledningsgruppen beslutar att tillsätta en kommunal samordnare")
    reply = commands.run(
        ctx(channel="C0ALLM"),
        "/uppdrag",
        "<@U0JENNY|jenny> Rekrytera samordnaren till v 6 (beslut lg-2026-1)",
    )
    text = said(reply)
    assert "`U-1` Rekrytera samordnaren –" in text and "från beslut `LG-2026-1`" in text
    assert "Från beslut `LG-2026-1`" in said(Reply(reply.dms[0][1]))
    assert "`U-1` Rekrytera samordnaren" in run(ctx(), "/beslut", "visa LG-2026-1")
    with ctx().db.transaction() as session:
        assignment = session.exec(select(Assignment)).one()
        lg = session.exec(select(Organ).where(Organ.short_name == "LG")).one()
    assert assignment.organ_id == lg.id  # the decision's organ, not the channel's (none)
    assert "hittar inget beslut" in run(ctx(), "/uppdrag", "<@U0JENNY|jenny> X (beslut LG-2020-9)")


def test_moving_a_meeting_moves_what_is_due_at_it(ctx: MakeCtx, organs: None) -> None:
    run(ctx(channel="C0AU"), "/mote", "ny AU 8 december 13-15")
    run(ctx(channel="C0AU"), "/mote", "ny AU 3 december 13-15")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Först till 7/12")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Sedan till AU 8 december")
    run(ctx(), "/mote", "flytta AU-261208 till 4 december 13-15")
    listing = run(ctx("anna"), "/uppdrag", "")
    assert listing.index("Sedan") < listing.index("Först")  # now due on the 4th, before the 7th
    with ctx().db.transaction() as session:
        assert session.exec(select(Assignment.due_date).where(Assignment.ref == "U-2")).one() == (
            date(2026, 12, 4)
        )


def test_search_finds_old_decisions_beyond_the_newest(
    ctx: MakeCtx, organs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL looks at the newest first (the service's own name: the package re-exports it)
    monkeypatch.setattr("bot.decisions.service.RECENT", 2)
    run(ctx(), "/beslut", "Trygghetsboende prioriteras")
    for n in range(4):
        run(ctx(), "/beslut", f"Avtal nummer {n}")
    assert "LG-2026-1" in run(ctx(), "/beslut", "sök trygghetsboende")  # only in an old one
    hits = run(ctx(), "/beslut", "sök avtal")
    assert hits.index("LG-2026-5") < hits.index("LG-2026-2") and "LG-2026-1" not in hits
