"""How Slack talks to the bot: one module per kind of request, each registered on the Bolt app."""

from __future__ import annotations

from slack_bolt import App

from handlers.common import Deps
from handlers.listeners import (
    actions,
    bounds,
    calendar,
    commands,
    confirm,
    cycle,
    events,
    fallback,
    importing,
    views,
)


def register(app: App, deps: Deps) -> None:
    bounds.register(app)  # before anything reads an id from the request
    events.register(app, deps)  # its middleware must come next
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    calendar.register(app, deps)
    cycle.register(app, deps)
    importing.register(app, deps)  # the message shortcut Importera mötesanteckningar
    confirm.register(app, deps)  # Spara ändå / Ändra: before the fallback
    fallback.register(app)  # last: only what no listener above matches
