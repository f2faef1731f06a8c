"""Events: retries are dropped by event id; the Home tab is published when opened."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.home import first_delivery
from handlers.common import Deps, ack_then
from handlers.listeners.home import publish_home

log = logging.getLogger(__name__)


# Events whose retries are dropped: recording an id is a write, so only for events whose work
# must not run twice. user_change (every profile change in the workspace) is safe to repeat
# and writes nothing unless something we keep changed; events nobody handles cost nothing.
DEDUPLICATED = frozenset({"app_home_opened", "member_joined_channel", "member_left_channel"})


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def drop_retries(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        kind = (body.get("event") or {}).get("type")
        if event_id and kind in DEDUPLICATED and not first_delivery(deps.product, str(event_id)):
            return BoltResponse(status=200, body="")
        next()
        return None

    def home_opened(body: dict[str, Any], client: WebClient) -> None:
        event = body["event"]
        if event.get("tab", "home") == "home":
            publish_home(deps, client, [event["user"]])

    # Acked at once (events are acknowledged automatically); published from the pool.
    app.event("app_home_opened")(ack_then(deps, home_opened))
