"""What the organs feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.core.markup import clip, esc, mention

if TYPE_CHECKING:
    from storage.models import Organ

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
    return f"Jag känner inte till något organ ”{esc(clip(name, 40))}”. Kända organ: {names}."


def which_organ(known: Iterable[str]) -> str:
    names = ", ".join(esc(k) for k in known) or "inga ännu – skapa ett med `/organ ny`"
    return (
        "Vilket organ gäller det? Den här kanalen hör inte till något organ, så skriv organet "
        f"först. Kända organ: {names}."
    )


ORGAN_NEW_USAGE = (
    "Skriv kortnamn och fullt namn, gärna kanal och sammankallande, till exempel: "
    "`/organ ny PG-AVTAL Processgrupp för avtal #pg-avtal sammankallande @Anna`"
)


ORGAN_BIND_USAGE = "Skriv organet och kanalen, till exempel: `/organ koppla AU #au`"


ORGAN_CONVENOR_USAGE = (
    "Skriv organet och personen med @, till exempel: `/organ sammankallande AU @Anna` "
    "(eller bara `/organ sammankallande AU` för ingen)"
)


def convenor_not_mention(typed: str, example: str) -> str:
    return (
        f"Jag hittar ingen som heter ”{esc(clip(typed, 60))}” i Slack. "
        f"Välj personen i listan som visas när du skriver @, till exempel: `{esc(example)}`"
    )


def unknown_subcommand(word: str) -> str:
    return (
        f"Jag känner inte igen ”{esc(clip(word, 30))}” efter /organ. Till exempel: "
        "`/organ lista` eller `/organ ny AU Arbetsutskottet #au`; `/organ hjälp` visar allt."
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
