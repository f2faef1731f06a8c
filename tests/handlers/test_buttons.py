"""*Flytta till nästa möte* pressed over signed HTTP: from the DM the assignment came in, and
from the Home tab (which has no response_url and no channel)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from handlers.slack_standin import LocalSlack
from handlers.slackwire import TEAM_ID, interactive_body
from storage.models import Assignment
from tests.harness import Harness, buttons, sections, text_of

NEXT = "uppdrag_nasta_mote"


def due_of(harness: Harness) -> date | None:
    with harness.product.db.transaction() as session:
        return session.exec(select(Assignment.due_date)).one()


def plan(harness: Harness, slack: LocalSlack) -> str:
    """Two LG meetings, and Anna's assignment due at the first: the button's value."""
    harness.command("/mote", "ny LG 7 december 9-12")
    harness.command("/mote", "ny LG 14 december 9-12")
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till nästa LG")
    slack.wait_for(lambda calls: bool(slack.dms("U0ANNA")))
    values = [v for _, action, v in buttons(slack.dms("U0ANNA")[0]) if action == NEXT]
    assert values == ["U-1|LG-261207"]
    assert due_of(harness) == date(2026, 12, 7)
    return values[0]


def test_moving_to_the_next_meeting_from_the_dm(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    value = plan(harness, slack)
    reply = harness.click(NEXT, value, user="anna")
    assert "U-1" in text_of(reply) and "flyttat" in text_of(reply)
    assert "14 dec" in text_of(reply)
    assert due_of(harness) == date(2026, 12, 14)
    # Someone who is neither owner, convenor nor admin is refused, and nothing moves.
    refused = harness.click(NEXT, "U-1|LG-261214", user="roger")
    assert "U-1" in text_of(refused) and "flyttat" not in text_of(refused)
    assert due_of(harness) == date(2026, 12, 14)


def test_moving_to_the_next_meeting_from_the_home_tab(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    value = plan(harness, slack)
    homes = len(homes_of(slack, "U0ANNA"))
    pressed: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": "U0ANNA", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "trigger_id": "trigger-home",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "private_metadata": ""},
        "actions": [{"type": "button", "action_id": NEXT, "block_id": "b", "value": value}],
    }
    assert harness.post(interactive_body(pressed))[0] == 200
    slack.wait_for(lambda calls: len(homes_of(slack, "U0ANNA")) > homes)
    harness.settle()
    assert due_of(harness) == date(2026, 12, 14)
    latest = homes_of(slack, "U0ANNA")[-1]
    assert any(s.startswith("`U-1`") and "14 dec" in s for s in sections(latest)), latest


def test_a_stale_or_forged_value_is_answered_and_moves_nothing(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    plan(harness, slack)
    for value in ("U-99|LG-261207", "U-1|LG-999999", "U-1", "|"):
        reply = harness.click(NEXT, value, user="anna")
        assert text_of(reply).strip() and "flyttat" not in text_of(reply), value
    assert due_of(harness) == date(2026, 12, 7)


def homes_of(slack: LocalSlack, user_id: str) -> list[dict[str, Any]]:
    return [c.args["view"] for c in slack.calls("views.publish") if c.args["user_id"] == user_id]
