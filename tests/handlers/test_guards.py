"""Guards at the front door, over signed HTTP: Slack is never asked while the write lock is
held, and a replayed signed request does nothing twice."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from sqlmodel import select

from bot.core import texts as core_texts
from handlers.slack_standin import LocalSlack
from handlers.slackwire import (
    block_action,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
)
from storage.db import CallInWriteTransaction
from storage.models import Decision
from tests.harness import SECRET, Harness, never, text_of

RETRY_AFTER = 2  # seconds users.info asks us to wait


def test_a_slow_admin_check_holds_up_nobody_else(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    """Roger (neither admin nor LG's convenor) plans an LG meeting while users.info answers 429
    (Retry-After 2 s): whether he is an admin is asked before the write lock is taken, so six
    other people's /beslut meanwhile are answered at once, none with the generic error."""
    others = [f"U0OTHER{n}" for n in range(6)]
    for n, user_id in enumerate(others):
        slack.add_user(user_id, f"annan{n}")
    slack.fail_next("users.info", status=429, retry_after=RETRY_AFTER)
    roger: dict[str, Any] = {}
    asking = threading.Thread(
        target=lambda: roger.update(harness.command("/mote", "ny LG 7 december 9-12", user="roger"))
    )
    asking.start()
    slack.wait_for(lambda calls: bool(slack.rejected("users.info")))
    started = time.monotonic()
    replies: dict[str, tuple[float, str]] = {}

    def decide(user_id: str) -> None:
        reply = harness.command("/beslut", f"Ledningsgruppen beslutar om {user_id}", user=user_id)
        replies[user_id] = (time.monotonic() - started, text_of(reply))

    threads = [threading.Thread(target=decide, args=(u,)) for u in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert not roger, "Roger was answered before the others: they waited for his Slack call"
    asking.join(15)
    assert sorted(replies) == sorted(others)
    for user_id, (seconds, said) in replies.items():
        assert core_texts.GENERIC_ERROR not in said, said
        assert "LG-2026-" in said, said
        assert seconds < RETRY_AFTER - 0.5, (user_id, seconds)
    assert "sammankallande för LG eller en administratör" in text_of(roger)


def test_an_unanswered_admin_check_is_told_and_a_convenor_does_not_need_one(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    slack.fail_next("users.info", error="internal_error", times=2)
    refused = text_of(harness.command("/mote", "ny LG 7 december 9-12", user="roger"))
    assert "kunde inte ta reda på om du är administratör" in refused
    assert core_texts.GENERIC_ERROR not in refused
    planned = text_of(harness.command("/mote", "ny LG 7 december 9-12", user="magnus"))
    assert "LG-261207" in planned, planned


def test_a_replayed_signed_request_does_nothing_twice(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    """The same signed /beslut (same X-Slack-Signature, same timestamp) sent again within its
    five minutes: 200 and nothing else; no second decision, no second reply."""
    body = command_body(
        "/beslut",
        "Ledningsgruppen beslutar enligt förslag",
        user_id="U0SARA",
        channel_id="C0LG",
        response_url=slack.response_url("once", channel="C0LG", user="U0SARA"),
    )
    signed = signed_headers(SECRET, body)
    assert harness.post(body, headers=signed, sign=False) == (200, "")
    slack.wait_for(lambda calls: any(c.key == "once" for c in calls))
    assert harness.post(body, headers=signed, sign=False) == (200, "")
    # The witness: a new request after the replay, whose own effect is waited for.
    harness.command("/beslut", "Ledningsgruppen beslutar om nästa sak")
    harness.settle()
    never(slack, lambda calls: sum(c.key == "once" for c in calls) > 1)
    with harness.product.db.transaction() as session:
        texts = sorted(d.text for d in session.exec(select(Decision)).all())
    assert texts == [
        "Ledningsgruppen beslutar enligt förslag",
        "Ledningsgruppen beslutar om nästa sak",
    ]


def test_events_are_left_to_the_event_id_ledger(harness: Harness, slack: LocalSlack) -> None:
    """An event sent again with the same signature (a retry Slack did not re-sign, or a replay)
    is decided by its event id: handled once, every copy answered 200."""
    event = {"type": "app_home_opened", "user": "U0ANNA", "tab": "home"}
    body = event_body(event, event_id="Ev1")
    signed = signed_headers(SECRET, body)
    retry = {**signed, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for headers in (signed, retry):
        status, _ = harness.post(body, content_type="application/json", headers=headers, sign=False)
        assert status == 200
    harness.settle()
    assert len(slack.calls("views.publish")) == 1


def test_overlong_ids_in_a_request_are_turned_away_before_anything_is_stored(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    long_id = "U" + "X" * 40
    body = command_body(
        "/beslut",
        "Ledningsgruppen beslutar enligt förslag",
        user_id=long_id,
        channel_id="C0LG",
        response_url=slack.response_url("long", channel="C0LG", user=long_id),
    )
    status, answer = harness.post(body)
    assert status == 200
    assert "för långt" in json.loads(answer)["text"], answer
    click = block_action(
        "knapp",
        "v" * 2001,
        user_id="U0ANNA",
        channel_id="DU0ANNA",
        response_url=slack.response_url("click", user="U0ANNA"),
    )
    assert harness.post(interactive_body(click)) == (200, "")
    harness.command("/beslut", "Ledningsgruppen beslutar om nästa sak")  # the witness
    harness.settle()
    never(slack, lambda calls: any(c.key in ("long", "click") for c in calls))
    with harness.product.db.transaction() as session:
        texts = [d.text for d in session.exec(select(Decision)).all()]
    assert texts == ["Ledningsgruppen beslutar om nästa sak"]


def test_every_slack_call_inside_a_write_transaction_trips_the_guard(
    harness: Harness, slack: LocalSlack
) -> None:
    """Not only the directory: any Web API call, from the bot's own client or from the one Bolt
    hands a listener, raises in the suite (and is logged in production) inside the lock."""
    caught: list[str] = []
    done = threading.Event()
    db = harness.bot.product.db

    @harness.bot.bolt.use  # after the bot's own middleware: sees what a listener would get
    def probe(context: Any, next: Any) -> None:
        if done.is_set():
            return next()
        try:
            for who in (context.client, harness.bot.client):
                with db.transaction(write=True):
                    try:
                        who.chat_postMessage(channel="U0SARA", text="inuti låset")
                    except CallInWriteTransaction as error:
                        caught.append(str(error))
        finally:
            done.set()
        return next()

    pressed = block_action(
        "guard_probe",
        "x",
        user_id="U0SARA",
        channel_id="DU0SARA",
        response_url=slack.response_url("probe"),
    )
    assert harness.post(interactive_body(pressed))[0] == 200
    assert done.wait(10)
    assert caught == ["Slack chat.postMessage inside a write transaction"] * 2
    assert slack.calls("chat.postMessage") == []
