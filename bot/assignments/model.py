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
    """An owner as typed: a Slack user id, an organ's short name, or the name of somebody who
    is not in Slack ("regionen", "Marcus (Växjö kommun)")."""

    user_id: str | None = None
    organ: str | None = None
    name: str | None = None


@dataclass
class Due:
    day: date | None = None
    meeting: Meeting | None = None
    organ: Organ | None = None  # "nästa AU" before any AU meeting is planned
    after: date | None = None  # with organ: its first meeting after this day, not planned yet
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
        """Who answers: user owners, each organ owner's convenor, and for owners not in Slack
        the convenor of the organ the assignment came from."""
        return answering(
            ((o.user_id, o.organ_id) for o in self.owners),
            self.organs,
            self.assignment.organ_id,
        )

    def pending_users(self) -> list[str]:
        """Who answers for the parts not done yet: the ones still reminded."""
        return answering(
            ((o.user_id, o.organ_id) for o in self.owners if o.done_at is None),
            self.organs,
            self.assignment.organ_id,
        )

    def parts_of(self, user_id: str) -> list[AssignmentOwner]:
        """The owner rows this person answers for."""
        return [
            o
            for o in self.owners
            if answering([(o.user_id, o.organ_id)], self.organs, self.assignment.organ_id)
            == [user_id]
        ]


def answering(
    owners: Iterable[tuple[str | None, int | None]],
    organs_by_id: Mapping[int, Organ],
    origin: int | None = None,
) -> list[str]:
    """Who answers for an assignment, once each and in order, given its owners as (user id,
    organ id): a user owner answers for themself, an owning organ through its convenor (an
    organ without one has nobody to answer), and an owner named but not in Slack (neither)
    through the convenor of `origin`, the organ the assignment came from."""
    result: list[str] = []
    for user_id, organ_id in owners:
        if user_id:
            user: str | None = user_id
        else:
            by = organ_id if organ_id is not None else origin
            organ = organs_by_id.get(by) if by is not None else None
            user = organ.convenor_user_id if organ is not None else None
        if user and user not in result:
            result.append(user)
    return result


def affected(user_id: str, view: View) -> list[str]:
    """Whose Home tab shows this assignment: its owners, and whoever just changed it."""
    return list(dict.fromkeys([*view.owner_users(), user_id]))
