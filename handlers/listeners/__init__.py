"""How Slack talks to the bot: one module per kind of request, each registered on the Bolt app."""

from __future__ import annotations

from slack_bolt import App

from handlers.common import Deps
from handlers.listeners import (
    actions,
    calendar,
    commands,
    cycle,
    events,
    fallback,
    importing,
    views,
)


def register(app: App, deps: Deps) -> None:
    events.register(app, deps)  # its middleware must come first
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    calendar.register(app, deps)
    cycle.register(app, deps)
    importing.register(app, deps)  # the message shortcut Importera mötesanteckningar
    fallback.register(app)  # last: only what no listener above matches
