"""Small pieces of the cycle the command language needs beside the agenda, attendance,
minutes, extracts and archive: assignments under an item, and labels."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import select

from bot import meetings, organs
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.cycle import agenda, layout, slack_writer, texts
from bot.cycle.model import Doc
from bot.meetings import texts as meeting_texts
from storage.models import AgendaItem, ItemAssignment, Meeting, Organ


class _HasMeeting(Protocol):
    @property
    def meeting(self) -> Meeting: ...
    @property
    def organ(self) -> Organ: ...


def kind_label(thing: _HasMeeting) -> str:
    return meeting_texts.kind_label(thing.meeting.kind, thing.organ)


def kind_label_of(meeting: Meeting, organ: Organ) -> str:
    return meeting_texts.kind_label(meeting.kind, organ)


def slack_lines(doc: Doc) -> list[str]:
    return slack_writer.write(layout.minutes_blocks(doc))


def item_for(ctx: Ctx, meeting_ref: str | None, number: int) -> int:
    """The agenda item an assignment is given under: `(LG-261217 §5)`, or `(§5)` on the
    channel's organ's meeting today (or its latest before today)."""
    with ctx.db.transaction() as session:
        if meeting_ref:
            meeting, _organ = meetings.get(session, meeting_ref)
        else:
            organ = organs.resolve(session, ctx, None)
            assert organ.id is not None
            found = meetings.on_date(session, organ.id, ctx.app.today())
            if found is None:
                found = session.exec(
                    select(Meeting)
                    .where(
                        Meeting.organ_id == organ.id,
                        Meeting.start_date <= ctx.app.today(),
                        Meeting.status == meetings.PLANNED,
                    )
                    .order_by(Meeting.start_date.desc())  # type: ignore[attr-defined]
                ).first()
            if found is None:
                raise UserError(texts.unknown_item(organ.short_name, f"§{number}"))
            meeting = found
        agenda.check_open(session, meeting)
        item = agenda.find_item(session, meeting, f"§{number}")
        assert item.id is not None
        return item.id


def attach_assignment(ctx: Ctx, item_id: int, assignment_id: int) -> None:
    with ctx.db.transaction(write=True) as session:
        session.add(ItemAssignment(agenda_item_id=item_id, assignment_id=assignment_id))


def item_by_id(ctx: Ctx, item_id: int) -> tuple[AgendaItem, Meeting]:
    with ctx.db.transaction() as session:
        item = agenda.item_by_id(session, item_id)
        meeting = session.get(Meeting, item.meeting_id)
        assert meeting is not None
        return item, meeting
