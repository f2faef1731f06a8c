"""What an assignment is, below its service and its texts: statuses, owners, due and the view
every reply is built from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from storage.models import Assignment, AssignmentOwner, Decision, Meeting, Organ

OPEN = "öppen"
DONE = "klar"
STRUCK = "struken"
MAX_WHAT = 2000
MAX_NOTE = 2000


@dataclass(frozen=True)
class OwnerSpec:
    """An owner as typed: a Slack user id, or an organ's short name."""

    user_id: str | None = None
    organ: str | None = None


@dataclass
class Due:
    day: date | None = None
    meeting: Meeting | None = None
    organ: Organ | None = None  # "nästa AU" before any AU meeting is planned
    notes: list[str] = field(default_factory=list)  # what the answer should add (Swedish)


@dataclass
class View:
    """An assignment with what it takes to show it."""

    assignment: Assignment
    owners: list[AssignmentOwner] = field(default_factory=list)
    due_meeting: Meeting | None = None
    due_organ: Organ | None = None
    organs: dict[int, Organ] = field(default_factory=dict)
    decision: Decision | None = None
    notes: list[str] = field(default_factory=list)  # remarks for this answer only (Swedish)

    def owner_users(self) -> list[str]:
        """Who answers: user owners, and each organ owner's convenor."""
        return answering(((o.user_id, o.organ_id) for o in self.owners), self.organs)


def answering(
    owners: Iterable[tuple[str | None, int | None]], organs_by_id: Mapping[int, Organ]
) -> list[str]:
    """Who answers for an assignment, once each and in order, given its owners as (user id,
    organ id): a user owner answers for themself, an owning organ through its convenor (an
    organ without one has nobody to answer)."""
    result: list[str] = []
    for user_id, organ_id in owners:
        user = user_id if organ_id is None else organs_by_id[organ_id].convenor_user_id
        if user and user not in result:
            result.append(user)
    return result


def affected(user_id: str, view: View) -> list[str]:
    """Whose Home tab shows this assignment: its owners, and whoever just changed it."""
    return list(dict.fromkeys([*view.owner_users(), user_id]))
