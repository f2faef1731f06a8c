"""The decision log: a public record. Logged, listed, searched, shown, amended and revoked —
never deleted, never silently edited: every version stays as a revision."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import meetings, organs
from bot.core import search
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.errors import NotAllowed, UserError
from bot.decisions import texts
from storage.models import (
    Assignment,
    Decision,
    DecisionJustering,
    DecisionRevision,
    Meeting,
    Organ,
)

MAX_TEXT = 3000
MAX_ITEM = 20
REVOKED = "upphävd"
# A change to a decision whose minutes are justerade: recorded, and shown as such.
AFTER_JUSTERING = "efter justering"


@dataclass
class Logged:
    decision: Decision
    organ: Organ
    meeting: Meeting | None
    change: str | None = None  # what an amendment changed (Swedish)
    after_justering: bool = False  # a change to a decision in justerade minutes


@dataclass
class Shown:
    decision: Decision
    organ: Organ
    meeting: Meeting | None
    revisions: list[DecisionRevision]
    assignments: list[Assignment]


def check_text(value: str, what: str = "beslutstexten") -> str:
    value = value.strip()
    if not value:
        raise UserError(texts.DECISION_USAGE)
    if len(value) > MAX_TEXT:
        raise UserError(core_texts.too_long(what, len(value), MAX_TEXT))
    return value


def log(
    ctx: Ctx,
    *,
    organ_name: str | None,
    decision_text: str,
    proposal: str | None = None,
    item: str | None = None,
    on: date | None = None,
    meeting_ref: str | None = None,
    session: Session | None = None,
) -> Logged:
    """Log a decision in one transaction (or inside the caller's, when `session` is given)."""
    decision_text = check_text(decision_text)
    if proposal:
        proposal = check_text(proposal, "förslaget")
    if item and len(item) > MAX_ITEM:
        raise UserError(texts.DECISION_USAGE)
    if session is not None:
        return _log_in(session, ctx, organ_name, decision_text, proposal, item, on, meeting_ref)
    for attempt in range(3):
        try:
            with ctx.db.transaction(write=True) as own:
                return _log_in(own, ctx, organ_name, decision_text, proposal, item, on, meeting_ref)
        except IntegrityError:
            # Two decisions took the same serial at once; the unique key caught it. Try again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _log_in(
    session: Session,
    ctx: Ctx,
    organ_name: str | None,
    decision_text: str,
    proposal: str | None,
    item: str | None,
    on: date | None,
    meeting_ref: str | None,
) -> Logged:
    meeting: Meeting | None
    if meeting_ref:
        meeting, organ = meetings.get(session, meeting_ref)
        named = organs.find(session, organ_name) if organ_name else None
        if organ_name and (named is None or named.id != organ.id):
            raise UserError(texts.meeting_of_other_organ(meeting.ref, organ_name))
    else:
        organ = organs.resolve(session, ctx, organ_name)
        meeting = meetings.on_date(session, _id(organ), on or ctx.app.today())
    decided_on = on or (meeting.start_date if meeting else ctx.app.today())
    if decided_on > ctx.app.today():
        raise UserError(texts.decision_in_future(decided_on))
    year = decided_on.year
    ctx.db.serialise(session, f"decision-serial:{organ.id}:{year}")
    serial = (
        session.exec(
            select(func.max(Decision.serial)).where(
                Decision.organ_id == organ.id, Decision.year == year
            )
        ).one()
        or 0
    ) + 1
    now = ctx.app.now()
    decision = Decision(
        ref=f"{organ.short_name}-{year}-{serial}",
        organ_id=_id(organ),
        year=year,
        serial=serial,
        meeting_id=meeting.id if meeting else None,
        item=item,
        proposal=proposal,
        text=decision_text,
        decided_on=decided_on,
        search_terms=search.terms(decision_text, proposal),
        created_by=ctx.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(decision)
    session.flush()
    session.add(_revision(decision, 1, "skapad", ctx.user_id, None, now))
    session.flush()
    return Logged(decision, organ, meeting)


def _id(organ: Organ) -> int:
    assert organ.id is not None
    return organ.id


def _revision(
    decision: Decision, version: int, action: str, by: str, reason: str | None, at: datetime
) -> DecisionRevision:
    assert decision.id is not None
    return DecisionRevision(
        decision_id=decision.id,
        version=version,
        action=action,
        text=decision.text,
        proposal=decision.proposal,
        item=decision.item,
        status=decision.status,
        reason=reason,
        changed_by=by,
        changed_at=at,
    )


def _get(session: Session, ref: str) -> tuple[Decision, Organ]:
    row = session.exec(
        select(Decision, Organ)
        .join(Organ, col(Organ.id) == Decision.organ_id)
        .where(Decision.ref == ref.strip().upper())
    ).first()
    if row is None:
        raise UserError(texts.unknown_decision(ref))
    return row[0], row[1]


def show(ctx: Ctx, ref: str) -> Shown:
    with ctx.db.transaction() as session:
        decision, organ = _get(session, ref)
        meeting = session.get(Meeting, decision.meeting_id) if decision.meeting_id else None
        revisions = list(
            session.exec(
                select(DecisionRevision)
                .where(DecisionRevision.decision_id == decision.id)
                .order_by(col(DecisionRevision.version))
            ).all()
        )
        assignments = list(
            session.exec(
                select(Assignment)
                .where(Assignment.decision_id == decision.id)
                .order_by(col(Assignment.id))
            ).all()
        )
        return Shown(decision, organ, meeting, revisions, assignments)


def _may_change(ctx: Ctx, decision: Decision, organ: Organ) -> bool:
    return ctx.user_id in (decision.created_by, organ.convenor_user_id) or ctx.is_admin()


def amend(
    ctx: Ctx,
    ref: str,
    new_text: str | None,
    reason: str | None,
    *,
    item: str | None = None,
    proposal: str | None = None,
) -> Logged:
    """A new text (a reason is needed: the decision is a public record), a new paragraph, a new
    proposal, or some of them. The earlier version stays as a revision."""
    if new_text is not None:
        new_text = check_text(new_text)
        if not (reason or "").strip():
            raise UserError(texts.DECISION_AMEND_USAGE)
    if proposal is not None:
        proposal = check_text(proposal, "förslaget")
    if item is not None and len(item) > MAX_ITEM:
        raise UserError(texts.DECISION_AMEND_USAGE)
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
    with ctx.db.transaction(write=True) as session:
        decision, organ = _get(session, ref)
        if not _may_change(ctx, decision, organ):
            raise NotAllowed(texts.decision_not_yours(decision.ref))
        if decision.status == REVOKED:
            raise UserError(texts.decision_revoked_already(decision.ref))
        changed_text = new_text is not None and new_text != decision.text
        changed_item = item is not None and item != decision.item
        changed_proposal = proposal is not None and proposal != decision.proposal
        if not (changed_text or changed_item or changed_proposal):
            raise UserError(texts.decision_unchanged(decision.ref))
        if not (reason or "").strip():
            reason = texts.item_changed(decision.item, item)
        version = _next_version(session, decision)
        now = ctx.app.now()
        action = "ändrad" if _justering(session, decision) is None else AFTER_JUSTERING
        old_item = decision.item
        if changed_text and new_text is not None:
            decision.text = new_text
        if changed_item:
            decision.item = item
        if changed_proposal:
            decision.proposal = proposal
        decision.search_terms = search.terms(decision.text, decision.proposal)
        decision.updated_at = now
        session.add(decision)
        reason = (reason or "").strip()
        session.add(_revision(decision, version, action, ctx.user_id, reason, now))
        moved = texts.item_changed(old_item, item) if changed_item else None
        change = texts.what_changed(changed_text, changed_proposal, moved)
        return Logged(decision, organ, None, change, after_justering=action == AFTER_JUSTERING)


def revoke(ctx: Ctx, ref: str, reason: str) -> Logged:
    if not reason.strip():
        raise UserError(texts.DECISION_REVOKE_USAGE)
    ctx.know_admin()
    with ctx.db.transaction(write=True) as session:
        decision, organ = _get(session, ref)
        if not (ctx.user_id == organ.convenor_user_id or ctx.is_admin()):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        if decision.status == REVOKED:
            raise UserError(texts.decision_revoked_already(decision.ref))
        version = _next_version(session, decision)
        now = ctx.app.now()
        after = _justering(session, decision) is not None
        decision.status = REVOKED
        decision.updated_at = now
        session.add(decision)
        session.add(_revision(decision, version, "upphävd", ctx.user_id, reason.strip(), now))
        return Logged(decision, organ, None, after_justering=after)


def _justering(session: Session, decision: Decision) -> DecisionJustering | None:
    """The decision as its minutes were justerade (the meeting cycle writes it), if they are."""
    return session.exec(
        select(DecisionJustering).where(DecisionJustering.decision_id == decision.id)
    ).first()


def _next_version(session: Session, decision: Decision) -> int:
    current = session.exec(
        select(func.max(DecisionRevision.version)).where(
            DecisionRevision.decision_id == decision.id
        )
    ).one()
    return int(current or 0) + 1


def listing(
    ctx: Ctx,
    organ_name: str | None,
    year: int | None,
    limit: int = 20,
    *,
    organ_ids: list[int] | None = None,
    offset: int = 0,
) -> list[tuple[Decision, Organ]]:
    with ctx.db.transaction() as session:
        query = select(Decision, Organ).join(Organ, col(Organ.id) == Decision.organ_id)
        query = query.where(*_scope(session, organ_name, year, organ_ids))
        query = query.order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())
        return [(d, o) for d, o in session.exec(query.offset(offset).limit(limit)).all()]


def count(ctx: Ctx, organ_name: str | None, year: int | None) -> int:
    """How many decisions `listing` has in all pages."""
    with ctx.db.transaction() as session:
        query = select(func.count()).select_from(Decision)
        return int(session.exec(query.where(*_scope(session, organ_name, year, None))).one())


def _scope(
    session: Session, organ_name: str | None, year: int | None, organ_ids: list[int] | None
) -> list[Any]:
    conditions: list[Any] = []
    if organ_name:
        conditions.append(Decision.organ_id == organs.get(session, organ_name).id)
    if organ_ids is not None:
        conditions.append(col(Decision.organ_id).in_(organ_ids))
    if year:
        conditions.append(Decision.year == year)
    return conditions


# The newest hits (the most recently logged first), found without reading every match.
# SQLite: FTS5 walks its index backwards by rowid and stops at the limit.
# PostgreSQL: first the newest RECENT decisions' stored search vectors (a common word is found
# there at once); only when that yields too few, the GIN index (then the word is rare, and the
# index is quick).
# One such query gives the ids of up to COUNTED + 1 hits: how many there are (exact up to
# COUNTED; more is said as "more than") and, sliced, the page asked for. Counting every match
# would cost a word in most of the log ~0.4 s on PostgreSQL (benchmarks/README.md, `search`).
RECENT = 5000
COUNTED = 1000
_HITS = {
    "sqlite": "SELECT rowid FROM decision_fts WHERE decision_fts MATCH :q "
    "ORDER BY rowid DESC LIMIT :n",
    "postgresql": """
        WITH recent AS (
            SELECT id FROM (
                SELECT id, search_vector FROM decision ORDER BY id DESC LIMIT :recent
            ) newest
            WHERE search_vector @@ to_tsquery('simple', :q)
            ORDER BY id DESC LIMIT :n
        ), older AS MATERIALIZED (
            SELECT id FROM decision
            WHERE search_vector @@ to_tsquery('simple', :q)
            AND (SELECT count(*) FROM recent) < :n
        )
        SELECT id FROM (SELECT id FROM recent UNION SELECT id FROM older) hits
        ORDER BY id DESC LIMIT :n""",
}


def search_page(
    ctx: Ctx, query_text: str, *, limit: int = 20, offset: int = 0
) -> search.Hits[tuple[Decision, Organ]]:
    """Full-text search, the most recently logged first: `limit` hits from `offset`, and how
    many there are (exact up to COUNTED). Words match by Swedish stem, as prefixes. Two
    statements (one when nothing matches) whatever the size of the log."""
    stems = search.query_terms(query_text)
    if not stems:
        raise UserError(texts.SEARCH_USAGE)
    postgres = ctx.db.dialect == "postgresql"
    match = search.tsquery(stems) if postgres else search.fts5_match(stems)
    hits = text(_HITS[ctx.db.dialect]).bindparams(q=match, n=COUNTED + 1)
    if postgres:
        hits = hits.bindparams(recent=RECENT)
    offset = min(offset, COUNTED)
    limit = max(0, min(limit, COUNTED - offset))
    with ctx.db.transaction() as session:
        ids = [int(i) for i in session.execute(hits).scalars().all()]
        shown = ids[offset : offset + limit]
        rows: list[tuple[Decision, Organ]] = []
        if shown:
            query = (
                select(Decision, Organ)
                .join(Organ, col(Organ.id) == Decision.organ_id)
                .where(col(Decision.id).in_(shown))
                .order_by(col(Decision.id).desc())
            )
            rows = [(d, o) for d, o in session.exec(query).all()]
        return search.Hits(rows, len(ids), COUNTED)


EXPORT_COLUMNS = ["Referens", "Organ", "Datum", "Möte", "§", "Status", "Förslag", "Beslut"]


def export(ctx: Ctx, organ_name: str | None, year: int | None) -> tuple[bytes, bytes, int]:
    """The decision log as CSV (Excel-friendly: UTF-8 with BOM, semicolons) and Markdown."""
    with ctx.db.transaction() as session:
        query = (
            select(Decision, Organ, Meeting)
            .join(Organ, col(Organ.id) == Decision.organ_id)
            .join(Meeting, col(Meeting.id) == Decision.meeting_id, isouter=True)
        )
        if organ_name:
            query = query.where(Decision.organ_id == organs.get(session, organ_name).id)
        if year:
            query = query.where(Decision.year == year)
        rows = session.exec(query.order_by(col(Decision.decided_on), col(Decision.id))).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    md = [texts.export_title(organ_name, year), ""]
    for decision, organ, meeting in rows:
        writer.writerow(
            [
                decision.ref,
                organ.short_name,
                decision.decided_on.isoformat(),
                meeting.ref if meeting else "",
                decision.item or "",
                decision.status,
                _csv_safe(decision.proposal or ""),
                _csv_safe(decision.text),
            ]
        )
        md.extend(texts.export_markdown_entry(decision, organ, meeting))
    return ("\ufeff" + out.getvalue()).encode("utf-8"), "\n".join(md).encode("utf-8"), len(rows)


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; make them plain text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
