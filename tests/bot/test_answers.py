"""Answers (issue 10): every error shows an example of the command it answers, and the reminders
and summaries say what is true, in good Swedish."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from slack_sdk import WebClient
from sqlmodel import func, select

from bot import commands, reminders
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product
from bot.reminders import Reminders
from handlers.deliver import retry_handlers
from handlers.notify import SlackNotifier
from handlers.slack_standin import LocalSlack
from storage.models import Assignment, Decision, Meeting, Organ
from tests.harness import said, text_of

MakeCtx = Callable[..., Ctx]
COMMANDS = ("/beslut", "/uppdrag", "/mote", "/organ", "/kalender")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    return answer


def counts(ctx: Ctx) -> tuple[int, ...]:
    with ctx.db.transaction() as session:
        return tuple(
            int(session.exec(select(func.count()).select_from(m)).one())
            for m in (Decision, Assignment, Meeting, Organ)
        )


# ---------------------------------------------------------------- 6: examples of the right command

ERRORS = [
    ("/beslut", "lista XYZ"),
    ("/beslut", "lista LG 2023 och mer"),
    ("/beslut", "sök"),
    ("/beslut", "visa"),
    ("/beslut", "visa LG-1999-1"),
    ("/beslut", "ändra"),
    ("/beslut", "ändra LG-1999-1 § 5"),
    ("/beslut", "upphäv"),
    ("/beslut", "export XYZ"),
    ("/beslut", "LG-999999 §5: Ledningsgruppen beslutar"),
    ("/beslut", "LG 31 februari: Ledningsgruppen beslutar"),
    ("/beslut", "Förslag till beslut: Att utse representanter"),
    ("/beslut", "x" * 3100),
    ("/uppdrag", "Göra något till nästa LG"),
    ("/uppdrag", "<@U0NOBODY|nobody> Göra något"),
    ("/uppdrag", "@anna Göra något"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till nästa LGG"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något (beslut LG-2020-9)"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till workshopen"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till LG-999999"),
    ("/uppdrag", "<@U0ANNA|anna> " + "x" * 2100),
    ("/uppdrag", "lista XYZ"),
    ("/uppdrag", "klart"),
    ("/uppdrag", "klart U-99"),
    ("/uppdrag", "U-99 hoppsan"),
    ("/uppdrag", "ändra"),
    ("/uppdrag", "ändra U-99 till nästa LG"),
    ("/uppdrag", "status"),
    ("/uppdrag", "flytta U-99 till nästa LG"),
    ("/uppdrag", "stryk"),
    ("/uppdrag", "sök"),
    ("/uppdrag", "visa U-99"),
    ("/mote", "ny"),
    ("/mote", "ny XYZ 3 december 9-12"),
    ("/mote", "ny Gemensam träff 3 december"),
    ("/mote", "ny LG 31 februari"),
    ("/mote", "flytta LG-261207 till 2020-01-01 9-12"),
    ("/mote", "lista XYZ"),
    ("/mote", "visa LG-999999"),
    ("/mote", "flytta"),
    ("/mote", "flytta LG-999999 till 3 december"),
    ("/mote", "ställ in"),
    ("/mote", "ställ in LG-999999"),
    ("/mote", "bjud in"),
    ("/mote", "närvaro"),
    ("/mote", "nonsens"),
    ("/organ", "ny"),
    ("/organ", "ny LG"),
    ("/organ", "ny !!! Namn"),
    ("/organ", "ny KRO Processgrupp Kronobarnsmodellen sammankallande Erika Lagergren"),
    ("/organ", "koppla"),
    ("/organ", "koppla XYZ <#C0X|x>"),
    ("/organ", "sammankallande"),
    ("/organ", "sammankallande AU Erika"),
    ("/organ", "påminnelser AU kanske"),
    ("/organ", "nonsens"),
    ("/kalender", "nonsens"),
]


@pytest.mark.parametrize(("command", "text"), ERRORS, ids=[f"{c} {t[:40]}" for c, t in ERRORS])
def test_every_error_shows_an_example_of_its_own_command(
    ctx: MakeCtx, organs: None, command: str, text: str
) -> None:
    before = counts(ctx())
    answer = run(ctx(), command, text)
    assert f"`{command}" in answer, answer
    for other in COMMANDS:
        if other != command:
            assert f"exempel: `{other}" not in answer.lower(), answer
            assert f"exempel `{other}" not in answer.lower(), answer
    assert "*/" not in answer  # not the whole help text
    assert counts(ctx()) == before  # nothing stored


def test_a_decision_outside_an_organ_channel_asks_with_a_decision_example(
    ctx: MakeCtx, organs: None
) -> None:
    answer = run(ctx(channel="C0ALLM"), "/beslut", "Något beslutas")
    assert "Vilket organ gäller det?" in answer and "`/beslut LG: " in answer
    assert "`/mote" not in answer


def test_a_session_named_with_its_kind_is_planned(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx(), "/mote", "ny Gemensam spridningskonferens 1-2 november 2027")
    assert "*Gemensam spridningskonferens (LG)* 1–2 november 2027" in answer
    with ctx().db.transaction() as session:
        meeting = session.exec(select(Meeting)).one()
    assert (meeting.kind, meeting.title) == ("spridningskonferens", "Gemensam spridningskonferens")


def test_a_convenor_nobody_is_called_is_told_how(ctx: MakeCtx, organs: None) -> None:
    answer = run(
        ctx(), "/organ", "ny KRO Processgrupp Kronobarnsmodellen sammankallande Erika Lagergren"
    )
    assert "Jag hittar ingen som heter ”Erika Lagergren” i Slack" in answer
    assert "`/organ ny KRO Processgrupp Kronobarnsmodellen sammankallande @Erika`" in answer
    assert "/organ lista" not in answer  # not the help text
    with ctx().db.transaction() as session:
        assert session.exec(select(Organ).where(Organ.short_name == "KRO")).first() is None


def test_a_refusal_is_not_followed_by_an_example(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx("anna"), "/mote", "ny LG 7 december 9-12")
    assert "sammankallande för LG" in answer and "Till exempel" not in answer


# ---------------------------------------------------------------- 7: reminders and summaries


@pytest.fixture
def service(product: Product, slack: LocalSlack) -> Reminders:
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    return Reminders(product, SlackNotifier(client))


def posted(slack: LocalSlack, channel: str) -> list[str]:
    return [
        text_of(c.args)
        for c in slack.calls("chat.postMessage")
        if ((c.response or {}).get("channel") or c.args["channel"]) == channel
    ]


def test_one_open_assignment_is_open_in_the_singular(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ROGER|roger> Ett till nästa AU")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ROGER|roger> Två till nästa AU")
    clock.set(at("2026-11-30T07:30"))
    service.tick()
    [anna] = posted(slack, "DU0ANNA")
    [roger] = posted(slack, "DU0ROGER")
    assert "Du har fortfarande ett uppdrag öppet:" in anna
    assert "Du har fortfarande 2 uppdrag öppna:" in roger


def test_reminders_in_the_past_are_not_shown_as_planned(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders
) -> None:
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")
    clock.set(at("2026-11-30T14:00"))  # the bot was down: nothing went out, the meeting began
    shown = run(ctx(), "/mote", "visa AU-261130")
    assert "inför mötet, till <@U0ANNA>: inte skickad (tiden gick ut)" in shown
    assert "mötesdagens morgon, till <@U0ANNA>: inte skickad (tiden gick ut)" in shown
    assert "sammanfattning, till <#C0AU>: planerad" in shown  # 15.00 is still ahead
    clock.set(at("2026-11-30T15:05"))
    shown = run(ctx(), "/mote", "visa AU-261130")
    assert "sammanfattning, till <#C0AU>: skickas strax" in shown
    service.tick()
    shown = run(ctx(), "/mote", "visa AU-261130")
    assert "sammanfattning, till <#C0AU>: skickad" in shown
    assert "planerad" not in shown


def test_overdue_is_not_also_open_in_the_summary(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Sent till 25 november")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> I tid till nästa AU")
    clock.set(at("2026-11-30T15:00"))
    service.tick()
    [summary] = posted(slack, "C0AU")
    open_part, overdue_part = summary.split("*Försenade")
    assert "`U-2`" in open_part and "`U-1`" not in open_part
    assert "`U-1`" in overdue_part and "`U-2`" not in overdue_part


def test_a_finished_au_assignment_is_in_the_au_summary_not_the_lg_one(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    """Given in the LG channel, due at AU, done before AU met: AU's summary lists it as done,
    and LG's (after) does not."""
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0LG"), "/mote", "ny LG 3 december 9-12")
    run(ctx(channel="C0LG"), "/uppdrag", "<@U0ANNA|anna> Underlag till nästa AU")
    run(ctx("anna"), "/uppdrag", "klart U-1")
    clock.set(at("2026-11-30T15:00"))
    service.tick()
    clock.set(at("2026-12-03T12:00"))
    service.tick()
    [au] = posted(slack, "C0AU")
    [lg] = posted(slack, "C0LG")
    assert "*Klara sedan förra mötet (1):*\n• `U-1` Underlag" in au
    assert "`U-1`" not in lg and "*Klara sedan förra mötet:* inga" in lg


def test_a_workshop_reminds_only_of_what_is_due_at_it(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2026-11-23T08:00"))
    run(ctx(), "/mote", "ny workshop 3 december 9-16")
    run(ctx(), "/mote", "ny LG 10 december 9-12")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Dagordning till 1 december")
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Övningar till workshopen")
    planned = reminders.plan(ctx().app, at("2026-11-23T00:00"), at("2026-12-11T00:00"))
    workshop = {(p.recipient, p.kind) for p in planned if p.meeting.ref == "LG-261203"}
    assert workshop == {("U0ROGER", reminders.BEFORE), ("U0ROGER", reminders.MORNING)}
    lg = {p.recipient for p in planned if p.meeting.ref == "LG-261210"}
    assert "U0ANNA" in lg


def test_an_error_about_something_that_exists_shows_an_example_with_it(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    """The example in an error answer names the assignment or meeting the user wrote when it
    exists (one they can run as it stands), the book's example when it does not."""
    clock.set(at("2026-11-30T08:00"))
    run(ctx(), "/mote", "ny LG 10 december 9-12")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
    answer = run(ctx(), "/uppdrag", "ändra U-1 till LG i oktober 2027")
    assert "`/uppdrag ändra U-1 till nästa LG`" in answer, answer
    assert "`/uppdrag ändra U-99" not in run(ctx(), "/uppdrag", "ändra U-99 hej")
    answer = run(ctx(), "/mote", "flytta lg-261210 till 31 februari")
    assert "`/mote flytta LG-261210 till 21 augusti 13-15`" in answer, answer
    # the example does what it says
    assert "21 augusti 2027" in run(ctx(), "/mote", "flytta LG-261210 till 21 augusti 13-15")
    assert "till nästa LG" in run(ctx(), "/uppdrag", "ändra U-1 till nästa LG")
