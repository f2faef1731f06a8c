"""Over signed HTTP: `/mote visa` says where the minutes stand, and a decision on a § the
agenda does not deal with is stored with a warning that says how to move it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.core.clock import FixedClock
from handlers.slack_standin import LocalSlack
from tests.handlers.test_cycle_http import JENNY, MAGNUS
from tests.harness import Harness, text_of


def _plan(h: Harness, slack: LocalSlack) -> None:
    slack.set_members("C0LG", ["U0SARA", "U0MAGNUS", "U0ANNA", "U0JENNY"])
    h.command("/organ", f"ny LG Ledningsgrupp för samordning <#C0LG|lg> sammankallande {MAGNUS}")
    h.command("/organ", "anteckningar LG protokoll")
    h.command("/mote", "ny LG 17 december 11-15 Regionhuset")
    h.command("/mote", "punkt LG-261217 Kronobarnsmodellen information", user="magnus")
    h.command("/mote", "punkt LG-261217 Processgrupperna beslut", user="magnus")


def test_mote_visa_shows_where_the_minutes_stand(
    harness: Harness, slack: LocalSlack, clock: FixedClock
) -> None:
    h = harness
    _plan(h, slack)
    assert "Protokoll: inget utkast än." in text_of(h.command("/mote", "visa LG-261217"))
    clock.set(clock.now() + timedelta(days=24))
    h.command("/mote", "anteckningar LG-261217")
    assert "Protokoll: utkast v1." in text_of(h.command("/mote", "visa LG-261217"))
    h.command("/mote", "anteckning LG-261217 §4 Anna redogör.")
    h.command("/mote", "anteckningar LG-261217")
    h.command("/mote", f"justerare LG-261217 {JENNY}")
    h.command("/mote", "justera LG-261217")
    shown = text_of(h.command("/mote", "visa LG-261217"))
    assert "Protokoll: utkast v3, skickat till justerare <@U0JENNY>." in shown
    h.click("cykel_justera", "LG-261217|3", user="jenny")
    news = slack.wait_for(
        lambda _c: any("justerade av" in text_of(m) for m in slack.messages("C0LG"))
    )
    assert news
    shown = text_of(h.command("/mote", "visa LG-261217"))
    match = re.search(
        r"Protokoll: justerade 17 december 2026 av <@U0JENNY> \(version 3, kontrollsumma "
        r"`([0-9a-f]{12})`\)\.",
        shown,
    )
    assert match, shown
    posted = "\n".join(text_of(m) for m in slack.messages("C0LG"))
    assert match.group(1) in posted  # the same hash the channel was told


def test_a_decision_on_a_paragraph_not_on_the_agenda_is_stored_with_a_warning(
    harness: Harness, slack: LocalSlack, clock: FixedClock
) -> None:
    h = harness
    _plan(h, slack)
    h.command("/mote", "punkt LG-261217 Projektdirektiv", user="magnus")
    h.command("/mote", "utgår LG-261217 §6")
    clock.set(clock.now() + timedelta(days=24))
    reply = text_of(h.command("/beslut", "LG-261217 §9: Ledningsgruppen beslutar enligt förslag."))
    assert "LG-2026-1" in reply
    assert "§ 9 på `LG-261217` finns inte på dagordningen" in reply
    assert "Dagordningens punkter: §1, §2, §3, §4, §5." in reply
    assert "`/beslut ändra LG-2026-1 § 5`" in reply
    dropped = text_of(h.command("/beslut", "LG-261217 §6: Direktivet skrivs om."))
    assert "§ 6 på `LG-261217` utgår" in dropped
    fine = text_of(h.command("/beslut", "LG-261217 §5: Representanter utses."))
    assert "⚠️" not in fine
    # the decision is the record: it is stored, and the minutes have it under Övriga
    assert "Ledningsgruppen beslutar enligt förslag." in text_of(
        h.command("/beslut", "visa LG-2026-1")
    )
    draft = text_of(h.command("/mote", "anteckningar LG-261217"))
    others = draft[draft.index("Övriga beslut och uppdrag") :]
    assert "LG-2026-1" in others and "LG-2026-2" in others and "LG-2026-3" not in others
    # moved as the warning says, it is under §5 and no longer warned about
    h.command("/beslut", "ändra LG-2026-1 § 5")
    draft = text_of(h.command("/mote", "anteckningar LG-261217"))
    assert "LG-2026-1" not in draft[draft.index("Övriga beslut och uppdrag") :]


def test_a_justering_dm_is_sent_once_per_version_and_justerare(
    harness: Harness, slack: LocalSlack, clock: FixedClock
) -> None:
    h = harness
    _plan(h, slack)
    clock.set(clock.now() + timedelta(days=24))
    h.command("/mote", f"justerare LG-261217 {JENNY}")
    first = text_of(h.command("/mote", "justera LG-261217"))
    assert "Version 1" in first and "skickad till <@U0JENNY>" in first

    def asked(user: str) -> int:
        return sum("ber dig justera" in text_of(m) for m in slack.dms(user))

    slack.wait_for(lambda _c: asked("U0JENNY") == 1)
    again = text_of(h.command("/mote", "justera LG-261217"))
    assert "Version 1 av anteckningarna för `LG-261217` är redan skickad till <@U0JENNY>" in again
    # a second justerare: the document names both, so a new version goes to both
    h.command("/mote", f"justerare LG-261217 {JENNY} <@U0ANNA|anna>")
    both = text_of(h.command("/mote", "justera LG-261217"))
    assert "Version 2" in both and "<@U0ANNA>" in both
    slack.wait_for(lambda _c: asked("U0ANNA") == 1 and asked("U0JENNY") == 2)
    once_more = text_of(h.command("/mote", "justera LG-261217"))
    assert "redan skickad till <@U0JENNY> och <@U0ANNA>" in once_more
    h.settle()  # all work after the answers is done: nothing more was sent
    assert (asked("U0JENNY"), asked("U0ANNA")) == (2, 1)


@pytest.mark.parametrize("taken", [True, False], ids=["taken", "not-taken"])
def test_the_justerade_minutes_reach_the_channel_once_through_a_5xx(
    harness: Harness, slack: LocalSlack, clock: FixedClock, taken: bool
) -> None:
    """The channel post goes through the delivery ledger: after a 500 it is looked for, and
    sent again only if Slack had not taken it; its files follow, each once."""
    h = harness
    _plan(h, slack)
    clock.set(clock.now() + timedelta(days=24))
    h.command("/mote", f"justerare LG-261217 {JENNY}")
    h.command("/mote", "justera LG-261217")
    slack.wait_for(lambda _c: any("ber dig justera" in text_of(m) for m in slack.dms("U0JENNY")))

    def in_channel(needle: str) -> int:
        return sum(needle in text_of(m) for m in slack.messages("C0LG"))

    slack.fail_next("chat.postMessage", status=500, after_delivery=taken)
    done = h.click("cykel_justera", "LG-261217|1", user="jenny")
    assert "Du har justerat version 1" in text_of(done)
    slack.wait_for(lambda _c: in_channel("justerade av") == 1)
    h.settle()
    assert in_channel("justerade av") == 1
    assert slack.calls("conversations.history")  # asked, not sent blindly
    shared = [f["filename"] for f in slack.uploaded_files() if f["channel_id"] == "C0LG"]
    assert shared and len(shared) == len(set(shared))
