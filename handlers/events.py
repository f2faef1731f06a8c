"""Events: retries are dropped by event id; the Home tab is published when opened."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.home import first_delivery, home
from handlers.common import Deps
from handlers.render import blocks

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def drop_retries(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(deps.product, str(event_id)):
            return BoltResponse(status=200, body="")
        next()
        return None

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        message = home(deps.ctx(user_id, None))
        try:
            client.views_publish(user_id=user_id, view={"type": "home", "blocks": blocks(message)})
        except SlackClientError:
            log.exception("could not publish the Home tab")
