"""What the meetings feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from bot.core.dates import WEEKDAY_NAMES, When, format_date, format_when
from bot.core.markup import clip, esc
from bot.meetings.model import CANCELLED, HELD, when_of

if TYPE_CHECKING:
    from storage.models import Meeting, Organ

MEETING_USAGE = (
    "*/mote* – möten och sammankomster\n"
    "• `/mote ny AU 14 augusti 13-15 Regionhuset` – planera ett möte\n"
    "• `/mote ny workshop 17 november kl. 9-16 Kreativa rummet`\n"
    "• `/mote ny internat 1-2 februari 2027` – heldagar, flera dagar\n"
    "• `/mote lista [organ]` – kommande möten\n"
    "• `/mote visa AU-260814` – ett möte\n"
    "• `/mote flytta AU-260814 till 21 augusti 13-15` – nytt datum (plats kan läggas till)\n"
    "• `/mote ställ in AU-260814 [skäl]` – ställ in mötet"
)


MEETING_NEW_USAGE = (
    "Skriv organ (om kanalen inte hör till ett), typ och när, sist plats. Till exempel: "
    "`/mote ny AU 14 augusti 13-15 Regionhuset` eller `/mote ny internat 1-2 februari`."
)


MEETING_MOVE_USAGE = (
    "Skriv mötet och den nya tiden, till exempel `/mote flytta AU-260814 till 21 augusti 13-15`."
)


MEETING_CANCEL_USAGE = (
    "Skriv vilket möte som ställs in, gärna med skäl, till exempel: "
    "`/mote ställ in AU-260814 för få anmälda`"
)


MEETING_TITLE_UNCLEAR = (
    "Jag förstod inte ”{text}” före datumet: det är inget organ och ingen typ av sammankomst "
    "(möte, workshop, internat, planeringsdagar, spridningskonferens, konferens, nätverksträff, "
    "utbildning). Till exempel: `/mote ny AU 14 augusti 13-15` eller "
    "`/mote ny Gemensam spridningskonferens 1-2 november`."
)


def unknown_subcommand(word: str) -> str:
    return (
        f"Jag känner inte igen ”{esc(clip(word, 30))}” efter /mote. Till exempel: "
        "`/mote ny AU 14 augusti 13-15` eller `/mote lista`; `/mote hjälp` visar allt."
    )


MEETINGS_NONE = "Inga kommande möten. Planera ett: `/mote ny AU 14 augusti 13-15 Regionhuset`"


def unknown_meeting(ref: str) -> str:
    return (
        f"Jag hittar inget möte ”{esc(clip(ref, 40))}”. Möten heter som organ och datum, "
        "till exempel `AU-260814`; se `/mote lista`."
    )


def meeting_in_past(when: When) -> str:
    return f"{format_when(when)} har redan varit. Ange ett kommande datum."


def meeting_held_already(ref: str) -> str:
    return (
        f"Mötet {esc(ref)} har redan hållits och ligger kvar som det var. "
        "Planera ett nytt med `/mote ny`."
    )


def meeting_recorded(meeting: Meeting, organ: Organ) -> str:
    return (
        "🗂️ Fört in i efterhand: "
        + meeting_line(meeting, organ)
        + "\nMötet har redan hållits, så det får inga påminnelser eller inbjudningar; beslut "
        f"från det loggas med till exempel `/beslut {meeting.ref} §3: …`."
    )


def meeting_cancelled_already(ref: str) -> str:
    return f"Mötet {esc(ref)} är redan inställt. Planera ett nytt med `/mote ny`."


def kind_label(kind: str, organ: Organ) -> str:
    if kind == "möte":
        return f"{organ.short_name}-möte"
    return f"{kind.capitalize()} ({organ.short_name})"


def label(meeting: Meeting, organ: Organ) -> str:
    """What it is called: its own name ("Gemensam spridningskonferens (LG)"), else its kind."""
    if meeting.title:
        return f"{meeting.title} ({organ.short_name})"
    return kind_label(meeting.kind, organ)


def meeting_line(meeting: Meeting, organ: Organ) -> str:
    text = f"*{esc(label(meeting, organ))}* {format_when(when_of(meeting))}"
    if meeting.location:
        text += f", {esc(meeting.location)}"
    return text + f" · `{meeting.ref}`"


def meeting_scheduled(meeting: Meeting, organ: Organ) -> str:
    return "📅 Planerat: " + meeting_line(meeting, organ)


def meeting_moved(meeting: Meeting, organ: Organ, old: When) -> str:
    return f"📅 Flyttat från {format_when(old)}: " + meeting_line(meeting, organ)


def meeting_cancelled(meeting: Meeting, organ: Organ) -> str:
    text = f"🚫 Inställt: ~{meeting_line(meeting, organ)}~"
    if meeting.cancel_reason:
        text += f"\nSkäl: {esc(meeting.cancel_reason)}"
    return text


def meeting_details(meeting: Meeting, organ: Organ) -> str:

    lines = [
        f"*{esc(label(meeting, organ))}* · `{meeting.ref}`",
        f"När: {format_when(when_of(meeting))}",
        f"Var: {esc(meeting.location) if meeting.location else 'ingen plats angiven'}",
        f"Organ: {esc(organ.short_name)} – {esc(organ.name)}",
    ]
    if meeting.status == HELD:
        lines.append("Status: *hållet* (fört in i efterhand)")
    if meeting.status == CANCELLED:
        lines.append(
            "Status: *inställt*"
            + (f" – {esc(meeting.cancel_reason)}" if meeting.cancel_reason else "")
        )
    return "\n".join(lines)


def warn_not_working_day(day: date, holiday: str | None) -> str:
    # "är nationaldagen" / "är julafton", but "är en lördag"
    what = esc(holiday) if holiday else f"en {WEEKDAY_NAMES[day.weekday()]}"
    return f"{format_date(day, weekday=False)} är {what}, ingen arbetsdag."


def warn_same_day(ref: str, organ: str) -> str:
    return f"{esc(organ)} har redan ett möte den dagen: `{esc(ref)}`."


def warn_no_such_time(day: date, moment: time) -> str:
    return (
        f"Klockan {moment:%H.%M} finns inte {format_date(day)}: klockan ställs fram en timme "
        "den natten (sommartid)."
    )


def warn_twice(day: date, moment: time) -> str:
    return (
        f"Klockan {moment:%H.%M} inträffar två gånger {format_date(day)}: klockan ställs "
        "tillbaka en timme den natten (vintertid)."
    )


def warn_far_ahead(day: date, typed: str) -> str:
    return (
        f"”{esc(typed)}” utan år blir {format_date(day)}, mer än ett halvår fram. "
        "Skriv året om du menar ett annat."
    )


MEETING_SERIES_USAGE = (
    "Skriv veckodag, tid och period, till exempel "
    "`/mote ny AU varje torsdag 13-14 från 5 juni till 28 augusti` "
    "(hoppa över dagar med `utom 19 juni`, sist plats)."
)
MAX_SERIES = 60


def series_too_long(count: int) -> str:
    return f"Serien blir {count} möten; högst {MAX_SERIES} går att planera på en gång."


def series_empty(weekday: str) -> str:
    return f"Det finns ingen {esc(weekday)} i den perioden. " + MEETING_SERIES_USAGE


def series_skip_hint() -> str:
    return "Vill du hoppa över en dag: *Ändra* och lägg till `utom 19 juni` efter slutdatumet."


def series_scheduled(meetings: list[Meeting], organ: Organ, weekday: str) -> str:
    lines = [meeting_line(m, organ) for m in meetings]
    head = f"📅 Planerat: {esc(organ.short_name)} varje {weekday}, {len(meetings)} möten:"
    return "\n".join([head, *(f"• {line}" for line in lines)])
