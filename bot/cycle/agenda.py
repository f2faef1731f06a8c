"""The agenda (dagordning): items proposed, accepted, ordered, edited, moved and dropped; the
items that come by themselves; material; and the kallelse that publishes it all."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import assignments, meetings, organs
from bot.assignments import View
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import DateError, MeetingRef, format_date, format_when, parse_due
from bot.core.errors import NotAllowed, UserError
from bot.core.workdays import working_days_before
from bot.cycle import texts
from bot.cycle.model import (
    ACCEPTED,
    AUTO_OPENING,
    AUTO_PREVIOUS,
    AUTO_REPORTS,
    DEFAULT_DEADLINE_DAYS,
    DROPPED,
    FORMS,
    KINDS,
    LOCKED,
    MAX_DEADLINE_DAYS,
    MINNESANTECKNINGAR,
    MOVED,
    PROPOSED,
    FileRef,
)
from bot.meetings import texts as meeting_texts
from storage.models import (
    AgendaItem,
    Assignment,
    CycleSetting,
    Decision,
    ItemAssignment,
    MaterialFile,
    Meeting,
    Minutes,
    Organ,
    OrganMember,
)

MAX_TITLE = 300
MAX_TEXT = 3000
_ITEM = re.compile(r"^(?:§\s*(\d{1,3})|(\d{1,3})|[Ff](\d{1,3}))$")


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Setting:
    form: str = MINNESANTECKNINGAR
    deadline_days: int = DEFAULT_DEADLINE_DAYS


def setting(session: Session, organ: Organ) -> Setting:
    row = session.exec(select(CycleSetting).where(CycleSetting.organ_id == organ.id)).first()
    if row is None:
        return Setting()
    return Setting(row.minutes_form, row.item_deadline_days)


def _setting_row(session: Session, organ: Organ) -> CycleSetting:
    row = session.exec(select(CycleSetting).where(CycleSetting.organ_id == organ.id)).first()
    if row is None:
        assert organ.id is not None
        row = CycleSetting(organ_id=organ.id)
    return row


def set_form(ctx: Ctx, organ_name: str, form: str) -> Organ:
    if form not in FORMS:
        raise UserError(texts.FORM_USAGE)
    return _change_setting(ctx, organ_name, minutes_form=form)


def set_deadline(ctx: Ctx, organ_name: str, days: int) -> Organ:
    if not 0 <= days <= MAX_DEADLINE_DAYS:
        raise UserError(texts.DEADLINE_USAGE)
    return _change_setting(ctx, organ_name, item_deadline_days=days)


def _change_setting(ctx: Ctx, organ_name: str, **values: object) -> Organ:
    """Set fields of the organ's cycle setting (convenor or admin only)."""
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        organ = organs.get(session, organ_name)
        _require_manager(ctx, organ)
        row = _setting_row(session, organ)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    return organ


def deadline(session: Session, meeting: Meeting, organ: Organ) -> tuple[date, int]:
    days = setting(session, organ).deadline_days
    return working_days_before(meeting.start_date, days), days


# ------------------------------------------------------------------ guards


def _require_manager(ctx: Ctx, organ: Organ) -> None:
    if not meetings.may_manage(ctx, organ):
        raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))


def minutes_of(session: Session, meeting: Meeting) -> Minutes | None:
    return session.exec(select(Minutes).where(Minutes.meeting_id == meeting.id)).first()


def check_open(session: Session, meeting: Meeting) -> None:
    """Changes to a meeting's agenda, notes and attendance stop when its minutes are locked."""
    if meeting.status == meetings.CANCELLED:
        raise UserError(texts.meeting_cancelled(meeting.ref))
    minutes = minutes_of(session, meeting)
    if minutes is not None and minutes.status == LOCKED:
        raise UserError(texts.locked(meeting.ref, minutes.locked_version))


def managed_meeting(session: Session, ctx: Ctx, ref: str) -> tuple[Meeting, Organ]:
    meeting, organ = meetings.get(session, ref)
    _require_manager(ctx, organ)
    check_open(session, meeting)
    return meeting, organ


# ------------------------------------------------------------------ items


def items_of(session: Session, meeting: Meeting) -> list[AgendaItem]:
    """Accepted items by number, then proposals in the order they came."""
    rows = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).all()
    return sorted(rows, key=lambda i: (i.number is None, i.number or 0, i.proposal_no, i.id or 0))


def label(item: AgendaItem) -> str:
    return texts.item_label(item.number, item.proposal_no)


def find_item(session: Session, meeting: Meeting, token: str) -> AgendaItem:
    match = _ITEM.match(token.strip())
    if match is None:
        raise UserError(texts.unknown_item(meeting.ref, token))
    number = match.group(1) or match.group(2)
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    if number is not None:
        query = query.where(AgendaItem.number == int(number))
    else:
        query = query.where(AgendaItem.proposal_no == int(match.group(3)))
    item = session.exec(query).first()
    if item is None:
        raise UserError(texts.unknown_item(meeting.ref, token))
    return item


def is_item_token(token: str) -> bool:
    return _ITEM.match(token.strip()) is not None


def ensure_agenda(session: Session, ctx: Ctx, meeting: Meeting) -> None:
    """The items every meeting has, made the first time its agenda is touched: the opening,
    the previous meeting's minutes (and the agenda), and återrapportering."""
    count = session.exec(
        select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    ).one()
    if count:
        return
    now = ctx.app.now()
    assert meeting.id is not None
    for n, auto in enumerate((AUTO_OPENING, AUTO_PREVIOUS, AUTO_REPORTS), start=1):
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                proposal_no=n,
                number=n,
                title=texts.AUTO_TITLES[auto],
                status=ACCEPTED,
                auto=auto,
                proposed_by=ctx.user_id,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()


def _next(session: Session, meeting: Meeting, column: Any) -> int:
    current = session.exec(
        select(func.max(column)).where(AgendaItem.meeting_id == meeting.id)
    ).one()
    return int(current or 0) + 1


@dataclass
class ItemSpec:
    title: str
    presenter_user_id: str | None = None
    presenter_name: str | None = None
    kind: str | None = None
    proposal: str | None = None


@dataclass
class Changed:
    meeting: Meeting
    organ: Organ
    items: list[AgendaItem] = field(default_factory=list)
    accepted: bool = False
    presenters: list[AgendaItem] = field(default_factory=list)  # who gets a DM
    target: Meeting | None = None


def _check_spec(spec: ItemSpec) -> None:
    if not spec.title.strip():
        raise UserError(texts.ITEM_USAGE)
    if len(spec.title) > MAX_TITLE:
        raise UserError(core_texts.too_long("rubriken", len(spec.title), MAX_TITLE))
    if spec.proposal and len(spec.proposal) > MAX_TEXT:
        raise UserError(core_texts.too_long("förslaget", len(spec.proposal), MAX_TEXT))
    if spec.kind is not None and spec.kind not in KINDS:
        raise UserError(texts.bad_kind(spec.kind))


def _is_member(ctx: Ctx, session: Session, organ: Organ) -> bool:
    if organ.channel_id is None:
        return True
    known = session.exec(
        select(OrganMember.user_id).where(
            OrganMember.organ_id == organ.id, OrganMember.user_id == ctx.user_id
        )
    ).first()
    return known is not None or ctx.user_id in ctx.directory.channel_members(organ.channel_id)


def propose(ctx: Ctx, ref: str, spec: ItemSpec) -> Changed:
    """Anyone in the organ proposes before the deadline; the convenor or an admin adds the item
    straight onto the agenda, up to the meeting."""
    _check_spec(spec)
    if spec.presenter_user_id and not ctx.directory.user_exists(spec.presenter_user_id):
        raise UserError(core_texts.unknown_user(spec.presenter_user_id))
    with ctx.db.transaction() as session:
        meeting, organ = meetings.get(session, ref)
        manager = meetings.may_manage(ctx, organ)
        member = manager or _is_member(ctx, session, organ)
    if not member:
        raise NotAllowed(texts.not_member(organ.short_name))
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)
        check_open(session, meeting)
        if meeting.end_date < ctx.app.today() and not manager:  # the secretary may, afterwards
            raise UserError(meeting_texts.meeting_in_past(meetings.when_of(meeting)))
        last_day, days = deadline(session, meeting, organ)
        if not manager and ctx.app.today() > last_day:
            raise UserError(
                texts.deadline_passed(
                    meeting.ref, format_date(last_day), days, organ.convenor_user_id
                )
            )
        ctx.db.serialise(session, f"agenda:{meeting.id}")
        ensure_agenda(session, ctx, meeting)
        now = ctx.app.now()
        assert meeting.id is not None
        item = AgendaItem(
            meeting_id=meeting.id,
            proposal_no=_next(session, meeting, AgendaItem.proposal_no),
            number=_next(session, meeting, AgendaItem.number) if manager else None,
            title=spec.title.strip(),
            presenter_user_id=spec.presenter_user_id,
            presenter_name=spec.presenter_name,
            kind=spec.kind,
            proposal=(spec.proposal or "").strip() or None,
            status=ACCEPTED if manager else PROPOSED,
            proposed_by=ctx.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(item)
        session.flush()
        presenters = [item] if manager and item.presenter_user_id else []
        return Changed(meeting, organ, [item], manager, presenters)


def accept(ctx: Ctx, ref: str, tokens: list[str]) -> Changed:
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        ctx.db.serialise(session, f"agenda:{meeting.id}")
        accepted: list[AgendaItem] = []
        for token in tokens:
            item = find_item(session, meeting, token)
            if item.status != PROPOSED:
                raise UserError(texts.item_not_proposal(meeting.ref, label(item)))
            item.number = _next(session, meeting, AgendaItem.number)
            item.status = ACCEPTED
            item.updated_at = ctx.app.now()
            session.add(item)
            session.flush()
            accepted.append(item)
        presenters = [i for i in accepted if i.presenter_user_id]
        return Changed(meeting, organ, accepted, True, presenters)


def reorder(ctx: Ctx, ref: str, numbers: list[int]) -> Changed:
    """New numbers for the accepted items, in the order given. Items that already carry
    decisions, assignments or notes keep theirs (their § is in the record)."""
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        numbered = [i for i in items_of(session, meeting) if i.number is not None]
        current = [i.number for i in numbered if i.number is not None]
        if sorted(numbers) != sorted(current) or len(set(numbers)) != len(numbers):
            raise UserError(texts.order_mismatch(meeting.ref, current))
        by_number = {i.number: i for i in numbered}
        fixed = _fixed_numbers(session, meeting, numbered)
        moved_fixed = [n for pos, n in enumerate(numbers, start=1) if n in fixed and n != pos]
        if moved_fixed:
            raise UserError(texts.order_fixed(meeting.ref, sorted(fixed)))
        for item in numbered:  # out of the way first: numbers stay unique at every step
            item.number = -(item.number or 0)
            session.add(item)
        session.flush()
        for position, old in enumerate(numbers, start=1):
            item = by_number[old]
            item.number = position
            item.updated_at = ctx.app.now()
            session.add(item)
        session.flush()
        return Changed(meeting, organ, [by_number[n] for n in numbers])


def _fixed_numbers(session: Session, meeting: Meeting, items: list[AgendaItem]) -> set[int]:
    with_decisions = {
        d
        for d in session.exec(select(Decision.item).where(Decision.meeting_id == meeting.id)).all()
        if d
    }
    with_tasks = set(
        session.exec(
            select(ItemAssignment.agenda_item_id).where(
                col(ItemAssignment.agenda_item_id).in_([i.id for i in items])
            )
        ).all()
    )
    return {
        i.number
        for i in items
        if i.number is not None
        and (str(i.number) in with_decisions or i.id in with_tasks or i.notes or i.auto)
    }


def edit(ctx: Ctx, ref: str, token: str, what: str, value: str, user: str | None) -> Changed:
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        item = find_item(session, meeting, token)
        if item.auto:
            raise UserError(texts.item_auto(label(item)))
        presenters: list[AgendaItem] = []
        if what == "rubrik":
            _check_spec(ItemSpec(value))
            item.title = value.strip()
        elif what == "föredragande":
            if user and not ctx.directory.user_exists(user):
                raise UserError(core_texts.unknown_user(user))
            item.presenter_user_id = user
            item.presenter_name = None if user else (value.strip()[:200] or None)
            if user and item.status == ACCEPTED:
                presenters.append(item)
        elif what == "typ":
            kind = value.strip().lower()
            if kind not in KINDS:
                raise UserError(texts.bad_kind(value))
            item.kind = kind
        elif what == "förslag":
            _check_spec(ItemSpec("x", proposal=value))
            item.proposal = value.strip() or None
        else:
            raise UserError(texts.EDIT_USAGE)
        item.updated_at = ctx.app.now()
        session.add(item)
        return Changed(meeting, organ, [item], presenters=presenters)


def _target(session: Session, ctx: Ctx, meeting: Meeting, organ: Organ, text: str) -> Meeting:
    words = text.strip()
    try:
        return meetings.get(session, words)[0]
    except UserError:
        pass
    try:
        parsed = parse_due(words, ctx.app.today(), organs.aliases(session))
    except DateError:
        raise UserError(texts.no_target_meeting(words)) from None
    if isinstance(parsed, MeetingRef):
        target_organ = organs.get(session, parsed.organ)
        assert target_organ.id is not None
        if parsed.on is not None:
            found = meetings.on_date(session, target_organ.id, parsed.on)
        else:
            after = max(meeting.end_date, ctx.app.today())
            found = meetings.next_of(session, target_organ.id, after)
            if found is not None and found.id == meeting.id:
                found = None
    else:
        assert organ.id is not None
        found = meetings.on_date(session, organ.id, parsed.start)
    if found is None:
        raise UserError(texts.no_target_meeting(words))
    return found


def move(ctx: Ctx, ref: str, token: str, target_text: str) -> Changed:
    """`lyft`: the item stays on this agenda as moved, and a carried-over copy goes onto the
    later meeting's agenda."""
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        item = find_item(session, meeting, token)
        if item.auto:
            raise UserError(texts.item_auto(label(item)))
        if item.status in (MOVED, DROPPED):
            raise UserError(texts.item_closed(label(item), item.status))
        target = _target(session, ctx, meeting, organ, target_text)
        if target.id == meeting.id or target.start_date < meeting.start_date:
            raise UserError(texts.target_not_later(meeting.ref))
        check_open(session, target)
        ctx.db.serialise(session, f"agenda:{target.id}")
        ensure_agenda(session, ctx, target)
        now = ctx.app.now()
        if item.number is None:
            item.number = _next(session, meeting, AgendaItem.number)
        item.status = MOVED
        item.moved_to_meeting_id = target.id
        item.updated_at = now
        session.add(item)
        assert target.id is not None
        carried = AgendaItem(
            meeting_id=target.id,
            proposal_no=_next(session, target, AgendaItem.proposal_no),
            number=_next(session, target, AgendaItem.number),
            title=item.title,
            presenter_user_id=item.presenter_user_id,
            presenter_name=item.presenter_name,
            kind=item.kind,
            proposal=item.proposal,
            material=item.material,
            status=ACCEPTED,
            carried_from_id=item.id,
            proposed_by=ctx.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(carried)
        session.flush()
        assert item.id is not None and carried.id is not None
        moved_files = [
            FileRef(f.file_id, f.name, f.permalink)
            for f in files_of(session, [item.id]).get(item.id, [])
        ]
        _add_files(session, carried.id, moved_files, ctx.user_id, now)
        return Changed(meeting, organ, [item, carried], target=target)


def drop(ctx: Ctx, ref: str, token: str, reason: str | None) -> Changed:
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        item = find_item(session, meeting, token)
        if item.auto:
            raise UserError(texts.item_auto(label(item)))
        if item.status in (MOVED, DROPPED):
            raise UserError(texts.item_closed(label(item), item.status))
        if item.number is None:
            item.number = _next(session, meeting, AgendaItem.number)
        item.status = DROPPED
        item.reason = (reason or "").strip()[:500] or None
        item.updated_at = ctx.app.now()
        session.add(item)
        return Changed(meeting, organ, [item])


def add_note(ctx: Ctx, ref: str, token: str, text: str) -> Changed:
    text = text.strip()
    if not text:
        raise UserError(texts.NOTE_USAGE)
    if len(text) > MAX_TEXT:
        raise UserError(core_texts.too_long("anteckningen", len(text), MAX_TEXT))
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        item = find_item(session, meeting, token)
        item.notes = f"{item.notes}\n\n{text}" if item.notes else text
        item.updated_at = ctx.app.now()
        session.add(item)
        return Changed(meeting, organ, [item])


def add_material(
    ctx: Ctx, ref: str, token: str, text: str, files: tuple[FileRef, ...] | list[FileRef] = ()
) -> Changed:
    """The presenter, the one who proposed the item, the convenor or an admin adds material:
    a link or a short text, and/or files in Slack (their id, name and permalink are kept)."""
    text = text.strip()
    if not text and not files:
        raise UserError(texts.MATERIAL_USAGE)
    if len(text) > MAX_TEXT:
        raise UserError(core_texts.too_long("underlaget", len(text), MAX_TEXT))
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)
        check_open(session, meeting)
        item = find_item(session, meeting, token) if not token.isdigit() or len(token) < 4 else None
        if item is None:
            raise UserError(texts.MATERIAL_USAGE)
        if ctx.user_id not in (
            item.presenter_user_id,
            item.proposed_by,
        ) and not meetings.may_manage(ctx, organ):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if text:
            item.material = f"{item.material}\n{text}" if item.material else text
        assert item.id is not None
        _add_files(session, item.id, files, ctx.user_id, ctx.app.now())
        item.updated_at = ctx.app.now()
        session.add(item)
        return Changed(meeting, organ, [item])


def _add_files(
    session: Session, item_id: int, files: Iterable[FileRef], by: str, now: datetime
) -> None:
    known = {f.file_id for f in files_of(session, [item_id]).get(item_id, [])}
    for ref in files:
        if ref.file_id in known:
            continue
        known.add(ref.file_id)
        session.add(
            MaterialFile(
                agenda_item_id=item_id,
                file_id=ref.file_id,
                name=ref.name[:300],
                permalink=(ref.permalink or None) and ref.permalink[:1000],
                added_by=by,
                added_at=now,
            )
        )


def files_of(session: Session, item_ids: list[int]) -> dict[int, list[MaterialFile]]:
    """The files given as material, by item, in the order they came."""
    if not item_ids:
        return {}
    rows = session.exec(
        select(MaterialFile)
        .where(col(MaterialFile.agenda_item_id).in_(item_ids))
        .order_by(col(MaterialFile.id))
    ).all()
    found: dict[int, list[MaterialFile]] = {}
    for row in rows:
        found.setdefault(row.agenda_item_id, []).append(row)
    return found


def material_text(item: AgendaItem, files: list[MaterialFile]) -> str | None:
    """The material as the documents write it: the text, then the files by name."""
    parts = [item.material] if item.material else []
    if files:
        parts.append(", ".join(f.name for f in files))
    return "\n".join(parts) or None


def open_numbers(ctx: Ctx, meeting_id: int) -> tuple[list[int], dict[int, str]] | None:
    """The §§ a decision can be logged under (accepted, dealt with at the meeting), and the
    numbers of items moved or dropped with their status; None: the meeting has no agenda."""
    with ctx.db.transaction() as session:
        rows = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()
    if not rows:
        return None
    dealt = sorted(i.number for i in rows if i.number is not None and i.status == ACCEPTED)
    closed = {
        i.number: i.status for i in rows if i.number is not None and i.status in (MOVED, DROPPED)
    }
    return dealt, closed


def item_by_id(session: Session, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise UserError(texts.MATERIAL_USAGE)
    return item


# ------------------------------------------------------------------ återrapportering


def _mentions_organ(report_to: str, words: list[str]) -> bool:
    lowered = report_to.lower()
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered) for w in words)


def reports(
    session: Session, meeting: Meeting, organ: Organ, today: date | None = None
) -> list[View]:
    """Open assignments to report on at this meeting: due at it, or reporting back to this
    organ by its day. Those with no date ("till nästa LG", "återkoppling till LG") belong to
    the organ's next meeting only (as of `today`)."""
    words = [w for w, short in organs.aliases(session).items() if short == organ.short_name]
    is_next = False
    if today is not None and organ.id is not None:
        upcoming = meetings.next_of(session, organ.id, today)
        is_next = upcoming is not None and upcoming.id == meeting.id
    rows = session.exec(
        select(Assignment)
        .where(
            Assignment.status == assignments.OPEN,
            (col(Assignment.due_meeting_id) == meeting.id)
            | ((col(Assignment.due_organ_id) == organ.id) & col(Assignment.due_date).is_(None))
            | col(Assignment.report_to).is_not(None),
        )
        .order_by(col(Assignment.id))
    ).all()
    chosen = [
        a
        for a in rows
        if a.due_meeting_id == meeting.id
        or (
            is_next
            and a.due_organ_id == organ.id
            and a.due_date is None
            and (a.due_after is None or a.due_after < meeting.start_date)
        )
        or (
            a.report_to
            and a.due_meeting_id is None
            and _mentions_organ(a.report_to, words)
            and (
                (a.due_date is not None and a.due_date <= meeting.start_date)
                or (a.due_date is None and is_next)
            )
        )
    ]
    return assignments.views_for(session, chosen)


# ------------------------------------------------------------------ the agenda as shown


@dataclass
class AgendaView:
    meeting: Meeting
    organ: Organ
    items: list[AgendaItem]
    reports: list[View]
    last_day: date
    days: int
    targets: dict[int, Meeting]
    files: dict[int, list[MaterialFile]] = field(default_factory=dict)

    def files_for(self, item: AgendaItem) -> list[MaterialFile]:
        return self.files.get(item.id or 0, [])

    def missing_material(self, item: AgendaItem, today: date) -> bool:
        return (
            item.status == ACCEPTED
            and item.auto is None
            and item.presenter_user_id is not None
            and not item.material
            and not self.files_for(item)
            and today > self.last_day
        )


def view(ctx: Ctx, ref: str, *, make: bool = True) -> AgendaView:
    with ctx.db.transaction(write=make) as session:
        meeting, organ = meetings.get(session, ref)
        if make and meeting.status != meetings.CANCELLED and minutes_of(session, meeting) is None:
            ensure_agenda(session, ctx, meeting)
        return _view(session, meeting, organ, ctx.app.today())


def _view(session: Session, meeting: Meeting, organ: Organ, today: date) -> AgendaView:
    items = items_of(session, meeting)
    target_ids = {i.moved_to_meeting_id for i in items if i.moved_to_meeting_id}
    targets = {
        m.id: m
        for m in session.exec(select(Meeting).where(col(Meeting.id).in_(target_ids))).all()
        if m.id is not None
    }
    last_day, days = deadline(session, meeting, organ)
    found = reports(session, meeting, organ, today)
    files = files_of(session, [i.id for i in items if i.id is not None])
    return AgendaView(meeting, organ, items, found, last_day, days, targets, files)


def plain_agenda(agenda: AgendaView, names: dict[str, str]) -> str:
    """The agenda as plain text, for the calendar's DESCRIPTION."""
    lines = [texts.agenda_plain_header(agenda.meeting.ref)]
    for item in agenda.items:
        if item.number is None or item.status in (MOVED, DROPPED):
            continue
        presenter = names.get(item.presenter_user_id or "", item.presenter_name)
        lines.append(texts.agenda_plain_line(str(item.number), item.title, presenter, item.kind))
        files = agenda.files_for(item)
        if files:
            lines.append(texts.agenda_plain_files([f.name for f in files]))
    return "\n".join(lines)


def publish(ctx: Ctx, ref: str, text: str) -> tuple[Meeting, Organ]:
    """Store the agenda on the meeting and raise its SEQUENCE, as a move does: invitations and
    feeds then carry the new version."""
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = managed_meeting(session, ctx, ref)
        meeting.agenda = text
        meeting.sequence += 1
        meeting.updated_at = ctx.app.now()
        session.add(meeting)
        return meeting, organ


def when_text(meeting: Meeting) -> str:
    return format_when(meetings.when_of(meeting))
