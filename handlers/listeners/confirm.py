"""*Spara ändå* and *Ändra* under a question a command asked before storing (a weekend, a second
meeting that day, a time that does not exist, a date far ahead). *Spara ändå* runs the command
again with the question answered; its token is stored once, so a double press stores nothing
twice (bot.commands.confirm)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import commands
from bot.calendar.invites import InviteBatch
from handlers.common import Deps, ack_then
from handlers.deliver import answer_action, deliver
from handlers.listeners import calendar
from handlers.listeners.home import publish_home


def register(app: App, deps: Deps) -> None:
    def save_anyway(body: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id")
        reply = commands.confirm(deps.ctx(user_id, channel_id), str(body["actions"][0]["value"]))
        response_url = body.get("response_url")
        deliver(
            reply,
            product=deps.product,
            client=client,
            response_url=response_url,
            user_id=user_id,
            channel_id=channel_id,
        )
        publish_home(deps, client, reply.refresh_home)
        if isinstance(reply.invites, InviteBatch):
            calendar.queue_invites(
                deps,
                reply.invites,
                client=client,
                response_url=response_url,
                user_id=user_id,
                channel_id=channel_id,
            )

    def change(body: dict[str, Any], client: WebClient) -> None:
        reply = commands.change(str(body["actions"][0]["value"]))
        answer_action(body, client, reply.message, replace_original=True)

    app.action(commands.ACTION_SAVE_ANYWAY)(ack_then(deps, save_anyway))
    app.action(commands.ACTION_CHANGE)(ack_then(deps, change))
