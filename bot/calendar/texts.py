"""What the calendar feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from bot.core.dates import WEEKDAY_NAMES, When, format_date, format_time, format_when
from bot.core.markup import clip, esc, mention

if TYPE_CHECKING:
    pass

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


def invite_bad_target(word: str, ref: str) -> str:
    return (
        f"”{esc(clip(word, 40))}” är varken en person, en kanal eller ett organ. Välj personer "
        f"med @ och kanaler med #, till exempel: `/mote bjud in {esc(ref)} @Anna #au`"
    )


def invite_no_channel(short: str, ref: str) -> str:
    return (
        f"{esc(short)} har ingen kanal, så jag vet inte vilka som hör till organet. Skriv vilka "
        f"som ska bjudas in, till exempel `/mote bjud in {esc(ref)} @Anna @Roger`, "
        f"eller koppla en kanal med `/organ koppla {esc(short)} #kanal`."
    )


def invite_nobody(ref: str) -> str:
    return (
        f"Jag hittade ingen att bjuda in till {esc(ref)}: kanalen har inga medlemmar som jag "
        "kan se. Bjud in mig i kanalen (`/invite @ledningsbot`) eller skriv personerna, "
        f"till exempel `/mote bjud in {esc(ref)} @Anna @Roger`."
    )


def invite_too_many(count: int, limit: int, ref: str) -> str:
    return (
        f"{count} personer är fler än jag bjuder in på en gång (högst {limit}). Dela upp det, "
        f"till exempel `/mote bjud in {esc(ref)} #au` och sedan nästa kanal."
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


INVITE_UNKNOWN = "okänt om DM:et kom fram (Slack svarade inte), kontrolleras"


INVITE_FILE_UNKNOWN = (
    "DM:et kom fram, okänt om kalenderfilen gjorde det (Slack svarade inte), kontrolleras"
)


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
            "Öppna kalenderfilen nedan så står det som inställt i din kalender."
        )
    if kind == "kallelse":
        return (
            f"📣 Kallelse till *{esc(label)}*:\n{line}\nDagordningen står i kanalen och i "
            "kalenderfilen nedan, som uppdaterar din kalender."
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
    prefix = {"ändrad": "Ny tid", "inställd": "Inställt", "kallelse": "Kallelse"}.get(
        kind, "Inbjudan"
    )
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
        "kallelse": f"Kallelse och dagordning till {label}; dagordningen står i inbjudan.",
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


def invite_planned(kind: str, ref: str, count: int, already: int, in_flight: int = 0) -> str:
    if count == 0 and in_flight:
        text = (
            f"⏳ Inbjudan till `{ref}` är på väg till {in_flight} "
            f"{'person' if in_flight == 1 else 'personer'} (skickas just nu eller kontrolleras); "
            "inget skickades nu, och ingen får den två gånger."
        )
        if already:
            text += f" {already} har redan fått den."
        return text
    return _invite_planned(kind, ref, count, already) + (
        f" {in_flight} till är redan på väg." if in_flight else ""
    )


def _invite_planned(kind: str, ref: str, count: int, already: int) -> str:
    if kind == "ändrad":
        return f"De {count} inbjudna får den nya tiden i ett DM och i sin kalender."
    if kind == "inställd":
        return f"De {count} inbjudna får beskedet i ett DM och i sin kalender."
    if kind == "kallelse":
        return f"De {count} inbjudna får dagordningen i ett DM och i sin kalender."
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
    kind: str,
    ref: str,
    dms: int,
    mails: int,
    failures: list[tuple[str, str]],
    unknown: list[str] | None = None,
) -> str:
    what = {"ändrad": "Nya tiden", "inställd": "Avbokningen", "kallelse": "Kallelsen"}.get(
        kind, "Inbjudan"
    )
    sent = f"{dms} DM" + (f" och {mails} e-post" if mails else "")
    checking = ""
    if unknown:
        checking = (
            f"\n⏳ Till {_mentions(unknown)}: okänt om DM:et kom fram (Slack svarade inte), "
            "kontrolleras. Det skickas om bara om det inte kom fram, och du får besked."
        )
    if not failures:
        done = "skickad" if not unknown else "skickad till övriga"
        return f"✅ {what} för `{ref}` är {done}: {sent}.{checking}"
    lines = [f"⚠️ {what} för `{ref}`: {sent} skickade, men inte allt kom fram:"]
    for user_id, why in failures[:30]:
        lines.append(f"• {mention(user_id)} – {why}")
    if len(failures) > 30:
        lines.append(f"• … och {len(failures) - 30} till")
    lines.append("Rätta det och kör `/mote bjud in " + ref + "` igen: bara det som fattas skickas.")
    return "\n".join(lines) + checking


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
    "• `/kalender` – dina prenumerationslänkar: din egen kalender och en per organ "
    "(samma länkar varje gång)\n"
    "• `/kalender ny-länk` – stäng alla dina gamla länkar och få nya (om en länk har spridits)"
)


def calendar_unknown(text: str) -> str:
    return (
        f"Jag känner inte igen ”{esc(clip(text, 30))}” efter /kalender. Skriv bara `/kalender` "
        "för dina länkar, eller `/kalender ny-länk` för att stänga de gamla och få nya."
    )


CALENDAR_NOT_CONFIGURED = (
    "Kalenderlänkar är inte påslagna här: PUBLIC_BASE_URL saknas. Be den som sköter boten att "
    "sätta den, till exempel `PUBLIC_BASE_URL=https://ledningsbot.region.se`; sedan ger "
    "`/kalender` dig dina länkar."
)


CALENDAR_INTRO = (
    "📆 *Dina kalenderlänkar* – prenumerera så följer mötena med när de flyttas. Hur ofta "
    "kalendern hämtar nytt bestämmer kalendertjänsten själv: Google Kalender och Outlook.com "
    "ofta bara med många timmars mellanrum, så en ändring kan dröja innan den syns där."
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
        "Länkarna är personliga – dela dem inte. Du får samma länkar varje gång; "
        "`/kalender ny-länk` stänger dem och ger nya."
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


def series_when(weekday: int, start: time | None, end: time | None, first: date, last: date) -> str:
    """A series in words: "varje torsdag kl. 13.00–14.00, 5 juni–28 augusti 2025"."""
    clock = ""
    if start is not None:
        clock = f" kl. {format_time(start)}" + (f"–{format_time(end)}" if end else "")
    if first == last:
        span = format_date(first, weekday=False)
    else:
        span = format_when(When(first, last, None, None))
    return f"varje {WEEKDAY_NAMES[weekday]}{clock}, {span}"


CAL_SERIES_REFS = "Möten: {first} … {last} (var och ett med egen referens)"


def series_invite_dm(label: str, recurrence: str, location: str | None, sender: str) -> str:
    return (
        f"📅 {mention(sender)} bjuder in dig till *{esc(label)}*, en serie:\n"
        f"{esc(recurrence)}{_where(location)}\n"
        "Kommer du? Svaret gäller alla mötena i serien (ändra det för ett enskilt möte med "
        "knapparna i ett besked om just det mötet); kalenderfilen nedan lägger in hela serien "
        "i din kalender."
    )


def series_updated_dm(label: str, recurrence: str, location: str | None) -> str:
    return (
        f"📅 *{esc(label)}* (serie) har ändrats:\n{esc(recurrence)}{_where(location)}\n"
        "Kalenderfilen nedan uppdaterar hela serien i din kalender."
    )


def series_cancelled_dm(label: str, recurrence: str) -> str:
    return (
        f"❌ *{esc(label)}* (serie, {esc(recurrence)}) är inställd: inget av mötena blir av.\n"
        "Kalenderfilen nedan tar bort hela serien ur din kalender."
    )


def series_mail_body(
    label: str,
    recurrence: str,
    location: str | None,
    organ: str,
    refs: str,
    sender_name: str,
    *,
    cancelled: bool = False,
    changed: bool = False,
) -> str:
    """Plain text (no Slack markup): the e-mail's text part for a whole series: an invitation,
    a change (the series as it is now) or a cancellation."""
    first = f"{sender_name} bjuder in dig till {label}, en serie av möten."
    if changed:
        first = f"{label}, en serie av möten, har ändrats. Så här ser serien ut nu."
    calendar = [
        "Kalenderinbjudan i det här brevet lägger in hela serien. Ändras eller ställs ett "
        "enskilt möte in får du ett besked om just det mötet.",
        "Svara med knapparna i Slack: svar som ges i kalendern når inte ledningsbot.",
    ]
    if cancelled:
        first = f"{label}, en serie av möten, är inställd: inget av mötena blir av."
        calendar = ["Kalenderfilen i det här brevet tar bort hela serien ur din kalender."]
    lines = [
        "Hej!",
        "",
        first,
        "",
        f"När: {recurrence}",
        f"Var: {location.strip() if location and location.strip() else 'ingen plats angiven'}",
        f"Organ: {organ}",
        f"Referenser: {refs}",
        "",
        *calendar,
        "",
        "Hälsningar",
        "ledningsbot",
    ]
    return "\n".join(lines)


def series_planned_note(recurrence: str) -> str:
    return (
        f"Det är en serie ({esc(recurrence)}): var och en får hela serien en gång, i ett DM "
        "(och ett e-postbrev), inte ett per möte."
    )


SERIES_ANSWERED = "Svaret gäller alla kommande möten i serien."


def series_over(ref: str) -> str:
    return (
        f"Serien som `{ref}` hör till har inga kommande möten kvar, så det finns inget att svara "
        f"på. Se vad som är planerat med `/mote lista`."
    )
