"""Meetings and other sessions of an organ: scheduled, listed, moved, cancelled.

The feature's service, re-exported: `from bot import meetings` then `meetings.<name>`."""

from bot.meetings.model import (
    CANCELLED,
    HELD,
    MEETING,
    PLANNED,
    ends_at,
    has_ended,
    starts_at,
    when_of,
)
from bot.meetings.service import (
    KINDS,
    cancel,
    get,
    may_manage,
    move,
    next_of,
    next_open,
    on_date,
    schedule,
    show,
    upcoming,
)

__all__ = [
    "CANCELLED",
    "HELD",
    "KINDS",
    "MEETING",
    "PLANNED",
    "cancel",
    "ends_at",
    "get",
    "has_ended",
    "may_manage",
    "move",
    "next_of",
    "next_open",
    "on_date",
    "schedule",
    "show",
    "starts_at",
    "upcoming",
    "when_of",
]
