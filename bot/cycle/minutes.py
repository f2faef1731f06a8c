"""The minutes: the document built from the register, its versions, justering and the lock.

One document model (bot.cycle.model.Doc) is built from the agenda, the decisions and
assignments logged against its items, the attendance and the next meetings; it is laid out
once (bot.cycle.layout) and written by one writer per format. Every draft that differs from
the last is a new version, kept for good. Justering locks one version: its content hash
(SHA-256 of the document's canonical JSON), who and when, and the day it was upprättad; the
final files are written then and never again, and the decisions in it are marked justerade.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import assignments, meetings
from bot.assignments import View
from bot.core.context import Ctx
from bot.core.dates import format_date, format_time, format_when
from bot.core.errors import UserError
from bot.cycle import agenda, attendance, docx_writer, layout, markdown_writer, pdf_writer, texts
from bot.cycle.model import (
    ABSENT,
    ACCEPTED,
    AUTO_PREVIOUS,
    AUTO_REPORTS,
    DRAFT,
    DROPPED,
    GUEST,
    LOCKED,
    MOVED,
    PRESENT,
    SENT,
    Doc,
    DocAssignment,
    DocDecision,
    DocItem,
    DocLock,
    DocPerson,
    day_month_year,
    minutes_date,
)
from bot.meetings import texts as meeting_texts
from storage.models import (
    AgendaItem,
    CycleMessage,
    Decision,
    DecisionJustering,
    DecisionRevision,
    ItemAssignment,
    Meeting,
    Minutes,
    MinutesAdjuster,
    MinutesEvent,
    MinutesVersion,
    Organ,
)

MAX_NEXT_MEETINGS = 3


# ------------------------------------------------------------------ building the document


def _name(ctx: Ctx, user_id: str | None, fallback: str | None = None) -> str:
    return ctx.display_name(user_id) if user_id else (fallback or "")


def _due(view: View) -> str | None:
    a = view.assignment
    if view.due_meeting is not None:
        return f"till {view.due_meeting.ref} ({day_month_year(view.due_meeting.start_date)})"
    if view.due_organ is not None and a.due_date is None:
        return f"till nästa {view.due_organ.short_name}-möte"
    if a.due_date is not None:
        return f"senast {day_month_year(a.due_date)}"
    return None


def doc_assignment(ctx: Ctx, view: View) -> DocAssignment:
    owners = []
    for owner in view.owners:
        if owner.organ_id is not None:
            owners.append(view.organs[owner.organ_id].short_name)
        elif owner.user_id:
            owners.append(_name(ctx, owner.user_id))
        elif owner.name:
            owners.append(owner.name)
    a = view.assignment
    return DocAssignment(a.ref, a.what, owners, _due(view), a.report_to, a.status, a.last_status)


def _decision(d: Decision) -> DocDecision:
    return DocDecision(d.ref, d.text, d.proposal, d.status)


def build(session: Session, ctx: Ctx, meeting: Meeting, organ: Organ) -> Doc:
    minutes = agenda.minutes_of(session, meeting)
    form = minutes.minutes_form if minutes else agenda.setting(session, organ).form
    doc = Doc(
        form=form,
        organ_short=organ.short_name,
        organ_name=organ.name,
        ref=meeting.ref,
        label=meeting_texts.kind_label(meeting.kind, organ),
        date_line=minutes_date(
            meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time
        ),
        place=meeting.location,
    )
    for row in attendance.rows_for(session, ctx, meeting, organ):
        person = DocPerson(row.name, row.organisation)
        {PRESENT: doc.present, ABSENT: doc.absent, GUEST: doc.guests}[row.role].append(person)
    items = [i for i in agenda.items_of(session, meeting) if i.number is not None]
    decisions = list(
        session.exec(
            select(Decision)
            .where(Decision.meeting_id == meeting.id)
            .order_by(col(Decision.year), col(Decision.serial))
        ).all()
    )
    # Decisions attach to the items dealt with; one on a § moved, dropped or not on the agenda
    # goes under "Övriga beslut och uppdrag" (and was warned about when it was logged).
    numbers = {str(i.number): i for i in items if i.number is not None and i.status == ACCEPTED}
    # Assignments: given under an item, or made from a decision under it.
    links = session.exec(
        select(ItemAssignment).where(col(ItemAssignment.agenda_item_id).in_([i.id for i in items]))
    ).all()
    item_of_assignment = {link.assignment_id: link.agenda_item_id for link in links}
    from storage.models import Assignment

    decision_ids = [d.id for d in decisions]
    rows = session.exec(
        select(Assignment)
        .where(
            col(Assignment.id).in_(list(item_of_assignment))
            | col(Assignment.decision_id).in_(decision_ids)
        )
        .order_by(col(Assignment.id))
    ).all()
    views = assignments.views_for(session, list(rows))
    decision_item = {d.id: numbers[d.item].id if d.item in numbers else None for d in decisions}
    tasks_by_item: dict[int | None, list[DocAssignment]] = {}
    for view in views:
        a = view.assignment
        where = item_of_assignment.get(a.id or 0)
        if where is None and a.decision_id is not None:
            where = decision_item.get(a.decision_id)
        tasks_by_item.setdefault(where, []).append(doc_assignment(ctx, view))
    targets = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(
                col(Meeting.id).in_([i.moved_to_meeting_id for i in items if i.moved_to_meeting_id])
            )
        ).all()
    }
    sources = _sources(session, items)
    files = agenda.files_of(session, [i.id for i in items if i.id is not None])
    for item in items:
        entry = DocItem(
            number=item.number,
            title=item.title,
            presenter=_name(ctx, item.presenter_user_id, item.presenter_name) or None,
            kind=item.kind,
            proposal=item.proposal,
            notes=item.notes,
            material=agenda.material_text(item, files.get(item.id or 0, [])),
            state=item.status if item.status in (MOVED, DROPPED) else ACCEPTED,
            reason=item.reason,
            carried_from=sources.get(item.carried_from_id or 0),
            auto=item.auto,
        )
        if item.moved_to_meeting_id in targets:
            target = targets[item.moved_to_meeting_id]
            entry.moved_to = (
                f"{meeting_texts.kind_label(target.kind, organ)} "
                f"{day_month_year(target.start_date)} ({target.ref})"
            )
        entry.decisions = [_decision(d) for d in decisions if d.item == str(item.number)]
        entry.assignments = tasks_by_item.get(item.id, [])
        if item.auto == AUTO_REPORTS:
            found = agenda.reports(session, meeting, organ, ctx.app.today())
            entry.reports = [doc_assignment(ctx, v) for v in found]
        doc.items.append(entry)
    doc.other_decisions = [_decision(d) for d in decisions if d.item not in numbers]
    doc.other_assignments = tasks_by_item.get(None, [])
    assert organ.id is not None
    following = session.exec(
        select(Meeting)
        .where(
            Meeting.organ_id == organ.id,
            Meeting.start_date > meeting.end_date,
            Meeting.status == meetings.PLANNED,
        )
        .order_by(col(Meeting.start_date), col(Meeting.start_time))
        .limit(MAX_NEXT_MEETINGS)
    ).all()
    doc.next_meetings = [
        f"{meeting_texts.kind_label(m.kind, organ)} {format_when(meetings.when_of(m))}"
        + (f", {m.location}" if m.location else "")
        for m in following
    ]
    secretary = minutes.secretary_user_id if minutes else ctx.user_id
    doc.secretary = _name(ctx, secretary) or None
    doc.adjusters = [
        _name(ctx, a.user_id, a.name)
        for a in session.exec(
            select(MinutesAdjuster)
            .where(MinutesAdjuster.meeting_id == meeting.id)
            .order_by(col(MinutesAdjuster.id))
        ).all()
    ]
    return doc


def _sources(session: Session, items: list[AgendaItem]) -> dict[int, str]:
    ids = [i.carried_from_id for i in items if i.carried_from_id]
    if not ids:
        return {}
    rows = session.exec(
        select(AgendaItem, Meeting)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .where(col(AgendaItem.id).in_(ids))
    ).all()
    return {i.id: f"{m.ref} § {i.number}" for i, m in rows if i.id is not None}


def adjusters_of(session: Session, meeting: Meeting) -> list[str]:
    """The justerare in Slack (those named only, from minutes read in, get no DM)."""
    return [
        user
        for user in session.exec(
            select(MinutesAdjuster.user_id)
            .where(MinutesAdjuster.meeting_id == meeting.id)
            .order_by(col(MinutesAdjuster.id))
        ).all()
        if user
    ]


# ------------------------------------------------------------------ writing


@dataclass
class Files:
    markdown: str
    pdf: bytes
    docx: bytes


def title_of(doc: Doc) -> str:
    return f"{texts.doc_title(doc.form, doc.organ_name)} {doc.ref}"


def render(doc: Doc, when: datetime | None = None) -> Files:
    blocks = layout.minutes_blocks(doc)
    title = title_of(doc)
    return Files(
        markdown_writer.write(blocks),
        pdf_writer.write(blocks, title=title, when=when),
        docx_writer.write(blocks, title=title, when=when),
    )


def files_of(row: MinutesVersion) -> Files:
    return Files(row.markdown, row.pdf, row.docx)


# ------------------------------------------------------------------ drafts


@dataclass
class Draft:
    meeting: Meeting
    organ: Organ
    minutes: Minutes
    row: MinutesVersion
    doc: Doc
    new: bool = False
    changes_after: list[str] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.minutes.status == LOCKED

    @property
    def files(self) -> Files:
        return files_of(self.row)


def _latest(session: Session, meeting: Meeting, *, final: bool = False) -> MinutesVersion | None:
    return session.exec(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting.id, MinutesVersion.final == final)
        .order_by(col(MinutesVersion.version).desc())
    ).first()


def _same_content(row: MinutesVersion, doc: Doc) -> bool:
    return Doc.from_json(row.document).with_version(0).to_json() == doc.with_version(0).to_json()


def draft(ctx: Ctx, ref: str) -> Draft:
    """The current draft: a new version when anything changed since the last one. Locked
    minutes give their justerade version (and what changed after)."""
    for attempt in range(2):
        with ctx.db.transaction() as session:
            meeting, organ = meetings.get(session, ref)
            agenda._require_manager(ctx, organ)
            minutes = agenda.minutes_of(session, meeting)
            if minutes is not None and minutes.status == LOCKED:
                final = _latest(session, meeting, final=True)
                assert final is not None
                changes = changes_after(session, ctx, meeting, minutes)
                return Draft(
                    meeting, organ, minutes, final, Doc.from_json(final.document), False, changes
                )
            if meeting.status == meetings.CANCELLED:
                raise UserError(texts.meeting_cancelled(meeting.ref))
            doc = build(session, ctx, meeting, organ)
            latest = _latest(session, meeting)
        if latest is not None and minutes is not None and _same_content(latest, doc):
            return Draft(meeting, organ, minutes, latest, Doc.from_json(latest.document))
        version = (latest.version if latest else 0) + 1
        doc = doc.with_version(version)
        now = ctx.app.now()
        files = render(doc, now)
        try:
            with ctx.db.transaction(write=True) as session:
                meeting, organ = meetings.get(session, ref)
                agenda.check_open(session, meeting)
                minutes = agenda.minutes_of(session, meeting)
                if minutes is None:
                    assert meeting.id is not None
                    minutes = Minutes(
                        meeting_id=meeting.id,
                        minutes_form=doc.form,
                        secretary_user_id=ctx.user_id,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(minutes)
                row = _store(session, meeting, doc, files, ctx.user_id, now, final=False)
                _event(session, meeting, "utkast", version, None, ctx.user_id, now)
                return Draft(meeting, organ, minutes, row, doc, True)
        except IntegrityError:
            if attempt:  # two drafts at once, twice: give up loudly
                raise
    raise AssertionError("unreachable")


def _store(
    session: Session,
    meeting: Meeting,
    doc: Doc,
    files: Files,
    by: str,
    now: datetime,
    *,
    final: bool,
) -> MinutesVersion:
    assert meeting.id is not None
    row = MinutesVersion(
        meeting_id=meeting.id,
        version=doc.version,
        final=final,
        content_hash=doc.content_hash() if not final else doc.lock.content_hash,  # type: ignore[union-attr]
        document=doc.to_json(),
        markdown=files.markdown,
        pdf=files.pdf,
        docx=files.docx,
        created_by=by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _event(
    session: Session,
    meeting: Meeting,
    kind: str,
    version: int | None,
    text: str | None,
    by: str,
    now: datetime,
) -> None:
    assert meeting.id is not None
    session.add(
        MinutesEvent(meeting_id=meeting.id, kind=kind, version=version, text=text, by=by, at=now)
    )


# ------------------------------------------------------------------ justerare and justering


def set_adjusters(ctx: Ctx, ref: str, users: list[str]) -> tuple[Meeting, list[str]]:
    if not users:
        raise UserError(texts.ADJUSTER_USAGE)
    for user in users:
        if not ctx.directory.user_exists(user):
            from bot.core import texts as core_texts

            raise UserError(core_texts.unknown_user(user))
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, _organ = agenda.managed_meeting(session, ctx, ref)
        assert meeting.id is not None
        rows = session.exec(
            select(MinutesAdjuster).where(MinutesAdjuster.meeting_id == meeting.id)
        ).all()
        current = {a.user_id: a for a in rows if a.user_id}
        for row in rows:  # named ones (from minutes read in) give way to people in Slack
            if row.user_id not in users:
                session.delete(row)
        for user in users:
            if user not in current:
                session.add(MinutesAdjuster(meeting_id=meeting.id, user_id=user))
        return meeting, users


@dataclass
class Sent:
    draft: Draft
    adjusters: list[str]  # the DMs to send now (claimed)
    already: list[str] = field(default_factory=list)  # sent this version before


def send_for_justering(ctx: Ctx, ref: str) -> Sent:
    current = draft(ctx, ref)
    if current.locked:
        raise UserError(texts.locked(current.meeting.ref, current.minutes.locked_version))
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, _organ = agenda.managed_meeting(session, ctx, ref)
        users = adjusters_of(session, meeting)
        if not users:
            raise UserError(texts.no_adjusters(meeting.ref))
        minutes = agenda.minutes_of(session, meeting)
        assert minutes is not None
        minutes.status = SENT
        minutes.sent_version = current.row.version
        minutes.sent_by = ctx.user_id
        minutes.updated_at = ctx.app.now()
        session.add(minutes)
        _event(
            session,
            meeting,
            "skickad för justering",
            current.row.version,
            None,
            ctx.user_id,
            ctx.app.now(),
        )
        current.minutes = minutes
        assert meeting.id is not None
        claimed = _claim_dms(session, meeting.id, current.row.version, users, ctx.app.now())
    return Sent(current, claimed, [u for u in users if u not in claimed])


def _claim_dms(
    session: Session, meeting_id: int, version: int, users: list[str], now: datetime
) -> list[str]:
    """The justering DMs of one version, claimed in the transaction that decides to send them:
    a user already claimed for this version is not sent it again. (The cycle's own small
    ledger; the claim is not released or checked against Slack after a failed delivery.)"""
    keys = {u: f"justering:{meeting_id}:v{version}:{u}" for u in users}
    taken = set(
        session.exec(
            select(CycleMessage.key).where(col(CycleMessage.key).in_(list(keys.values())))
        ).all()
    )
    claimed = [u for u in users if keys[u] not in taken]
    for user in claimed:
        session.add(CycleMessage(key=keys[user], recipient=user, claimed_at=now))
    session.flush()  # a concurrent claim of the same key fails here, on the unique key
    return claimed


@dataclass
class Justerad:
    meeting: Meeting
    organ: Organ
    version: int
    waiting: list[str]
    final: Draft | None = None


def justera(ctx: Ctx, ref: str, version: int) -> Justerad:
    """A justerare approves one version; when all have approved the same, it is locked."""
    with ctx.db.transaction() as session:  # their names may ask Slack: before the write lock
        meeting, _organ = meetings.get(session, ref)
        adjusters = session.exec(
            select(MinutesAdjuster.user_id).where(MinutesAdjuster.meeting_id == meeting.id)
        ).all()
        ctx.know_names([user for user in adjusters if user])  # by name: nothing to ask
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)
        ctx.db.serialise(session, f"minutes:{meeting.id}")
        minutes = agenda.minutes_of(session, meeting)
        if minutes is not None and minutes.status == LOCKED:
            raise UserError(texts.locked(meeting.ref, minutes.locked_version))
        if minutes is None or minutes.sent_version is None:
            raise UserError(texts.not_sent(meeting.ref))
        rows = [
            r
            for r in session.exec(
                select(MinutesAdjuster).where(MinutesAdjuster.meeting_id == meeting.id)
            ).all()
            if r.user_id
        ]
        mine = next((r for r in rows if r.user_id == ctx.user_id), None)
        if mine is None:
            raise UserError(texts.not_adjuster(meeting.ref))
        latest = _latest(session, meeting)
        assert latest is not None
        if version != latest.version or version != minutes.sent_version:
            raise UserError(texts.newer_version(meeting.ref, version, latest.version))
        now = ctx.app.now()
        mine.approved_version, mine.approved_at = version, now
        session.add(mine)
        _event(session, meeting, "justerad av", version, None, ctx.user_id, now)
        waiting = [r.user_id or "" for r in rows if r.approved_version != version]
        if waiting:
            return Justerad(meeting, organ, version, waiting)
        names = texts.and_list([_name(ctx, r.user_id) for r in rows])
        final = _lock(session, ctx, meeting, organ, minutes, latest, names, now)
        return Justerad(meeting, organ, version, [], final)


def _lock(
    session: Session,
    ctx: Ctx,
    meeting: Meeting,
    organ: Organ,
    minutes: Minutes,
    row: MinutesVersion,
    by: str,
    now: datetime,
    *,
    approved_at: Meeting | None = None,
) -> Draft:
    local = now.astimezone(ctx.app.tz)
    doc = Doc.from_json(row.document)
    lock = DocLock(
        by=by,
        at=f"{format_date(local.date(), weekday=False)} kl. {format_time(local.time())}",
        version=row.version,
        content_hash=row.content_hash,
        established=format_date(local.date(), weekday=False),
    )
    final_doc = replace(doc, lock=lock)
    final = _store(
        session, meeting, final_doc, render(final_doc, now), ctx.user_id, now, final=True
    )
    minutes.status = LOCKED
    minutes.locked_version = row.version
    minutes.content_hash = row.content_hash
    minutes.justerad_by = by[:300]
    minutes.justerad_at = now
    minutes.established_on = local.date()
    minutes.approved_at_meeting_id = approved_at.id if approved_at else None
    minutes.updated_at = now
    session.add(minutes)
    refs = doc.decision_refs()
    if refs:
        found = session.exec(select(Decision).where(col(Decision.ref).in_(refs))).all()
        already = set(
            session.exec(
                select(DecisionJustering.decision_id).where(
                    col(DecisionJustering.decision_id).in_([d.id for d in found])
                )
            ).all()
        )
        for decision in found:
            if decision.id in already:
                continue
            assert decision.id is not None and meeting.id is not None
            session.add(
                DecisionJustering(
                    decision_id=decision.id,
                    meeting_id=meeting.id,
                    version=row.version,
                    text=decision.text,
                    justerad_at=now,
                )
            )
    _event(session, meeting, "låst", row.version, row.content_hash, ctx.user_id, now)
    session.flush()
    return Draft(meeting, organ, minutes, final, final_doc)


def request_change(ctx: Ctx, ref: str, version: int, comment: str) -> tuple[Meeting, str]:
    """A justerare asks for a change; the comment goes to the one who sent the draft."""
    comment = comment.strip()
    if not comment:
        raise UserError(texts.CHANGE_MODAL_HINT)
    with ctx.db.transaction(write=True) as session:
        meeting, _organ = meetings.get(session, ref)
        minutes = agenda.minutes_of(session, meeting)
        if minutes is not None and minutes.status == LOCKED:
            raise UserError(texts.locked(meeting.ref, minutes.locked_version))
        if minutes is None or minutes.sent_version is None:
            raise UserError(texts.not_sent(meeting.ref))
        if ctx.user_id not in adjusters_of(session, meeting):
            raise UserError(texts.not_adjuster(meeting.ref))
        minutes.status = DRAFT
        minutes.updated_at = ctx.app.now()
        session.add(minutes)
        _event(
            session, meeting, "ändring begärd", version, comment[:3000], ctx.user_id, ctx.app.now()
        )
        secretary = minutes.sent_by or minutes.secretary_user_id or ctx.user_id
        return meeting, secretary


def approve_previous(ctx: Ctx, ref: str, item: AgendaItem) -> Draft:
    """Minnesanteckningar: the group approves the previous meeting's minutes under this
    meeting's "Föregående mötes anteckningar"; they are locked as if justerade."""
    ctx.know_admin()  # may ask Slack: before the write lock
    with ctx.db.transaction(write=True) as session:
        meeting, organ = agenda.managed_meeting(session, ctx, ref)
        if item.auto != AUTO_PREVIOUS:
            raise UserError(texts.previous_needs_item(meeting.ref))
        assert organ.id is not None
        previous = session.exec(
            select(Meeting, Minutes)
            .join(Minutes, col(Minutes.meeting_id) == Meeting.id)
            .where(
                Meeting.organ_id == organ.id,
                Meeting.start_date < meeting.start_date,
                Minutes.status != LOCKED,
            )
            .order_by(col(Meeting.start_date).desc())
        ).first()
        if previous is None:
            raise UserError(texts.no_previous(meeting.ref))
        earlier, minutes = previous
        ctx.db.serialise(session, f"minutes:{earlier.id}")
        latest = _latest(session, earlier)
        if latest is None:
            raise UserError(texts.no_previous(meeting.ref))
        now = ctx.app.now()
        by = f"{organ.name} vid mötet {meeting.ref}"
        final = _lock(session, ctx, earlier, organ, minutes, latest, by, now, approved_at=meeting)
        row = session.get(AgendaItem, item.id)
        assert row is not None
        note = texts.previous_note(earlier.ref, latest.version)
        row.notes = f"{row.notes}\n\n{note}" if row.notes else note
        row.updated_at = now
        session.add(row)
        return final


@dataclass
class State:
    """Where a meeting's minutes stand, for `/mote visa`: form, latest version, status, the
    justerare (to whom sent; who justerade), and the lock."""

    form: str
    version: int | None
    status: str | None  # None: no draft yet
    adjusters: list[str]
    approved_by: list[str]
    justerad_by: str | None
    justerad_at: datetime | None
    content_hash: str | None


def state(ctx: Ctx, meeting: Meeting) -> State:
    with ctx.db.transaction() as session:
        organ = session.get(Organ, meeting.organ_id)
        assert organ is not None
        minutes = agenda.minutes_of(session, meeting)
        latest = _latest(session, meeting)
        form = minutes.minutes_form if minutes else agenda.setting(session, organ).form
        rows = session.exec(
            select(MinutesAdjuster).where(MinutesAdjuster.meeting_id == meeting.id)
        ).all()
        users = [r.user_id for r in rows if r.user_id]  # justerare by name get no DM to show
        if minutes is None or latest is None:
            return State(form, None, None, users, [], None, None, None)
        locked = minutes.status == LOCKED
        version = (
            minutes.locked_version
            if locked
            else minutes.sent_version
            if minutes.status == SENT and minutes.sent_version
            else latest.version
        )
        approved = [
            r.user_id for r in rows if r.user_id and locked and r.approved_version == version
        ]
        return State(
            form,
            version,
            minutes.status,
            users,
            approved,
            minutes.justerad_by,
            minutes.justerad_at,
            minutes.content_hash,
        )


def changes_after(session: Session, ctx: Ctx, meeting: Meeting, minutes: Minutes) -> list[str]:
    """What has happened to the record since the minutes were locked: decisions changed after
    justering, and decisions logged against the meeting afterwards. Shown, never written into
    the justerade files."""
    if minutes.justerad_at is None:
        return []
    lines: list[str] = []
    revisions = session.exec(
        select(DecisionRevision, Decision)
        .join(Decision, col(Decision.id) == DecisionRevision.decision_id)
        .join(DecisionJustering, col(DecisionJustering.decision_id) == Decision.id)
        .where(
            DecisionJustering.meeting_id == meeting.id,
            col(DecisionRevision.changed_at) > DecisionJustering.justerad_at,
        )
        .order_by(col(DecisionRevision.changed_at))
    ).all()
    for revision, decision in revisions:
        at = revision.changed_at.astimezone(ctx.app.tz).date().isoformat()
        lines.append(
            texts.change_after_line(
                decision.ref, revision.version, at, revision.changed_by, revision.reason
            )
        )
    later = session.exec(
        select(Decision).where(
            Decision.meeting_id == meeting.id, col(Decision.created_at) > minutes.justerad_at
        )
    ).all()
    for decision in later:
        at = decision.created_at.astimezone(ctx.app.tz).date().isoformat()
        lines.append(texts.decision_after_line(decision.ref, at))
    return lines
