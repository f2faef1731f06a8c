"""Meetings and other sessions of an organ: scheduled, listed, moved, cancelled.

The feature's service, re-exported: `from bot import meetings` then `meetings.<name>`."""

from bot.meetings.model import (
    CANCELLED,
    HELD,
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
    record,
    schedule,
    show,
    upcoming,
)

__all__ = [
    "CANCELLED",
    "HELD",
    "KINDS",
    "PLANNED",
    "cancel",
    "get",
    "may_manage",
    "move",
    "next_of",
    "on_date",
    "record",
    "schedule",
    "show",
    "upcoming",
    "when_of",
]
