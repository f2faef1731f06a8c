"""Reminders are data, not jobs: the plan (who gets which DM before which meeting) is computed
from the tables; what was sent is kept in the delivery ledger (bot.core.ledger) under a unique
key (meeting, recipient, kind, round), with a Reminder row for the plan it was sent for. A DM
is claimed in the ledger before it is sent and marked after; a claim left behind by a crash is
settled by asking Slack whether the message (tagged with its key) arrived. So a restart, a
moved meeting or a second replica never sends twice and never skips.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import assignments, organs
from bot.assignments import View
from bot.assignments.actions import assignment_buttons
from bot.core import ledger
from bot.core.context import Product
from bot.core.ledger import (
    FAILED,
    PLANNED,
    SENDING,
    SENT,
    SUPERSEDED,
    Claim,
    DeliveryError,
    Sender,
    holding_claim,
    send_once,
)
from bot.core.replies import Message, Part, context, header, section
from bot.core.workdays import send_time
from bot.meetings.model import HELD, MEETING, ends_at, starts_at
from bot.meetings.model import PLANNED as PLANNED_MEETING
from bot.reminders import texts
from storage.models import Assignment, AssignmentOwner, Delivery, Meeting, Organ, Reminder

log = logging.getLogger(__name__)

BEFORE = "förhand"  # N working days before, 09:00
MORNING = "morgon"  # the morning of the meeting, for what is still open
SUMMARY = "sammanfattning"  # to the organ's channel after the meeting
# The ledger's kinds: a DM to an owner, a summary to the organ's channel.
REMINDER_KIND = "påminnelse"
REMIND_AT = time(9, 0)
MORNING_AT = time(7, 30)
LATE_AFTER = timedelta(minutes=15)
LEASE = timedelta(minutes=5)  # a claim older than this, still "skickas", was left by a crash
HORIZON = timedelta(days=30)  # meetings this far ahead are planned on each tick
MOVED_TOO_FAR = timedelta(days=1)


# How reminders reach people: the ledger's Sender (Slack in production, anything in tests).
Notifier = Sender


@dataclass(slots=True)
class Planned:
    meeting: Meeting
    organ: Organ
    recipient: str
    kind: str
    send_at: datetime
    round: int = 0
    status: str = PLANNED
    ledger: Kept | None = None

    @property
    def key(self) -> str:
        return f"{self.meeting.uid}:{self.recipient}:{self.kind}:{self.round}"


@dataclass(frozen=True, slots=True)
class Kept:
    """What the ledger holds of a reminder: the plan it was taken for, and its delivery."""

    reminder_id: int
    round: int
    meeting_date: date
    late: bool
    status: str
    claimed_at: datetime
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class Open:
    """An open assignment, as much of it as planning needs."""

    id: int
    due: date | None  # the due meeting's date if any (it may have moved), else the due date
    due_meeting_id: int | None
    due_organ_id: int | None
    report_to: str | None
    recipients: list[str]  # user owners and each owning organ's convenor
    due_after: date | None = None  # with due_organ_id: its first meeting after this day


@dataclass
class Agenda:
    """Open assignments indexed so that a meeting's recipients and items are found quickly."""

    open: list[Open]
    report_to: dict[int, list[int]] = field(default_factory=dict)  # organ → indexes in open
    by_meeting: dict[int, list[int]] = field(default_factory=dict)
    undated_by_organ: dict[int, list[int]] = field(default_factory=dict)
    waiting: dict[int, list[int]] = field(default_factory=dict)  # organ → "meeting after <day>"
    dated: list[tuple[date, int]] = field(default_factory=list)
    reports_to: list[set[int]] = field(default_factory=list)  # per index: organs it reports to
    by_recipient: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, items: list[Open], aliases: dict[str, str], organ_ids: dict[str, int]) -> Agenda:
        agenda = cls(items)
        for i, item in enumerate(items):
            if item.due_meeting_id:
                agenda.by_meeting.setdefault(item.due_meeting_id, []).append(i)
            if item.due is not None:
                agenda.dated.append((item.due, i))
            elif item.due_organ_id and item.due_after is None:
                agenda.undated_by_organ.setdefault(item.due_organ_id, []).append(i)
            elif item.due_organ_id:
                agenda.waiting.setdefault(item.due_organ_id, []).append(i)
            organs_reported_to = _report_to_organs(item.report_to, aliases, organ_ids)
            agenda.reports_to.append(organs_reported_to)
            for organ_id in organs_reported_to:
                agenda.report_to.setdefault(organ_id, []).append(i)
            for recipient in item.recipients:
                agenda.by_recipient.setdefault(recipient, []).append(i)
        agenda.dated.sort()
        return agenda

    def _concerns(self, i: int, meeting: Meeting) -> bool:
        """The same rule as relevant(), for one assignment."""
        item = self.open[i]
        return concerns(
            meeting,
            item.due,
            item.due_meeting_id,
            item.due_organ_id,
            self.reports_to[i],
            item.due_after,
        )

    def relevant(self, meeting: Meeting) -> set[int]:
        """Assignments due at or before the meeting, or reporting back to its organ. A
        session that is not a meeting (a workshop, an internat) has only what is due at it."""
        if meeting.kind != MEETING:
            return set(self.by_meeting.get(meeting.id or 0, ()))
        end = bisect.bisect_right(self.dated, (meeting.start_date, len(self.open)))
        found = {i for _, i in self.dated[:end]}
        found.update(self.by_meeting.get(meeting.id or 0, ()))
        found.update(self.undated_by_organ.get(meeting.organ_id, ()))
        found.update(
            i
            for i in self.waiting.get(meeting.organ_id, ())
            if (self.open[i].due_after or date.max) < meeting.start_date
        )
        found.update(self.report_to.get(meeting.organ_id, ()))
        return found

    def item_ids(self, meeting: Meeting, recipient: str | None = None) -> list[int]:
        """The assignment ids of a meeting's reminder (to one recipient), in due order."""
        if recipient is None:
            chosen = [self.open[i] for i in self.relevant(meeting)]
        else:  # only this person's assignments are looked at, not every open one
            mine = self.by_recipient.get(recipient, [])
            chosen = [self.open[i] for i in mine if self._concerns(i, meeting)]
        return [o.id for o in sorted(chosen, key=lambda o: (o.due or date.max, o.id))]


def concerns(
    meeting: Meeting,
    due: date | None,
    due_meeting_id: int | None,
    due_organ_id: int | None,
    reports_to: set[int],
    due_after: date | None = None,
) -> bool:
    """Whether an assignment belongs to a meeting's reminders and summary: due at or before it,
    due at it, due at the organ's next meeting (not planned when it was given), or reporting
    back to its organ. A session that is not a meeting has only what is due at it."""
    if meeting.kind != MEETING:
        return due_meeting_id == meeting.id
    if due is not None and due <= meeting.start_date:
        return True
    if due_meeting_id is not None and due_meeting_id == meeting.id:
        return True
    if due is None and due_organ_id == meeting.organ_id:
        # "the AU meeting after 18 September" is not the one on the 18th
        return due_after is None or due_after < meeting.start_date
    return meeting.organ_id in reports_to


def belongs(
    organ_id: int, assignment: Assignment, due_at_organ: int | None, reports_to: set[int]
) -> bool:
    """Whether a closed assignment is listed in an organ's summary: the organ it was due at
    (its due meeting's, or "nästa AU"), else the organ it came from; and an organ it reports
    back to. So an assignment due at AU is AU's, done or not, wherever it was given."""
    home = due_at_organ or assignment.due_organ_id or assignment.organ_id
    return home == organ_id or organ_id in reports_to


def _report_to_organs(
    report_to: str | None, aliases: dict[str, str], organ_ids: dict[str, int]
) -> set[int]:
    if not report_to:
        return set()
    words = set(re.findall(r"[\wåäöÅÄÖ-]+", report_to.lower()))
    return {organ_ids[aliases[w]] for w in words if w in aliases and aliases[w] in organ_ids}


def meeting_start(meeting: Meeting, app: Product) -> datetime:
    return starts_at(meeting, app.tz)


def meeting_end(meeting: Meeting, app: Product) -> datetime:
    return ends_at(meeting, app.tz)


def _times(meeting: Meeting, organ: Organ, app: Product) -> list[tuple[str, datetime]]:
    """The owner reminders' send times: N working days before at 09:00, and the morning."""
    start = meeting_start(meeting, app)
    before = send_time(meeting.start_date, organ.reminder_lead_days, REMIND_AT, app.tz)
    morning = min(
        datetime.combine(meeting.start_date, MORNING_AT, app.tz), start - timedelta(hours=1)
    )
    result = []
    if before < start:
        result.append((BEFORE, before))
    if morning < start and (not result or morning > before):
        result.append((MORNING, morning))  # with a lead of 0 days this may be the only one
    return result


def _stale(planned: Planned, now: datetime, app: Product) -> bool:
    """Too late to send: owners' reminders once the meeting has begun; a summary after a day."""
    if planned.kind == SUMMARY:
        return now >= meeting_end(planned.meeting, app) + timedelta(days=1)
    return now >= meeting_start(planned.meeting, app)


def load(
    session: Session, app: Product, meetings: list[tuple[Meeting, Organ]]
) -> tuple[Agenda, dict]:
    """The open assignments (plain rows, not ORM objects: there may be ten thousand) and the
    ledger rows for these meetings: a fixed number of queries."""
    is_open = col(Assignment.status) == assignments.OPEN
    rows = session.execute(
        sa_select(
            col(Assignment.id),
            col(Assignment.due_date),
            col(Assignment.due_meeting_id),
            col(Assignment.due_organ_id),
            col(Assignment.report_to),
            col(Meeting.start_date),
            col(Assignment.organ_id),
            col(Assignment.due_after),
        )
        .outerjoin(Meeting, col(Meeting.id) == Assignment.due_meeting_id)
        .where(is_open)
        .order_by(col(Assignment.id))
    ).all()
    all_organs = {o.id: o for o in session.exec(select(Organ)).all() if o.id is not None}
    owners: dict[int, list[tuple[str | None, int | None]]] = {}
    for assignment_id, user_id, organ_id in session.execute(
        sa_select(
            col(AssignmentOwner.assignment_id),
            col(AssignmentOwner.user_id),
            col(AssignmentOwner.organ_id),
        )
        .join(Assignment, col(Assignment.id) == AssignmentOwner.assignment_id)
        .where(is_open, col(AssignmentOwner.done_at).is_(None))  # a part done is not reminded
        .order_by(col(AssignmentOwner.id))
    ).all():
        owners.setdefault(assignment_id, []).append((user_id, organ_id))
    items = [
        Open(
            a_id,
            moved or due,
            meeting_id,
            organ_id,
            report_to,
            assignments.answering(owners.get(a_id, ()), all_organs, origin),
            after,
        )
        for a_id, due, meeting_id, organ_id, report_to, moved, origin, after in rows
    ]
    aliases = organs.aliases(session)
    organ_ids = {o.short_name: o_id for o_id, o in all_organs.items()}
    kept: dict[tuple[int, str, str], Kept] = {}
    ids = [m.id for m, _ in meetings]
    if ids:
        for row, delivery in session.exec(
            select(Reminder, Delivery)
            .join(Delivery, col(Delivery.id) == Reminder.delivery_id)
            .where(col(Reminder.meeting_id).in_(ids))
            .order_by(col(Reminder.round))
        ).all():
            kept[(row.meeting_id, row.recipient, row.kind)] = Kept(  # the latest round wins
                row.id or 0,
                row.round,
                row.meeting_date,
                row.late,
                delivery.status,
                delivery.claimed_at,
                delivery.message_ts,
            )
    return Agenda.build(items, aliases, organ_ids), kept


def _meetings(session: Session, first: date, last: date) -> list[tuple[Meeting, Organ]]:
    query = (
        select(Meeting, Organ)
        .join(Organ, col(Organ.id) == Meeting.organ_id)
        .where(
            Organ.reminders_enabled == True,  # noqa: E712
            Meeting.status == "planerat",
            Meeting.start_date >= first,
            Meeting.start_date <= last,
        )
        .order_by(col(Meeting.start_date), col(Meeting.start_time))
    )
    return [(m, o) for m, o in session.exec(query).all()]


@dataclass(slots=True)
class Batch:
    """One send time of one meeting, with everyone who gets that reminder: the plan's unit."""

    meeting: Meeting
    organ: Organ
    kind: str
    send_at: datetime
    recipients: list[str]


@dataclass
class Plan:
    batches: list[Batch]
    agenda: Agenda
    ledger: dict[tuple[int, str, str], Kept]

    def expand(self, batches: Iterable[Batch]) -> list[Planned]:
        """One Planned per recipient, with what the ledger says of it."""
        result = []
        for batch in batches:
            meeting_id, day = batch.meeting.id or 0, batch.meeting.start_date
            for recipient in batch.recipients:
                planned = Planned(batch.meeting, batch.organ, recipient, batch.kind, batch.send_at)
                row = self.ledger.get((meeting_id, recipient, batch.kind))
                if row is not None:
                    _apply_ledger(planned, row, day)
                result.append(planned)
        return result


def plan(app: Product, start: datetime, end: datetime) -> list[Planned]:
    """Every reminder whose send time falls in [start, end), with what the ledger says of it."""
    whole = make_plan(app, start, end)
    return whole.expand(whole.batches)


def make_plan(app: Product, start: datetime, end: datetime) -> Plan:
    """The batches whose send time falls in [start, end), in send order. A fixed number of
    queries; the open assignments are walked once, in due order, as the meetings go by."""
    with app.db.transaction() as session:
        first = (start - timedelta(days=2)).astimezone(app.tz).date()
        last = (end + timedelta(days=21)).astimezone(app.tz).date()
        meetings = _meetings(session, first, last)
        if not meetings:  # nothing to remind of: do not load every open assignment
            return Plan([], Agenda([]), {})
        agenda, ledger = load(session, app, meetings)
    batches: list[Batch] = []
    due_by_now: set[str] = set()  # owners of everything due by the current meeting
    i = 0
    for meeting, organ in meetings:  # in date order
        while i < len(agenda.dated) and agenda.dated[i][0] <= meeting.start_date:
            due_by_now.update(agenda.open[agenda.dated[i][1]].recipients)
            i += 1
        if meeting.kind != MEETING:  # a workshop, an internat: only what is due at it
            everyone = set().union(
                *(agenda.open[k].recipients for k in agenda.by_meeting.get(meeting.id or 0, []))
            )
        else:
            specific = (
                agenda.by_meeting.get(meeting.id or 0, [])
                + agenda.undated_by_organ.get(meeting.organ_id, [])
                + agenda.report_to.get(meeting.organ_id, [])
            )
            everyone = due_by_now.union(*(agenda.open[k].recipients for k in specific))
        recipients = sorted(everyone)
        for kind, at in _times(meeting, organ, app):
            if start <= at < end and recipients:
                batches.append(Batch(meeting, organ, kind, at, recipients))
        end_at = meeting_end(meeting, app)
        if organ.channel_id and start <= end_at < end and meeting.kind == MEETING:
            batches.append(Batch(meeting, organ, SUMMARY, end_at, [organ.channel_id]))
    batches.sort(key=lambda b: (b.send_at, b.meeting.start_date))
    return Plan(batches, agenda, ledger)


def _apply_ledger(planned: Planned, row: Kept, meeting_day: date) -> None:
    """What the ledger says of a planned reminder: sent, being sent, failed, or due again."""
    moved = abs(meeting_day - row.meeting_date) > MOVED_TOO_FAR
    if row.status in (SENT, SENDING) and moved:
        planned.round = row.round + 1  # the meeting moved: a new reminder for the new date
        return
    planned.round, planned.status, planned.ledger = row.round, row.status, row


@dataclass
class TickReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    next_at: datetime | None = None  # when the scheduler should wake up next


class Reminders:
    """Sends what is due. Safe to run in several processes at once on one database."""

    def __init__(self, app: Product, notifier: Notifier, *, lease: timedelta = LEASE) -> None:
        self.app = app
        self.notifier = notifier
        self.lease = lease

    def due(self, now: datetime) -> tuple[list[Planned], Agenda]:
        """Reminders to send now: their time has come and it is not too late for them."""
        whole = make_plan(self.app, now - HORIZON, now + timedelta(seconds=1))
        return self._due(whole.expand(whole.batches), now), whole.agenda

    def _due(self, candidates: list[Planned], now: datetime) -> list[Planned]:
        result = []
        for p in candidates:
            if p.send_at > now or p.status in (SENT, SUPERSEDED) or _stale(p, now, self.app):
                continue
            if p.status == SENDING and p.ledger and now - p.ledger.claimed_at < self.lease:
                continue  # someone is sending it right now
            result.append(p)
        return result

    def tick(self) -> TickReport:
        """Send what is due; the report says when the next reminder falls due. One plan."""
        now = self.app.now()
        report = TickReport()
        whole = make_plan(self.app, now - HORIZON, now + HORIZON)
        past = [b for b in whole.batches if b.send_at <= now]
        due = self._due(whole.expand(past), now)
        mornings = {(p.meeting.id, p.recipient) for p in due if p.kind == MORNING}
        superseded = [
            p for p in due if p.kind == BEFORE and (p.meeting.id, p.recipient) in mornings
        ]
        for p in superseded:  # after downtime: one DM, the morning one, not two at once
            row = self._claim(p, now)
            if row is not None:
                self._finish(row, SUPERSEDED, now)
        skipped = {id(p) for p in superseded}
        due = [p for p in due if id(p) not in skipped]
        views = self._views(whole.agenda, due)
        for p in due:
            try:
                self._deliver(p, whole.agenda, views, now, report)
            except Exception:  # one bad reminder must not stop the others
                log.exception("reminder %s failed", p.key)
                report.failed.append(p.key)
        report.next_at = min((b.send_at for b in whole.batches if b.send_at > now), default=None)
        return report

    def next_wakeup(self) -> datetime | None:
        """When the next reminder falls due, or None."""
        now = self.app.now()
        later = make_plan(self.app, now, now + HORIZON).batches
        return min((b.send_at for b in later if b.send_at > now), default=None)

    # ---------------------------------------------------------------- delivery
    def _views(self, agenda: Agenda, due: list[Planned]) -> dict[int, View]:
        """The assignments the due reminders will show, loaded in one go."""
        ids: set[int] = set()
        for meeting in {id(p.meeting): p.meeting for p in due}.values():
            ids.update(agenda.item_ids(meeting))
        if not ids:
            return {}
        with self.app.db.transaction() as session:
            rows = session.exec(select(Assignment).where(col(Assignment.id).in_(ids))).all()
            return {v.assignment.id or 0: v for v in assignments.views_for(session, list(rows))}

    def _deliver(
        self,
        planned: Planned,
        agenda: Agenda,
        views: dict[int, View],
        now: datetime,
        report: TickReport,
    ) -> None:
        # Every Slack call for this reminder ends within its claim's lease: the one this
        # service takes claims over with, and the one every other process does.
        with holding_claim(min(self.lease, self.app.lease)):
            self._send(planned, agenda, views, now, report)

    def _send(
        self,
        planned: Planned,
        agenda: Agenda,
        views: dict[int, View],
        now: datetime,
        report: TickReport,
    ) -> None:
        row = self._claim(planned, now)
        if row is None:
            return  # another process has it
        if row.doubt:  # an earlier attempt may have arrived all the same
            try:
                found = self.notifier.find(planned.recipient, planned.key)
            except DeliveryError as error:
                # Unknown whether it arrived: not sent again now; marked failed (visible in the
                # plan), and the next tick asks Slack again before it sends anything.
                log.warning("reminder %s: %s", planned.key, error)
                self._finish(row, FAILED, now, error=str(error)[:500])
                report.failed.append(planned.key)
                return
            if found:  # it did arrive before the crash: record it, do not send again
                self._finish(row, SENT, now, ts=found)
                report.sent.append(planned.key)
                return
        late = now - planned.send_at > LATE_AFTER
        message = self.message(planned, agenda, views, late=late)
        if message is None:
            self._finish(row, SENT, now, ts=None)  # nothing left open for this person
            return
        try:
            # after a 5xx or a time-out: asked whether it arrived before it is sent again
            ts = send_once(self.notifier, planned.recipient, message, planned.key, doubt=False)
        except DeliveryError as error:
            log.warning("reminder %s failed: %s", planned.key, error)
            self._finish(row, FAILED, now, error=str(error)[:500])
            report.failed.append(planned.key)
            return
        self._finish(row, SENT, self.app.now(), ts=ts, late=late)
        report.sent.append(planned.key)

    def _claim(self, planned: Planned, now: datetime) -> Claim | None:
        """Take the ledger row for this reminder; None if another process holds it, or it is
        settled. A reminder that failed is tried again (asking Slack first whether it came).

        The claim is stamped with the time it is taken (not when the tick began), so a long
        tick never hands out claims that already look abandoned."""
        now = max(now, self.app.now())
        try:
            with self.app.db.transaction(write=True) as session:
                claim = ledger.take(
                    session,
                    now,
                    planned.key,
                    kind=planned.kind if planned.kind == SUMMARY else REMINDER_KIND,
                    recipient=planned.recipient,
                    lease=self.lease,
                    again=True,
                )
                if claim is None:
                    return None
                kept = planned.ledger
                if kept is None or planned.round != kept.round:
                    session.add(
                        Reminder(
                            meeting_id=planned.meeting.id or 0,
                            recipient=planned.recipient,
                            kind=planned.kind,
                            round=planned.round,
                            meeting_date=planned.meeting.start_date,
                            planned_at=planned.send_at,
                            delivery_id=claim.id,
                        )
                    )
                    session.flush()
                else:  # for the meeting as it is now (it may have moved since the last try)
                    session.execute(
                        update(Reminder)
                        .where(col(Reminder.id) == kept.reminder_id)
                        .values(meeting_date=planned.meeting.start_date, planned_at=planned.send_at)
                    )
                return claim
        except IntegrityError:  # another process wrote it first
            return None

    def _finish(
        self,
        claim: Claim,
        status: str,
        at: datetime,
        *,
        ts: str | None = None,
        error: str | None = None,
        late: bool = False,
    ) -> None:
        with self.app.db.transaction(write=True) as session:
            if ledger.mark(session, claim, status, at, ts=ts, error=error) and late:
                session.execute(
                    update(Reminder).where(col(Reminder.delivery_id) == claim.id).values(late=True)
                )

    def message(
        self, planned: Planned, agenda: Agenda, views: dict[int, View], *, late: bool = False
    ) -> Message | None:
        if planned.kind == SUMMARY:
            return self._summary(planned, agenda, views)
        items = [views[i] for i in agenda.item_ids(planned.meeting, planned.recipient)]
        if not items:
            return None
        return reminder_message(planned.meeting, planned.organ, items, planned.kind, late)

    def _summary(self, planned: Planned, agenda: Agenda, views: dict[int, View]) -> Message:
        """After the meeting: what was closed since the organ's previous meeting, what is open,
        what is overdue."""
        meeting, organ = planned.meeting, planned.organ
        with self.app.db.transaction() as session:
            previous = session.exec(
                select(Meeting)
                .where(
                    Meeting.organ_id == organ.id,
                    col(Meeting.status).in_((PLANNED_MEETING, HELD)),
                    Meeting.kind == MEETING,
                    Meeting.start_date < meeting.start_date,
                )
                .order_by(col(Meeting.start_date).desc())
            ).first()
            since = meeting_start(previous, self.app) if previous else meeting.created_at
            aliases = organs.aliases(session)
            organ_ids = {o.short_name: o.id for o in session.exec(select(Organ)) if o.id}
            done = session.execute(
                sa_select(Assignment, col(Meeting.organ_id))
                .outerjoin(Meeting, col(Meeting.id) == Assignment.due_meeting_id)
                .where(
                    col(Assignment.status) == assignments.DONE,
                    col(Assignment.closed_at) >= since,
                )
                .order_by(col(Assignment.id))
            ).all()
            closed_rows = [
                a
                for a, due_at_organ in done
                if belongs(
                    organ.id or 0,
                    a,
                    due_at_organ,
                    _report_to_organs(a.report_to, aliases, organ_ids),
                )
            ]
            closed = assignments.views_for(session, closed_rows)
        today = self.app.now().astimezone(self.app.tz).date()
        relevant = [views[i] for i in agenda.item_ids(meeting)]
        overdue = [v for v in relevant if v.assignment.due_date and v.assignment.due_date < today]
        late = {id(v) for v in overdue}
        open_items = [v for v in relevant if id(v) not in late]  # each under one heading
        parts = [
            header(texts.summary_intro(meeting, organ)),
            section(texts.summary_section("Klara sedan förra mötet", closed, "inga")),
            section(texts.summary_section("Öppna", open_items, "inga")),
            section(texts.summary_section("Försenade", overdue, "inga")),
        ]
        return Message(texts.summary_intro(meeting, organ), parts)


def reminder_message(
    meeting: Meeting, organ: Organ, items: list[View], kind: str, late: bool
) -> Message:
    """One DM per owner and meeting: every item with its buttons."""
    intro = texts.reminder_intro(meeting, organ, kind, len(items))
    parts: list[Part] = [section(intro)]
    if late:
        parts.append(context(texts.REMINDER_LATE))
    for view in items[: texts.REMINDER_MAX_ITEMS]:
        parts.append(section(texts.reminder_item(view)))
        parts.append(assignment_buttons(view, meeting.ref))
    if len(items) > texts.REMINDER_MAX_ITEMS:
        parts.append(context(texts.REMINDER_MORE.format(n=len(items) - texts.REMINDER_MAX_ITEMS)))
    parts.append(context(texts.REMINDER_FOOTER))
    return Message(intro, parts)


def for_meeting(app: Product, meeting: Meeting) -> list[Planned]:
    """The reminders of one meeting, sent or to be sent (for `/mote visa`)."""
    start = datetime.combine(meeting.start_date - timedelta(days=30), time(0), app.tz)
    end = meeting_end(meeting, app) + timedelta(minutes=1)
    return [p for p in plan(app, start, end) if p.meeting.id == meeting.id]


def status_label(planned: Planned, now: datetime, app: Product) -> str:
    """What `/mote visa` says of a reminder at `now`, truthfully: one whose time has passed
    is never "planerad"."""
    late = planned.ledger is not None and planned.ledger.late
    if planned.status == SENT:
        if planned.kind != SUMMARY and planned.ledger is not None and not planned.ledger.message_ts:
            return texts.STATUS_NOTHING_OPEN
        return texts.STATUS_SENT_LATE if late else texts.STATUS_SENT
    if planned.status == SUPERSEDED:
        return texts.STATUS_SUPERSEDED
    if planned.status == SENDING:
        return texts.STATUS_SENDING
    if planned.status == FAILED:
        return texts.STATUS_NOT_SENT if _stale(planned, now, app) else texts.STATUS_FAILED
    if planned.send_at > now:
        return texts.STATUS_PLANNED
    return texts.STATUS_NOT_SENT if _stale(planned, now, app) else texts.STATUS_DUE_NOW


def plan_lines(planned: Iterable[Planned], app: Product) -> list[str]:
    """`ledningsbot reminders plan` and `/mote visa`: one line per reminder."""
    lines = []
    for p in planned:
        at = p.send_at.astimezone(app.tz)
        who = f"#{p.recipient}" if p.recipient[:1] in "CG" else f"@{p.recipient}"
        status = p.status
        if p.ledger is not None and p.ledger.late:
            status += f" ({texts.PLAN_LATE})"
        lines.append(f"{at:%Y-%m-%d %H.%M}  {p.kind:<14} {p.meeting.ref:<14} {who:<14} {status}")
    return lines
