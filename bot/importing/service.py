"""Reading a file into a proposal, and storing a reviewed proposal in one transaction.

Stored as if entered by hand: the meeting (a held one, or the planned one already there for
that day), its attendance, justerare and numbered items in the meeting cycle's own tables
(as `/mote närvaro`, `/mote justerare` and `/mote punkt` store them), the later sessions the
minutes announce, the decisions with their § and proposal
(``decisions.log``), the assignments with owners, due and report-back (``assignments.create``),
each linked to its meeting and decision. The original file is kept with the meeting
(``MinutesImport``), with the proposal as stored (attendance, justerare and items included).
Its SHA-256 is unique: the same file imported twice stores nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import assignments, decisions, meetings, organs
from bot.assignments import OwnerSpec
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import When
from bot.core.errors import NotAllowed, UserError
from bot.cycle import model as cycle_model
from bot.importing import texts
from bot.importing.model import Due, Proposal
from bot.importing.parsing import Known, builtin_organs, propose
from bot.importing.reading import Source, read_bytes
from bot.importing.when import fold
from storage.models import (
    AgendaItem,
    Assignment,
    Attendee,
    ItemAssignment,
    Meeting,
    MinutesAdjuster,
    MinutesImport,
    Organ,
)

MAX_NAME = 200
MAX_TITLE = 300

CONTENT_TYPES = {
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}


@dataclass
class Stored:
    meeting: Meeting
    organ: Organ
    decisions: int = 0
    assignments: int = 0
    sessions: list[Meeting] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def known_for(ctx: Ctx, people: Mapping[str, str] | None) -> Known:
    """What the minutes may name: the organs in the database (and LG/AU's everyday names),
    and the people given (full name → Slack user id; None: no directory)."""
    with ctx.db.transaction() as session:
        table = builtin_organs() | organs.aliases(session)
    return Known(people=people, organs=table)


def read(ctx: Ctx, data: bytes, name: str, known: Known, organ: str | None = None) -> Proposal:
    """The proposal for a file's bytes (nothing is stored)."""
    source: Source = read_bytes(data, name)
    return propose(source, known, today=ctx.app.today(), organ=organ)


def imported(ctx: Ctx, data: bytes) -> Meeting | None:
    """The meeting a file with these bytes was already imported into, if any."""
    with ctx.db.transaction() as session:
        row = session.exec(
            select(Meeting)
            .join(MinutesImport, col(MinutesImport.meeting_id) == Meeting.id)
            .where(MinutesImport.content_hash == content_hash(data))
        ).first()
        return row


def store(
    ctx: Ctx,
    proposal: Proposal,
    data: bytes,
    name: str,
    people: Mapping[str, str] | None = None,
) -> Stored:
    """Store a reviewed proposal in one transaction, or nothing (a UserError says why)."""
    # Both may ask Slack: before the write lock, never while holding it.
    ctx.know_admin()
    ctx.know_users(sorted(set((people or {}).values())))
    try:
        with ctx.db.transaction(write=True) as session:
            return _store(session, ctx, proposal, data, name, people or {})
    except IntegrityError:
        # The same file, imported at the same moment by someone else: the hash caught it.
        done = imported(ctx, data)
        if done is None:
            raise
        raise UserError(texts.already_imported(name, done.ref)) from None


def _store(
    session: Session,
    ctx: Ctx,
    proposal: Proposal,
    data: bytes,
    name: str,
    people: Mapping[str, str],
) -> Stored:
    digest = content_hash(data)
    earlier = session.exec(
        select(Meeting)
        .join(MinutesImport, col(MinutesImport.meeting_id) == Meeting.id)
        .where(MinutesImport.content_hash == digest)
    ).first()
    if earlier is not None:
        raise UserError(texts.already_imported(name, earlier.ref))
    if not proposal.organ:
        raise UserError(texts.organ_missing())
    if proposal.date is None:
        raise UserError(texts.date_missing())
    organ = organs.get(session, proposal.organ)
    if not meetings.may_manage(ctx, organ):
        raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
    assert organ.id is not None
    when = When(proposal.date, proposal.date, proposal.start, proposal.end)
    if when.start_time is None:
        when = When(proposal.date, proposal.date)
    days = {proposal.date} | {s.start_date for s in proposal.sessions}
    existing = _existing(session, organ.id, days)
    meeting = existing.get(("möte", proposal.date)) or meetings.record(
        session, ctx, organ, when, kind="möte", location=proposal.place
    )
    stored = Stored(meeting, organ)
    by_day: dict[date, Meeting] = {proposal.date: meeting}
    for announced in proposal.sessions:
        found = existing.get((announced.kind, announced.start_date))
        if found is None:
            found = meetings.record(
                session,
                ctx,
                organ,
                When(announced.start_date, announced.end_date, announced.start, announced.end),
                kind=announced.kind,
            )
            existing[(announced.kind, announced.start_date)] = found
            stored.sessions.append(found)
        if announced.kind == "möte":
            by_day.setdefault(announced.start_date, found)
    folded_people = {fold(n): uid for n, uid in people.items()}
    _attendance(session, ctx, meeting, proposal, folded_people)
    _adjusters(session, meeting, proposal.justerare, folded_people)
    agenda_items = _agenda(session, ctx, meeting, proposal, folded_people)
    organ_names: dict[str, Organ | None] = {}
    for item in proposal.items:
        logged_ids: list[int | None] = []
        for decision in item.decisions:
            logged = decisions.log(
                ctx,
                organ_name=organ.short_name,
                decision_text=decision.text,
                proposal=decision.proposal,
                item=item.number,
                on=proposal.date,
                meeting_ref=meeting.ref,
                session=session,
            )
            logged_ids.append(logged.decision.id)
            stored.decisions += 1
        for a in item.assignments:
            owners, unlinked = _owners(session, a.owners, folded_people, organ_names)
            what = texts.owners_in_text(a.text, unlinked) if unlinked else a.text
            if not owners:
                owners = [OwnerSpec(organ=organ.short_name)]
            decision_id = logged_ids[a.decision] if a.decision is not None else None
            view = assignments.create(
                ctx,
                owners,
                what,
                None,
                ", ".join(a.report_to) or None,
                decision_id=decision_id,
                organ_id=organ.id,
                session=session,
            )
            _set_due(session, view.assignment, a.due, organ, by_day)
            under = agenda_items.get(item.number or "")
            if under is not None and under.id is not None and view.assignment.id is not None:
                session.add(
                    ItemAssignment(agenda_item_id=under.id, assignment_id=view.assignment.id)
                )
            stored.assignments += 1
    session.add(
        MinutesImport(
            content_hash=digest,
            meeting_id=meeting.id or 0,
            filename=Path(name).name[:255],
            content_type=CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream"),
            content=data,
            proposal=proposal.to_json(),
            imported_by=ctx.user_id,
            imported_at=ctx.app.now(),
        )
    )
    session.flush()
    return stored


def _person(name: str, people: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(user id, None) for someone in the directory, else (None, the name)."""
    user = people.get(fold(name))
    return (user, None) if user else (None, name[:MAX_NAME])


def _attendance(
    session: Session, ctx: Ctx, meeting: Meeting, proposal: Proposal, people: Mapping[str, str]
) -> None:
    """Present, absent and guests as `/mote närvaro` records them (added to what is there)."""
    now = ctx.app.now()
    rows = session.exec(select(Attendee).where(Attendee.meeting_id == meeting.id)).all()
    seen = {(r.user_id or "", fold(r.name or "")) for r in rows}
    assert meeting.id is not None
    for role, persons in (
        (cycle_model.PRESENT, proposal.present),
        (cycle_model.ABSENT, proposal.absent),
        (cycle_model.GUEST, proposal.guests),
    ):
        for person in persons:
            user, name = _person(person.name, people)
            key = (user or "", fold(name or ""))
            if key in seen:
                continue
            seen.add(key)
            session.add(
                Attendee(
                    meeting_id=meeting.id,
                    user_id=user,
                    name=name,
                    organisation=(person.organisation or None) and person.organisation[:MAX_NAME],
                    role=role,
                    recorded_by=ctx.user_id,
                    recorded_at=now,
                )
            )


def _adjusters(
    session: Session, meeting: Meeting, names: list[str], people: Mapping[str, str]
) -> None:
    """The justerare as `/mote justerare` names them; those not in Slack by name."""
    rows = session.exec(
        select(MinutesAdjuster).where(MinutesAdjuster.meeting_id == meeting.id)
    ).all()
    seen = {(r.user_id or "", fold(r.name or "")) for r in rows}
    assert meeting.id is not None
    for full in names:
        user, name = _person(full, people)
        if (user or "", fold(name or "")) in seen:
            continue
        seen.add((user or "", fold(name or "")))
        session.add(MinutesAdjuster(meeting_id=meeting.id, user_id=user, name=name))


def _agenda(
    session: Session, ctx: Ctx, meeting: Meeting, proposal: Proposal, people: Mapping[str, str]
) -> dict[str, AgendaItem]:
    """The numbered items, accepted, with title and föredragande, as `/mote punkt` makes them;
    an item already on the meeting's agenda with the same § is kept. Sub-items ("3.1") and
    items without a number stay with their decisions' § in the register."""
    existing = {
        i.number: i
        for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    }
    proposal_no = max((i.proposal_no for i in existing.values()), default=0)
    now = ctx.app.now()
    assert meeting.id is not None
    by_number: dict[str, AgendaItem] = {}
    for item in proposal.items:
        if not item.number or not item.number.isdigit():
            continue
        number = int(item.number)
        found = existing.get(number)
        if found is None:
            proposal_no += 1
            user, name = _person(item.presenter, people) if item.presenter else (None, None)
            if item.presenter and "," in item.presenter:  # several: kept as written
                user, name = None, item.presenter[:MAX_NAME]
            found = AgendaItem(
                meeting_id=meeting.id,
                proposal_no=proposal_no,
                number=number,
                title=(item.title or f"§ {number}")[:MAX_TITLE],
                presenter_user_id=user,
                presenter_name=name,
                status=cycle_model.ACCEPTED,
                proposed_by=ctx.user_id,
                created_at=now,
                updated_at=now,
            )
            session.add(found)
            existing[number] = found
        by_number[item.number] = found
    session.flush()
    return by_number


def _existing(session: Session, organ_id: int, days: set[date]) -> dict[tuple[str, date], Meeting]:
    """The organ's meetings on these days, not cancelled, by (kind, day): the ones to link to."""
    rows = session.exec(
        select(Meeting)
        .where(
            Meeting.organ_id == organ_id,
            col(Meeting.start_date).in_(days),
            Meeting.status != meetings.CANCELLED,
        )
        .order_by(col(Meeting.id).desc())
    ).all()
    return {(m.kind, m.start_date): m for m in rows}


def _owners(
    session: Session,
    names: list[str],
    people: Mapping[str, str],
    organ_names: dict[str, Organ | None],
) -> tuple[list[OwnerSpec], list[str]]:
    """Owners as the assignments feature takes them; the names that are neither an organ nor a
    person in the directory come back apart (they go into the text)."""
    owners: list[OwnerSpec] = []
    unlinked: list[str] = []
    for name in names:
        if name not in organ_names:
            organ_names[name] = organs.find(session, name)
        organ = organ_names[name]
        if organ is not None:
            owners.append(OwnerSpec(organ=organ.short_name))
        elif fold(name) in people:
            owners.append(OwnerSpec(user_id=people[fold(name)]))
        else:
            unlinked.append(name)
    return owners, unlinked


def _set_due(
    session: Session,
    assignment: Assignment,
    due: Due | None,
    organ: Organ,
    by_day: Mapping[date, Meeting],
) -> None:
    """Due as `resolve_due` would set it, for dates that may lie in the past."""
    if due is None:
        return
    if not due.is_meeting:
        assignment.due_date = due.day
    elif due.meeting is not None and due.meeting in by_day:
        assignment.due_date = due.meeting
        assignment.due_meeting_id = by_day[due.meeting].id
    else:
        assignment.due_date = due.meeting
        assignment.due_organ_id = organ.id
    session.add(assignment)


__all__ = ["CONTENT_TYPES", "Stored", "content_hash", "imported", "known_for", "read", "store"]
