"""The App Home tab, published when a user opens it and whenever their assignments change."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.home import home
from handlers.common import Deps
from handlers.render import blocks

log = logging.getLogger(__name__)


def publish_home(deps: Deps, client: WebClient, user_ids: list[str]) -> None:
    for user_id in user_ids:
        message = home(deps.ctx(user_id, None))
        try:
            client.views_publish(
                user_id=user_id, view={"type": "home", "blocks": blocks(message)[:100]}
            )
        except (SlackClientError, OSError):
            log.exception("could not publish the Home tab for %s", user_id)
