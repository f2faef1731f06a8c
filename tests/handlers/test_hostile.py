"""Malformed and hostile input: a Swedish answer with a working example, nothing half-written,
nothing that pings or breaks the layout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import func, select

from bot import commands
from bot.core.context import Ctx
from bot.core.replies import Reply
from handlers.render import blocks
from storage.models import Assignment, AssignmentOwner, Decision, DecisionRevision, Meeting
from tests.harness import said

MakeCtx = Callable[..., Ctx]
HUGE = "å" * 50_000

BAD = [
    ("/beslut", "visa"),
    ("/beslut", "visa LG-9999-9"),
    ("/beslut", "ändra LG-2026-77 ny text skäl: x"),
    ("/beslut", "upphäv"),
    ("/beslut", "sök"),
    ("/beslut", "sök ...!!!"),
    ("/beslut", "lista NOSUCH"),
    ("/beslut", "LG 31 februari: Något"),
    ("/beslut", HUGE),
    ("/beslut", "\x00\x07\x1b\x7f"),
    ("/beslut", "LG 2030-01-01: Framtida beslut"),
    ("/uppdrag", "Göra något till 4/12"),
    ("/uppdrag", "@nisse Göra något till 4/12"),
    ("/uppdrag", "<@U0ANNA|anna>"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till 31 februari"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till 2020-01-01"),
    ("/uppdrag", "<@U0ANNA|anna> " + HUGE),
    ("/uppdrag", "klar"),
    ("/uppdrag", "klar U-999"),
    ("/uppdrag", "status U-999 x"),
    ("/uppdrag", "flytta U-999"),
    ("/uppdrag", "stryk U-999"),
    ("/uppdrag", "lista NOSUCH"),
    ("/mote", "ny"),
    ("/mote", "ny LG"),
    ("/mote", "ny LG 31 februari"),
    ("/mote", "ny LG 7 december 25-26"),
    ("/mote", "ny NOSUCH 7 december"),
    ("/mote", "visa LG-000000"),
    ("/mote", "flytta LG-000000 till 8 december"),
    ("/mote", "nonsens"),
    ("/mote", "bjud in"),
    ("/mote", "bjud in LG-000000"),
    ("/mote", "närvaro"),
    ("/mote", "närvaro LG-000000"),
    ("/kalender", "nonsens"),
    ("/organ", "påminnelser AU kanske"),
    ("/uppdrag", "påminn U-999"),
    ("/organ", "ny"),
    ("/organ", "ny !!! Namn"),
    ("/organ", "koppla LG"),
    ("/organ", "nonsens"),
]


def _ok_answer(reply: Reply) -> str:
    text = said(reply)
    assert "Något gick fel" not in text, text  # no crash behind a generic apology
    assert "Traceback" not in text and "Error" not in text
    blocks(reply.message)  # within Slack's limits (slack_sdk.models validates)
    return text


@pytest.mark.parametrize(("command", "text"), BAD, ids=[f"{c} {t[:30]!r}" for c, t in BAD])
def test_bad_input_gets_swedish_answer_with_example(
    ctx: MakeCtx, organs: None, command: str, text: str
) -> None:
    before = _counts(ctx())
    answer = _ok_answer(commands.run(ctx(), command, text))
    assert "`/" in answer or "till exempel" in answer.lower() or "`" in answer, answer
    assert _counts(ctx()) == before  # nothing half-written


def _counts(ctx: Ctx) -> tuple[int, ...]:
    with ctx.db.transaction() as session:
        return tuple(
            int(session.exec(select(func.count()).select_from(m)).one())
            for m in (Decision, DecisionRevision, Assignment, AssignmentOwner, Meeting)
        )


@pytest.mark.parametrize(
    "payload",
    [
        "<!channel> <!here> <!everyone>",
        "<https://evil.example|klicka här>",
        "*fet* _kursiv_ ~struken~ `kod` ```block```",
        "&lt;!channel&gt; &amp;",
        "\u202eslutet är början\u202c",
        "Zalgo: Z̷̢̛a̶̡l̸g̴o̵ 🙂👩‍👩‍👧‍👦 ﷽",
        "'; DROP TABLE decision; --",
        "Robert'); DELETE FROM organ;--",
        "\x1b[31mröd\x1b[0m\x00\x07",
    ],
)
def test_hostile_text_is_stored_as_typed_and_shown_harmlessly(
    ctx: MakeCtx, organs: None, payload: str
) -> None:
    reply = commands.run(ctx(), "/beslut", f"Ledningsgruppen beslutar {payload}")
    text = _ok_answer(reply)
    for dangerous in ("<!channel>", "<!here>", "<!everyone>", "<https://"):
        assert dangerous not in text
    with ctx().db.transaction() as session:
        decision = session.exec(select(Decision)).one()
    assert "\u202e" not in decision.text
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in decision.text)
    shown = _ok_answer(commands.run(ctx(), "/beslut", "visa LG-2026-1"))
    assert "<!" not in shown
    assert _counts(ctx())[0] == 1


def test_long_lists_stay_within_block_kit_limits(ctx: MakeCtx, organs: None) -> None:
    long = "Ledningsgruppen beslutar " + "mycket långt " * 220
    for _ in range(60):
        commands.run(ctx(), "/beslut", long[:2999])
    reply = commands.run(ctx(), "/beslut", "lista")
    built = blocks(reply.message)
    assert len(built) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in built)
    for _ in range(25):
        commands.run(ctx(), "/uppdrag", f"<@U0ANNA|anna> {long[:1990]} till 4/12")
    built = blocks(commands.run(ctx("anna"), "/uppdrag", "").message)
    assert len(built) <= 50
