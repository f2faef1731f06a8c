"""What the assignments feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

from bot.core import texts as core_texts
from bot.core.dates import MONTH_NAMES, format_date
from bot.core.markup import clip, esc, mention
from bot.meetings import texts as meeting_texts

if TYPE_CHECKING:
    from bot.assignments.model import View
    from storage.models import Meeting


ASSIGNMENT_USAGE = (
    "*/uppdrag* – uppdrag: vem gör vad, till när, och återkopplar till vem\n"
    "• `/uppdrag @Anna @Roger Ta fram underlag om LINK till nästa AU återkoppling till LG`\n"
    "• `/uppdrag PG-AVTAL Uppdatera strategin till LG 7 oktober` – ett organ som ansvarig\n"
    "• `/uppdrag @Jenny Rekrytera samordnare till v 6 (beslut LG-2026-3)` – från ett beslut\n"
    "• `/uppdrag [sida 2]` – mina öppna uppdrag · `/uppdrag lista [@person|organ] [sida 2]` · "
    "`/uppdrag sök LINK [sida 2]`\n"
    "• `/uppdrag klart U-12 [kommentar]` (eller `U-12 är klart`) · "
    "`/uppdrag status U-12 Utkast klart`\n"
    "• `/uppdrag ändra U-12 @Anna Ny text till nästa LG` – skriv det som ska ändras: "
    "ansvariga, text, tidpunkt, återkoppling\n"
    "• `/uppdrag flytta U-12 till v 42` · `/uppdrag stryk U-12 <skäl>` · `/uppdrag visa U-12`\n"
    "• `/uppdrag påminn U-12` – påminn de ansvariga nu (sammankallande)\n"
    "När, med eller utan `till`/`senast`: `4/12`, `17 november`, `v 42`, `om två veckor`, "
    "`nästa fredag`, `fredag nästa vecka`, `i juni`, `nästa AU`, `kommande AU`, "
    "`LG 7 oktober`, `LG i oktober`, `oktobermötet`, `LG-231006`, `till workshopen`."
)


ASSIGNMENT_NO_OWNER = (
    "Vem ska göra det? Börja med en eller flera ansvariga, till exempel: "
    "`/uppdrag @Anna Ta fram underlag till nästa AU`"
)


def no_what(due: str | None) -> str:
    understood = f" Jag förstod ”{esc(clip(due, 60))}” som tidpunkten." if due else ""
    return (
        f"Vad ska göras?{understood} Skriv uppdraget efter de ansvariga, till exempel: "
        "`/uppdrag @Anna Ta fram underlag till nästa AU`"
    )


ASSIGNMENT_STATUS_USAGE = (
    "Skriv uppdraget och läget, till exempel: `/uppdrag status U-12 Utkast skickat till AU`"
)


ASSIGNMENT_MOVE_USAGE = (
    "Skriv uppdraget och ny tidpunkt, till exempel: `/uppdrag flytta U-12 till nästa LG`"
)


ASSIGNMENT_CLOSE_USAGE = (
    "Skriv vilket uppdrag som är klart, till exempel: `/uppdrag klart U-12` eller "
    "`/uppdrag U-12 är klart`"
)


ASSIGNMENT_AMEND_USAGE = (
    "Skriv uppdraget och det som ska ändras, som när du gav det: ansvariga, text, tidpunkt "
    "eller återkoppling. Till exempel: `/uppdrag ändra U-12 @Anna @Roger` (nya ansvariga), "
    "`/uppdrag ändra U-12 till nästa LG` (ny tidpunkt) eller "
    "`/uppdrag ändra U-12 Ta fram underlag om LINK återkoppling till AU`."
)


ASSIGNMENT_SEARCH_USAGE = (
    "Skriv vad du söker efter, till exempel: `/uppdrag sök LINK` "
    "(fler träffar: `/uppdrag sök LINK sida 2`)"
)


ASSIGNMENT_STRIKE_USAGE = (
    "Skriv uppdraget och skälet, till exempel: `/uppdrag stryk U-12 ersätts av U-15`"
)


ASSIGNMENTS_MINE_NONE = "Du har inga öppna uppdrag. 🎉"


ASSIGNMENTS_NONE = "Inga öppna uppdrag."


STATUS_MODAL_TITLE = "Lägg till status"


STATUS_MODAL_LABEL = "Hur går det?"


STATUS_MODAL_SUBMIT = "Spara"


CANCEL = "Avbryt"


BUTTON_DONE = "Klart"


BUTTON_STATUS = "Lägg till status"


def unknown_assignment(ref: str) -> str:
    return (
        f"Jag hittar inget uppdrag ”{esc(clip(ref, 40))}”. Uppdrag heter till exempel `U-12`; "
        "se dina med `/uppdrag`."
    )


def due_meeting_cancelled(ref: str) -> str:
    return (
        f"Mötet {esc(ref)} är inställt, så inget kan vara klart till det. "
        "Välj ett annat möte, till exempel ”till nästa AU”, eller ett datum."
    )


def due_meeting_over(meeting: Meeting, typed: str) -> str:
    return (
        f"”{esc(clip(typed, 60))}” är {esc(meeting.ref)} ({format_date(meeting.start_date)}), "
        "och det mötet är redan över. Ange ett kommande möte, till exempel ”till nästa LG”, "
        "eller ett datum."
    )


def no_meeting_in_month(short: str, kind: str, first: date, typed: str) -> str:
    month = f"{MONTH_NAMES[first.month - 1]} {first.year}"
    if kind == "möte":
        what = f"något {esc(short)}-möte"
    elif kind == "internat":
        what = f"något internat för {esc(short)}"
    else:
        what = f"någon {esc(kind)} för {esc(short)}"
    last = f"{calendar.monthrange(first.year, first.month)[1]} {month}"
    return (
        f"Jag hittar inte {what} i {month} som ”{esc(clip(typed, 60))}” kan syfta på. Planera "
        f"det först med `/mote ny`, eller skriv ett datum, till exempel ”till {last}”."
    )


def no_session_planned(short: str, kind: str, typed: str) -> str:
    none = "inget internat planerat" if kind == "internat" else f"ingen {esc(kind)} planerad"
    return (
        f"{esc(short)} har {none}, så jag vet inte vart ”{esc(clip(typed, 60))}” pekar. "
        f"Planera först med `/mote ny {esc(kind)} …`, eller skriv ett datum, "
        "till exempel ”till 17 november”."
    )


def month_end_note(typed: str, day: date) -> str:
    return f"”{esc(clip(typed, 60))}” blev sista arbetsdagen i månaden: {format_date(day)}."


def not_a_working_day(day: date, holiday: str | None) -> str:
    return "Obs: " + meeting_texts.warn_not_working_day(day, holiday)


def due_far_ahead(day: date, typed: str) -> str:
    return (
        f"”{esc(clip(typed, 60))}” utan år blir {format_date(day)}, mer än ett halvår fram. "
        "Skriv året om du menar ett annat."
    )


def due_in_past(day: date, typed: str | None = None) -> str:
    said = f"”{esc(clip(typed, 60))}” är {format_date(day)}, som" if typed else format_date(day)
    return (
        f"{said} har redan varit. Ange en kommande tidpunkt, till exempel "
        "”till nästa AU”, ”till v 42” eller ”till 4/12”."
    )


def assignment_not_yours(ref: str) -> str:
    return (
        f"Tyvärr – uppdraget {esc(ref)} kan bara klarmarkeras, flyttas, strykas eller få ny "
        "status av de ansvariga, organets sammankallande eller en administratör."
    )


def assignment_not_open(ref: str, status: str) -> str:
    return f"Uppdraget {esc(ref)} är redan {status}."


def due_label(view: View) -> str:
    a = view.assignment
    if view.due_meeting is not None:
        meeting = view.due_meeting
        kind = "" if meeting.kind == "möte" else f"{esc(meeting.kind)}, "
        return f"till {meeting.ref} ({kind}{format_date(meeting.start_date)})"
    if view.due_organ is not None and a.due_date is None and a.due_after is not None:
        short = esc(view.due_organ.short_name)
        return f"till {short}-mötet efter {format_date(a.due_after)} (inte planerat än)"
    if view.due_organ is not None and a.due_date is None:
        return f"till nästa {esc(view.due_organ.short_name)}-möte (inte planerat än)"
    if view.due_organ is not None and a.due_date is not None:
        return f"till {esc(view.due_organ.short_name)} {format_date(a.due_date)}"
    if a.due_date is not None:
        return f"senast {format_date(a.due_date)}"
    return "ingen tidpunkt"


def owners_label(view: View) -> str:
    names = []
    for owner in view.owners:
        if owner.organ_id is not None:
            organ = view.organs[owner.organ_id]
            convenor = f" ({mention(organ.convenor_user_id)})" if organ.convenor_user_id else ""
            names.append(f"{esc(organ.short_name)}{convenor}")
        elif owner.user_id:
            names.append(mention(owner.user_id))
        elif owner.name:
            names.append(esc(owner.name))
        if owner.done_at is not None and len(view.owners) > 1:
            names[-1] += " ✓"
    return ", ".join(names)


def assignment_line(view: View) -> str:
    a = view.assignment
    what = esc(clip(a.what.replace("\n", " "), 300))
    text = f"`{a.ref}` {what} – {owners_label(view)}, {due_label(view)}"
    if a.report_to:
        text += f", återkoppling till {esc(a.report_to)}"
    if view.decision is not None:
        text += f" · från beslut `{view.decision.ref}`"
    if a.last_status:
        text += f"\n      _Senaste status: {esc(clip(a.last_status, 200))}_"
    return text


def assignment_created(view: View) -> str:
    return f"📌 Uppdrag {assignment_line(view)}"


def assignment_dm(view: View, by: str) -> str:
    return (
        f"Du har fått ett uppdrag av {mention(by)}:\n*{esc(clip(view.assignment.what, 2000))}*\n"
        f"{_upper_first(due_label(view))}"
        + (
            f", återkoppling till {esc(view.assignment.report_to)}"
            if view.assignment.report_to
            else ""
        )
        + f" · `{view.assignment.ref}`"
        + (f"\nFrån beslut `{view.decision.ref}`" if view.decision is not None else "")
    )


def assignment_closed(view: View) -> str:
    if view.assignment.status == "öppen":  # one part of a shared assignment
        waiting = ", ".join(mention(u) for u in view.pending_users()) or "övriga ansvariga"
        return f"✅ `{view.assignment.ref}`: din del är klar; väntar på {waiting}. Tack!"
    return f"✅ Uppdrag `{view.assignment.ref}` är klart. Tack!"


def assignment_status_saved(view: View) -> str:
    return f"📝 Status för `{view.assignment.ref}` sparad."


def assignment_moved(view: View) -> str:
    return f"📆 Uppdrag `{view.assignment.ref}` flyttat {due_label(view)}."


def assignment_struck(view: View) -> str:
    return f"🗑️ Uppdrag `{view.assignment.ref}` struket. Det finns kvar i historiken."


def organ_without_convenor(short: str) -> str:
    return f"Obs: {esc(short)} har ingen sammankallande, så ingen fick något DM för organets del."


def my_assignments_header(count: int) -> str:
    return f"Dina öppna uppdrag ({count})"


def assignments_header(scope: str | None, count: int) -> str:
    return f"Öppna uppdrag{(' – ' + scope) if scope else ''} ({count})"


def assignment_event_line(kind: str, text: str | None, by: str, day: date) -> str:
    line = f"{day.isoformat()} {kind} av {mention(by)}"
    return line + (f": {esc(clip(text, 300))}" if text else "")


BUTTON_NEXT_MEETING = "Flytta till nästa möte"


REMIND_NOT_ALLOWED = (
    "Påminnelser skickas av organets sammankallande eller en administratör. "
    "Vill du själv påminna någon, skriv till dem direkt."
)


def reminded(view: View) -> str:
    return f"🔔 Påminnelse om `{view.assignment.ref}` skickad till {owners_label(view)}."


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def changed_what(what: str) -> str:
    return f"ny text: ”{esc(clip(what, 200))}”"


def changed_report_to(report_to: str) -> str:
    return f"återkoppling till {esc(report_to)}" if report_to else "ingen återkoppling"


def changed_owners(view: View) -> str:
    return f"ansvariga: {owners_label(view)}"


def assignment_unchanged(ref: str) -> str:
    return (
        f"Det du skrev är redan vad {esc(ref)} säger; inget ändrades. Till exempel: "
        f"`/uppdrag ändra {esc(ref)} till nästa LG`"
    )


def assignment_amended(view: View, changes: list[str]) -> str:
    return f"✏️ Uppdrag `{view.assignment.ref}` ändrat ({'; '.join(changes)}):\n" + assignment_line(
        view
    )


def search_header(query: str, total: int, counted: int) -> str:
    """`total` as the search counted it: more than `counted` is said as such."""
    return f"Uppdrag som matchar ”{esc(clip(query, 80))}”: {core_texts.hits(total, counted)}"


def plain_names(names: list[str], rest: str) -> str:
    quoted = [f"”{esc(clip(n, 40))}”" for n in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " och " + quoted[-1]
    who = "vem" if len(names) == 1 else "vilka"
    at = " ".join("@" + esc(clip(n.split()[0].strip("(),"), 30)) for n in names)
    return (
        f"Jag vet inte {who} {listed} är i Slack. Ansvariga skrivs med @ – välj personen i "
        f"listan som visas när du skriver @. Till exempel: `/uppdrag {at} "
        f"{esc(clip(rest, 80))}`"
    )


def search_none(query: str) -> str:
    return (
        f"Inga uppdrag eller beslut matchar ”{esc(clip(query, 80))}”. Sök på ett annat ord, "
        "till exempel: `/uppdrag sök avtal`"
    )


def found_line(view: View) -> str:
    """A search hit: the assignment, and whether it is still open."""
    status = view.assignment.status
    return assignment_line(view) + ("" if status == "öppen" else f" _({esc(status)})_")


def released_note(ref: str, label: str) -> str:
    return f"{esc(ref)} ställdes in; nu {label}"


def released_summary(views: list[View]) -> str:
    refs = ", ".join(f"`{v.assignment.ref}`" for v in views)
    where = due_label(views[0])
    if len(views) == 1:
        return f"Uppdraget som skulle vara klart då ({refs}) är flyttat {where}."
    return f"Uppdragen som skulle vara klara då ({refs}) är flyttade {where}."


def released_dm(meeting_label: str, kind: str, views: list[View]) -> str:
    """`kind`: möte and internat are neuter (inställt), the other sessions common (inställd)."""
    cancelled = "inställt" if kind in ("möte", "internat") else "inställd"
    lines = [f"🚫 {meeting_label} är {cancelled}. Det du skulle ha klart då är flyttat:"]
    for view in views:
        what = esc(clip(view.assignment.what, 200))
        lines.append(f"• `{view.assignment.ref}` {what} – {due_label(view)}")
    return "\n".join(lines)


def ambiguous_name(typed: str, people: list[str], example: str) -> str:
    who = ", ".join(mention(u) for u in people[:10])
    return (
        f"”{esc(clip(typed, 60))}” kan vara flera personer: {who}. Skriv den du menar med @ "
        f"(välj i listan som visas när du skriver @), till exempel: `{esc(clip(example, 120))}`"
    )


def text_or_owners(unknown: list[str], as_text: str, as_owners: str) -> str:
    """Names written alone of which only some are somebody in Slack or an organ: asked."""
    listed = " och ".join(f"”{esc(clip(n, 40))}”" for n in unknown)
    return (
        f"{listed} är varken någon i Slack eller ett organ, så jag vet inte om du menar en ny "
        f"text eller nya ansvariga. Inget är ändrat. Menar du en ny text, sätt citattecken runt "
        f"den: `{esc(clip(as_text, 120))}`. Menar du nya ansvariga, skriv bara dem som finns "
        f"(välj i listan när du skriver @): `{esc(clip(as_owners, 120))}`"
    )


def named_owner_note(names: list[str], convenor: str | None, organ: str | None) -> str:
    listed = ", ".join(f"”{esc(n)}”" for n in names)
    if convenor and organ:
        return (
            f"{listed} finns inte i Slack: påminnelserna går till {mention(convenor)}, "
            f"sammankallande för {esc(organ)}."
        )
    return (
        f"{listed} finns inte i Slack, och uppdraget har inget organ med sammankallande: "
        "ingen får påminnelser om det."
    )


def settled_note(meeting: Meeting) -> str:
    """History: a meeting was planned that the assignment waited for."""
    return f"till {meeting.ref} ({format_date(meeting.start_date)}), när mötet planerades"


def settled_line(views: list[View]) -> str:
    """Under a planned meeting: the assignments that waited for it."""
    refs = ", ".join(v.assignment.ref for v in views)
    many = len(views) > 1
    return f"{'Uppdragen' if many else 'Uppdraget'} {refs} som väntade på mötet är nu till det."


def read_as_recipient(phrase: str, organ: str) -> str:
    """`Skicka underlaget till AU`: the organ is where it goes, and no due point was read."""
    return (
        f"”{esc(clip(phrase, 60))}” läste jag som mottagaren, inte som en tidpunkt. Ska det vara "
        f"klart till mötet, skriv till exempel ”till nästa {esc(organ)}”."
    )
