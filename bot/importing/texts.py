"""What the importer says, in Swedish: errors, warnings in a proposal, the proposal for review.

The proposal is printed as plain text (the CLI) and quoted from a file, so nothing here is
Slack markup; a Slack view escapes it where it shows it.
"""

from __future__ import annotations

from datetime import date

from bot.core.dates import WEEKDAY_NAMES, When, format_date, format_time, format_when
from bot.importing.model import Due, Person, Proposal

SNIPPET = 80


def snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------------ errors


def file_missing(path: str) -> str:
    return f"Filen ”{path}” finns inte eller går inte att läsa. Ange sökvägen till en fil."


def unsupported_format(name: str) -> str:
    return (
        f"”{name}” är inte en fil jag kan läsa. Mötesanteckningar läses från .txt, .md, .docx "
        "och .pdf (med text, inte inskannad), till exempel `ledningsbot import anteckningar.docx`."
    )


def file_too_large(name: str, limit: int) -> str:
    return f"”{name}” är för stor: högst {limit // (1024 * 1024)} MB går att läsa in."


def unreadable(name: str) -> str:
    return (
        f"”{name}” gick inte att läsa – filen verkar skadad eller är inte det filnamnet säger. "
        "Spara om den från Word eller som PDF och försök igen."
    )


def pdf_encrypted(name: str) -> str:
    return f"”{name}” är lösenordsskyddad. Spara en kopia utan skydd och läs in den."


def pdf_without_text(name: str) -> str:
    return (
        f"”{name}” innehåller ingen text, bara bilder (inskannad?). Läs in originalet från Word, "
        "eller en PDF med text."
    )


def organ_missing() -> str:
    return (
        "Det framgår inte vilket organ mötet hör till. Ange det, till exempel "
        "`ledningsbot import anteckningar.docx --organ LG`."
    )


def date_missing() -> str:
    return (
        "Mötets datum hittades inte. Skriv det överst i anteckningarna, till exempel "
        "”Tid: fredagen den 1 september 2023, kl 11-15”."
    )


def already_imported(name: str, meeting_ref: str) -> str:
    return f"”{name}” är redan inläst (mötet {meeting_ref}); ingenting sparades en gång till."


# ---------------------------------------------------------------------------------- warnings


def wrong_weekday(written: str, day: date, given: int) -> str:
    return (
        f"Veckodagen stämmer inte i ”{snippet(written)}”: {format_date(day, weekday=False)} "
        f"är en {WEEKDAY_NAMES[day.weekday()]}, inte en {WEEKDAY_NAMES[given]}."
    )


def not_a_working_day(what: str, day: date, holiday: str | None) -> str:
    reason = f"på {holiday}" if holiday else f"en {WEEKDAY_NAMES[day.weekday()]}"
    return f"{what} {format_date(day, weekday=False)} infaller {reason} – stämmer datumet?"


def date_without_year(written: str, day: date) -> str:
    return f"Året saknas i ”{snippet(written)}”; tolkat som {format_date(day, weekday=False)}."


def unknown_name(name: str) -> str:
    return f"”{snippet(name, 60)}” matchar ingen känd person eller något organ."


def ambiguous_name(name: str, candidates: list[str]) -> str:
    return f"”{snippet(name, 60)}” kan vara flera: {', '.join(candidates)}."


def unread_decision(text: str) -> str:
    return f"Ser ut som ett beslut men kunde inte läsas: ”{snippet(text)}”"


def unread_assignment(text: str) -> str:
    return f"Ser ut som ett uppdrag men kunde inte läsas: ”{snippet(text)}”"


def proposal_without_decision(text: str) -> str:
    return f"Förslag utan beslut: ”{snippet(text)}”"


def attendance_without_heading() -> str:
    return "Närvarolistan saknar rubrik; den är tolkad som närvarande."


def organ_guessed(organ: str) -> str:
    return f"Organet står inte i anteckningarna; tolkat som {organ} utifrån besluten."


def organ_not_found() -> str:
    return "Det framgår inte vilket organ mötet hör till; ange --organ."


def no_meeting_date() -> str:
    return "Mötets datum hittades inte."


def undated_meeting_time() -> str:
    return "Mötets tid står inte i anteckningarna."


# ---------------------------------------------------------------------------- the proposal


def _people(people: list[Person]) -> str:
    return (
        ", ".join(p.name + (f" ({p.organisation})" if p.organisation else "") for p in people)
        or "–"
    )


def _due(due: Due | None) -> str:
    if due is None:
        return ""
    if due.is_meeting:
        return (
            f", till mötet {format_date(due.meeting, weekday=False)}"
            if due.meeting
            else ", till nästa möte"
        )
    assert due.day is not None
    return f", senast {format_date(due.day, weekday=False)}"


def proposal_text(proposal: Proposal, name: str) -> str:
    """The proposal for review in a terminal."""
    lines = [f"Förslag från ”{name}”:", ""]
    when = format_date(proposal.date) if proposal.date else "datum saknas"
    if proposal.start:
        when += f" kl. {format_time(proposal.start)}"
        if proposal.end:
            when += f"–{format_time(proposal.end)}"
    lines.append(f"Möte: {proposal.organ or 'organ saknas'}, {when}")
    if proposal.place:
        lines.append(f"Plats: {proposal.place}")
    lines.append(f"Närvarande ({len(proposal.present)}): {_people(proposal.present)}")
    if proposal.absent:
        lines.append(f"Frånvarande ({len(proposal.absent)}): {_people(proposal.absent)}")
    if proposal.guests:
        lines.append(f"Gäster ({len(proposal.guests)}): {_people(proposal.guests)}")
    if proposal.justerare:
        lines.append(f"Justerare: {', '.join(proposal.justerare)}")
    for item in proposal.items:
        lines.append("")
        number = f"§ {item.number} " if item.number else ""
        presenter = f" (föredragande: {item.presenter})" if item.presenter else ""
        lines.append(f"{number}{item.title}{presenter}")
        for decision in item.decisions:
            if decision.proposal:
                lines.append(f"  Förslag: {decision.proposal}")
            lines.append(f"  Beslut: {decision.text}")
        for a in item.assignments:
            report = f", återkoppling till {', '.join(a.report_to)}" if a.report_to else ""
            lines.append(f"  Uppdrag: {', '.join(a.owners)} – {a.text}{_due(a.due)}{report}")
    if proposal.sessions:
        lines += ["", "Kommande sammankomster:"]
        for s in proposal.sessions:
            span = When(s.start_date, s.end_date, s.start, s.end if s.start else None)
            lines.append(f"  {s.kind.capitalize()} {format_when(span)}")
    if proposal.warnings:
        lines += ["", f"Att kontrollera ({len(proposal.warnings)}):"]
        lines += [f"  rad {w.line}: {w.text}" for w in proposal.warnings]
    return "\n".join(lines)


CONFIRM = "Spara detta? (ja/nej) "
NOT_SAVED = "Ingenting sparades."
NO_DIRECTORY = (
    "Obs: ingen personkatalog (SLACK_BOT_TOKEN eller --personer saknas). Ansvariga personer "
    "kopplas inte till Slack-användare; uppdragen får organet som ansvarigt och namnen i texten."
)


def stored(meeting_ref: str, decisions: int, assignments: int, sessions: int) -> str:
    return (
        f"Sparat: mötet {meeting_ref}, {decisions} beslut, {assignments} uppdrag"
        + (f" och {sessions} kommande sammankomster" if sessions else "")
        + ". Originalfilen är sparad med mötet."
    )


def owners_in_text(text: str, names: list[str]) -> str:
    return f"{text} (ansvariga enligt anteckningarna: {', '.join(names)})"


# ------------------------------------------------------------------ the Slack shortcut
SHORTCUT_TITLE = "Importera anteckningar"
SHORTCUT_SAVE = "Spara"
SHORTCUT_CANCEL = "Avbryt"
SHORTCUT_LOADING = "Läser in filen …"
SHORTCUT_ONLY_ADMINS = "Bara en administratör (sekreteraren) kan importera mötesanteckningar."
SHORTCUT_NO_FILE = (
    "Meddelandet har ingen fil med mötesanteckningar (.txt, .md, .docx eller .pdf). Välj "
    "*Importera mötesanteckningar* på meddelandet där filen är bifogad."
)
SHORTCUT_FETCH_FAILED = "Filen kunde inte hämtas från Slack. Försök igen om en stund."
FIELD_ORGAN = "Organ (kortnamn)"
FIELD_DATE = "Mötesdag"
FIELD_START = "Början"
FIELD_END = "Slut"
FIELD_PLACE = "Plats"
FIELD_ITEM = "§"
FIELD_DECISION = "Beslut"
FIELD_OWNERS = "Ansvariga (kommaseparerade: personer, organ)"
FIELD_TASK = "Uppdrag"
FIELD_DUE = "Klart senast"
ITEM_MUST_BE_NUMBER = "Ange paragrafen som ett tal, till exempel 5."
TEXT_NEEDED = "Texten får inte vara tom."
TIME_ORDER = "Slutet måste komma efter början."


def shortcut_summary(proposal: Proposal, name: str) -> str:
    decisions = sum(len(i.decisions) for i in proposal.items)
    tasks = sum(len(i.assignments) for i in proposal.items)
    return (
        f"*{name}*: {len(proposal.present)} närvarande, {len(proposal.absent)} frånvarande, "
        f"{len(proposal.guests)} gäster, {len(proposal.items)} punkter, {decisions} beslut och "
        f"{tasks} uppdrag."
        + (f" Justerare: {', '.join(proposal.justerare)}." if proposal.justerare else "")
        + " Rätta nedan och tryck *Spara*."
    )


def shortcut_too_long(blocks: int) -> str:
    return (
        f"Förslaget är för långt för ett formulär i Slack ({blocks} fält). *Spara* sparar det "
        "som det lästes; vill du rätta det först, använd `ledningsbot import FIL` på servern "
        "(med `--json` för granskning)."
    )


def item_heading(number: str | None, title: str) -> str:
    return f"*§ {number} {title}*" if number else f"*{title}*"


def shortcut_warnings(proposal: Proposal) -> str:
    lines = [f"rad {w.line}: {w.text}" for w in proposal.warnings[:10]]
    more = len(proposal.warnings) - len(lines)
    return "Att kontrollera: " + "; ".join(lines) + (f" (och {more} till)" if more > 0 else "")
