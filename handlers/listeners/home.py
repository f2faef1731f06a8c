"""The App Home tab, published when a user opens it and whenever their assignments change; a
button pressed on it is answered on it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.core.replies import Message
from bot.home import home
from handlers.common import Deps
from handlers.deliver import answer_action, send_dm
from handlers.render import blocks

log = logging.getLogger(__name__)


def publish_home(
    deps: Deps, client: WebClient, user_ids: list[str], *, notice: str | None = None
) -> bool:
    """Publish each user's tab (with `notice` on top: an answer to a press on the tab). True if
    all were published."""
    ok = True
    for user_id in user_ids:
        message = home(deps.ctx(user_id, None), notice)
        try:
            client.views_publish(
                user_id=user_id, view={"type": "home", "blocks": blocks(message, limit=100)}
            )
        except (SlackClientError, OSError):
            log.exception("could not publish the Home tab for %s", user_id)
            ok = False
    return ok


def from_home(body: dict[str, Any]) -> bool:
    """A press on the Home tab: Slack sends no response_url and no channel to answer in."""
    return not body.get("response_url") and not (body.get("channel") or {}).get("id")


def answer_press(
    deps: Deps,
    body: dict[str, Any],
    client: WebClient,
    message: Message,
    *,
    replace_original: bool = False,
) -> None:
    """Answer a button press wherever it was pressed: in its message or channel, or, from the
    Home tab, as a notice on top of the tab published again (a DM if that fails)."""
    if not from_home(body):
        answer_action(body, client, message, replace_original=replace_original)
        return
    user_id = body["user"]["id"]
    if not publish_home(deps, client, [user_id], notice=message.fallback):
        send_dm(client, user_id, message)
