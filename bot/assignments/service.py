"""Assignments (uppdrag): who shall do what, by when, and to whom they report back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import meetings, organs
from bot.assignments import texts
from bot.assignments.model import (
    DONE,
    MAX_NOTE,
    MAX_WHAT,
    OPEN,
    STRUCK,
    Due,
    OwnerSpec,
    View,
)
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import DateError, MeetingRef, parse_due
from bot.core.errors import NotAllowed, UserError
from bot.decisions import texts as decision_texts
from storage.models import (
    Assignment,
    AssignmentEvent,
    AssignmentOwner,
    Decision,
    Meeting,
    Organ,
)


def resolve_due(
    session: Session, ctx: Ctx, due_text: str, aliases: dict[str, str] | None = None
) -> Due:
    """A due point as typed: a date, or a meeting (`aliases`: the organs' names, if the caller
    has them already)."""
    try:
        parsed = parse_due(due_text, ctx.app.today(), aliases or organs.aliases(session))
    except DateError as error:
        raise UserError(str(error)) from None
    if not isinstance(parsed, MeetingRef):
        if parsed.end < ctx.app.today():
            raise UserError(texts.due_in_past(parsed.end))
        return Due(day=parsed.end)
    organ = organs.get(session, parsed.organ)
    assert organ.id is not None
    if parsed.on is not None:
        meeting = meetings.on_date(session, organ.id, parsed.on)
        if meeting is None:
            return Due(day=parsed.on, organ=organ)
        return Due(day=meeting.start_date, meeting=meeting)
    meeting = meetings.next_of(session, organ.id, ctx.app.today())
    if meeting is None:
        return Due(organ=organ)
    return Due(day=meeting.start_date, meeting=meeting)


def create(
    ctx: Ctx,
    owners: list[OwnerSpec],
    what: str,
    due_text: str | None,
    report_to: str | None = None,
    *,
    decision_id: int | None = None,
    decision_ref: str | None = None,
    organ_id: int | None = None,
    session: Session | None = None,
    aliases: dict[str, str] | None = None,
) -> View:
    what = what.strip()
    if not owners:
        raise UserError(texts.ASSIGNMENT_NO_OWNER)
    if not what:
        raise UserError(texts.ASSIGNMENT_USAGE)
    if len(what) > MAX_WHAT:
        raise UserError(core_texts.too_long("uppdraget", len(what), MAX_WHAT))
    for owner in owners:
        if owner.user_id and not ctx.directory.user_exists(owner.user_id):
            raise UserError(core_texts.unknown_user(owner.user_id))
    args = (owners, what, due_text, report_to, decision_id, decision_ref, organ_id, aliases)
    if session is not None:
        return _create_in(session, ctx, *args)
    for attempt in range(3):
        try:
            with ctx.db.transaction(write=True) as own:
                return _create_in(own, ctx, *args)
        except IntegrityError:
            if attempt == 2:  # the serial was taken by a concurrent command three times
                raise
    raise AssertionError("unreachable")


def _create_in(
    session: Session,
    ctx: Ctx,
    owners: list[OwnerSpec],
    what: str,
    due_text: str | None,
    report_to: str | None,
    decision_id: int | None,
    decision_ref: str | None,
    organ_id: int | None,
    aliases: dict[str, str] | None,
) -> View:
    decision = None
    if decision_ref:
        decision = session.exec(
            select(Decision).where(Decision.ref == decision_ref.strip().upper())
        ).first()
        if decision is None:
            raise UserError(decision_texts.unknown_decision(decision_ref))
    elif decision_id is not None:
        decision = session.get(Decision, decision_id)
    if decision is not None:
        decision_id = decision.id
        organ_id = organ_id or decision.organ_id
    due = resolve_due(session, ctx, due_text, aliases) if due_text else Due()
    if organ_id is None:
        origin = organs.for_channel(session, ctx.channel_id)
        organ_id = origin.id if origin else None
    owner_rows: list[AssignmentOwner] = []
    owner_organs: dict[int, Organ] = {}
    for spec in owners:
        if spec.organ:
            organ = organs.get(session, spec.organ)
            assert organ.id is not None
            owner_organs[organ.id] = organ
            row = AssignmentOwner(assignment_id=0, organ_id=organ.id)
        else:
            row = AssignmentOwner(assignment_id=0, user_id=spec.user_id)
        if not any(r.user_id == row.user_id and r.organ_id == row.organ_id for r in owner_rows):
            owner_rows.append(row)
    ctx.db.serialise(session, "assignment-serial")
    serial = (session.exec(select(func.count()).select_from(Assignment)).one() or 0) + 1
    now = ctx.app.now()
    assignment = Assignment(
        ref=f"U-{serial}",
        organ_id=organ_id,
        decision_id=decision_id,
        what=what,
        due_date=due.day,
        due_meeting_id=due.meeting.id if due.meeting else None,
        due_organ_id=due.organ.id if due.organ else None,
        report_to=(report_to or "").strip()[:200] or None,
        created_by=ctx.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(assignment)
    session.flush()
    assert assignment.id is not None
    for row in owner_rows:
        row.assignment_id = assignment.id
        session.add(row)
    session.add(AssignmentEvent(assignment_id=assignment.id, kind="skapad", by=ctx.user_id, at=now))
    session.flush()
    return View(assignment, owner_rows, due.meeting, due.organ, owner_organs, decision)


def views_for(session: Session, assignments: list[Assignment]) -> list[View]:
    """Owners, due meetings and organs for many assignments in a fixed number of queries."""
    if not assignments:
        return []
    ids = [a.id for a in assignments]
    owners = session.exec(
        select(AssignmentOwner)
        .where(col(AssignmentOwner.assignment_id).in_(ids))
        .order_by(col(AssignmentOwner.id))
    ).all()
    meeting_ids = {a.due_meeting_id for a in assignments if a.due_meeting_id}
    due_meetings = {
        m.id: m for m in session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids))).all()
    }
    all_organs = {o.id: o for o in session.exec(select(Organ)).all() if o.id is not None}
    decision_ids = {a.decision_id for a in assignments if a.decision_id}
    decisions = {
        d.id: d
        for d in session.exec(select(Decision).where(col(Decision.id).in_(decision_ids))).all()
    }
    by_assignment: dict[int, list[AssignmentOwner]] = {}
    for owner in owners:
        by_assignment.setdefault(owner.assignment_id, []).append(owner)
    return [
        View(
            a,
            by_assignment.get(a.id or 0, []),
            due_meetings.get(a.due_meeting_id) if a.due_meeting_id else None,
            all_organs.get(a.due_organ_id) if a.due_organ_id else None,
            all_organs,
            decisions.get(a.decision_id) if a.decision_id else None,
        )
        for a in assignments
    ]


def owned_by(user_id: str) -> ColumnElement[bool]:
    """Assignments a person answers for: as an owner, or as convenor of an owning organ."""
    convenor_of = select(Organ.id).where(Organ.convenor_user_id == user_id)
    owned = select(AssignmentOwner.assignment_id).where(
        or_(
            col(AssignmentOwner.user_id) == user_id,
            col(AssignmentOwner.organ_id).in_(convenor_of),
        )
    )
    return col(Assignment.id).in_(owned)


def mine(ctx: Ctx, limit: int = 50) -> list[View]:
    return listing(ctx, user_id=ctx.user_id, limit=limit)


def listing(
    ctx: Ctx, *, user_id: str | None = None, organ_name: str | None = None, limit: int = 50
) -> list[View]:
    """Open assignments: of a person (including organs they convene), of an organ, or all."""
    with ctx.db.transaction() as session:
        query = select(Assignment).where(Assignment.status == OPEN)
        if user_id:
            query = query.where(owned_by(user_id))
        if organ_name:
            organ = organs.get(session, organ_name)
            owned = select(AssignmentOwner.assignment_id).where(
                AssignmentOwner.organ_id == organ.id
            )
            query = query.where(
                or_(col(Assignment.organ_id) == organ.id, col(Assignment.id).in_(owned))
            )
        query = query.order_by(
            col(Assignment.due_date).is_(None), col(Assignment.due_date), col(Assignment.id)
        )
        rows = list(session.exec(query.limit(limit)).all())
        return views_for(session, rows)


def _get(session: Session, ref: str) -> View:
    key = ref.strip().upper()
    if key.startswith("U") and not key.startswith("U-"):
        key = "U-" + key[1:]
    assignment = session.exec(select(Assignment).where(Assignment.ref == key)).first()
    if assignment is None:
        raise UserError(texts.unknown_assignment(ref))
    return views_for(session, [assignment])[0]


def show(ctx: Ctx, ref: str) -> tuple[View, list[AssignmentEvent]]:
    with ctx.db.transaction() as session:
        view = _get(session, ref)
        events = list(
            session.exec(
                select(AssignmentEvent)
                .where(AssignmentEvent.assignment_id == view.assignment.id)
                .order_by(col(AssignmentEvent.id))
            ).all()
        )
        return view, events


def _may_manage(ctx: Ctx, view: View) -> bool:
    if ctx.user_id in view.owner_users():
        return True
    origin = view.organs.get(view.assignment.organ_id or 0)
    if origin is not None and origin.convenor_user_id == ctx.user_id:
        return True
    return ctx.is_admin()


def _change(
    ctx: Ctx,
    ref: str,
    kind: str,
    note: str | None,
    *,
    new_due: str | None = None,
    after_meeting: str | None = None,
) -> View:
    if note and len(note) > MAX_NOTE:
        raise UserError(core_texts.too_long("texten", len(note), MAX_NOTE))
    with ctx.db.transaction(write=True) as session:
        view = _get(session, ref)
        assignment = view.assignment
        if not _may_manage(ctx, view):
            raise NotAllowed(texts.assignment_not_yours(assignment.ref))
        if assignment.status != OPEN:
            raise UserError(texts.assignment_not_open(assignment.ref, assignment.status))
        now = ctx.app.now()
        if kind == "flyttad":
            due = (
                _after(session, ctx, after_meeting, ref)
                if after_meeting
                else resolve_due(session, ctx, new_due or "")
            )
            assignment.due_date = due.day
            assignment.due_meeting_id = due.meeting.id if due.meeting else None
            assignment.due_organ_id = due.organ.id if due.organ else None
            view.due_meeting, view.due_organ = due.meeting, due.organ
            note = texts.due_label(view)
        elif kind == "status":
            assignment.last_status = note
        else:
            assignment.status = DONE if kind == DONE else STRUCK
            assignment.closed_at = now
            assignment.closed_by = ctx.user_id
            if note:
                assignment.last_status = note
        if kind != "status":  # its deadline in calendar feeds moved, or went
            assignment.sequence += 1
        assignment.updated_at = now
        session.add(assignment)
        assert assignment.id is not None
        session.add(
            AssignmentEvent(
                assignment_id=assignment.id, kind=kind, text=note, by=ctx.user_id, at=now
            )
        )
        return view


def _after(session: Session, ctx: Ctx, meeting_ref: str, ref: str) -> Due:
    """The organ's next meeting after the given one (or 'next, not planned yet')."""
    meeting, organ = meetings.get(session, meeting_ref)
    assert organ.id is not None
    # Never earlier than it is due now (a reminder also lists items due later).
    current = _get(session, ref).assignment.due_date or meeting.start_date
    after = max(meeting.start_date, current, ctx.app.today()) + timedelta(days=1)
    following = meetings.next_of(session, organ.id, after)
    if following is None:
        return Due(organ=organ)
    return Due(day=following.start_date, meeting=following)


def move_to_next_meeting(ctx: Ctx, ref: str, meeting_ref: str) -> View:
    """'Flytta till nästa möte' on a reminder: due at the organ's meeting after this one."""
    return _change(ctx, ref, "flyttad", None, after_meeting=meeting_ref)


def remind(ctx: Ctx, ref: str) -> View:
    """`/uppdrag påminn`: the organ's convenor or an admin nudges the owners now."""
    with ctx.db.transaction(write=True) as session:
        view = _get(session, ref)
        a = view.assignment
        convenors = {
            o.convenor_user_id
            for o in (view.organs.get(a.organ_id or 0), view.due_organ)
            if o is not None and o.convenor_user_id
        }
        if view.due_meeting is not None:
            host = view.organs.get(view.due_meeting.organ_id)
            if host is not None and host.convenor_user_id:
                convenors.add(host.convenor_user_id)
        if ctx.user_id not in convenors and not ctx.is_admin():
            raise NotAllowed(texts.REMIND_NOT_ALLOWED)
        if a.status != OPEN:
            raise UserError(texts.assignment_not_open(a.ref, a.status))
        assert a.id is not None
        session.add(
            AssignmentEvent(assignment_id=a.id, kind="påmind", by=ctx.user_id, at=ctx.app.now())
        )
        return view


def close(ctx: Ctx, ref: str, comment: str | None) -> View:
    return _change(ctx, ref, DONE, comment or None)


def add_status(ctx: Ctx, ref: str, status: str) -> View:
    if not status.strip():
        raise UserError(texts.ASSIGNMENT_STATUS_USAGE)
    return _change(ctx, ref, "status", status.strip())


def move(ctx: Ctx, ref: str, due_text: str) -> View:
    if not due_text.strip():
        raise UserError(texts.ASSIGNMENT_MOVE_USAGE)
    return _change(ctx, ref, "flyttad", None, new_due=due_text)


def strike(ctx: Ctx, ref: str, reason: str) -> View:
    if not reason.strip():
        raise UserError(texts.ASSIGNMENT_STRIKE_USAGE)
    return _change(ctx, ref, STRUCK, reason.strip())
