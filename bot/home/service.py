"""The App Home tab: my open assignments, upcoming meetings and recent decisions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from bot import assignments, decisions, meetings
from bot.assignments import texts as assignment_texts
from bot.assignments.actions import assignment_buttons
from bot.calendar import feeds
from bot.core.context import Ctx, Product
from bot.core.replies import Message, Part, context, divider, header, section
from bot.decisions import texts as decision_texts
from bot.home import texts
from bot.meetings import texts as meeting_texts
from storage.models import OrganMember, ProcessedEvent

HOME_ITEMS = 45  # two blocks each: with the rest, a notice and a note, 99 of a view's 100


def home(ctx: Ctx, notice: str | None = None) -> Message:
    """The tab: `notice` on top (the answer to a button pressed here), then as many of my open
    assignments as fit with their buttons, and how many more there are."""
    total = assignments.count_open(ctx, user_id=ctx.user_id)
    mine = assignments.mine(ctx, limit=HOME_ITEMS)
    with ctx.db.transaction() as session:
        # The organs the person belongs to, once their channels' members are known; until
        # then (nobody has run /kalender or invited yet), everything; and an organ whose
        # channel has not been read whole yet (/kalender reads a few at a time) counts as theirs.
        known = session.exec(select(func.count()).select_from(OrganMember)).one()
        mine_organs = None
        if known:
            belongs = set(feeds.organ_ids_of(session, ctx.user_id))
            mine_organs = sorted(belongs | set(feeds.unknown_organ_ids(session)))
    upcoming = meetings.upcoming(ctx, None, limit=8, organ_ids=mine_organs)
    recent = decisions.listing(ctx, None, None, limit=8, organ_ids=mine_organs)
    parts: list[Part] = [section(notice)] if notice else []
    parts.append(header(assignment_texts.my_assignments_header(total)))
    for view in mine:
        parts += [section(assignment_texts.assignment_line(view)), assignment_buttons(view)]
    if total > len(mine):
        parts.append(context(texts.more_assignments(len(mine), total)))
    if not mine:
        parts.append(context(assignment_texts.ASSIGNMENTS_MINE_NONE))
    parts += [divider(), header(texts.HOME_MEETINGS)]
    parts += (
        [section("\n".join(meeting_texts.meeting_line(m, o) for m, o in upcoming))]
        if upcoming
        else [context(meeting_texts.MEETINGS_NONE)]
    )
    parts += [divider(), header(texts.HOME_DECISIONS)]
    parts += (
        [section("\n".join(decision_texts.decision_line(d, o) for d, o in recent))]
        if recent
        else [context(decision_texts.DECISIONS_NONE)]
    )
    return Message(texts.HOME_TITLE, parts)


KEEP_EVENT_IDS = timedelta(days=1)  # Slack retries within minutes; a day is plenty


def first_delivery(app: Product, event_id: str) -> bool:
    """Record a Slack event id; False when it was seen before (a retry), so it is dropped.
    Ids older than a day are forgotten on the way, so the table stays small."""
    now = app.now()
    try:
        with app.db.transaction(write=True) as session:
            session.execute(
                delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < now - KEEP_EVENT_IDS)
            )
            session.add(ProcessedEvent(event_id=event_id[:64], received_at=now))
    except IntegrityError:
        return False
    return True
