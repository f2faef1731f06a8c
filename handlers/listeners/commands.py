"""Slash commands: acknowledged at once on the request's own thread; the work runs in the pool,
so an ack never waits behind other commands' work."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import commands
from bot.calendar.invites import InviteBatch
from handlers.common import Deps
from handlers.deliver import deliver
from handlers.listeners import calendar
from handlers.listeners.cycle import open_item_form
from handlers.listeners.home import publish_home
from handlers.listeners.views import open_decision_form


def register(app: App, deps: Deps) -> None:
    for name in commands.COMMANDS:
        app.command(name)(_acknowledge(deps, name))


def _opens_form(name: str, body: dict[str, Any]) -> bool:
    return name == "/beslut" and not (body.get("text") or "").strip() and "trigger_id" in body


def _opens_item_form(name: str, body: dict[str, Any]) -> str | None:
    """`/mote punkt LG-261217` with nothing more: the meeting whose item form opens."""
    words = (body.get("text") or "").split()
    if name == "/mote" and len(words) == 2 and words[0].lower() == "punkt":
        return words[1] if "trigger_id" in body else None
    return None


def _acknowledge(deps: Deps, name: str) -> Any:
    work = _listener(deps, name)

    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        if _opens_form(name, body):  # trigger_id lives 3 s: open it now, not behind a queue
            ctx = deps.ctx(body["user_id"], body.get("channel_id"))
            open_decision_form(ctx, client, body["trigger_id"], body.get("response_url"))
        elif ref := _opens_item_form(name, body):
            open_item_form(client, body["trigger_id"], ref, body.get("channel_id"))
        else:
            deps.later(work, body, client)

    acknowledge.__name__ = f"ack_{name.strip('/')}"
    return acknowledge


def _listener(deps: Deps, name: str) -> Any:
    def handle(body: dict[str, Any], client: WebClient) -> None:
        user_id, channel_id = body["user_id"], body.get("channel_id")
        ctx = deps.ctx(user_id, channel_id)
        reply = commands.run(ctx, name, body.get("text") or "")
        deliver(
            reply,
            product=deps.product,
            client=client,
            response_url=body.get("response_url"),
            user_id=user_id,
            channel_id=channel_id,
        )
        publish_home(deps, client, reply.refresh_home)
        if isinstance(reply.invites, InviteBatch):  # calendar invitations: last, they take a while
            calendar.queue_invites(
                deps,
                reply.invites,
                client=client,
                response_url=body.get("response_url"),
                user_id=user_id,
                channel_id=channel_id,
            )

    handle.__name__ = f"command_{name.strip('/')}"
    return handle
