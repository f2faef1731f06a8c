"""Meetings and other sessions of an organ: scheduled, listed, moved, cancelled.

The feature's service, re-exported: `from bot import meetings` then `meetings.<name>`."""

from bot.meetings.model import (
    ALL_DAY_END,
    ALL_DAY_START,
    CANCELLED,
    DEFAULT_LENGTH,
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
    record,
    schedule,
    schedule_series,
    show,
    upcoming,
)

__all__ = [
    "ALL_DAY_END",
    "ALL_DAY_START",
    "CANCELLED",
    "DEFAULT_LENGTH",
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
    "record",
    "schedule",
    "schedule_series",
    "show",
    "starts_at",
    "upcoming",
    "when_of",
]
