"""Material (underlag): when an organ's deadline has passed and an accepted item's presenter
has added none, they get one reminder, with the *Lägg till underlag* button (the agenda shows
the item as "underlag saknas" from the same moment).

Sent once across restarts and processes: the item is claimed with one conditional UPDATE
before the DM goes out, and released again if it did not: its ledger row is planned again, so
the next run (or the safety tick) sends it, and it is still one message, sent once."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlalchemy import exists, update
from sqlmodel import col, select

from bot import meetings
from bot.core import ledger
from bot.core.context import Product
from bot.core.dates import format_when
from bot.core.replies import Message, section
from bot.cycle import actions, agenda, texts
from bot.cycle.model import ACCEPTED
from storage.models import AgendaItem, MaterialFile, Meeting, Organ

log = logging.getLogger(__name__)
SEND_AT = time(9, 0)  # the morning after the deadline, local time


class Notifier(Protocol):
    """What sends the DM (the reminders' notifier in production): a ledger.Sender."""

    def send(self, recipient: str, message: Message, key: str) -> str: ...

    def find(self, recipient: str, key: str) -> str | None: ...


def _claim(app: Product, item_id: int, value: bool) -> bool:
    with app.db.transaction(write=True) as session:
        result = session.execute(
            update(AgendaItem)
            .where(col(AgendaItem.id) == item_id, col(AgendaItem.material_reminded) == (not value))
            .values(material_reminded=value)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def due(app: Product) -> list[tuple[AgendaItem, Meeting, Organ]]:
    """Accepted items with a presenter in Slack and no material, whose meeting is still to come
    and whose organ's deadline has passed (from 09.00 the day after), not yet reminded."""
    today = app.today()
    now = app.now()
    with app.db.transaction() as session:
        rows = session.exec(
            select(AgendaItem, Meeting, Organ)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .join(Organ, col(Organ.id) == Meeting.organ_id)
            .where(
                AgendaItem.status == ACCEPTED,
                col(AgendaItem.auto).is_(None),
                col(AgendaItem.presenter_user_id).is_not(None),
                col(AgendaItem.material).is_(None),
                ~exists().where(col(MaterialFile.agenda_item_id) == AgendaItem.id),
                AgendaItem.material_reminded == False,  # noqa: E712 - SQL, not Python
                Meeting.status == meetings.PLANNED,
                Meeting.start_date >= today,
            )
            .order_by(col(AgendaItem.id))
        ).all()
        send_at: dict[int, datetime] = {}
        chosen = []
        for item, meeting, organ in rows:
            if meeting.id not in send_at:
                last_day = agenda.deadline(session, meeting, organ)[0]
                after = datetime.combine(last_day + timedelta(days=1), SEND_AT, tzinfo=app.tz)
                send_at[meeting.id or 0] = after
            if now >= send_at[meeting.id or 0]:
                chosen.append((item, meeting, organ))
        return chosen


def remind(app: Product, notifier: Notifier) -> int:
    """Send the reminders that are due, through the delivery ledger (once, checked after a 5xx
    or a time-out, finished after a crash by the safety tick); how many went out."""
    sent = 0
    for item, meeting, _organ in due(app):
        assert item.id is not None and item.presenter_user_id is not None
        text = texts.MATERIAL_REMINDER.format(
            title=item.title,
            label=agenda.label(item),
            ref=meeting.ref,
            when=format_when(meetings.when_of(meeting)),
        )
        message = Message(text, [section(text), actions.material_button(meeting.ref, item.id)])
        # In the ledger first (a key already there is kept), then marked as reminded: a crash
        # in between leaves a planned row the safety tick sends, never two.
        ids = ledger.enqueue(
            app, "underlag", [(f"underlag:{item.id}", item.presenter_user_id, message)], None
        )
        if not _claim(app, item.id, True):
            continue  # another process took it
        outcome = ledger.send(app, notifier, ids)
        sent += len(outcome.sent)
        if outcome.failed:
            log.warning("material reminder for item %s was not delivered; again later", item.id)
            ledger.replan(app, ids)
            _claim(app, item.id, False)
    return sent
