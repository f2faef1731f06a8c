"""Guards at the front door, over signed HTTP: Slack is never asked while the write lock is
held, and a replayed signed request does nothing twice."""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.core import texts as core_texts
from handlers.slack_standin import LocalSlack
from tests.harness import Harness, text_of

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
