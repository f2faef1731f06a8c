"""Someone with no rights tries every command that changes something: each answers in Swedish
(not the generic apology), and whether they are an admin is asked of the directory (Slack)
before any write transaction, never while holding it (the suite's directory raises then)."""

from __future__ import annotations

import pytest

from bot.core import texts as core_texts
from bot.core.clock import FixedClock
from tests.bot.test_reminders import at
from tests.harness import MakeCtx, run

REFUSED = ("får bara", "kan bara", "föreslås av organets medlemmar", "skickas av organets")
ATTEMPTS = [
    ("/beslut", "ändra LG-2026-1 Ledningsgruppen beslutar annat skäl: stavfel"),
    ("/beslut", "ändra LG-2026-1 § 6"),
    ("/beslut", "upphäv LG-2026-1 ersatt av beslut LG-2026-2"),
    ("/uppdrag", "klart U-1"),
    ("/uppdrag", "flytta U-1 till nästa AU"),
    ("/uppdrag", "stryk U-1 ersätts av U-2"),
    ("/uppdrag", "status U-1 Påbörjat"),
    ("/uppdrag", "ändra U-1 till nästa AU"),
    ("/uppdrag", "ändra U-1 Ett annat uppdrag"),
    ("/uppdrag", "påminn U-1"),
    ("/mote", "flytta LG-261210 till 11 december 9-12"),
    ("/mote", "ställ in LG-261210"),
    ("/mote", "bjud in LG-261210"),
    ("/mote", "ny LG 17 december 9-12"),
    ("/mote", "ny LG varje torsdag 13-14 från 4 februari till 25 mars"),
    ("/mote", "punkt LG-261210 Kronobarnsmodellen"),
    ("/mote", "underlag LG-261210 §1 https://example.se/underlag"),
    ("/mote", "dagordning LG-261210"),
    ("/mote", "kallelse LG-261210"),
    ("/mote", "närvaro LG-261210 <@U0ANNA|anna>"),
    ("/mote", "justerare LG-261210 <@U0ANNA|anna>"),
    ("/mote", "anteckningar LG-261210"),
    ("/mote", "justera LG-261210"),
    ("/organ", "sammankallande LG <@U0ROGER|roger>"),
    ("/organ", "påminnelser LG av"),
    ("/organ", "koppla LG <#C0ALLM|allmant>"),
    ("/organ", "ny KRO Processgrupp Kronobarnsmodellen"),
]


@pytest.mark.parametrize(("command", "text"), ATTEMPTS, ids=[f"{c} {t}" for c, t in ATTEMPTS])
def test_someone_with_no_rights_is_answered_without_slack_under_the_lock(
    ctx: MakeCtx, organs: None, clock: FixedClock, command: str, text: str
) -> None:
    clock.set(at("2026-11-30T08:00"))
    run(ctx(), "/mote", "ny LG 10 december 9-12")  # Magnus convenes LG; Sara is an admin
    run(ctx(), "/beslut", "LG: Ledningsgruppen beslutar att godkänna planen")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
    run(ctx(), "/mote", "punkt LG-261210 Planen föredragande <@U0ANNA|anna>")
    answer = run(ctx("roger", channel="C0ALLM"), command, text)
    assert core_texts.GENERIC_ERROR not in answer, answer
    if text.startswith("dagordning"):  # anyone may read the agenda
        assert "Dagordning – LG-möte" in answer, answer
    else:
        assert any(no in answer for no in REFUSED), answer
