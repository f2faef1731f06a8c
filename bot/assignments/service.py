"""Assignments (uppdrag): who shall do what, by when, and to whom they report back."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
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
from bot.core import search
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import MONTH_NAMES, DateError, When, month_of, parse_due
from bot.core.errors import NeedsConfirmation, NotAllowed, UserError
from bot.core.workdays import holiday_name, is_working_day
from bot.decisions import texts as decision_texts
from storage.models import (
    Assignment,
    AssignmentEvent,
    AssignmentOwner,
    Decision,
    Meeting,
    Organ,
)

Names = tuple[dict[str, str], str | None]  # the organs' aliases, the channel's organ


def resolve_due(session: Session, ctx: Ctx, due_text: str, names: Names | None = None) -> Due:
    """A due point as typed: a date, or a meeting. `names`: the organs' aliases and the
    channel's organ (`organs.names`), if the caller has them already; a meeting without an organ
    (`nästa möte`, `oktobermötet`) is the channel's organ's."""
    aliases, here = names or organs.names(session, ctx.channel_id)
    try:
        parsed = parse_due(due_text, ctx.app.today(), aliases, here=here)
    except DateError as error:
        raise UserError(str(error)) from None
    if isinstance(parsed, When):
        due = _due_day(ctx, parsed, due_text)
        assert due.day is not None
        due.notes += _ask_about(ctx, due.day, due_text)
        return due
    now, tz = ctx.app.now(), ctx.app.tz
    if parsed.ref is not None:
        meeting, _ = meetings.get(session, parsed.ref)
        if meeting.status == meetings.CANCELLED:
            raise UserError(texts.due_meeting_cancelled(meeting.ref))
        if meetings.has_ended(meeting, now, tz):
            raise UserError(texts.due_meeting_over(meeting, due_text))
        return Due(day=meeting.start_date, meeting=meeting)
    organ = organs.get(session, parsed.organ)
    assert organ.id is not None
    kind = parsed.kind or meetings.MEETING
    if parsed.on is not None and parsed.last is not None:  # a month: "LG i oktober"
        in_month = meetings.next_open(
            session, organ.id, now, tz, kind=kind, first=parsed.on, last=parsed.last
        )
        if in_month is None:
            raise UserError(texts.no_meeting_in_month(organ.short_name, kind, parsed.on, due_text))
        return Due(day=in_month.start_date, meeting=in_month)
    if parsed.on is not None:  # a day: "LG 7 oktober"
        that_day = meetings.on_date(session, organ.id, parsed.on, prefer=kind)
        if that_day is not None and parsed.kind and that_day.kind != parsed.kind:
            that_day = None  # "nätverksträff 12 juni" is not the LG meeting that day
        if that_day is not None and meetings.has_ended(that_day, now, tz):
            raise UserError(texts.due_meeting_over(that_day, due_text))
        if that_day is not None:
            return Due(day=that_day.start_date, meeting=that_day)
        if parsed.on < ctx.app.today():
            raise UserError(texts.due_in_past(parsed.on, due_text))
        due = Due(day=parsed.on) if parsed.kind else Due(day=parsed.on, organ=organ)
        due.notes += _ask_about(ctx, parsed.on, due_text)
        return due
    following = meetings.next_open(session, organ.id, now, tz, kind=kind)
    if following is not None:
        return Due(day=following.start_date, meeting=following)
    if parsed.kind:
        raise UserError(texts.no_session_planned(organ.short_name, kind, due_text))
    return Due(organ=organ)


def _due_day(ctx: Ctx, parsed: When, due_text: str) -> Due:
    """A date (or the last day of a week, or of a month: then its last working day)."""
    day = parsed.end
    notes: list[str] = []
    if month_of(parsed):
        while not is_working_day(day) and day > parsed.start:
            day -= timedelta(days=1)
        notes.append(texts.month_end_note(due_text, day))
    if day < ctx.app.today():
        raise UserError(texts.due_in_past(day, due_text))
    return Due(day=day, notes=notes)


_YEAR_TYPED = re.compile(r"\b(?:19|20)\d\d\b|\b\d{6}\b|\b\d{4}-\d\d-\d\d\b")
_DAY_OR_MONTH_TYPED = re.compile(
    r"\b\d{1,2}/\d{1,2}\b|\b(?:" + "|".join(MONTH_NAMES) + r")", re.IGNORECASE
)
FAR_AHEAD = timedelta(days=183)


def _ask_about(ctx: Ctx, day: date, due_text: str) -> list[str]:
    """A due date on a weekend or a holiday, or one typed without a year that lands more than
    half a year ahead, is asked about before it is stored (*Spara ändå* / *Ändra*); once
    answered, the answer still says so."""
    found = []
    if not is_working_day(day):
        found.append(texts.not_a_working_day(day, holiday_name(day)))
    typed_day = _DAY_OR_MONTH_TYPED.search(due_text) and not _YEAR_TYPED.search(due_text)
    if typed_day and day > ctx.app.today() + FAR_AHEAD:
        found.append(texts.due_far_ahead(day, due_text))
    if found and not ctx.confirmed:
        raise NeedsConfirmation(found)
    return found


def check_owners(ctx: Ctx, owners: list[OwnerSpec]) -> None:
    """Every owner named by id is a person in the workspace. Asks Slack (once per request): a
    caller that passes its own write transaction to `create` calls this before opening it."""
    for owner in owners:
        if owner.user_id and not ctx.user_exists(owner.user_id):
            raise UserError(core_texts.unknown_user(owner.user_id))


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
    names: Names | None = None,
) -> View:
    what = what.strip()
    if not owners:
        raise UserError(texts.ASSIGNMENT_NO_OWNER)
    if not what:
        raise UserError(texts.no_what(due_text))
    if len(what) > MAX_WHAT:
        raise UserError(core_texts.too_long("uppdraget", len(what), MAX_WHAT))
    check_owners(ctx, owners)
    args = (owners, what, due_text, report_to, decision_id, decision_ref, organ_id, names)
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
    names: Names | None,
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
    due = resolve_due(session, ctx, due_text, names) if due_text else Due()
    if organ_id is None:
        origin = organs.for_channel(session, ctx.channel_id)
        organ_id = origin.id if origin else None
    owner_rows, owner_organs = _owner_rows(session, owners, 0)
    origin_organ = session.get(Organ, organ_id) if organ_id is not None else None
    if origin_organ is not None and origin_organ.id is not None:
        owner_organs[origin_organ.id] = origin_organ  # its convenor answers for owners not in Slack
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
        due_after=due.after,
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
    view = View(assignment, owner_rows, due.meeting, due.organ, owner_organs, decision)
    view.notes = due.notes
    return view


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
    """Assignments a person answers for, with a part not done yet: as an owner, as convenor of
    an owning organ, or as convenor of the organ an assignment came from for owners who are not
    in Slack."""
    convenor_of = select(Organ.id).where(Organ.convenor_user_id == user_id)
    pending = col(AssignmentOwner.done_at).is_(None)
    owned = select(AssignmentOwner.assignment_id).where(
        pending,
        or_(
            col(AssignmentOwner.user_id) == user_id,
            col(AssignmentOwner.organ_id).in_(convenor_of),
        ),
    )
    named = (
        select(AssignmentOwner.assignment_id)
        .join(Assignment, col(Assignment.id) == AssignmentOwner.assignment_id)
        .where(
            pending,
            col(AssignmentOwner.name).is_not(None),
            col(Assignment.organ_id).in_(convenor_of),
        )
    )
    return or_(col(Assignment.id).in_(owned), col(Assignment.id).in_(named))


def mine(ctx: Ctx, limit: int = 50, offset: int = 0) -> list[View]:
    return listing(ctx, user_id=ctx.user_id, limit=limit, offset=offset)


def listing(
    ctx: Ctx,
    *,
    user_id: str | None = None,
    organ_name: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[View]:
    """Open assignments: of a person (including organs they convene), of an organ, or all; the
    page `offset`, `offset + limit`."""
    with ctx.db.transaction() as session:
        query = select(Assignment).where(_open_of(session, user_id, organ_name))
        query = query.order_by(
            col(Assignment.due_date).is_(None), col(Assignment.due_date), col(Assignment.id)
        )
        rows = list(session.exec(query.offset(offset).limit(limit)).all())
        return views_for(session, rows)


def count_open(ctx: Ctx, *, user_id: str | None = None, organ_name: str | None = None) -> int:
    """How many open assignments `listing` has in all pages."""
    with ctx.db.transaction() as session:
        where = _open_of(session, user_id, organ_name)
        return int(session.exec(select(func.count()).select_from(Assignment).where(where)).one())


def _open_of(session: Session, user_id: str | None, organ_name: str | None) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [col(Assignment.status) == OPEN]
    if user_id:
        conditions.append(owned_by(user_id))
    if organ_name:
        organ = organs.get(session, organ_name)
        owned = select(AssignmentOwner.assignment_id).where(AssignmentOwner.organ_id == organ.id)
        conditions.append(or_(col(Assignment.organ_id) == organ.id, col(Assignment.id).in_(owned)))
    return and_(*conditions)


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
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
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
            assignment.due_after = due.after
            view.due_meeting, view.due_organ = due.meeting, due.organ
            view.notes = due.notes
            note = texts.due_label(view)
        elif kind == "status":
            assignment.last_status = note
        elif kind == DONE and _part_only(ctx, view):
            # One owner of a shared assignment: their part is done; the rest still answer.
            for row in view.parts_of(ctx.user_id):
                row.done_at, row.done_by = now, ctx.user_id
                session.add(row)
            if view.pending_users():
                kind = "del klar"
                if note:
                    assignment.last_status = note
            else:
                _finish(assignment, DONE, ctx.user_id, now, note)
        else:
            _finish(assignment, DONE if kind == DONE else STRUCK, ctx.user_id, now, note)
        if kind not in ("status", "del klar"):  # its deadline in calendar feeds moved, or went
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


def _part_only(ctx: Ctx, view: View) -> bool:
    """`klart` from one who answers for some parts of a shared assignment marks those parts;
    the convenor of the organ it came from, or an admin, who owns no part, closes it all."""
    mine = view.parts_of(ctx.user_id)
    return bool(mine) and len(mine) < len(view.owners)


def _finish(assignment: Assignment, status: str, by: str, now: datetime, note: str | None) -> None:
    assignment.status = status
    assignment.closed_at = now
    assignment.closed_by = by
    if note:
        assignment.last_status = note


def _after(session: Session, ctx: Ctx, meeting_ref: str, ref: str) -> Due:
    """The organ's meeting after the given one. Pressed before that meeting, it is the one
    after it, not the same one again; when that is not planned yet, the assignment waits for
    "the organ's meeting after <date>" (`due_after`) and is no longer due at this one."""
    meeting, organ = meetings.get(session, meeting_ref)
    assert organ.id is not None
    # Never earlier than it is due now (a reminder also lists items due later).
    current = _get(session, ref).assignment.due_date or meeting.start_date
    after = max(meeting.start_date, current, ctx.app.today())
    following = meetings.next_of(session, organ.id, after + timedelta(days=1))
    if following is None:
        return Due(organ=organ, after=after)
    return Due(day=following.start_date, meeting=following)


def settle(ctx: Ctx, meeting: Meeting) -> list[View]:
    """A meeting was planned: what waited for the organ's next meeting ("nästa AU", not planned
    when it was given, or the meeting after a date) is due at it when it is the first planned
    meeting of the organ after that. The history says so."""
    if meeting.kind != meetings.MEETING or meeting.status != meetings.PLANNED:
        return []
    with ctx.db.transaction(write=True) as session:
        rows = session.exec(
            select(Assignment)
            .where(
                Assignment.status == OPEN,
                Assignment.due_organ_id == meeting.organ_id,
                col(Assignment.due_date).is_(None),
                col(Assignment.due_meeting_id).is_(None),
            )
            .order_by(col(Assignment.id))
        ).all()
        now, tz = ctx.app.now(), ctx.app.tz
        chosen = []
        for a in rows:
            if a.due_after is not None and a.due_after >= meeting.start_date:
                continue
            first = (
                meetings.next_of(session, meeting.organ_id, a.due_after + timedelta(days=1))
                if a.due_after is not None
                else meetings.next_open(session, meeting.organ_id, now, tz)
            )
            if first is None or first.id != meeting.id:
                continue
            a.due_date, a.due_meeting_id = meeting.start_date, meeting.id
            a.due_organ_id, a.due_after = None, None
            a.sequence += 1  # its deadline appears in calendar feeds
            a.updated_at = now
            session.add(a)
            assert a.id is not None
            note = texts.settled_note(meeting)
            event = AssignmentEvent(
                assignment_id=a.id, kind="flyttad", text=note, by=ctx.user_id, at=now
            )
            session.add(event)
            chosen.append(a)
        session.flush()
        return views_for(session, chosen)


def move_to_next_meeting(ctx: Ctx, ref: str, meeting_ref: str) -> View:
    """'Flytta till nästa möte' on a reminder: due at the organ's meeting after this one."""
    return _change(ctx, ref, "flyttad", None, after_meeting=meeting_ref)


def remind(ctx: Ctx, ref: str) -> View:
    """`/uppdrag påminn`: the organ's convenor or an admin nudges the owners now."""
    ctx.know_admin()
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


def amend(
    ctx: Ctx,
    ref: str,
    *,
    owners: list[OwnerSpec] | None = None,
    what: str | None = None,
    due_text: str | None = None,
    report_to: str | None = None,
    names: Names | None = None,
) -> tuple[View, list[str], list[str]]:
    """`/uppdrag ändra`: what is given replaces what the assignment says (owners, text, due
    point, reporting back). Returns the view, what changed (Swedish, for the answer and the
    history) and the people who now answer for it and did not before."""
    if owners is None and what is None and due_text is None and report_to is None:
        raise UserError(texts.ASSIGNMENT_AMEND_USAGE)
    if what is not None and len(what) > MAX_WHAT:
        raise UserError(core_texts.too_long("uppdraget", len(what), MAX_WHAT))
    for owner in owners or []:
        if owner.user_id and not ctx.directory.user_exists(owner.user_id):
            raise UserError(core_texts.unknown_user(owner.user_id))
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
    with ctx.db.transaction(write=True) as session:
        view = _get(session, ref)
        a = view.assignment
        if not _may_manage(ctx, view):
            raise NotAllowed(texts.assignment_not_yours(a.ref))
        if a.status != OPEN:
            raise UserError(texts.assignment_not_open(a.ref, a.status))
        before = view.owner_users()
        changes: list[str] = []
        if what is not None and what != a.what:
            a.what = what
            changes.append(texts.changed_what(what))
        if report_to is not None and report_to != (a.report_to or ""):
            a.report_to = report_to[:200] or None
            changes.append(texts.changed_report_to(report_to))
        if due_text is not None:
            due = resolve_due(session, ctx, due_text, names)
            if (due.day, due.meeting, due.organ) != (a.due_date, view.due_meeting, view.due_organ):
                a.due_date = due.day
                a.due_meeting_id = due.meeting.id if due.meeting else None
                a.due_organ_id = due.organ.id if due.organ else None
                view.due_meeting, view.due_organ = due.meeting, due.organ
                changes.append(texts.due_label(view))
            view.notes = due.notes
        if owners is not None:
            rows, owner_organs = _owner_rows(session, owners, a.id or 0)
            view.organs.update(owner_organs)
            old = [(o.user_id, o.organ_id, o.name) for o in view.owners]
            if [(r.user_id, r.organ_id, r.name) for r in rows] != old:
                for row in view.owners:
                    session.delete(row)
                session.flush()
                for row in rows:
                    session.add(row)
                view.owners = rows
                changes.append(texts.changed_owners(view))
        if not changes:
            raise UserError(texts.assignment_unchanged(a.ref))
        now = ctx.app.now()
        a.sequence += 1  # its deadline in calendar feeds (text, owners or time) changed
        a.updated_at = now
        session.add(a)
        assert a.id is not None
        session.add(
            AssignmentEvent(
                assignment_id=a.id, kind="ändrad", text="; ".join(changes), by=ctx.user_id, at=now
            )
        )
        session.flush()
        added = [u for u in view.owner_users() if u not in before]
        return view, changes, added


def _owner_rows(
    session: Session, owners: list[OwnerSpec], assignment_id: int
) -> tuple[list[AssignmentOwner], dict[int, Organ]]:
    """The owner rows (once each), and the owning organs by id."""
    rows: list[AssignmentOwner] = []
    owning: dict[int, Organ] = {}
    for spec in owners:
        if spec.organ:
            organ = organs.get(session, spec.organ)
            assert organ.id is not None
            owning[organ.id] = organ
            row = AssignmentOwner(assignment_id=assignment_id, organ_id=organ.id)
        elif spec.name:
            row = AssignmentOwner(assignment_id=assignment_id, name=spec.name.strip()[:200])
        else:
            row = AssignmentOwner(assignment_id=assignment_id, user_id=spec.user_id)
        if not any(
            (r.user_id, r.organ_id, r.name) == (row.user_id, row.organ_id, row.name) for r in rows
        ):
            rows.append(row)
    return rows, owning


# How many assignments a search counts: exactly up to COUNTED, then "more than COUNTED".
COUNTED = 1000


def search_page(
    ctx: Ctx, query_text: str, *, limit: int = 20, offset: int = 0
) -> search.Hits[View]:
    """Assignments (open or not) whose text or latest status has every word of the query, by
    Swedish stem and as a prefix, the same way `/beslut sök` finds decisions; newest first.
    `limit` of them from `offset`, and how many there are: exact up to COUNTED, COUNTED + 1
    meaning more (the newest COUNTED can be paged through).

    LIKE narrows the rows in SQL (a stem anywhere in the text, in any case); only their id,
    text and status are read, and a word must begin with each stem (`_matches`)."""
    stems = search.query_terms(query_text)
    if not stems:
        raise UserError(texts.ASSIGNMENT_SEARCH_USAGE)
    query = select(Assignment.id, Assignment.what, Assignment.last_status)
    # Case-insensitive on both databases: PostgreSQL's LIKE tells case apart, so ILIKE there;
    # SQLite's LIKE ignores case already (for ASCII, as its lower() does, so ILIKE would only
    # make it slower). A stem with letters outside ASCII is looked for in its capitalised and
    # upper-case forms too, which SQLite never folds (nor PostgreSQL under a C locale):
    # `Åtgärd`, `ÅTGÄRD`.
    insensitive = ctx.db.dialect == "postgresql"
    for stem in stems:
        like = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        variants = [like]
        if not like.isascii():
            variants = sorted({like, like[:1].upper() + like[1:], like.upper()})
        query = query.where(
            or_(
                *(
                    _contains(col(column), variant, insensitive=insensitive)
                    for column in (Assignment.what, Assignment.last_status)
                    for variant in variants
                )
            )
        )
    offset = min(offset, COUNTED)
    limit = max(0, min(limit, COUNTED - offset))
    with ctx.db.transaction() as session:
        hits: list[int] = []
        for assignment_id, what, last_status in session.exec(
            query.order_by(col(Assignment.id).desc())
        ):
            if assignment_id is not None and _matches(what, last_status, stems):
                hits.append(assignment_id)
                if len(hits) > COUNTED:
                    break
        shown = hits[offset : offset + limit]
        if not shown:
            return search.Hits([], len(hits), COUNTED)
        rows = session.exec(
            select(Assignment)
            .where(col(Assignment.id).in_(shown))
            .order_by(col(Assignment.id).desc())
        ).all()
        return search.Hits(views_for(session, list(rows)), len(hits), COUNTED)


def _contains(
    column: Mapped[str] | Mapped[str | None], escaped: str, *, insensitive: bool
) -> ColumnElement[bool]:
    pattern = f"%{escaped}%"
    if insensitive:
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _matches(what: str, last_status: str | None, stems: list[str]) -> bool:
    return search.begins_words(f"{what}\n{last_status or ''}", stems)


def release(session: Session, ctx: Ctx, cancelled: Meeting) -> list[View]:
    """A meeting was cancelled: what was due at it, still open, is due at the organ's next
    meeting after it (or "nästa möte, inte planerat än"). The history says why."""
    rows = list(
        session.exec(
            select(Assignment)
            .where(Assignment.due_meeting_id == cancelled.id, Assignment.status == OPEN)
            .order_by(col(Assignment.id))
        ).all()
    )
    if not rows:
        return []
    organ = session.get(Organ, cancelled.organ_id)
    assert organ is not None and organ.id is not None
    target = meetings.next_open(
        session, organ.id, ctx.app.now(), ctx.app.tz, first=cancelled.start_date
    )
    now = ctx.app.now()
    views = views_for(session, rows)
    for view in views:
        a = view.assignment
        a.due_date = target.start_date if target else None
        a.due_meeting_id = target.id if target else None
        a.due_organ_id = None if target else organ.id
        a.due_after = None
        a.sequence += 1  # its deadline in calendar feeds moved, or went
        a.updated_at = now
        view.due_meeting, view.due_organ = target, None if target else organ
        session.add(a)
        assert a.id is not None
        note = texts.released_note(cancelled.ref, texts.due_label(view))
        session.add(
            AssignmentEvent(assignment_id=a.id, kind="flyttad", text=note, by=ctx.user_id, at=now)
        )
    session.flush()
    return views
