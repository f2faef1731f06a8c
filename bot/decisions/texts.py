"""What the decisions feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.core import texts as core_texts
from bot.core.dates import format_date
from bot.core.markup import clip, esc, mention
from bot.organs.texts import ORGAN_NONE

if TYPE_CHECKING:
    from storage.models import Decision, DecisionRevision, Meeting, Organ

DECISION_USAGE = (
    "*/beslut* – beslutsloggen\n"
    "• `/beslut Ledningsgruppen beslutar enligt förslag` – logga ett beslut för kanalens organ\n"
    "• `/beslut LG 2025-05-09 §6: Ledningsgruppen beslutar att …` – organ, datum och punkt "
    "(`§ 6`, `§6`, `punkt 6`, `p. 6`, `6.2`, `2)`, `8 Beslutspunkt`; möte som `LG-230901`)\n"
    "• `/beslut §5 Ledningsgruppen beslutar att …` – punkten först, utan kolon\n"
    "• `/beslut LG-230901 §6: Förslag till beslut: Att … Beslut: Ledningsgruppen beslutar "
    "enligt förslag` – förslag och beslut i samma text\n"
    "• `/beslut` – öppna ett formulär (med förslag till beslut och uppdrag)\n"
    "• `/beslut lista [organ] [år] [sida 2]` · `/beslut sök hemsjukvård [sida 2]` · "
    "`/beslut visa LG-2025-3`\n"
    "• `/beslut ändra LG-2025-3 <ny text> skäl: <varför>` · `/beslut ändra LG-2025-3 § 6` "
    "(ny punkt) · `/beslut upphäv LG-2025-3 <skäl>`\n"
    "• `/beslut export [organ] [år]` – hela loggen som CSV och Markdown"
)


DECISION_AMEND_USAGE = (
    "Skriv beslutet och det som ändras: en ny text med skäl, en ny punkt, eller båda. "
    "Till exempel: `/beslut ändra LG-2025-3 Ledningsgruppen beslutar att … skäl: stavfel i "
    "protokollet` eller `/beslut ändra LG-2025-3 § 6`"
)


DECISION_SHOW_USAGE = "Skriv vilket beslut, till exempel: `/beslut visa LG-2025-3`"


DECISION_NO_DECISION = (
    "Jag hittar förslaget men inte beslutet. Skriv ”Beslut:” före beslutet, till exempel: "
    "`/beslut §6: Förslag till beslut: Att … Beslut: Ledningsgruppen beslutar enligt förslag`"
)


def head_not_understood(head: str, why: str) -> str:
    """`why`: the date parser's message; its first sentence says what is wrong with a date
    ("Datumet ”31 februari” finns inte."), its generic one is left out."""
    first = why.split(". ", 1)[0].rstrip(".") + "."
    detail = "" if first.startswith("Jag förstod inte") else f" {first}"
    return (
        f"Jag förstod inte ”{esc(clip(head, 60))}” före kolon.{detail} Före kolon kan stå organ, "
        "datum eller möte, och punkt. Till exempel: "
        "`/beslut LG 2025-05-09 §6: Ledningsgruppen beslutar att …` eller "
        "`/beslut LG-230901 punkt 5: …`"
    )


def meeting_of_other_organ(ref: str, organ: str) -> str:
    return (
        f"Mötet {esc(ref)} hör inte till ”{esc(clip(organ, 30))}”. Skriv bara mötet, "
        f"till exempel `/beslut {esc(ref)} §5: …`, eller organ och datum."
    )


def item_changed(old: str | None, new: str | None) -> str:
    return f"punkt: § {esc(old or '–')} → § {esc(new or '–')}"


DECISION_REVOKE_USAGE = (
    "Skriv beslutet och skälet, till exempel: `/beslut upphäv LG-2025-3 ersatt av beslut LG-2025-9`"
)


SEARCH_USAGE = (
    "Skriv vad du söker efter, till exempel: `/beslut sök hemsjukvårdsavtal` "
    "(fler träffar: `/beslut sök hemsjukvårdsavtal sida 2`)"
)


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
    action = "⚠️ ändrad efter justering" if rev.action == "efter justering" else rev.action
    text = f"v{rev.version} {action} {when} av {mention(rev.changed_by)}"
    if rev.reason:
        text += f" – skäl: {esc(clip(rev.reason, 300))}"
    if rev.action != "skapad" or rev.version == 1:
        text += f"\n> {esc(clip(rev.text.replace(chr(10), ' '), 400))}"
    return text


def decision_amended(
    decision: Decision, change: str | None = None, after_justering: bool = False
) -> str:
    what = f" ({change})" if change else ""
    text = (
        f"✏️ Beslut *{decision.ref}* ändrat{what}; den tidigare lydelsen finns kvar i historiken "
        f"(`/beslut visa {decision.ref}`)."
    )
    if after_justering:
        text += (
            " Beslutet står i justerade anteckningar: de ändras inte, och ändringen syns som "
            "en ändring efter justering."
        )
    return text


def what_changed(text: bool, proposal: bool, item: str | None) -> str:
    parts = [p for p in ("ny text" if text else "", "nytt förslag" if proposal else "") if p]
    return ", ".join([*parts, *([item] if item else [])])


def decision_revoked(decision: Decision) -> str:
    return f"⛔ Beslut *{decision.ref}* är upphävt. Det finns kvar i loggen med skälet."


def search_header(query: str, total: int, counted: int) -> str:
    """`total` as the search counted it: more than `counted` is said as such."""
    return f"Beslut som matchar ”{esc(clip(query, 80))}”: {core_texts.hits(total, counted)}"


def newest_of(shown: int, words: str) -> str:
    """Under the decisions `/uppdrag sök` shows: the rest are a `/beslut sök` away. `words`
    are the words the search used, whole (an example clipped short would search for less)."""
    return f"De {shown} senaste visas. Alla: `/beslut sök {esc(words)}`"


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


# Errors under a field of the form: brief, about that field.
MODAL_UNKNOWN_ORGAN = "Det organet finns inte (längre). Välj ett annat i listan."


def modal_unknown_meeting(ref: str) -> str:
    return f"Inget möte heter {clip(ref, 40)}. Skriv ett datum (9/5) eller ett möte (AU-250509)."


def modal_other_organ(ref: str, organ: str) -> str:
    return f"Mötet {ref} hör till ett annat organ än {clip(organ, 30)}. Välj rätt organ eller möte."


def modal_in_future(day: date) -> str:
    return f"{format_date(day)} har inte varit än: beslut loggas efter mötet."


def modal_too_long(length: int, limit: int) -> str:
    return f"{length} tecken är för långt: högst {limit} går."


NO_ORGANS_FOR_MODAL = ORGAN_NONE
