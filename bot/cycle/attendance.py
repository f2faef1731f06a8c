"""Attendance: who was present, absent, and which guests came, with their organisations.

The starting point is the RSVPs: the first time attendance is recorded, those who said they
would come are present and those who said they would not are absent; what is typed then
changes that. People outside Slack are given by name and organisation. A person's
organisation, once given, is remembered for later meetings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot import meetings
from bot.calendar import invites
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.cycle import texts
from bot.cycle.agenda import managed_meeting
from bot.cycle.model import ABSENT, GUEST, PRESENT
from storage.models import Attendee, Meeting, Organ

MAX_NAME = 200


@dataclass(frozen=True)
class Entry:
    user_id: str | None = None
    name: str | None = None
    organisation: str | None = None


@dataclass
class Spec:
    """What one `/mote närvaro` says, by role."""

    by_role: dict[str, list[Entry]] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(v) for v in self.by_role.values())


@dataclass
class Row:
    role: str
    user_id: str | None
    name: str
    organisation: str | None


@dataclass
class Listing:
    meeting: Meeting
    organ: Organ
    rows: list[Row]


def _known(session: Session, meeting: Meeting) -> list[Attendee]:
    return list(
        session.exec(
            select(Attendee).where(Attendee.meeting_id == meeting.id).order_by(col(Attendee.id))
        ).all()
    )


def remembered_organisations(session: Session, users: list[str]) -> dict[str, str]:
    """The organisation last given for each of these people, at any meeting."""
    if not users:
        return {}
    rows = session.exec(
        select(Attendee.user_id, Attendee.organisation)
        .where(col(Attendee.user_id).in_(users), col(Attendee.organisation).is_not(None))
        .order_by(col(Attendee.id))
    ).all()
    return {user: org for user, org in rows if user and org}


def record(ctx: Ctx, ref: str, spec: Spec) -> tuple[Listing, dict[str, int]]:
    if not spec.count():
        raise UserError(texts.ATTENDANCE_USAGE)
    for entries in spec.by_role.values():
        for entry in entries:
            if entry.user_id and not ctx.directory.user_exists(entry.user_id):
                from bot.core import texts as core_texts

                raise UserError(core_texts.unknown_user(entry.user_id))
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        ctx.db.serialise(session, f"attendance:{meeting.id}")
        now = ctx.app.now()
        rows = _known(session, meeting)
        assert meeting.id is not None
        if not rows:  # the starting point: the answers to the invitation
            answers = invites.answers(session, meeting).by_answer
            for rsvp, role in ((invites.KOMMER, PRESENT), (invites.KOMMER_INTE, ABSENT)):
                for user in answers.get(rsvp, []):
                    row = Attendee(
                        meeting_id=meeting.id,
                        user_id=user,
                        role=role,
                        recorded_by=ctx.user_id,
                        recorded_at=now,
                    )
                    session.add(row)
                    rows.append(row)
        by_user = {r.user_id: r for r in rows if r.user_id}
        by_name = {(r.name or "").casefold(): r for r in rows if r.name and not r.user_id}
        for role, entries in spec.by_role.items():
            for entry in entries:
                found = (
                    by_user.get(entry.user_id)
                    if entry.user_id
                    else by_name.get((entry.name or "").casefold())
                )
                if found is None:
                    found = Attendee(
                        meeting_id=meeting.id,
                        user_id=entry.user_id,
                        name=None if entry.user_id else (entry.name or "")[:MAX_NAME],
                        role=role,
                        recorded_by=ctx.user_id,
                        recorded_at=now,
                    )
                    if entry.user_id:
                        by_user[entry.user_id] = found
                    else:
                        by_name[(entry.name or "").casefold()] = found
                found.role = role
                if entry.organisation:
                    found.organisation = entry.organisation[:MAX_NAME]
                found.recorded_by, found.recorded_at = ctx.user_id, now
                session.add(found)
        session.flush()
        known, remembered = _facts(session, meeting)
    listing = _listed(ctx, meeting, organ, known, remembered)  # names may ask Slack: after
    counts = {
        role: sum(1 for r in listing.rows if r.role == role) for role in (PRESENT, ABSENT, GUEST)
    }
    return listing, counts


def _listing(session: Session, ctx: Ctx, meeting: Meeting, organ: Organ) -> Listing:
    return _listed(ctx, meeting, organ, *_facts(session, meeting))


def _facts(session: Session, meeting: Meeting) -> tuple[list[Attendee], dict[str, str]]:
    """The recorded attendance and the organisations remembered for those without one."""
    known = _known(session, meeting)
    users = [a.user_id for a in known if a.user_id and not a.organisation]
    return known, remembered_organisations(session, users)


def _listed(
    ctx: Ctx, meeting: Meeting, organ: Organ, known: list[Attendee], remembered: dict[str, str]
) -> Listing:
    rows = [
        Row(
            a.role,
            a.user_id,
            ctx.directory.display_name(a.user_id) if a.user_id else (a.name or ""),
            a.organisation or (remembered.get(a.user_id) if a.user_id else None),
        )
        for a in known
    ]
    return Listing(meeting, organ, rows)


def listing(ctx: Ctx, ref: str) -> Listing | None:
    """The recorded attendance; None while none is recorded (then the RSVPs are the list)."""
    with ctx.db.transaction() as session:
        meeting, organ = meetings.get(session, ref)
        if not _known(session, meeting):
            return None
        return _listing(session, ctx, meeting, organ)


def rows_for(session: Session, ctx: Ctx, meeting: Meeting, organ: Organ) -> list[Row]:
    """For the minutes: recorded attendance, or (before any) those who said they would come."""
    if _known(session, meeting):
        return _listing(session, ctx, meeting, organ).rows
    answers = invites.answers(session, meeting).by_answer
    users = [*answers.get(invites.KOMMER, []), *answers.get(invites.KOMMER_INTE, [])]
    remembered = remembered_organisations(session, users)
    rows = [
        Row(PRESENT, u, ctx.directory.display_name(u), remembered.get(u))
        for u in answers.get(invites.KOMMER, [])
    ]
    rows += [
        Row(ABSENT, u, ctx.directory.display_name(u), remembered.get(u))
        for u in answers.get(invites.KOMMER_INTE, [])
    ]
    return rows
