"""Events and interactions the bot does not handle get 200 (logged at DEBUG), and `user_change`
events, sent for every profile change in the workspace, write only when something kept changed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from handlers.slack_standin import LocalSlack
from handlers.slackwire import block_action, interactive_body
from tests.harness import PEOPLE, Harness, text_of


def count(harness: Harness, table: str) -> int:
    with harness.product.db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def writes(harness: Harness) -> Iterator[list[str]]:
    """Every INSERT, UPDATE and DELETE the bot sends to the database from now on, but for the
    claim every signed command and interaction makes so that a replay does nothing twice."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "seenrequest" in statement:
            return
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(harness.product.db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(harness.product.db.engine, "before_cursor_execute", record)


def drain(harness: Harness) -> None:
    """Wait until the work after every ack so far is done."""
    harness.settle()


def test_unknown_events_and_stale_actions_get_200_logged_at_debug(
    harness: Harness, slack: LocalSlack, caplog: pytest.LogCaptureFixture, writes: list[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    reaction = {"type": "reaction_added", "user": PEOPLE["anna"], "reaction": "tada"}
    assert harness.event(reaction, event_id="EvReaction") == 200
    assert harness.event(reaction, event_id="EvReaction", retry=1) == 200
    stale = block_action(
        "knapp_fran_en_gammal_version",
        "x",
        user_id=PEOPLE["anna"],
        channel_id="C0LG",
        response_url=slack.response_url("stale"),
    )
    assert harness.post(interactive_body(stale))[0] == 200
    assert harness.submit("formular_som_inte_finns", {}, user="anna")[0] == 200
    shortcut = {
        "type": "shortcut",
        "callback_id": "genvag_som_inte_finns",
        "trigger_id": "t",
        "user": {"id": PEOPLE["anna"]},
        "team": {"id": "T0001"},
    }
    assert harness.post(interactive_body(shortcut))[0] == 200
    suggestion = {
        "type": "block_suggestion",
        "action_id": "val_som_inte_finns",
        "block_id": "b",
        "value": "a",
        "user": {"id": PEOPLE["anna"]},
        "team": {"id": "T0001"},
        "view": {"id": "V1", "callback_id": "x"},
    }
    status, body = harness.post(interactive_body(suggestion))
    assert (status, json.loads(body)) == (200, {"options": []})
    assert harness.command("/kalender", "hjälp", user="anna")  # real listeners still answer

    unhandled = [r for r in caplog.records if r.name == "handlers.listeners.fallback"]
    assert {r.levelno for r in unhandled} == {logging.DEBUG}
    assert "reaction_added" in unhandled[0].getMessage()
    assert any("knapp_fran_en_gammal_version" in r.getMessage() for r in unhandled)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    drain(harness)
    assert writes == []  # nothing recorded for events nobody handles
    assert not [c for c in slack.calls("response_url") if c.key == "stale"]


def test_user_change_writes_only_when_something_kept_changed(
    harness: Harness, slack: LocalSlack, writes: list[str]
) -> None:
    harness.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
    harness.command("/mote", "ny LG 7 december 9-12")
    harness.command("/mote", "bjud in LG-261207 <@U0ANNA|anna> <@U0ROGER|roger>")
    slack.wait_for(  # the report comes after every invitation is recorded
        lambda calls: any("Inbjudan för" in text_of(c.args) for c in calls if c.key)
    )
    drain_first = len(writes)

    def profile(user: str, email: str, *, deleted: bool = False) -> dict[str, Any]:
        return {
            "type": "user_change",
            "user": {
                "id": PEOPLE[user],
                "name": user,
                "deleted": deleted,
                "profile": {"email": email, "status_emoji": ":coffee:"},
            },
        }

    # status emojis, names, anything we do not keep: a hundred events, no write
    for n in range(100):
        user = ("anna", "roger", "jenny", "magnus")[n % 4]
        assert harness.event(profile(user, f"{user}@example.se"), event_id=f"EvS{n}") == 200
    # someone who never had a link or a membership leaves: nothing to write either
    assert harness.event(profile("jenny", "", deleted=True), event_id="EvJenny") == 200
    # anna's new address is kept: her invitation to the meeting still to come follows it
    assert harness.event(profile("anna", "anna.ny@example.se"), event_id="EvAnna") == 200
    drain(harness)
    changed = writes[drain_first:]
    assert len(changed) == 1 and changed[0].lstrip().upper().startswith("UPDATE INVITATION")
    assert count(harness, "processedevent") == 0
    with harness.product.db.engine.connect() as connection:
        emails = dict(connection.execute(text("SELECT user_id, email FROM invitation")).all())
    assert emails == {"U0ANNA": "anna.ny@example.se", "U0ROGER": "roger@example.se"}
