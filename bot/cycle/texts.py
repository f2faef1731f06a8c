"""What the meeting cycle says, in Swedish: in Slack (mrkdwn, user text escaped with `esc`) and
in the documents (plain text: the writers escape for their own format)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.markup import clip, esc, mention

# ------------------------------------------------------------------ usage

CYCLE_USAGE = (
    "*/mote* – dagordning, närvaro, anteckningar och justering\n"
    "• `/mote punkt LG-261217 Kronobarnsmodellen föredragande @Erika information` – föreslå en "
    "punkt (`beslut`, `information` eller `dialog`; `förslag: …` sist för förslag till beslut)\n"
    "• `/mote dagordning LG-261217` – visa dagordningen · `/mote kallelse LG-261217` – publicera "
    "den i kanalen och i kalendern\n"
    "• `/mote godkänn LG-261217 F4` – ta med en föreslagen punkt · "
    "`/mote ordna LG-261217 1 2 3 5 4` – ny ordning\n"
    "• `/mote ändra LG-261217 §4 rubrik: …` (eller `föredragande @x`, `typ beslut`, `förslag: …`)\n"
    "• `/mote lyft LG-261217 §4 till LG 15 januari` · `/mote utgår LG-261217 §4 [skäl]`\n"
    "• `/mote underlag LG-261217 §4 https://…` – lägg till underlag\n"
    "• `/mote anteckning LG-261217 §5 <text>` – anteckningar under punkten\n"
    "• `/mote närvaro LG-261217 närvarande @a @b, Marcus Ek (Växjö kommun); frånvarande @c; "
    "gäster: Lina Nyberg (Statskontoret)`\n"
    "• `/mote justerare LG-261217 @Jenny` · `/mote anteckningar LG-261217` – utkastet "
    "(Markdown, Word och PDF)\n"
    "• `/mote justera LG-261217` – skicka till justerarna · `/mote godkänn LG-270115 §2` – "
    "föregående mötes anteckningar godkända"
)

ITEM_USAGE = (
    "Skriv mötet och punktens rubrik, gärna föredragande och typ, till exempel: "
    "`/mote punkt LG-261217 Kronobarnsmodellen föredragande @Erika information` eller "
    "`/mote punkt LG-261217 Ny styrmodell föredragande Veronica Bolinder beslut "
    "förslag: Ledningsgruppen ställer sig bakom förslaget`"
)

ITEM_REF_USAGE = (
    "Skriv mötet och punkten, till exempel `§4` för punkt 4 på dagordningen eller `F2` för "
    "förslag 2: `/mote {sub} LG-261217 §4`"
)

ORDER_USAGE = (
    "Skriv mötet och punkterna i den nya ordningen, med deras nuvarande nummer, till exempel: "
    "`/mote ordna LG-261217 1 2 3 5 4`"
)

EDIT_USAGE = (
    "Skriv mötet, punkten och vad som ändras, till exempel: "
    "`/mote ändra LG-261217 §4 rubrik: Kronobarnsmodellen 2027`, "
    "`/mote ändra LG-261217 §4 föredragande @Erika`, `/mote ändra LG-261217 §4 typ beslut` eller "
    "`/mote ändra LG-261217 §4 förslag: Ledningsgruppen beslutar att …`"
)

MOVE_USAGE = (
    "Skriv mötet, punkten och vilket möte den lyfts till, till exempel: "
    "`/mote lyft LG-261217 §4 till LG 15 januari` eller `/mote lyft LG-261217 §4 till nästa LG`"
)

NOTE_USAGE = (
    "Skriv mötet, punkten och anteckningen, till exempel: "
    "`/mote anteckning LG-261217 §5 Erika redogör för nuläget och genomförda aktiviteter.`"
)

MATERIAL_USAGE = (
    "Skriv mötet, punkten och underlaget (en länk, en kort text eller länken till en fil i "
    "Slack), till exempel: `/mote underlag LG-261217 §5 https://intranat.example.se/kronobarn.pdf`."
    " En fil lägger du enklast till med knappen *Lägg till underlag*."
)

ATTENDANCE_USAGE = (
    "Skriv mötet och vilka som var där, till exempel: `/mote närvaro LG-261217 närvarande "
    "@Anna @Roger, Marcus Ek (Växjö kommun); frånvarande @Jenny; gäster: Lina Nyberg "
    "(Statskontoret)`. `/mote närvaro LG-261217` visar listan."
)

ADJUSTER_USAGE = "Skriv mötet och justeraren, till exempel: `/mote justerare LG-261217 @Jenny`"

MEETING_USAGE = "Skriv mötet, till exempel: `/mote {sub} LG-261217` (se `/mote lista`)."

FORM_USAGE = (
    "Skriv organet och formen, till exempel `/organ anteckningar LG minnesanteckningar` "
    "(godkänns vid nästa möte) eller `/organ anteckningar LG protokoll` (justeras av justerare)."
)

DEADLINE_USAGE = (
    "Skriv organet och antal arbetsdagar före mötet (0–20), till exempel: "
    "`/organ punktfrist LG 5 dagar`"
)

ARCHIVE_USAGE = "Skriv organet och året, till exempel: `/organ arkiv LG 2026`"

EXTRACT_USAGE = "Skriv beslutet, till exempel: `/beslut utdrag LG-2026-4`"

# ------------------------------------------------------------------ errors


def plain_at(word: str, example: str) -> str:
    return (
        f"Jag känner inte igen {esc(clip(word, 40))} som en person. Välj personen i listan som "
        f"visas när du skriver @, till exempel: `/mote {example} @Anna`"
    )


def unknown_item(ref: str, item: str) -> str:
    return (
        f"Mötet {esc(ref)} har ingen punkt {esc(clip(item, 20))}. Se dagordningen med "
        f"`/mote dagordning {esc(ref)}`; punkter skrivs `§4`, förslag `F2`."
    )


def item_not_proposal(ref: str, label: str) -> str:
    return (
        f"{esc(label)} på {esc(ref)} är redan med på dagordningen. Föreslagna punkter har "
        f"nummer som `F2`: se `/mote dagordning {esc(ref)}`."
    )


def item_closed(label: str, state: str) -> str:
    done = "lyfts" if state == "lyft" else "utgått"
    return f"Punkten {esc(label)} har redan {done}; den står kvar som den är."


def item_auto(label: str) -> str:
    return (
        f"Punkten {esc(label)} kommer med av sig själv och kan inte lyftas, strykas eller ändras. "
        "Skriv en anteckning under den i stället, till exempel "
        "`/mote anteckning LG-261217 §2 Dagordningen fastställs.`"
    )


def deadline_passed(ref: str, day: str, days: int, convenor: str | None) -> str:
    who = mention(convenor) if convenor else "sammankallande eller sekreteraren"
    return (
        f"Sista dag att föreslå punkter till {esc(ref)} var {day} ({days} arbetsdagar före "
        f"mötet). Be {who} att ta med den; de kan lägga till punkter ända fram till mötet, "
        f"till exempel `/mote punkt {esc(ref)} Rubrik föredragande @namn`."
    )


def not_member(organ: str) -> str:
    return (
        f"Punkter till {esc(organ)}s möten föreslås av organets medlemmar (de som är med i "
        "kanalen). Be sammankallande att lägga till den, eller gå med i kanalen först."
    )


def locked(ref: str, version: int | None) -> str:
    return (
        f"Anteckningarna för {esc(ref)} är justerade och låsta (version {version}). De ändras "
        "aldrig i tysthet: ändra ett beslut med `/beslut ändra LG-2026-4 <ny text> skäl: <varför>` "
        "så syns det som en ändring efter justering."
    )


def meeting_cancelled(ref: str) -> str:
    return f"Mötet {esc(ref)} är inställt; det har ingen dagordning eller anteckningar."


def no_target_meeting(text: str) -> str:
    return (
        f"Jag hittar inget planerat möte ”{esc(clip(text, 60))}” att lyfta punkten till. "
        "Planera det först med `/mote ny LG 15 januari 9-12`, eller skriv mötet som `LG-270115`."
    )


def target_not_later(ref: str) -> str:
    return (
        f"En punkt lyfts till ett senare möte än {esc(ref)}, till exempel "
        f"`/mote lyft {esc(ref)} §4 till nästa LG`."
    )


def order_mismatch(ref: str, numbers: Sequence[int]) -> str:
    listed = " ".join(str(n) for n in numbers)
    return (
        f"Skriv alla punkter på {esc(ref)} precis en gång, i den nya ordningen: de är nu "
        f"{listed}. Till exempel `/mote ordna {esc(ref)} {listed}`."
    )


def order_fixed(ref: str, numbers: Sequence[int]) -> str:
    listed = ", ".join(f"§{n}" for n in numbers)
    return (
        f"Punkterna {listed} på {esc(ref)} har redan beslut, uppdrag eller anteckningar och "
        "behåller sina nummer. Flytta de andra runt dem."
    )


def bad_kind(word: str) -> str:
    return (
        f"”{esc(clip(word, 30))}” är ingen typ av punkt. Skriv `beslut`, `information` eller "
        "`dialog`, till exempel `/mote ändra LG-261217 §4 typ beslut`."
    )


def no_adjusters(ref: str) -> str:
    return (
        f"Mötet {esc(ref)} har ingen justerare ännu. Utse en först: "
        f"`/mote justerare {esc(ref)} @Jenny`"
    )


def not_adjuster(ref: str) -> str:
    return (
        f"Du är inte justerare för {esc(ref)}. Sekreteraren utser justerare med "
        f"`/mote justerare {esc(ref)} @namn`."
    )


def newer_version(ref: str, version: int, latest: int) -> str:
    return (
        f"Det här är version {version} av anteckningarna för {esc(ref)}, men det finns en nyare "
        f"(version {latest}). Vänta på den; sekreteraren skickar den med "
        f"`/mote justera {esc(ref)}`."
    )


def not_sent(ref: str) -> str:
    return (
        f"Anteckningarna för {esc(ref)} är inte skickade för justering. "
        f"Skicka dem med `/mote justera {esc(ref)}`."
    )


def no_previous(ref: str) -> str:
    return (
        f"Det finns inget tidigare möte med anteckningar att godkänna under {esc(ref)} §2. "
        "Gör anteckningarna för det mötet först med `/mote anteckningar LG-261217`."
    )


def previous_needs_item(ref: str) -> str:
    return (
        "Föregående mötes anteckningar godkänns under punkten ”Föregående mötes anteckningar”, "
        f"till exempel `/mote godkänn {esc(ref)} §2`."
    )


def personal_numbers(what: str, found: Sequence[str]) -> str:
    listed = ", ".join(f"`{esc(n)}`" for n in found[:5])
    return (
        f"⚠️ {what} innehåller något som ser ut som personnummer: {listed}. Personnummer ska "
        "inte publiceras. Ta bort dem (till exempel med `/beslut ändra` eller en ny anteckning) "
        "och försök igen – eller fortsätt ändå om det är rätt."
    )


BUTTON_GO_ON = "Fortsätt ändå"
BUTTON_ACCEPT = "Ta med"

# ------------------------------------------------------------------ answers


def item_label(number: int | None, proposal_no: int) -> str:
    return f"§{number}" if number is not None else f"F{proposal_no}"


def item_proposed(ref: str, label: str, title: str, accepted: bool) -> str:
    if accepted:
        return f"📋 {esc(label)} *{esc(title)}* är med på dagordningen för `{esc(ref)}`."
    return (
        f"📋 Förslag {esc(label)} *{esc(title)}* till `{esc(ref)}` är inlämnat. Sammankallande "
        f"tar med det med `/mote godkänn {esc(ref)} {esc(label)}`."
    )


def items_accepted(ref: str, labels: Sequence[str]) -> str:
    return f"📋 Med på dagordningen för `{esc(ref)}`: " + ", ".join(esc(x) for x in labels) + "."


def presenter_dm(ref: str, label: str, title: str, when: str, deadline: str) -> str:
    return (
        f"📋 Du är föredragande för *{esc(title)}* ({esc(label)}) på `{esc(ref)}`, {when}.\n"
        f"Lägg till underlag (en länk eller en fil i kanalen) senast {deadline}, så kommer det "
        "med i kallelsen."
    )


ITEM_MODAL_TITLE = "Föreslå en punkt"
ITEM_MODAL_HEADING = "Rubrik"
ITEM_MODAL_PRESENTER = "Föredragande (i Slack)"
ITEM_MODAL_PRESENTER_NAME = "… eller föredragandes namn"
ITEM_MODAL_KIND = "Typ"
ITEM_MODAL_PROPOSAL = "Förslag till beslut"
BUTTON_MATERIAL = "Lägg till underlag"
MATERIAL_MODAL_TITLE = "Lägg till underlag"
MATERIAL_MODAL_LABEL = "Länk eller kort beskrivning"
MATERIAL_MODAL_HINT = "Till exempel en länk till bildspelet. Du kan också ladda upp en fil nedan."
MATERIAL_MODAL_FILES = "Fil"
MATERIAL_MODAL_FILES_HINT = "Upp till fem filer, till exempel kronobarn.pdf (högst 10 MB styck)."
MATERIAL_MODAL_EMPTY = "Skriv en länk eller en kort text, eller ladda upp en fil."
MATERIAL_FILE_UNKNOWN = "Filen kunde inte hämtas från Slack. Försök ladda upp den igen."
SUBMIT = "Spara"
CANCEL = "Avbryt"


def order_saved(ref: str) -> str:
    return (
        f"🔢 Ny ordning på dagordningen för `{esc(ref)}`. Se den med `/mote dagordning {esc(ref)}`."
    )


def item_edited(ref: str, label: str) -> str:
    return f"✏️ {esc(label)} på `{esc(ref)}` är ändrad."


def item_moved(ref: str, label: str, title: str, target: str) -> str:
    return f"➡️ {esc(label)} *{esc(title)}* på `{esc(ref)}` lyfts på {esc(target)}."


def item_dropped(ref: str, label: str, title: str) -> str:
    return f"✂️ {esc(label)} *{esc(title)}* utgår från dagordningen för `{esc(ref)}`."


def note_saved(ref: str, label: str) -> str:
    return f"📝 Anteckningen under {esc(label)} på `{esc(ref)}` är sparad."


def material_saved(ref: str, label: str) -> str:
    return f"📎 Underlaget till {esc(label)} på `{esc(ref)}` är sparat."


def adjusters_set(ref: str, users: Sequence[str]) -> str:
    names = and_list([mention(u) for u in users])
    return f"✍️ Justerare för `{esc(ref)}`: {names}."


def attendance_saved(ref: str, present: int, absent: int, guests: int) -> str:
    return (
        f"🧑‍🤝‍🧑 Närvaron på `{esc(ref)}` är sparad: {present} närvarande, {absent} frånvarande, "
        f"{guests} {'gäst' if guests == 1 else 'gäster'}."
    )


def attendance_header(ref: str) -> str:
    return f"Närvaro {ref}"


def attendance_from_rsvps() -> str:
    return "_Ingen närvaro är registrerad än; listan bygger på svaren på inbjudan._"


def kallelse_published(ref: str, channel: str | None) -> str:
    where = f" i <#{channel}>" if channel else ""
    return (
        f"📣 Kallelsen till `{esc(ref)}` är publicerad{where}. Dagordningen står också i "
        "kalenderinbjudan och kalenderflödena."
    )


def kallelse_header(label: str, when: str, ref: str) -> str:
    return f"📣 *Kallelse – {esc(label)}* {when} · `{esc(ref)}`"


def agenda_header(label: str, when: str, ref: str) -> str:
    return f"*Dagordning – {esc(label)}* {when} · `{esc(ref)}`"


def agenda_deadline(day: str, days: int) -> str:
    return f"Sista dag för punkter: {day} ({days} arbetsdagar före mötet)."


AGENDA_EMPTY = "_Inga punkter än._"
AGENDA_PROPOSALS = "*Föreslagna punkter* (sammankallande tar med dem med `/mote godkänn`):"
AGENDA_MOVED = "lyfts på"
AGENDA_DROPPED = "utgår"
MATERIAL_MISSING = "underlag saknas"


def file_links(files: list[tuple[str, str | None]]) -> str:
    """Files as Slack links: `<permalink|kronobarn.pdf>` (the name alone without a link)."""
    return ", ".join(f"<{link}|{esc(name)}>" if link else esc(name) for name, link in files)


def agenda_plain_files(names: list[str]) -> str:
    return "   Underlag: " + ", ".join(names)


def agenda_item_line(
    label: str,
    title: str,
    presenter: str | None,
    kind: str | None,
    material: str | None,
    missing: bool,
    files: list[tuple[str, str | None]] | None = None,
) -> str:
    text = (
        f"{esc(label)}. *{esc(title)}*" if label[:1].isdigit() else f"{esc(label)} *{esc(title)}*"
    )
    extra = []
    if presenter:
        extra.append(f"föredragande {presenter}")
    if kind:
        extra.append(kind)
    shown = [esc(clip(material, 200))] if material else []
    if files:
        shown.append(file_links(files))
    if shown:
        extra.append("underlag: " + ", ".join(shown))
    elif missing:
        extra.append(f"⚠️ {MATERIAL_MISSING}")
    return text + (" – " + ", ".join(extra) if extra else "")


def agenda_plain_line(label: str, title: str, presenter: str | None, kind: str | None) -> str:
    text = f"{label}. {title}"
    if presenter:
        text += f" – föredragande {presenter}"
    if kind:
        text += f" ({kind})"
    return text


def agenda_plain_header(ref: str) -> str:
    return f"Dagordning ({ref}):"


def draft_made(ref: str, version: int, new: bool) -> str:
    state = "nytt utkast" if new else "oförändrat sedan förra utkastet"
    return (
        f"📄 Anteckningarna för `{esc(ref)}`, version {version} ({state}): här nedan och som "
        f"Markdown, Word och PDF. Skicka dem för justering med `/mote justera {esc(ref)}`."
    )


def locked_shown(ref: str, version: int, by: str, at: str) -> str:
    return (
        f"🔒 Anteckningarna för `{esc(ref)}` är justerade ({esc(by)}, {at}) och låsta i version "
        f"{version}. Här är de justerade filerna."
    )


CHANGES_AFTER_HEADER = "*Ändringar efter justering* (syns här, inte i de justerade filerna):"


def change_after_line(ref: str, version: int, at: str, by: str, reason: str | None) -> str:
    text = f"• `{esc(ref)}` ändrat {at} av {mention(by)} (v{version})"
    return text + (f" – skäl: {esc(clip(reason, 200))}" if reason else "")


def decision_after_line(ref: str, at: str) -> str:
    return f"• `{esc(ref)}` loggat {at}, efter justeringen"


def sent_for_justering(ref: str, version: int, users: Sequence[str]) -> str:
    names = and_list([mention(u) for u in users])
    return (
        f"✍️ Version {version} av anteckningarna för `{esc(ref)}` är skickad till {names} "
        "för justering."
    )


def already_sent(ref: str, version: int, users: Sequence[str]) -> str:
    names = and_list([mention(u) for u in users])
    return (
        f"Version {version} av anteckningarna för `{esc(ref)}` är redan skickad till {names}; "
        "den skickas inte igen. Ändra något och gör en ny version med "
        f"`/mote anteckningar {esc(ref)}`, så kan den skickas."
    )


def justering_dm(ref: str, label: str, when: str, version: int, sender: str) -> str:
    return (
        f"✍️ {mention(sender)} ber dig justera anteckningarna från *{esc(label)}* {when} "
        f"(`{esc(ref)}`, version {version}). Utkastet står här nedan och i filerna. "
        "Tryck *Justera* om de stämmer, annars *Begär ändring*."
    )


BUTTON_JUSTERA = "Justera"
BUTTON_CHANGE = "Begär ändring"
CHANGE_MODAL_TITLE = "Begär ändring"
CHANGE_MODAL_LABEL = "Vad ska ändras?"
CHANGE_MODAL_HINT = "Till exempel: §5 – beslutet ska gälla hela 2027, inte bara våren."


def justerad_by_you(ref: str, version: int, waiting: Sequence[str]) -> str:
    if waiting:
        rest = and_list([mention(u) for u in waiting])
        return f"✅ Du har justerat version {version} av `{esc(ref)}`. Väntar på {rest}."
    return f"✅ Du har justerat version {version} av `{esc(ref)}`."


def minutes_locked(label: str, when: str, ref: str, version: int, by: str, digest: str) -> str:
    return (
        f"🔒 Anteckningarna från *{esc(label)}* {when} (`{esc(ref)}`) är justerade av {esc(by)}: "
        f"version {version}, innehållets SHA-256 `{digest[:16]}…`. Besluten är markerade som "
        "justerade; de slutliga filerna finns här."
    )


def change_requested_dm(ref: str, version: int, by: str, comment: str) -> str:
    return (
        f"✏️ {mention(by)} begär ändring i version {version} av anteckningarna för `{esc(ref)}`:\n"
        f"> {esc(clip(comment, 2500))}\n"
        f"Gör ändringen och skicka ett nytt utkast med `/mote justera {esc(ref)}`."
    )


def change_request_sent(ref: str) -> str:
    return f"✏️ Din begäran om ändring i `{esc(ref)}` är skickad till sekreteraren."


def previous_approved(ref: str, previous: str) -> str:
    return f"✅ Anteckningarna från `{esc(previous)}` är godkända under `{esc(ref)}` §2 och låsta."


def previous_note(previous: str, version: int) -> str:
    return f"Föregående mötes anteckningar ({previous}, version {version}) godkändes."


def form_set(organ: str, form: str) -> str:
    how = "godkänns vid nästa möte" if form == "minnesanteckningar" else "justeras av justerare"
    return f"📄 {esc(organ)} för *{form}*, som {how}."


def deadline_set(organ: str, days: int) -> str:
    return f"📅 Punkter till {esc(organ)}s möten föreslås senast {days} arbetsdagar före mötet."


def extract_made(ref: str) -> str:
    return f"📄 Protokollsutdrag för `{esc(ref)}` som PDF och Word."


def archive_made(organ: str, year: int, files: int, size: int) -> str:
    kilobytes = size // 1024 + 1
    return f"🗄️ Arkivet för {esc(organ)} {year}: {files} filer, {kilobytes} kB, i ett DM till dig."


MATERIAL_REMINDER = (
    "⏰ Sista dag för underlag till *{title}* ({label}) på `{ref}`, {when}, har passerat, och "
    "inget underlag har kommit. Lägg till det nu, så kommer det med; tills dess står punkten "
    "som ”underlag saknas” på dagordningen."
)


# ------------------------------------------------------------------ documents (plain text)

DOC_TIME = "Tid:"
DOC_PLACE = "Plats:"
DOC_ORGAN = "Organ:"
DOC_PRESENT = "Närvarande:"
DOC_ABSENT = "Frånvarande:"
DOC_GUESTS = "Övriga medverkande:"
DOC_PRESENTER = "Föredragande:"
DOC_MATERIAL = "Underlag:"
DOC_PROPOSAL = "Förslag till beslut:"
DOC_DECISION = "Beslut:"
DOC_ASSIGNMENT = "Uppdrag:"
DOC_OTHER = "Övriga beslut och uppdrag"
DOC_NEXT = "Kommande möten:"
DOC_SECRETARY = "Mötesanteckningar:"
DOC_ADJUSTER = "Justerare:"
DOC_NO_ADJUSTER = "–"
DOC_NO_REPORTS = "Inga uppdrag att återrapportera."
DOC_JUSTERING = "Justering:"
DOC_CHANGED_AFTER = "Ändrat efter justering:"

AUTO_TITLES = {
    "öppnande": "Mötets öppnande",
    "föregående": "Föregående mötes anteckningar och mötets dagordning",
    "återrapport": "Återrapportering",
}


def doc_title(form: str, organ_name: str) -> str:
    return f"{'Protokoll' if form == 'protokoll' else 'Minnesanteckningar'} {organ_name}"


def doc_reference(ref: str, version: int, final: bool) -> str:
    return f"{ref} · version {version}" + ("" if final else " · utkast")


def doc_item_heading(number: int | None, title: str) -> str:
    return f"{number}. {title}" if number is not None else title


def doc_carried_from(source: str) -> str:
    return f"Från {source}."


def doc_moved(target: str, reason: str | None) -> str:
    text = f"Utgår från dagens dagordning. Lyfts på {target}."
    return text + (f" {reason}" if reason else "")


def doc_dropped(reason: str | None) -> str:
    return "Utgår från dagens dagordning." + (f" {reason}" if reason else "")


def doc_decision(text: str, ref: str, status: str) -> str:
    mark = f" [{status}]" if status != "gällande" else ""
    return f"{text} ({ref}){mark}"


def doc_assignment(
    ref: str, what: str, owners: Sequence[str], due: str | None, report_to: str | None
) -> str:
    text = f"{and_list(list(owners))} – {_lower_first(what.rstrip('.'))}."
    if due:
        text += f" Klart {due}."
    if report_to:
        text += f" Återkoppling sker till {report_to}."
    return text + f" ({ref})"


def doc_report(
    ref: str, what: str, owners: Sequence[str], due: str | None, latest: str | None
) -> str:
    text = f"{ref} {what.rstrip('.')} – {and_list(list(owners))}"
    if due:
        text += f", {due}"
    return text + (f". Senaste status: {latest}" if latest else ". Ingen status ännu.")


def doc_draft(form: str, version: int, adjusters: Sequence[str]) -> str:
    if form == "protokoll" or adjusters:
        who = and_list(list(adjusters)) or "justerare"
        return f"Utkast, version {version}. Justeras av {who}."
    return f"Utkast, version {version}. Godkänns vid nästa möte."


def doc_locked(by: str, at: str, version: int, established: str, digest: str) -> str:
    return (
        f"Justerat av {by} {at}. Version {version}. Upprättat {established}. "
        f"Innehållets SHA-256: {digest}."
    )


def extract_title(form: str) -> str:
    return "Protokollsutdrag" if form == "protokoll" else "Utdrag ur minnesanteckningar"


def extract_reference(meeting: str | None, decision: str) -> str:
    return f"Möte {meeting} · beslut {decision}" if meeting else f"Beslut {decision}"


def extract_justerat(by: str, at: str, version: int, digest: str) -> str:
    return f"Justerat av {by} {at} (version {version}, innehållets SHA-256 {digest})."


EXTRACT_NOT_JUSTERAT = "Ej justerat ännu."
EXTRACT_NO_MEETING = "Beslutet är inte kopplat till något möte."
EXTRACT_NO_ITEM = "Beslut"


def extract_change(at: str, by: str, text: str, reason: str | None) -> str:
    change = f"{at} av {by}. Ny lydelse: {text}"
    return change + (f" Skäl: {reason}" if reason else "")


def extract_made_line(day: str, by: str) -> str:
    return f"Utdraget gjort {day} av {by} ur ledningsbots register."


def _lower_first(text: str) -> str:
    """ "För in det …" after a dash reads "för in det …" (not "LINK", not "AU")."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def and_list(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " och " + items[-1]


def archive_readme(short: str, name: str, year: int, now: object) -> str:
    return f"""Arkiv för {short} – {name}, år {year}
Skapat {now} av ledningsbot.

protokoll/     justerade minnesanteckningar och protokoll: PDF, Markdown och det justerade
               innehållet som JSON (dess SHA-256 är innehållets SHA-256 som står i PDF:en)
utkast/        senaste utkastet för möten som ännu inte är justerade
beslut.csv     beslutsregistret (UTF-8 med BOM, semikolon; öppnas i Excel) och beslut.md
uppdrag.csv    årets uppdrag (samma format)
moten.ics      årets möten (iCalendar)
oparl.json     möten, dagordningspunkter, personer, organ och beslut, formade efter OParl 1.1
manifest-sha256.txt, manifest.json
               SHA-256 för varje fil; kontrollera med `sha256sum -c manifest-sha256.txt`
"""


# ------------------------------------------------------------------ /mote visa: the minutes


def minutes_state(
    form: str,
    version: int | None,
    status: str | None,
    adjusters: list[str],
    locked: tuple[str, str, str] | None,
) -> str:
    """`locked`: (the day, who justerade, the content hash's first 12 characters)."""
    what = "Protokoll" if form == "protokoll" else "Minnesanteckningar"
    if locked is not None:
        day, by, digest = locked
        return f"🔒 {what}: justerade {day} av {by} (version {version}, kontrollsumma `{digest}`)."
    if status is None or version is None:
        return f"📝 {what}: inget utkast än."
    if status == "för justering" and adjusters:
        who = ", ".join(f"<@{u}>" for u in adjusters)
        return f"📝 {what}: utkast v{version}, skickat till justerare {who}."
    return f"📝 {what}: utkast v{version}."


def decision_item_unknown(
    item: str, ref: str, meeting_ref: str, numbers: list[int], closed: str | None
) -> str:
    """A decision logged on a § the agenda does not deal with: it is stored all the same."""
    where = f"§ {esc(item)} på `{esc(meeting_ref)}`"
    if closed is not None:
        head = f"⚠️ {where} {closed}, så beslutet hamnar inte under punkten."
    else:
        head = f"⚠️ {where} finns inte på dagordningen."
    listed = ", ".join(f"§{n}" for n in numbers) if numbers else "inga punkter än"
    example = numbers[-1] if numbers else 4
    return (
        f"{head} Dagordningens punkter: {listed}. Beslutet {esc(ref)} är sparat och står under "
        f"”Övriga beslut och uppdrag” i anteckningarna. Flytta det till rätt punkt med "
        f"`/beslut ändra {esc(ref)} § {example}`."
    )
