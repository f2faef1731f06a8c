"""Slash commands: ack at once, run the command, deliver the reply."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import commands
from handlers.common import Deps
from handlers.deliver import deliver
from handlers.home import publish_home
from handlers.views import open_decision_form


def register(app: App, deps: Deps) -> None:
    for name in commands.COMMANDS:
        app.command(name)(_listener(deps, name))


def _listener(deps: Deps, name: str) -> Any:
    def handle(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id, channel_id = body["user_id"], body.get("channel_id")
        ctx = deps.ctx(user_id, channel_id)
        text = body.get("text") or ""
        if name == "/beslut" and not text.strip() and body.get("trigger_id"):
            open_decision_form(ctx, client, body["trigger_id"], body.get("response_url"))
            return
        reply = commands.run(ctx, name, text)
        deliver(
            reply,
            client=client,
            response_url=body.get("response_url"),
            user_id=user_id,
            channel_id=channel_id,
        )
        publish_home(deps, client, reply.refresh_home)

    handle.__name__ = f"command_{name.strip('/')}"
    return handle
