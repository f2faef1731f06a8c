"""Every text a user reads, in Swedish, in one place (to review, and one day to translate).

Texts that include user input escape it with `esc`: nothing typed can ping, link or break layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.dates import When, format_date, format_when
from bot.markup import clip, esc, mention

if TYPE_CHECKING:
    from bot.assignments import View
    from storage.models import Decision, DecisionRevision, Meeting, Organ

# ---------------------------------------------------------------- settings and start-up
SETTING_MISSING_BOT_TOKEN = (
    "SLACK_BOT_TOKEN saknas: sätt den till appens Bot User OAuth Token (xoxb-…) i miljön "
    "eller i .env, eller kör `ledningsbot shell` för att prova utan Slack."
)
SETTING_MISSING_SECRET = (
    "SLACK_APP_TOKEN (xapp-…, för Socket Mode) eller SLACK_SIGNING_SECRET (för HTTP-läge) "
    "saknas: sätt en av dem i miljön eller i .env."
)


def setting_wrong(name: str, should: str) -> str:
    return f"{name} är fel: värdet ska {should}. Rätta det i miljön eller i .env."


STARTUP_DB_FAILED = "Kunde inte öppna databasen: {error}. Kontrollera DATABASE_URL."
READY_HTTP = "ledningsbot lyssnar på http://{host}:{port}/slack/events"
READY_SOCKET = "ledningsbot är ansluten till Slack (Socket Mode)"

# ---------------------------------------------------------------- general
GENERIC_ERROR = (
    "Något gick fel hos mig, och ingenting sparades. Försök igen om en stund; "
    "händer det igen, kontakta den som sköter boten."
)
ONLY_ADMINS = "Det här får bara administratörer göra. Be sekreteraren eller en ordförande om hjälp."
WORKING = "Ett ögonblick …"
TRUNCATED = "_… och fler. Avgränsa med organ eller år för att se resten._"


def only_convenor_or_admin(organ: str) -> str:
    return (
        f"Det här får bara sammankallande för {esc(organ)} eller en administratör göra. "
        "Be dem om hjälp, eller be att få bli sammankallande."
    )


def too_long(what: str, length: int, limit: int) -> str:
    return (
        f"För lång text: {what} är {length:,} tecken, högst {limit:,} går. ".replace(",", " ")
        + "Korta ner den, eller lägg underlaget som en bilaga i kanalen och hänvisa till den, "
        + "till exempel: `/beslut Ledningsgruppen beslutar enligt förslaget i bilagan`"
    )


def unknown_user(user_id: str) -> str:
    return (
        f"Jag hittar ingen användare {esc(user_id)} i arbetsytan. Välj personen i listan som "
        "visas när du skriver @, till exempel: `/uppdrag @Anna Ta fram underlag till nästa AU`"
    )


def plain_at(word: str) -> str:
    return (
        f"Jag känner inte igen {esc(word)} som en person. Välj personen i listan som visas när "
        "du skriver @, till exempel: `/uppdrag @Anna Ta fram underlag till nästa AU`"
    )


# ---------------------------------------------------------------- organs
ORGAN_USAGE = (
    "*/organ* – ledningsgruppens organ (LG, AU, processgrupper, nätverk)\n"
    "• `/organ ny LG Ledningsgrupp för samordning #ledningsgrupp` – skapa ett organ\n"
    "• `/organ ny PG-AVTAL Processgrupp för avtal #pg-avtal sammankallande @Anna`\n"
    "• `/organ lista` – alla organ\n"
    "• `/organ koppla AU #au` – koppla ett organ till en kanal\n"
    "• `/organ sammankallande AU @Anna` – byt sammankallande\n"
    "• `/organ påminnelser AU på 3 dagar` – påminnelser inför organets möten (eller `av`)\n"
    "Organ skapas och kopplas av administratörer."
)
ORGAN_NONE = "Inga organ ännu. Skapa det första: `/organ ny LG Ledningsgrupp för samordning #kanal`"


def organ_bad_short_name(name: str) -> str:
    return (
        f"”{esc(clip(name, 40))}” går inte som kortnamn: använd 1–20 tecken, bokstäver, siffror "
        "och bindestreck, och börja med en bokstav. Till exempel: `LG`, `AU`, `PG-AVTAL`."
    )


def organ_exists(short: str) -> str:
    return f"Organet {esc(short)} finns redan. Se `/organ lista`."


def channel_taken(short: str) -> str:
    return (
        f"Kanalen är redan kopplad till {esc(short)}. Varje organ har en egen kanal; "
        "välj en annan, eller koppla om med `/organ koppla`."
    )


def unknown_organ(name: str, known: Iterable[str]) -> str:
    names = ", ".join(esc(k) for k in known) or "inga ännu"
    return (
        f"Jag känner inte till något organ ”{esc(clip(name, 40))}”. Kända organ: {names}. "
        "Till exempel: `/beslut AU: Arbetsutskottet beslutar att …`"
    )


def which_organ(known: Iterable[str]) -> str:
    names = ", ".join(esc(k) for k in known) or "inga ännu – skapa ett med `/organ ny`"
    return (
        "Vilket organ gäller det? Den här kanalen hör inte till något organ. "
        f"Skriv organet först, till exempel `/beslut LG: Ledningsgruppen beslutar att …` "
        f"eller `/mote ny AU 14 augusti 13-15`. Kända organ: {names}."
    )


def organ_created(organ: Organ) -> str:
    text = f"Organet *{esc(organ.short_name)}* – {esc(organ.name)} är skapat"
    if organ.channel_id:
        text += f" och kopplat till <#{organ.channel_id}>"
    if organ.convenor_user_id:
        text += f", sammankallande {mention(organ.convenor_user_id)}"
    return text + "."


def organ_bound(organ: Organ) -> str:
    return f"{esc(organ.short_name)} hör nu till <#{organ.channel_id}>."


def organ_convenor(organ: Organ) -> str:
    if organ.convenor_user_id:
        return (
            f"Sammankallande för {esc(organ.short_name)} är nu {mention(organ.convenor_user_id)}."
        )
    return f"{esc(organ.short_name)} har ingen sammankallande längre."


def organ_line(organ: Organ) -> str:
    parts = [f"*{esc(organ.short_name)}* – {esc(organ.name)}"]
    parts.append(f"<#{organ.channel_id}>" if organ.channel_id else "_ingen kanal_")
    if organ.convenor_user_id:
        parts.append(f"sammankallande {mention(organ.convenor_user_id)}")
    if organ.reminders_enabled:
        parts.append(f"påminnelser {organ.reminder_lead_days} arbetsdagar före")
    return " · ".join(parts)


# ---------------------------------------------------------------- meetings
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
MEETINGS_NONE = "Inga kommande möten. Planera ett: `/mote ny AU 14 augusti 13-15 Regionhuset`"


def unknown_meeting(ref: str) -> str:
    return (
        f"Jag hittar inget möte ”{esc(clip(ref, 40))}”. Möten heter som organ och datum, "
        "till exempel `AU-260814`; se `/mote lista`."
    )


def meeting_in_past(when: When) -> str:
    return (
        f"{format_when(when)} har redan varit. Ange ett kommande datum, "
        "till exempel `/mote ny AU 14 augusti 13-15`."
    )


def meeting_cancelled_already(ref: str) -> str:
    return f"Mötet {esc(ref)} är redan inställt. Planera ett nytt med `/mote ny`."


def kind_label(kind: str, organ: Organ) -> str:
    if kind == "möte":
        return f"{organ.short_name}-möte"
    return f"{kind.capitalize()} ({organ.short_name})"


def meeting_line(meeting: Meeting, organ: Organ) -> str:
    from bot.meetings import when_of

    text = f"*{esc(kind_label(meeting.kind, organ))}* {format_when(when_of(meeting))}"
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
    from bot.meetings import CANCELLED, when_of

    lines = [
        f"*{esc(kind_label(meeting.kind, organ))}* · `{meeting.ref}`",
        f"När: {format_when(when_of(meeting))}",
        f"Var: {esc(meeting.location) if meeting.location else 'ingen plats angiven'}",
        f"Organ: {esc(organ.short_name)} – {esc(organ.name)}",
    ]
    if meeting.status == CANCELLED:
        lines.append(
            "Status: *inställt*"
            + (f" – {esc(meeting.cancel_reason)}" if meeting.cancel_reason else "")
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- decisions
DECISION_USAGE = (
    "*/beslut* – beslutsloggen\n"
    "• `/beslut Ledningsgruppen beslutar enligt förslag` – logga ett beslut för kanalens organ\n"
    "• `/beslut LG 2025-05-09 §6: Ledningsgruppen beslutar att …` – organ, datum och punkt\n"
    "• `/beslut` – öppna ett formulär (med förslag till beslut och uppdrag)\n"
    "• `/beslut lista [organ] [år]` · `/beslut sök hemsjukvård` · `/beslut visa LG-2025-3`\n"
    "• `/beslut ändra LG-2025-3 <ny text> skäl: <varför>` · `/beslut upphäv LG-2025-3 <skäl>`\n"
    "• `/beslut export [organ] [år]` – hela loggen som CSV och Markdown"
)
DECISION_AMEND_USAGE = (
    "Skriv beslutet, den nya texten och skälet, till exempel: "
    "`/beslut ändra LG-2025-3 Ledningsgruppen beslutar att … skäl: stavfel i protokollet`"
)
DECISION_REVOKE_USAGE = (
    "Skriv beslutet och skälet, till exempel: `/beslut upphäv LG-2025-3 ersatt av beslut LG-2025-9`"
)
SEARCH_USAGE = "Skriv vad du söker efter, till exempel: `/beslut sök hemsjukvårdsavtal`"
DECISIONS_NONE = (
    "Inga beslut hittades. Logga ett: `/beslut Ledningsgruppen beslutar enligt förslag`"
)


def unknown_decision(ref: str) -> str:
    return (
        f"Jag hittar inget beslut ”{esc(clip(ref, 40))}”. Beslut heter organ-år-nummer, "
        "till exempel `LG-2025-3`; sök med `/beslut sök <ord>`."
    )


def decision_in_future(day: date) -> str:
    return (
        f"{format_date(day)} har inte varit än – beslut loggas efter mötet. "
        "Utelämna datumet för i dag, eller skriv till exempel `/beslut LG 9/5: …`."
    )


def decision_not_yours(ref: str) -> str:
    return (
        f"Beslutet {esc(ref)} får bara ändras av den som loggade det, organets sammankallande "
        "eller en administratör."
    )


def decision_revoked_already(ref: str) -> str:
    return f"Beslutet {esc(ref)} är redan upphävt och kan inte ändras."


def decision_unchanged(ref: str) -> str:
    return f"Den nya texten är samma som den gällande för {esc(ref)}; inget ändrades."


def decision_title(decision: Decision, organ: Organ) -> str:
    return f"Beslut {decision.ref}"


def decision_meta(decision: Decision, organ: Organ, meeting: Meeting | None) -> str:
    parts = [esc(organ.short_name), format_date(decision.decided_on)]
    if meeting is not None:
        parts.append(f"möte `{meeting.ref}`")
    if decision.item:
        parts.append(f"§ {esc(decision.item)}")
    if decision.status != "gällande":
        parts.append(f"*{decision.status}*")
    return " · ".join(parts)


def decision_logged(decision: Decision, organ: Organ, meeting: Meeting | None) -> str:
    return (
        f"✅ Beslut *{decision.ref}* loggat ({decision_meta(decision, organ, meeting)}):\n"
        f"{esc(clip(decision.text, 2500))}"
    )


def decision_line(decision: Decision, organ: Organ) -> str:
    text = esc(clip(decision.text.replace("\n", " "), 200))
    struck = decision.status == "upphävd"
    body = f"~{text}~ _(upphävt)_" if struck else text
    return f"`{decision.ref}` {format_date(decision.decided_on, weekday=False)} – {body}"


def decision_revision_line(rev: DecisionRevision) -> str:
    when = rev.changed_at.date().isoformat()
    text = f"v{rev.version} {rev.action} {when} av {mention(rev.changed_by)}"
    if rev.reason:
        text += f" – skäl: {esc(clip(rev.reason, 300))}"
    if rev.action != "skapad" or rev.version == 1:
        text += f"\n> {esc(clip(rev.text.replace(chr(10), ' '), 400))}"
    return text


def decision_amended(decision: Decision) -> str:
    return (
        f"✏️ Beslut *{decision.ref}* ändrat; den tidigare lydelsen finns kvar i historiken "
        f"(`/beslut visa {decision.ref}`)."
    )


def decision_revoked(decision: Decision) -> str:
    return f"⛔ Beslut *{decision.ref}* är upphävt. Det finns kvar i loggen med skälet."


def search_header(query: str, count: int) -> str:
    return f"Beslut som matchar ”{esc(clip(query, 80))}”: {count}{'+' if count >= 20 else ''}"


def list_header(organ: str | None, year: int | None, count: int) -> str:
    scope = " ".join(x for x in (organ and esc(organ), year and str(year)) if x)
    return f"Senaste besluten{(' – ' + scope) if scope else ''} ({count})"


def export_title(organ: str | None, year: int | None) -> str:
    scope = " ".join(x for x in (organ, str(year) if year else None) if x)
    return f"# Beslutslogg{(' – ' + scope) if scope else ''}"


def export_markdown_entry(decision: Decision, organ: Organ, meeting: Meeting | None) -> list[str]:
    meta = [organ.short_name, decision.decided_on.isoformat()]
    if meeting is not None:
        meta.append(f"möte {meeting.ref}")
    if decision.item:
        meta.append(f"§ {decision.item}")
    meta.append(decision.status)
    lines = [f"## {decision.ref}", "", "*" + " · ".join(meta) + "*", ""]
    if decision.proposal:
        lines += ["**Förslag till beslut:** " + _md(decision.proposal), ""]
    lines += ["**Beslut:** " + _md(decision.text), ""]
    return lines


def _md(text: str) -> str:
    """Markdown-safe: no HTML, no accidental headings or links."""
    out = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]#|":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "  \n")


def exported(count: int) -> str:
    return f"📄 Beslutsloggen ({count} beslut) som CSV (öppnas i Excel) och Markdown."


# ---------------------------------------------------------------- assignments
ASSIGNMENT_USAGE = (
    "*/uppdrag* – uppdrag: vem gör vad, till när, och återkopplar till vem\n"
    "• `/uppdrag @Anna @Roger Ta fram underlag om LINK till nästa AU återkoppling till LG`\n"
    "• `/uppdrag PG-AVTAL Uppdatera strategin till LG 7 oktober` – ett organ som ansvarig\n"
    "• `/uppdrag @Jenny Rekrytera samordnare till v 6 (beslut LG-2026-3)` – från ett beslut\n"
    "• `/uppdrag` – mina öppna uppdrag · `/uppdrag lista [@person|organ]`\n"
    "• `/uppdrag klar U-12 [kommentar]` · `/uppdrag status U-12 Utkast klart`\n"
    "• `/uppdrag flytta U-12 till v 42` · `/uppdrag stryk U-12 <skäl>` · `/uppdrag visa U-12`\n"
    "• `/uppdrag påminn U-12` – påminn de ansvariga nu (sammankallande)\n"
    "När: `2026-12-04`, `4/12`, `17 november`, `v 42`, `i morgon`, `om två veckor`, "
    "`nästa AU`, `LG 7 oktober`."
)
ASSIGNMENT_NO_OWNER = (
    "Vem ska göra det? Börja med en eller flera ansvariga, till exempel: "
    "`/uppdrag @Anna Ta fram underlag till nästa AU`"
)
ASSIGNMENT_STATUS_USAGE = (
    "Skriv uppdraget och läget, till exempel: `/uppdrag status U-12 Utkast skickat till AU`"
)
ASSIGNMENT_MOVE_USAGE = (
    "Skriv uppdraget och ny tidpunkt, till exempel: `/uppdrag flytta U-12 till nästa LG`"
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


def due_in_past(day: date) -> str:
    return (
        f"{format_date(day)} har redan varit. Ange en kommande tidpunkt, till exempel "
        "`till nästa AU`, `till v 42` eller `till 4/12`."
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
        return f"till {view.due_meeting.ref} ({format_date(view.due_meeting.start_date)})"
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


# ---------------------------------------------------------------- decision modal
MODAL_TITLE = "Logga beslut"
MODAL_SUBMIT = "Logga"
MODAL_ORGAN = "Organ"
MODAL_MEETING = "Mötesdatum eller möte"
MODAL_MEETING_HINT = "Till exempel 2025-05-09, 9/5 eller AU-250509. Tomt = i dag."
MODAL_ITEM = "Punkt (§)"
MODAL_PROPOSAL = "Förslag till beslut"
MODAL_TEXT = "Beslut"
MODAL_TEXT_HINT = "Ledningsgruppen beslutar att …"
MODAL_ASSIGN = "Skapa uppdrag av beslutet"
MODAL_OWNERS = "Ansvariga för uppdraget"
MODAL_WHAT = "Vad ska göras?"
MODAL_DUE = "Till när?"
MODAL_DUE_HINT = "Till exempel nästa AU, LG 7 oktober, v 42 eller 2026-12-04."
MODAL_NEED_OWNER = "Välj minst en ansvarig, eller bocka ur ”Skapa uppdrag”."
MODAL_NEED_WHAT = "Beskriv uppdraget, eller bocka ur ”Skapa uppdrag”."
NO_ORGANS_FOR_MODAL = ORGAN_NONE

# ---------------------------------------------------------------- home / events
HOME_TITLE = "ledningsbot"


def delivery_failed(targets: list[str]) -> str:
    names = ", ".join(mention(t) if t[:1] in "UW" else esc(t) for t in targets)
    return (
        f"⚠️ Allt är sparat, men jag kunde inte skicka till {names}. "
        "Slack svarade inte som det skulle; försök igen om en stund."
    )


HOME_MEETINGS = "Kommande möten"
HOME_DECISIONS = "Senaste besluten"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- calendar
# Plain text for iCalendar files (no Slack markup, no esc): DESCRIPTION lines and titles.
CAL_WHEN = "När: {when}"
CAL_WHERE = "Var: {where}"
CAL_ORGAN = "Organ: {organ}"
CAL_REF = "Referens: {ref}"
CAL_CANCELLED = "Inställt."
CAL_CANCELLED_SUMMARY = "Inställt: {summary}"
CAL_CANCEL_REASON = "Skäl: {reason}"
CAL_DUE = "Ska vara klart senast {day}."
CAL_LINK = "Länk: {url}"


# ---------------------------------------------------------------- reminders
BUTTON_NEXT_MEETING = "Flytta till nästa möte"
REMINDER_MAX_ITEMS = 15
PLAN_HEADER = "skickas           slag           möte           till           läge"
PLAN_EMPTY = "Inga påminnelser i perioden."
PLAN_LATE = "sen"


def reminder_intro(meeting: Meeting, organ: Organ, kind: str, count: int) -> str:
    from bot.meetings import when_of

    when = format_when(when_of(meeting))
    where = f", {esc(meeting.location)}" if meeting.location else ""
    what = "ett uppdrag" if count == 1 else f"{count} uppdrag"
    if kind == "morgon":
        return (
            f"☀️ I dag är det {esc(kind_label(meeting.kind, organ))} ({when}{where}). "
            f"Du har fortfarande {what} öppna:"
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
    from bot.meetings import when_of

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


ORGAN_REMINDERS_USAGE = (
    "Skriv organet och på eller av, och gärna hur många arbetsdagar före mötet (0–10), "
    "till exempel: `/organ påminnelser AU på 3 dagar` eller `/organ påminnelser PG-AVTAL av`"
)


def organ_reminders(organ: Organ) -> str:
    if not organ.reminders_enabled:
        return f"🔕 Inga påminnelser inför {esc(organ.short_name)}s möten."
    days = organ.reminder_lead_days
    lead = f"{days} arbetsdag{'ar' if days != 1 else ''} före" if days else "samma dag"
    return (
        f"🔔 Påminnelser inför {esc(organ.short_name)}s möten: {lead} kl. 09.00, "
        "och på mötesdagens morgon för det som fortfarande är öppet."
    )


REMIND_NOT_ALLOWED = (
    "Påminnelser skickas av organets sammankallande eller en administratör. "
    "Vill du själv påminna någon, skriv till dem direkt."
)


def reminded(view: View) -> str:
    return f"🔔 Påminnelse om `{view.assignment.ref}` skickad till {owners_label(view)}."


def reminder_nudge(view: View, by: str) -> str:
    return f"🔔 {mention(by)} påminner om ditt uppdrag:\n{reminder_item(view)}"


# ---------------- invites and feeds


def setting_missing(name: str, why: str) -> str:
    return f"{name} saknas: {why}. Sätt den i miljön eller i .env."


SETTING_WHY_PASSWORD = "den behövs när SMTP_USER är satt"
SETTING_WHY_INVITE_FROM = (
    "den är avsändare och organisatör för inbjudningar när SMTP_HOST är satt, "
    "till exempel INVITE_FROM=ledningsbot@region.se"
)

MEETING_CALENDAR_USAGE = (
    "• `/mote bjud in AU-260814 [@person #kanal organ]` – inbjudan med kalenderfil (DM och "
    "e-post) till organets kanal, eller till dem du skriver\n"
    "• `/mote närvaro AU-260814` – närvarolistan: vilka som kommer"
)
INVITE_USAGE = (
    "Skriv mötet och, om du vill, vilka som ska bjudas in. Till exempel "
    "`/mote bjud in AU-260814` (hela organets kanal) eller "
    "`/mote bjud in LG-261207 @Anna @Roger #au PG-AVTAL`."
)
ATTENDANCE_USAGE = "Skriv mötet, till exempel `/mote närvaro LG-261207`."
BUTTON_INVITE = "Bjud in"
RSVP_BUTTONS = {"kommer": "Kommer", "kommer_inte": "Kommer inte", "kanske": "Kanske"}
RSVP_LABELS: dict[str | None, str] = {
    "kommer": "Kommer",
    "kommer_inte": "Kommer inte",
    "kanske": "Kanske",
    None: "Inget svar",
}
_RSVP_MARK = {"kommer": "✅", "kommer_inte": "❌", "kanske": "🤔"}
MAX_MENTIONS = 40


def invite_bad_target(word: str) -> str:
    return (
        f"”{esc(clip(word, 40))}” är varken en person, en kanal eller ett organ. Välj personer "
        "med @ och kanaler med #, till exempel: `/mote bjud in LG-261207 @Anna #au`"
    )


def invite_no_channel(short: str) -> str:
    return (
        f"{esc(short)} har ingen kanal, så jag vet inte vilka som hör till organet. Skriv vilka "
        f"som ska bjudas in, till exempel `/mote bjud in {esc(short)}-261207 @Anna @Roger`, "
        f"eller koppla en kanal med `/organ koppla {esc(short)} #kanal`."
    )


def invite_nobody(ref: str) -> str:
    return (
        f"Jag hittade ingen att bjuda in till {esc(ref)}: kanalen har inga medlemmar som jag "
        "kan se. Bjud in mig i kanalen (`/invite @ledningsbot`) eller skriv personerna, "
        f"till exempel `/mote bjud in {esc(ref)} @Anna @Roger`."
    )


def invite_too_many(count: int, limit: int) -> str:
    return (
        f"{count} personer är fler än jag bjuder in på en gång (högst {limit}). Dela upp det, "
        "till exempel `/mote bjud in LG-261207 #au` och sedan nästa kanal."
    )


def invite_past(ref: str) -> str:
    return (
        f"Mötet {esc(ref)} har redan varit, så det går inte att bjuda in till det. "
        "Planera ett nytt med `/mote ny`, till exempel `/mote ny AU 14 augusti 13-15`."
    )


def rsvp_not_invited(ref: str) -> str:
    return (
        f"Du finns inte bland de inbjudna till {esc(ref)}. Be sammankallande bjuda in dig, "
        f"till exempel `/mote bjud in {esc(ref)} @Namn`."
    )


def attendance_none(ref: str) -> str:
    return (
        f"Ingen är inbjuden till {esc(ref)} ännu, så det finns ingen närvarolista. "
        f"Bjud in med `/mote bjud in {esc(ref)}`."
    )


INVITE_NO_EMAIL = "ingen e-postadress i Slack-profilen, så bara DM"
INVITE_SLACK_FAILED = "Slack tog inte emot DM:et"
INVITE_FILE_FAILED = "DM:et kom fram men inte kalenderfilen"


def invite_slack_error(error: str) -> str:
    return f"Slack tog inte emot DM:et ({esc(clip(error, 80))})"


def invite_mail_failed(kind: str, detail: str) -> str:
    if kind == "refused":
        return f"e-postservern tog inte emot inbjudan ({esc(clip(detail, 120))})"
    return f"e-postservern gick inte att nå ({esc(clip(detail, 120))})"


def _where(location: str | None) -> str:
    return f", {esc(location)}" if location and location.strip() else ""


def invite_dm(
    kind: str,
    label: str,
    when: When,
    location: str | None,
    ref: str,
    sender: str,
    rsvp: str | None,
) -> str:
    line = f"{format_when(when)}{_where(location)} · `{ref}`"
    if kind == "inställd":
        return (
            f"🚫 *{esc(label)}* är inställt:\n~{line}~\n"
            "Kalenderfilen nedan tar bort det ur din kalender."
        )
    if kind == "ändrad":
        ask = (
            f"Du har svarat *{RSVP_LABELS[rsvp]}*; svara igen om det har ändrats."
            if rsvp
            else "Kommer du?"
        )
        return (
            f"📅 *{esc(label)}* har fått ny tid:\n{line}\n{ask} "
            "Kalenderfilen nedan uppdaterar din kalender."
        )
    return (
        f"📅 {mention(sender)} bjuder in dig till *{esc(label)}*\n{line}\n"
        "Kommer du? Svara med knapparna; kalenderfilen nedan lägger in det i din kalender."
    )


def rsvp_answered(rsvp: str) -> str:
    return f"Ditt svar: *{RSVP_LABELS[rsvp]}* {_RSVP_MARK.get(rsvp, '')}".rstrip()


def invite_file_title(label: str, when: When) -> str:
    return f"{label} {format_when(when)}"


def invite_mail_subject(kind: str, label: str, when: When) -> str:
    prefix = {"ändrad": "Ny tid", "inställd": "Inställt"}.get(kind, "Inbjudan")
    return f"{prefix}: {label} {format_when(when)}"


def invite_mail_body(
    kind: str,
    label: str,
    when: When,
    location: str | None,
    organ: str,
    ref: str,
    sender_name: str,
) -> str:
    """Plain text (no Slack markup): the e-mail's text part."""
    first = {
        "ändrad": f"{label} har fått ny tid.",
        "inställd": f"{label} är inställt.",
    }.get(kind, f"{sender_name} bjuder in dig till {label}.")
    lines = [
        "Hej!",
        "",
        first,
        "",
        f"När: {format_when(when)}",
        f"Var: {location.strip() if location and location.strip() else 'ingen plats angiven'}",
        f"Organ: {organ}",
        f"Referens: {ref}",
        "",
    ]
    if kind == "inställd":
        lines.append("Kalenderinbjudan i det här brevet tar bort mötet ur din kalender.")
    else:
        lines.append("Svara med knapparna i Slack: svar som ges i kalendern når inte ledningsbot.")
    lines += ["", "Hälsningar", "ledningsbot"]
    return "\n".join(lines)


def invite_planned(kind: str, ref: str, count: int, already: int) -> str:
    if kind == "ändrad":
        return f"De {count} inbjudna får den nya tiden i ett DM och i sin kalender."
    if kind == "inställd":
        return f"De {count} inbjudna får beskedet i ett DM och i sin kalender."
    if count == 0:
        return (
            f"Alla ({already}) har redan fått inbjudan till {esc(ref)} i senaste versionen; "
            "inget skickades."
        )
    text = (
        f"✉️ Bjuder in {count} {'person' if count == 1 else 'personer'} till `{ref}`: "
        "ett DM med svarsknappar och kalenderfil (och e-post där det går). "
        "Du får besked när allt är skickat."
    )
    if already:
        text += f" {already} hade redan fått inbjudan."
    return text


def invite_report(
    kind: str, ref: str, dms: int, mails: int, failures: list[tuple[str, str]]
) -> str:
    what = {"ändrad": "Nya tiden", "inställd": "Avbokningen"}.get(kind, "Inbjudan")
    sent = f"{dms} DM" + (f" och {mails} e-post" if mails else "")
    if not failures:
        return f"✅ {what} för `{ref}` är skickad: {sent}."
    lines = [f"⚠️ {what} för `{ref}`: {sent} skickade, men inte allt kom fram:"]
    for user_id, why in failures[:30]:
        lines.append(f"• {mention(user_id)} – {why}")
    if len(failures) > 30:
        lines.append(f"• … och {len(failures) - 30} till")
    lines.append("Rätta det och kör `/mote bjud in " + ref + "` igen: bara det som fattas skickas.")
    return "\n".join(lines)


def _mentions(users: list[str]) -> str:
    shown = ", ".join(mention(u) for u in users[:MAX_MENTIONS])
    if len(users) > MAX_MENTIONS:
        shown += f" … och {len(users) - MAX_MENTIONS} till"
    return shown


def rsvp_summary(by_answer: dict[str | None, list[str]]) -> str:
    invited = sum(len(users) for users in by_answer.values())
    counts = " · ".join(
        f"{RSVP_LABELS[a].lower()} {len(by_answer.get(a, []))}"
        for a in ("kommer", "kommer_inte", "kanske", None)
    )
    lines = [f"Inbjudna: {invited} ({counts})"]
    for answer in ("kommer", "kommer_inte", "kanske", None):
        users = by_answer.get(answer, [])
        if users:
            lines.append(f"*{RSVP_LABELS[answer]}:* {_mentions(users)}")
    return "\n".join(lines)


_ATTENDANCE_HEADINGS: dict[str | None, str] = {
    "kommer": "Närvarande (anmälda)",
    "kanske": "Kanske",
    "kommer_inte": "Anmält förhinder",
    None: "Inget svar",
}


def attendance_title(ref: str) -> str:
    return f"Närvaro {ref}"


def attendance_message(
    label: str, when: When, ref: str, groups: list[tuple[str | None, list[str]]]
) -> str:
    lines = [f"*Närvaro – {esc(label)}* {format_when(when)} · `{ref}`"]
    for answer, users in groups:
        shown = _mentions(users) if users else "–"
        lines.append(f"*{_ATTENDANCE_HEADINGS[answer]} ({len(users)}):* {shown}")
    lines.append("_Hela listan finns i filen, klar att klistra in i mötesanteckningarna._")
    return "\n".join(lines)


def attendance_file(
    label: str, when: When, ref: str, groups: list[tuple[str | None, list[str]]]
) -> str:
    """Plain text for the minutes: one name a line under each heading."""
    lines = [f"{label} {format_when(when)} ({ref})", ""]
    for answer, names in groups:
        lines.append(f"{_ATTENDANCE_HEADINGS[answer]}:")
        lines += names or ["–"]
        lines.append("")
    return "\n".join(lines)


CALENDAR_USAGE = (
    "*/kalender* – möten och uppdrag i din egen kalender (Outlook, Google, Apple)\n"
    "• `/kalender` – dina prenumerationslänkar: din egen kalender och en per organ\n"
    "• `/kalender ny-länk` – stäng alla dina gamla länkar och få nya (om en länk har spridits)"
)
CALENDAR_NOT_CONFIGURED = (
    "Kalenderlänkar är inte påslagna här: PUBLIC_BASE_URL saknas. Be den som sköter boten att "
    "sätta den, till exempel `PUBLIC_BASE_URL=https://ledningsbot.region.se`."
)
CALENDAR_INTRO = (
    "📆 *Dina kalenderlänkar* – prenumerera så följer mötena med när de flyttas "
    "(kalendern hämtar nytt varje timme)."
)
FEED_PERSONAL_TITLE = "Min kalender – möten i mina organ och mina uppdrag"
FEED_PERSONAL_NAME = "Ledningsgruppen – mina möten och uppdrag"


def calendar_link(title: str, webcal: str, https: str) -> str:
    return (
        f"*{esc(title)}*\n"
        f"Outlook och Apple: `{esc(webcal)}`\n"
        f"Google Kalender (Lägg till → Från webbadress): `{esc(https)}`"
    )


def calendar_footer(renewed: bool) -> str:
    if renewed:
        return "Länkarna är personliga – dela dem inte. Dina gamla länkar fungerar inte längre."
    return (
        "Länkarna är personliga – dela dem inte. Länkar du fått tidigare fungerar också; "
        "`/kalender ny-länk` stänger dem alla och ger nya."
    )


def feed_organ_name(short: str, name: str) -> str:
    return f"{short} – {name}"


def deadline_summary(ref: str, what: str) -> str:
    return f"Uppdrag {ref}: {clip(' '.join(what.split()), 80)}"


def deadline_description(what: str, report_to: str | None, meeting_ref: str | None) -> str:
    lines = [what.strip()]
    if meeting_ref:
        lines.append(f"Till mötet {meeting_ref}.")
    if report_to:
        lines.append(f"Återkoppling till {report_to}.")
    return "\n".join(lines)


def invite_follow_up_failed(ref: str) -> str:
    return (
        "Obs: de inbjudna kunde inte meddelas automatiskt. Kör "
        f"`/mote bjud in {esc(ref)}` så skickas det som fattas."
    )


def invite_answered(label: str, when: When, location: str | None, ref: str, rsvp: str) -> str:
    return (
        f"📅 *{esc(label)}*\n{format_when(when)}{_where(location)} · `{ref}`\n"
        f"{rsvp_answered(rsvp)} – du kan ändra ditt svar med knapparna."
    )


INVITE_BAD_EMAIL = "e-postadressen i Slack-profilen går inte att skicka till"
INVITE_FAILED = "något gick fel hos mig; försök igen om en stund"


REMINDERS_HEADER = "*Påminnelser:*"
_REMINDER_KIND_LABELS = {
    "förhand": "inför mötet",
    "morgon": "mötesdagens morgon",
    "sammanfattning": "sammanfattning",
}


def reminder_line(at: datetime, kind: str, recipient: str, status: str) -> str:
    who = f"<#{recipient}>" if recipient[:1] in "CG" else mention(recipient)
    when = f"{format_date(at.date(), year=False)} kl. {at:%H.%M}"
    return f"• {when}, {_REMINDER_KIND_LABELS.get(kind, kind)}, till {who}: {status}"
