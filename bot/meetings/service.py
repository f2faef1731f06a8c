"""Meetings and sessions of organs: scheduled, listed, moved and cancelled."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot import organs
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import When
from bot.core.errors import NeedsConfirmation, NotAllowed, UserError
from bot.core.workdays import holiday_name, is_working_day
from bot.meetings import texts
from bot.meetings.model import CANCELLED, HELD, MEETING, PLANNED, has_ended, when_of
from storage.models import Assignment, Meeting, Organ

# What people call a session → the kind we keep.
KINDS = {
    "möte": "möte",
    "sammanträde": "möte",
    "workshop": "workshop",
    "internat": "internat",
    "planeringsdagar": "internat",
    "spridningskonferens": "spridningskonferens",
    "konferens": "konferens",
    "nätverksträff": "nätverksträff",
    "utbildning": "utbildning",
}


def may_manage(ctx: Ctx, organ: Organ) -> bool:
    return ctx.user_id == organ.convenor_user_id or ctx.is_admin()


def schedule(
    ctx: Ctx,
    organ_name: str | None,
    when: When,
    *,
    kind: str = "möte",
    location: str | None = None,
    title: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[Meeting, Organ]:
    """Plan (or record) a meeting. What looks like a mistake (`warnings` from the caller, a
    weekend or holiday, a second meeting of the organ that day, a local time that does not
    exist or happens twice) is asked about first unless the user has answered *Spara ändå*."""
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
    with ctx.db.transaction(write=True) as session:
        organ = organs.resolve(session, ctx, organ_name)
        if not may_manage(ctx, organ):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if not ctx.confirmed:
            found = list(warnings or []) + _warnings(session, ctx, organ, when)
            if found:
                raise NeedsConfirmation(found)
        meeting = record(session, ctx, organ, when, kind=kind, location=location, title=title)
    return meeting, organ


def schedule_series(
    ctx: Ctx,
    organ_name: str | None,
    occurrences: list[When],
    rule: str,
    *,
    location: str | None = None,
) -> tuple[list[Meeting], Organ]:
    """Plan a recurring series ("varje torsdag 13-14 från 5 juni till 28 augusti"): one meeting
    per occurrence, each with its own reference (for reminders, moves and cancellations), all
    carrying the series' UID and its RRULE. What looks like a mistake on any of the dates is
    asked about first, once for the whole series."""
    series_uid = f"{uuid.uuid4()}@ledningsbot"
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
    with ctx.db.transaction(write=True) as session:
        organ = organs.resolve(session, ctx, organ_name)
        if not may_manage(ctx, organ):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if not ctx.confirmed:
            found = [w for when in occurrences for w in _warnings(session, ctx, organ, when)]
            if found:
                raise NeedsConfirmation(found)
        created = []
        for when in occurrences:
            meeting = record(session, ctx, organ, when, location=location)
            meeting.series_uid, meeting.series_rule = series_uid, rule
            # The series as planned: what its calendar item is made of, kept when this
            # occurrence is moved (its RECURRENCE-ID is its date here).
            meeting.series_date = when.start
            meeting.series_start, meeting.series_end = when.start_time, when.end_time
            meeting.series_location = meeting.location
            session.add(meeting)
            created.append(meeting)
        session.flush()
    return created, organ


def _warnings(session: Session, ctx: Ctx, organ: Organ, when: When) -> list[str]:
    found = []
    day = when.start
    if not is_working_day(day):
        found.append(texts.warn_not_working_day(day, holiday_name(day)))
    same_day = session.exec(
        select(Meeting).where(
            Meeting.organ_id == organ.id,
            Meeting.start_date <= when.end,
            Meeting.end_date >= when.start,
            Meeting.status != CANCELLED,
        )
    ).first()
    if same_day is not None:
        found.append(texts.warn_same_day(same_day.ref, organ.short_name))
    tz = ctx.app.tz
    for moment in (when.start_time, when.end_time):
        if moment is None:
            continue
        local = datetime.combine(day, moment, tzinfo=tz)
        if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
            found.append(texts.warn_no_such_time(day, moment))
        elif local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
            found.append(texts.warn_twice(day, moment))
    return found


def record(
    session: Session,
    ctx: Ctx,
    organ: Organ,
    when: When,
    *,
    kind: str = "möte",
    location: str | None = None,
    title: str | None = None,
) -> Meeting:
    """Add a meeting inside the caller's transaction (`schedule`, or a set of minutes read in):
    one that has already ended is recorded as held (``HELD``: no reminder or invitation is
    ever planned for it, and its decisions can hang on it); a coming one is planned. The
    caller checks who may (``may_manage``)."""
    now = ctx.app.now()
    meeting = Meeting(
        ref=_free_ref(session, organ, when.start),
        organ_id=_id(organ),
        kind=kind,
        title=title,
        start_date=when.start,
        end_date=when.end,
        start_time=when.start_time,
        end_time=when.end_time,
        location=location or None,
        uid=f"{uuid.uuid4()}@ledningsbot",
        created_by=ctx.user_id,
        created_at=now,
        updated_at=now,
    )
    meeting.status = HELD if has_ended(meeting, now, ctx.app.tz) else PLANNED
    session.add(meeting)
    session.flush()
    return meeting


def _free_ref(session: Session, organ: Organ, day: date) -> str:
    base = f"{organ.short_name}-{day:%y%m%d}"
    taken = set(session.exec(select(Meeting.ref).where(col(Meeting.ref).startswith(base))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _id(row: Organ | Meeting) -> int:
    assert row.id is not None
    return row.id


def get(session: Session, ref: str) -> tuple[Meeting, Organ]:
    row = session.exec(
        select(Meeting, Organ)
        .join(Organ, col(Organ.id) == Meeting.organ_id)
        .where(Meeting.ref == ref.strip().upper())
    ).first()
    if row is None:
        raise UserError(texts.unknown_meeting(ref))
    return row[0], row[1]


def show(ctx: Ctx, ref: str) -> tuple[Meeting, Organ]:
    with ctx.db.transaction() as session:
        return get(session, ref)


def upcoming(
    ctx: Ctx, organ_name: str | None, limit: int = 25, *, organ_ids: list[int] | None = None
) -> list[tuple[Meeting, Organ]]:
    """Planned meetings not yet over (one that ended earlier today is not shown): of one organ,
    of some organs (`organ_ids`), or all."""
    now = ctx.app.now()
    with ctx.db.transaction() as session:
        query = (
            select(Meeting, Organ)
            .join(Organ, col(Organ.id) == Meeting.organ_id)
            .where(Meeting.end_date >= ctx.app.today(), Meeting.status == PLANNED)
        )
        if organ_name:
            query = query.where(Meeting.organ_id == _id(organs.get(session, organ_name)))
        if organ_ids is not None:
            query = query.where(col(Meeting.organ_id).in_(organ_ids))
        query = query.order_by(col(Meeting.start_date), col(Meeting.start_time), col(Meeting.id))
        result: list[tuple[Meeting, Organ]] = []
        for meeting, organ in session.exec(query):
            if not has_ended(meeting, now, ctx.app.tz):
                result.append((meeting, organ))
                if len(result) == limit:
                    break
        return result


def move(ctx: Ctx, ref: str, when: When, location: str | None) -> tuple[Meeting, Organ, When]:
    """Move a meeting; the ref and UID stay, the sequence rises. Returns the old time too."""
    ctx.know_admin()
    with ctx.db.transaction(write=True) as session:
        meeting, organ = get(session, ref)
        if not may_manage(ctx, organ):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if meeting.status == CANCELLED:
            raise UserError(texts.meeting_cancelled_already(meeting.ref))
        if meeting.status == HELD:
            raise UserError(texts.meeting_held_already(meeting.ref))
        if when.end < ctx.app.today():
            raise UserError(texts.meeting_in_past(when))
        old = when_of(meeting)
        meeting.start_date, meeting.end_date = when.start, when.end
        meeting.start_time, meeting.end_time = when.start_time, when.end_time
        if location:
            meeting.location = location
        meeting.sequence += 1
        meeting.updated_at = ctx.app.now()
        session.add(meeting)
        # Assignments due at this meeting are now due at its new date (and their deadlines in
        # calendar feeds are new versions).
        if when.start != old.start:
            session.execute(
                update(Assignment)
                .where(col(Assignment.due_meeting_id) == meeting.id)
                .values(due_date=when.start, sequence=col(Assignment.sequence) + 1)
            )
    return meeting, organ, old


def cancel(
    ctx: Ctx,
    ref: str,
    reason: str | None,
    *,
    then: Callable[[Session, Meeting], None] | None = None,
) -> tuple[Meeting, Organ]:
    """Cancel a meeting; `then` runs in the same transaction once it is cancelled (the command
    layer moves what was due at it), so both happen or neither."""
    ctx.know_admin()
    with ctx.db.transaction(write=True) as session:
        meeting, organ = get(session, ref)
        if not may_manage(ctx, organ):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if meeting.status == CANCELLED:
            raise UserError(texts.meeting_cancelled_already(meeting.ref))
        if meeting.status == HELD:
            raise UserError(texts.meeting_held_already(meeting.ref))
        meeting.status = CANCELLED
        meeting.cancel_reason = reason or None
        meeting.sequence += 1
        meeting.updated_at = ctx.app.now()
        session.add(meeting)
        session.flush()
        if then is not None:
            then(session, meeting)
    return meeting, organ


def on_date(
    session: Session, organ_id: int, day: date, *, prefer: str | None = None
) -> Meeting | None:
    """The organ's session on that day (planned, or recorded as held); of the kind `prefer` if
    there is one."""
    rows = session.exec(
        select(Meeting)
        .where(
            Meeting.organ_id == organ_id,
            Meeting.start_date <= day,
            Meeting.end_date >= day,
            col(Meeting.status).in_((PLANNED, HELD)),
        )
        .order_by(col(Meeting.start_time), col(Meeting.id))
    ).all()
    return next((m for m in rows if m.kind == prefer), rows[0] if rows else None)


def next_of(session: Session, organ_id: int, after: date, *, kind: str = MEETING) -> Meeting | None:
    """The organ's next planned meeting (or session of `kind`) starting on or after `after`."""
    return session.exec(
        select(Meeting)
        .where(
            Meeting.organ_id == organ_id,
            Meeting.start_date >= after,
            Meeting.status == PLANNED,
            Meeting.kind == kind,
        )
        .order_by(col(Meeting.start_date), col(Meeting.start_time), col(Meeting.id))
    ).first()


def next_open(
    session: Session,
    organ_id: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    kind: str = MEETING,
    first: date | None = None,
    last: date | None = None,
) -> Meeting | None:
    """ "Nästa LG": the organ's first planned meeting (or session of `kind`) that has not ended
    by `now` (one still running, or later today, counts), optionally starting between `first`
    and `last`. A workshop or an internat is not the organ's meeting unless asked for by kind."""
    query = select(Meeting).where(
        Meeting.organ_id == organ_id,
        Meeting.end_date >= now.astimezone(tz).date(),
        Meeting.status == PLANNED,
        Meeting.kind == kind,
    )
    if first is not None:
        query = query.where(Meeting.start_date >= first)
    if last is not None:
        query = query.where(Meeting.start_date <= last)
    query = query.order_by(col(Meeting.start_date), col(Meeting.start_time), col(Meeting.id))
    for meeting in session.exec(query):
        if not has_ended(meeting, now, tz):
            return meeting
    return None
