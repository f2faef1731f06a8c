"""Bounds on what a command carries: long but well-formed ids and texts get a Swedish answer,
never the generic error, on SQLite and on PostgreSQL (which refuses what does not fit)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import commands
from bot.core import texts as core_texts
from tests.harness import MakeCtx, said

LONG_ID = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=33, max_size=300)
LONG_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1).map(
    lambda s: (s * 2000)[:2500]
)
TEMPLATES = [
    ("/uppdrag", "<@U{id}> Skicka underlaget till 4/12"),
    ("/uppdrag", "<@U{id}|anna> Skicka underlaget till 4/12"),
    ("/beslut", "LG Ledningsgruppen beslutar att fråga <@U{id}>"),
    ("/organ", "ny XY Någon grupp <#C{id}|kanal>"),
    ("/organ", "koppla LG <#C{id}>"),
    ("/organ", "sammankallande LG <@U{id}>"),
    ("/mote", "bjud in LG-261207 <@U{id}>"),
    ("/mote", "bjud in LG-261207 <#C{id}>"),
    ("/kalender", "<@U{id}>"),
]
TEXT_TEMPLATES = [
    ("/mote", "ny LG 7 december 9-12 {text}"),
    ("/mote", "flytta LG-261207 8 december 9-12 {text}"),
    ("/mote", "ställ in LG-261207 {text}"),
    ("/organ", "ny XY {text}"),
    ("/uppdrag", "<@U0ANNA|anna> {text} till 4/12"),
    ("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12 återkoppling till {text}"),
    ("/uppdrag", "status U-1 {text}"),
    ("/beslut", "ändra LG-2026-1 {text}"),
    ("/beslut", "upphäv LG-2026-1 {text}"),
    ("/beslut", "§{text} Ledningsgruppen beslutar"),
]


def _answered(ctx: MakeCtx, command: str, text: str) -> str:
    answer = said(commands.run(ctx("sara"), command, text))
    assert core_texts.GENERIC_ERROR not in answer, (command, text[:80], answer)
    assert answer.strip(), (command, text[:80])
    return answer


def test_long_ids_get_a_swedish_answer(ctx: MakeCtx, organs: None) -> None:
    _answered(ctx, "/mote", "ny LG 7 december 9-12")

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.sampled_from(TEMPLATES), LONG_ID)
    def check(template: tuple[str, str], long_id: str) -> None:
        command, text = template
        answer = _answered(ctx, command, text.format(id=long_id))
        assert "32 tecken" in answer, answer

    check()


def test_long_texts_get_a_swedish_answer(ctx: MakeCtx, organs: None) -> None:
    _answered(ctx, "/mote", "ny LG 7 december 9-12")
    _answered(ctx, "/beslut", "LG Ledningsgruppen beslutar enligt förslag")
    _answered(ctx, "/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")

    @settings(
        max_examples=80,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.sampled_from(TEXT_TEMPLATES), LONG_TEXT, st.integers(1, 2500))
    def check(template: tuple[str, str], text: str, length: int) -> None:
        command, line = template
        _answered(ctx, command, line.format(text=text[:length]))

    check()
