"""The App Home tab: my open assignments, upcoming meetings and recent decisions.

The feature's service, re-exported: `from bot import home` then `home.<name>`."""

from bot.home.service import (
    KEEP_EVENT_IDS,
    first_delivery,
    home,
)

__all__ = [
    "KEEP_EVENT_IDS",
    "first_delivery",
    "home",
]
