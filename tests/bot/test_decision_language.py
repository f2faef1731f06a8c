"""/beslut as the minutes number and word their decisions (issue 10): paragraph forms before the
colon, a leading § without one, proposal and decision in one text, and a paragraph changed
afterwards. What the user reads, and what is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlmodel import func, select

from bot import commands
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx
from storage.models import Decision, DecisionRevision
from tests.harness import said

MakeCtx = Callable[..., Ctx]


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    return answer


def decisions(ctx: Ctx) -> list[Decision]:
    with ctx.db.transaction() as session:
        return list(session.exec(select(Decision).order_by(Decision.id)).all())


@pytest.fixture
def lg_meeting(ctx: MakeCtx, organs: None, clock: FixedClock) -> None:
    """LG met on Friday 1 September 2023, 11–15; it is now 16.00 that day."""
    clock.set(datetime(2023, 8, 25, 9, tzinfo=STOCKHOLM))
    run(ctx(), "/mote", "ny LG 1 september 11-15")
    clock.set(datetime(2023, 9, 1, 16, tzinfo=STOCKHOLM))


@pytest.mark.parametrize(
    ("head", "item"),
    [
        ("§ 5", "5"),
        ("§5", "5"),
        ("punkt 5", "5"),
        ("Punkt 5", "5"),
        ("p. 5", "5"),
        ("p 5", "5"),
        ("5.2", "5.2"),
        ("§5.2", "5.2"),
        ("§ 5.2", "5.2"),
        ("2)", "2"),
        ("8 Beslutspunkt", "8"),
        ("Beslutspunkt 8", "8"),
        ("LG-230901 §5", "5"),
        ("LG-230901 punkt 5", "5"),
        ("LG 2023-09-01 p. 6", "6"),
        ("LG 1/9 6", "6"),
        ("LG 230901 §7", "7"),
    ],
)
def test_paragraph_before_the_colon(ctx: MakeCtx, lg_meeting: None, head: str, item: str) -> None:
    answer = run(ctx(), "/beslut", f"{head}: Ledningsgruppen beslutar enligt förslag")
    assert f"· § {item}):" in answer and "möte `LG-230901`" in answer
    [decision] = decisions(ctx())
    assert (decision.item, decision.text) == (item, "Ledningsgruppen beslutar enligt förslag")


@pytest.mark.parametrize(
    ("text", "item", "stored"),
    [
        (
            "§5 Ledningsgruppen beslutar att fortsätta",
            "5",
            "Ledningsgruppen beslutar att fortsätta",
        ),
        (
            "§ 5 Ledningsgruppen beslutar att fortsätta",
            "5",
            "Ledningsgruppen beslutar att fortsätta",
        ),
        ("LG-230901 §6 Ledningsgruppen beslutar", "6", "Ledningsgruppen beslutar"),
        ("2) Ledningsgruppen beslutar att anta", "2", "Ledningsgruppen beslutar att anta"),
        ("Beslut: §5 Ledningsgruppen beslutar", "5", "Ledningsgruppen beslutar"),
    ],
)
def test_a_leading_paragraph_without_a_colon_is_not_left_in_the_text(
    ctx: MakeCtx, lg_meeting: None, text: str, item: str, stored: str
) -> None:
    answer = run(ctx(), "/beslut", text)
    assert f"· § {item}):\n{stored}" in answer
    [decision] = decisions(ctx())
    assert (decision.item, decision.text) == (item, stored)


def test_proposal_and_decision_in_one_text(ctx: MakeCtx, lg_meeting: None) -> None:
    run(
        ctx(),
        "/beslut",
        "§6: Förslag till beslut: Respektive chefsnätverk ges i uppdrag att utse "
        "representanter i enlighet med förslagen bemanning. Beslut: Ledningsgruppen beslutar "
        "enligt förslag",
    )
    run(
        ctx(),
        "/beslut",
        "8 Beslutspunkt: Förslag till beslut: Att ledningsgruppen antar den reviderade "
        "överenskommelsen. Ledningsgruppen beslutar att anta överenskommelsen",
    )
    first, second = decisions(ctx())
    assert first.proposal == (
        "Respektive chefsnätverk ges i uppdrag att utse representanter i enlighet med "
        "förslagen bemanning."
    )
    assert (first.text, first.item) == ("Ledningsgruppen beslutar enligt förslag", "6")
    assert second.proposal == "Att ledningsgruppen antar den reviderade överenskommelsen."
    assert (second.text, second.item) == ("Ledningsgruppen beslutar att anta överenskommelsen", "8")
    shown = run(ctx(), "/beslut", f"visa {first.ref}")
    assert "*Förslag till beslut:*\nRespektive chefsnätverk" in shown


def test_a_proposal_without_a_decision_is_refused(ctx: MakeCtx, lg_meeting: None) -> None:
    answer = run(ctx(), "/beslut", "Förslag till beslut: Att utse representanter")
    assert "inte beslutet" in answer and "`/beslut" in answer
    assert decisions(ctx()) == []


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("LG 31 februari: Ledningsgruppen beslutar", "”LG 31 februari”"),
        ("punkt fem 5x7: Ledningsgruppen beslutar", "”punkt fem 5x7”"),
    ],
)
def test_a_head_that_is_not_understood_is_quoted(
    ctx: MakeCtx, lg_meeting: None, text: str, quoted: str
) -> None:
    answer = run(ctx(), "/beslut", text)
    assert quoted in answer and "`/beslut LG-230901 punkt 5: …`" in answer
    assert decisions(ctx()) == []


def test_changing_the_paragraph(ctx: MakeCtx, lg_meeting: None) -> None:
    run(ctx(), "/beslut", "§5: Ledningsgruppen beslutar enligt förslag")
    answer = run(ctx(), "/beslut", "ändra LG-2023-1 § 6")
    assert "ändrat (punkt: § 5 → § 6)" in answer
    [decision] = decisions(ctx())
    assert (decision.item, decision.text) == ("6", "Ledningsgruppen beslutar enligt förslag")
    answer = run(
        ctx(),
        "/beslut",
        "ändra LG-2023-1 punkt 7: Ledningsgruppen beslutar att avvakta skäl: fel i protokollet",
    )
    assert "ny text, punkt: § 6 → § 7" in answer
    [decision] = decisions(ctx())
    assert (decision.item, decision.text) == ("7", "Ledningsgruppen beslutar att avvakta")
    with ctx().db.transaction() as session:
        revisions = session.exec(
            select(DecisionRevision.item, DecisionRevision.reason).order_by(
                DecisionRevision.version
            )
        ).all()
    assert [tuple(r) for r in revisions] == [
        ("5", None),
        ("6", "punkt: § 5 → § 6"),
        ("7", "fel i protokollet"),
    ]
    history = run(ctx(), "/beslut", "visa LG-2023-1")
    assert "skäl: punkt: § 5 → § 6" in history


def test_a_new_text_still_needs_a_reason(ctx: MakeCtx, lg_meeting: None) -> None:
    run(ctx(), "/beslut", "§5: Ledningsgruppen beslutar enligt förslag")
    answer = run(ctx(), "/beslut", "ändra LG-2023-1 Ledningsgruppen beslutar något annat")
    assert "skäl" in answer and "`/beslut ändra" in answer
    with ctx().db.transaction() as session:
        assert session.exec(select(func.count()).select_from(DecisionRevision)).one() == 1
