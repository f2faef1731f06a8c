"""Buttons on assignment messages: Klart, Flytta till nästa möte (acked at once, done lazily)
and Lägg till status (opens a small form while its trigger_id is fresh); "Visa fler" under a
long list (its next page, below it)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import assignments, commands
from bot.assignments import affected
from bot.assignments import texts as assignment_texts
from bot.assignments.actions import ACTION_DONE, ACTION_NEXT_MEETING, ACTION_STATUS
from bot.core.errors import UserError
from bot.core.replies import ACTION_MORE, Message, section
from handlers.common import Deps, ack_then
from handlers.deliver import answer_action
from handlers.listeners.home import answer_press, from_home, publish_home
from handlers.listeners.views import open_status_form

log = logging.getLogger(__name__)
PAGE_OF = re.compile(r"\bsida \d+$")  # what a "Visa fler" button runs: a list, one page on


def register(app: App, deps: Deps) -> None:
    def done(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        ctx = deps.ctx(body["user"]["id"], (body.get("channel") or {}).get("id"))
        try:
            view = assignments.close(ctx, action["value"], None)
        except UserError as error:
            answer_press(deps, body, client, Message(error.message, [section(error.message)]))
            return
        publish_home(deps, client, _others(body, affected(ctx.user_id, view)))
        text = (
            assignment_texts.assignment_closed(view) + "\n" + assignment_texts.assignment_line(view)
        )
        answer_press(
            deps,
            body,
            client,
            Message(text, [section(text)]),
            replace_original=not _several_items(body),
        )

    def next_meeting(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        ctx = deps.ctx(body["user"]["id"], (body.get("channel") or {}).get("id"))
        ref, _, meeting_ref = str(action["value"]).partition("|")
        try:
            view = assignments.move_to_next_meeting(ctx, ref, meeting_ref)
            text = assignment_texts.assignment_moved(view)
            publish_home(deps, client, _others(body, affected(ctx.user_id, view)))
        except UserError as error:
            text = error.message
        answer_press(deps, body, client, Message(text, [section(text)]))

    @app.action(ACTION_STATUS)
    def status(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        open_status_form(client, body["trigger_id"], action["value"])

    def more(body: dict[str, Any], client: WebClient) -> None:
        command, _, text = str(body["actions"][0]["value"]).partition("|")
        if command not in commands.COMMANDS or not PAGE_OF.search(text):
            log.debug("not a page of a list: %s", command)
            return
        ctx = deps.ctx(body["user"]["id"], (body.get("channel") or {}).get("id"))
        answer_action(body, client, commands.run(ctx, command, text).message)

    app.action(ACTION_MORE)(ack_then(deps, more))
    app.action(ACTION_DONE)(ack_then(deps, done))
    app.action(ACTION_NEXT_MEETING)(ack_then(deps, next_meeting))


def _several_items(body: dict[str, Any]) -> bool:
    """A reminder lists several assignments: answer below it instead of replacing it."""
    blocks = (body.get("message") or {}).get("blocks") or []
    return sum(1 for b in blocks if b.get("type") == "actions") > 1


def _others(body: dict[str, Any], users: list[str]) -> list[str]:
    """Whose tabs to publish again: from the Home tab, the presser's comes with the answer."""
    presser = body["user"]["id"]
    return [u for u in users if u != presser or not from_home(body)]
