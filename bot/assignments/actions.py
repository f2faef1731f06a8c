"""The assignment buttons (*Klart*, *Lägg till status*, *Flytta till nästa möte*): their action
ids and the row every message about an assignment carries, wherever it is shown."""

from __future__ import annotations

from bot.assignments import texts
from bot.assignments.model import View
from bot.core.replies import Button, Part, buttons

ACTION_DONE = "uppdrag_klar"
ACTION_STATUS = "uppdrag_status"
ACTION_NEXT_MEETING = "uppdrag_nasta_mote"


def assignment_buttons(view: View, meeting_ref: str | None = None) -> Part:
    """The row of buttons under an assignment. *Flytta till nästa möte* is there when the
    assignment is due at a meeting (`meeting_ref`, or its own due meeting)."""
    ref = view.assignment.ref
    items = [
        Button(texts.BUTTON_DONE, ACTION_DONE, ref, "primary"),
        Button(texts.BUTTON_STATUS, ACTION_STATUS, ref),
    ]
    if meeting_ref is None and view.due_meeting is not None:
        meeting_ref = view.due_meeting.ref
    if meeting_ref is not None:
        items.append(Button(texts.BUTTON_NEXT_MEETING, ACTION_NEXT_MEETING, f"{ref}|{meeting_ref}"))
    return buttons(*items)
