"""What the reminders feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.assignments.texts import assignment_line, due_label
from bot.core.dates import format_date, format_when
from bot.core.markup import clip, esc, mention
from bot.meetings.model import when_of
from bot.meetings.texts import kind_label

if TYPE_CHECKING:
    from bot.assignments.model import View
    from storage.models import Meeting, Organ

REMINDER_MAX_ITEMS = 15


PLAN_HEADER = "skickas           slag           möte           till           läge"


PLAN_EMPTY = "Inga påminnelser i perioden."


PLAN_LATE = "sen"


def reminder_intro(meeting: Meeting, organ: Organ, kind: str, count: int) -> str:

    when = format_when(when_of(meeting))
    where = f", {esc(meeting.location)}" if meeting.location else ""
    what = "ett uppdrag" if count == 1 else f"{count} uppdrag"
    if kind == "morgon":
        still = "ett uppdrag öppet" if count == 1 else f"{count} uppdrag öppna"
        return (
            f"☀️ I dag är det {esc(kind_label(meeting.kind, organ))} ({when}{where}). "
            f"Du har fortfarande {still}:"
        )
    label = esc(kind_label(meeting.kind, organ))
    return f"⏰ Inför {label} {when}{where} har du {what} att återkoppla:"


def reminder_item(view: View) -> str:
    a = view.assignment
    lines = [f"*`{a.ref}`* {esc(clip(a.what.replace(chr(10), ' '), 400))}"]
    origin = []
    if view.decision is not None:
        origin.append(f"från beslut `{view.decision.ref}`")
    origin.append(due_label(view))
    if a.report_to:
        origin.append(f"återkoppling till {esc(a.report_to)}")
    lines.append(" · ".join(origin))
    if a.last_status:
        lines.append(f"_Senaste status: {esc(clip(a.last_status, 300))}_")
    return "\n".join(lines)


REMINDER_LATE = "Den här påminnelsen kommer sent: boten var inte igång när den skulle ha skickats."


REMINDER_MORE = "… och {n} till. Se alla med `/uppdrag`."


REMINDER_FOOTER = "Klarmarkera, lägg till status eller flytta direkt här, eller med `/uppdrag`."


def summary_intro(meeting: Meeting, organ: Organ) -> str:

    return (
        f"📋 Uppdrag efter {esc(kind_label(meeting.kind, organ))} {format_when(when_of(meeting))}"
    )


def summary_section(title: str, views: list[View], empty: str) -> str:
    if not views:
        return f"*{title}:* {empty}"
    lines = [f"• {assignment_line(v)}" for v in views[:15]]
    if len(views) > 15:
        lines.append(f"• … och {len(views) - 15} till")
    return f"*{title} ({len(views)}):*\n" + "\n".join(lines)


def reminders_sent(sent: int, failed: int) -> str:
    text = "1 påminnelse skickad" if sent == 1 else f"{sent} påminnelser skickade"
    return text + (f", {failed} misslyckades (försöks igen)." if failed else ".")


REMINDERS_HEADER = "*Påminnelser:*"


STATUS_PLANNED = "planerad"
STATUS_SENT = "skickad"
STATUS_SENT_LATE = "skickad (sent)"
STATUS_NOTHING_OPEN = "inte skickad: inget öppet kvar"
STATUS_SUPERSEDED = "ersatt av morgonens påminnelse"
STATUS_SENDING = "skickas"
STATUS_FAILED = "misslyckad, försöks igen"
STATUS_DUE_NOW = "skickas strax"
STATUS_NOT_SENT = "inte skickad (tiden gick ut)"


_REMINDER_KIND_LABELS = {
    "förhand": "inför mötet",
    "morgon": "mötesdagens morgon",
    "sammanfattning": "sammanfattning",
}


def reminder_line(at: datetime, kind: str, recipient: str, status: str) -> str:
    who = f"<#{recipient}>" if recipient[:1] in "CG" else mention(recipient)
    when = f"{format_date(at.date(), year=False)} kl. {at:%H.%M}"
    return f"• {when}, {_REMINDER_KIND_LABELS.get(kind, kind)}, till {who}: {status}"


def reminder_nudge(view: View, by: str) -> str:
    return f"🔔 {mention(by)} påminner om ditt uppdrag:\n{reminder_item(view)}"
