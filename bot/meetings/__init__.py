"""Meetings and other sessions of an organ: scheduled, listed, moved, cancelled.

The feature's service, re-exported: `from bot import meetings` then `meetings.<name>`."""

from bot.meetings.model import (
    CANCELLED,
    PLANNED,
    when_of,
)
from bot.meetings.service import (
    KINDS,
    cancel,
    get,
    may_manage,
    move,
    next_of,
    on_date,
    schedule,
    show,
    upcoming,
)

__all__ = [
    "CANCELLED",
    "KINDS",
    "PLANNED",
    "cancel",
    "get",
    "may_manage",
    "move",
    "next_of",
    "on_date",
    "schedule",
    "show",
    "upcoming",
    "when_of",
]
