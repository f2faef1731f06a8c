"""Buttons on assignment messages: Klart, and Lägg till status (opens a small form)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import assignments, texts
from bot.commands.uppdrag import ACTION_DONE, ACTION_STATUS
from bot.errors import UserError
from bot.replies import Message, section
from handlers.common import Deps
from handlers.deliver import respond
from handlers.views import open_status_form


def register(app: App, deps: Deps) -> None:
    @app.action(ACTION_DONE)
    def done(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id")
        ctx = deps.ctx(user_id, channel_id)
        try:
            view = assignments.close(ctx, action["value"], None)
        except UserError as error:
            respond(
                body.get("response_url"),
                Message(error.message, [section(error.message)]),
                client=client,
                channel_id=channel_id,
                user_id=user_id,
            )
            return
        text = texts.assignment_closed(view) + "\n" + texts.assignment_line(view)
        respond(body.get("response_url"), Message(text, [section(text)]), replace_original=True)

    @app.action(ACTION_STATUS)
    def status(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        open_status_form(client, body["trigger_id"], action["value"])
