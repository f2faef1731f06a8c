"""What the bot does not handle still gets a 200, logged at DEBUG.

Bolt answers a request no listener matches with 404, which Slack counts as a failed delivery
(and, for events, retries and in the end may turn the subscription off): an event type the
manifest subscribes to but nobody listens for, a button from a message of an older version (a
stale action id), a form or a shortcut we no longer have. These catch-alls match anything and
are registered LAST (see handlers.listeners.register): Bolt runs the first listener that
matches, so every real listener, registered before them, still wins.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

log = logging.getLogger(__name__)
ANYTHING = re.compile("")


def register(app: App) -> None:
    @app.event(ANYTHING)
    def unhandled_event(body: dict[str, Any]) -> None:
        # Bolt acknowledges events itself.
        log.debug("unhandled event %s (%s)", _event_type(body), body.get("event_id"))

    @app.action(ANYTHING)
    def unhandled_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        log.debug("unhandled action %s", _action_id(body))

    @app.view(ANYTHING)
    def unhandled_view(ack: Ack, body: dict[str, Any]) -> None:
        ack()  # an empty answer closes the form
        log.debug("unhandled view %s", (body.get("view") or {}).get("callback_id"))

    @app.view_closed(ANYTHING)
    def unhandled_view_closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        log.debug("unhandled view_closed %s", (body.get("view") or {}).get("callback_id"))

    @app.shortcut(ANYTHING)
    def unhandled_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        log.debug("unhandled shortcut %s", body.get("callback_id"))

    @app.options(ANYTHING)
    def unhandled_options(ack: Ack, body: dict[str, Any]) -> None:
        ack(options=[])  # a select with nothing to offer
        log.debug("unhandled options for %s", body.get("action_id") or body.get("name"))


def _event_type(body: dict[str, Any]) -> str:
    return str((body.get("event") or {}).get("type") or body.get("type"))


def _action_id(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("action_id") or body.get("callback_id"))
