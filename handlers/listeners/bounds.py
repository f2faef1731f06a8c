"""Bounds on what a request carries, checked before any listener (and so any table) sees it.

Slack's own ids are short (the tables hold 32 characters), trigger ids a few dozen, a button's
value at most 2,000 and a view's private_metadata at most 3,000. A request with more was not
made by Slack's clients as they are: a slash command is answered in Swedish, anything else
gets 200 and nothing else (logged, never its body).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from slack_bolt import App, BoltResponse

from bot.core.markup import MAX_ID
from handlers import texts

log = logging.getLogger(__name__)
MAX_TRIGGER = 200
MAX_URL = 2000
MAX_VALUE = 2000  # a button's value: Slack's own limit
MAX_METADATA = 3000  # a view's private_metadata: Slack's own limit
IDS = ("user_id", "channel_id", "team_id", "enterprise_id", "api_app_id")


def _fields(body: dict[str, Any]) -> Iterator[tuple[str, Any, int]]:
    """(name, value, most characters allowed) for every bounded field of a request."""
    for name in IDS:
        yield name, body.get(name), MAX_ID
    for name in ("user", "channel", "team", "enterprise"):
        part = body.get(name)
        yield f"{name}.id", part.get("id") if isinstance(part, dict) else part, MAX_ID
    event = body.get("event")
    if isinstance(event, dict):
        for name in ("user", "channel"):
            value = event.get(name)
            yield f"event.{name}", value if isinstance(value, str) else None, MAX_ID
    yield "trigger_id", body.get("trigger_id"), MAX_TRIGGER
    yield "response_url", body.get("response_url"), MAX_URL
    view = body.get("view")
    if isinstance(view, dict):
        yield "view.private_metadata", view.get("private_metadata"), MAX_METADATA
    for action in body.get("actions") or []:
        if isinstance(action, dict):
            yield "actions.value", action.get("value"), MAX_VALUE
            yield "actions.action_id", action.get("action_id"), 255


def overlong(body: dict[str, Any]) -> str | None:
    """The first field over its bound, or None."""
    for name, value, most in _fields(body):
        if isinstance(value, str) and len(value) > most:
            return name
    return None


def register(app: App) -> None:
    @app.middleware
    def within_bounds(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        field = overlong(body)
        if field is None:
            next()
            return None
        log.info("refused a request: %s is too long", field)
        if body.get("command"):
            return BoltResponse(
                status=200,
                body={"response_type": "ephemeral", "text": texts.REQUEST_TOO_LONG},
            )
        return BoltResponse(status=200, body="")
