"""Assignments (uppdrag): who shall do what, by when, and to whom they report back.

The feature's service, re-exported: `from bot import assignments` then `assignments.<name>`."""

from bot.assignments.model import (
    DONE,
    MAX_NOTE,
    MAX_WHAT,
    OPEN,
    STRUCK,
    Due,
    OwnerSpec,
    View,
    affected,
    answering,
)
from bot.assignments.service import (
    add_status,
    close,
    create,
    listing,
    mine,
    move,
    move_to_next_meeting,
    owned_by,
    remind,
    resolve_due,
    show,
    strike,
    views_for,
)

__all__ = [
    "DONE",
    "MAX_NOTE",
    "MAX_WHAT",
    "OPEN",
    "STRUCK",
    "Due",
    "OwnerSpec",
    "View",
    "add_status",
    "affected",
    "answering",
    "close",
    "create",
    "listing",
    "mine",
    "move",
    "move_to_next_meeting",
    "owned_by",
    "remind",
    "resolve_due",
    "show",
    "strike",
    "views_for",
]
