"""Protokollsutdrag: one decision with its meeting, §, text and justering, as PDF and DOCX —
the form each member organisation takes a decision home to its own board in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from bot import assignments, meetings
from bot.core.context import Ctx
from bot.core.dates import format_date, format_time
from bot.core.errors import UserError
from bot.cycle import agenda, docx_writer, layout, markdown_writer, pdf_writer, slack_writer, texts
from bot.cycle.minutes import doc_assignment
from bot.cycle.model import Extract, day_month_year, minutes_date
from bot.decisions import texts as decision_texts
from storage.models import (
    AgendaItem,
    Assignment,
    Decision,
    DecisionJustering,
    DecisionRevision,
    Meeting,
    Organ,
)


@dataclass
class Made:
    ref: str
    title: str
    extract: Extract
    markdown: str
    pdf: bytes
    docx: bytes
    lines: list[str]


def extract(ctx: Ctx, ref: str) -> Made:
    with ctx.db.transaction() as session:
        row = session.exec(
            select(Decision, Organ)
            .join(Organ, col(Organ.id) == Decision.organ_id)
            .where(Decision.ref == ref.strip().upper())
        ).first()
        if row is None:
            raise UserError(decision_texts.unknown_decision(ref))
        decision, organ = row
        meeting = session.get(Meeting, decision.meeting_id) if decision.meeting_id else None
        minutes = agenda.minutes_of(session, meeting) if meeting else None
        form = minutes.minutes_form if minutes else agenda.setting(session, organ).form
        justering = session.exec(
            select(DecisionJustering).where(DecisionJustering.decision_id == decision.id)
        ).first()
        item = None
        if meeting is not None and decision.item and decision.item.isdigit():
            item = session.exec(
                select(AgendaItem).where(
                    AgendaItem.meeting_id == meeting.id, AgendaItem.number == int(decision.item)
                )
            ).first()
        tasks = session.exec(
            select(Assignment)
            .where(Assignment.decision_id == decision.id)
            .order_by(col(Assignment.id))
        ).all()
        views = assignments.views_for(session, list(tasks))
        changes: list[str] = []
        text = decision.text
        if justering is not None:
            text = justering.text
            revisions = session.exec(
                select(DecisionRevision)
                .where(
                    DecisionRevision.decision_id == decision.id,
                    col(DecisionRevision.changed_at) > justering.justerad_at,
                )
                .order_by(col(DecisionRevision.version))
            ).all()
            for revision in revisions:
                at = revision.changed_at.astimezone(ctx.app.tz)
                changes.append(
                    texts.extract_change(
                        f"{day_month_year(at.date())} kl. {format_time(at.time())}",
                        ctx.directory.display_name(revision.changed_by),
                        revision.text if revision.status != "upphävd" else "upphävt",
                        revision.reason,
                    )
                )
        if justering is not None and minutes is not None and minutes.justerad_at is not None:
            at = minutes.justerad_at.astimezone(ctx.app.tz)
            justering_text = texts.extract_justerat(
                minutes.justerad_by or "",
                f"{day_month_year(at.date())} kl. {format_time(at.time())}",
                minutes.locked_version or 0,
                minutes.content_hash or "",
            )
        else:
            justering_text = texts.EXTRACT_NOT_JUSTERAT if meeting else texts.EXTRACT_NO_MEETING
        made = Extract(
            form=form,
            organ_name=organ.name,
            meeting_ref=meeting.ref if meeting else None,
            decision_ref=decision.ref,
            date_line=minutes_date(
                meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time
            )
            if meeting
            else day_month_year(decision.decided_on),
            place=meeting.location if meeting else None,
            number=int(decision.item) if decision.item and decision.item.isdigit() else None,
            item_title=item.title if item else texts.EXTRACT_NO_ITEM,
            proposal=decision.proposal,
            text=text,
            status=decision.status,
            assignments=[doc_assignment(ctx, v) for v in views],
            justering=justering_text,
            changes=changes,
            made=texts.extract_made_line(
                format_date(ctx.app.today(), weekday=False),
                ctx.directory.display_name(ctx.user_id),
            ),
        )
    blocks = layout.extract_blocks(made)
    title = f"{texts.extract_title(form)} {decision.ref}"
    now = ctx.app.now()
    return Made(
        decision.ref,
        title,
        made,
        markdown_writer.write(blocks),
        pdf_writer.write(blocks, title=title, when=now),
        docx_writer.write(blocks, title=title, when=now),
        slack_writer.write(blocks),
    )


__all__ = ["Made", "extract", "meetings"]
