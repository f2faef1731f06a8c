"""Texts every feature shares: errors, permissions, limits.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.markup import esc, mention

if TYPE_CHECKING:
    pass

GENERIC_ERROR = (
    "Något gick fel hos mig, och ingenting sparades. Försök igen om en stund; "
    "händer det igen, kontakta den som sköter boten."
)


ID_TOO_LONG = (
    "Det där är ingen person eller kanal jag känner igen: Slacks id är högst 32 tecken. "
    "Välj personen med @ eller kanalen med # i listan som Slack visar."
)
ONLY_ADMINS = "Det här får bara administratörer göra. Be sekreteraren eller en ordförande om hjälp."


SHOW_MORE = "Visa fler"


def no_such_page(number: int, pages: int) -> str:
    return f"Det finns ingen sida {number}: listan har {pages} {'sida' if pages == 1 else 'sidor'}."


def left_out(n: int) -> str:
    return f"_… och {n} till som inte får plats här._"


def page_footer(first: int, last: int, total: int, typed: str, number: int, pages: int) -> str:
    """Under one page of a long list: which these are and how to see the next."""
    shown = f"Visar {first}–{last} av {total} (sida {number} av {pages})."
    if number < pages:
        following = f"`{esc(typed)} sida {number + 1}`"
        return f"{shown} Nästa sida: tryck *{SHOW_MORE}* eller skriv {following}."
    return shown


def hits(total: int, counted: int) -> str:
    """How many a search found: the number, or "fler än 1 000" past what it counts."""
    return f"fler än {_number(counted)}" if total > counted else _number(total)


def hits_past_counted(counted: int) -> str:
    return (
        f"Fler än {_number(counted)} träffar: de {_number(counted)} senaste går att bläddra i. "
        "Lägg till ett ord för att hitta färre."
    )


def only_convenor_or_admin(organ: str) -> str:
    return (
        f"Det här får bara sammankallande för {esc(organ)} eller en administratör göra. "
        "Be dem om hjälp, eller be att få bli sammankallande."
    )


def too_long(what: str, length: int, limit: int) -> str:
    return (
        f"För lång text: {what} är {_number(length)} tecken, högst {_number(limit)} går. "
        "Korta ner den, eller lägg underlaget som en bilaga i kanalen och hänvisa till den."
    )


def _number(n: int) -> str:
    """12 000: Swedish groups thousands with a (non-breaking) space."""
    return f"{n:,}".replace(",", "\u00a0")


def unknown_user(user_id: str) -> str:
    return (
        f"Jag hittar ingen användare {esc(user_id)} i arbetsytan. Välj personen i listan som "
        "visas när du skriver @."
    )


def plain_at(word: str) -> str:
    return (
        f"Jag känner inte igen {esc(word)} som en person. Välj personen i listan som visas när "
        "du skriver @."
    )


def scope_not_understood(word: str) -> str:
    return f"Jag förstod inte ”{esc(word)}”: skriv ett organ, ett år eller båda."


def with_example(message: str, command: str, example: str) -> str:
    """An error answer shows how the command it answers is written: `example`, unless the
    message has one of that command already."""
    if f"`{command}" in message:
        return message
    return f"{message}\nTill exempel: `{example}`"


ANSWER_MAYBE_REPEATED = (
    "↩️ Slack svarade inte när jag svarade dig, så här är svaret igen (det kan ha kommit fram "
    "redan):"
)


def _names(targets: list[str]) -> str:
    return ", ".join(_name(t) for t in targets)


def _name(target: str) -> str:
    """A person as a mention, a channel as a link to it, anything else as typed."""
    if target[:1] in "UW":
        return mention(target)
    if re.fullmatch(r"[CG][A-Z0-9]+", target):
        return f"<#{target}>"
    return esc(target)


def delivery_unknown(targets: list[str]) -> str:
    return (
        f"⏳ Allt är sparat. Till {_names(targets)} vet jag ännu inte om meddelandet kom fram "
        "(Slack svarade inte): okänt, kontrolleras. Du får besked när det är klart; "
        "ingen får det två gånger."
    )


def delivery_later(targets: list[str]) -> str:
    return (
        f"⏳ Allt är sparat. Till {_names(targets)} har meddelandet inte gått iväg än: Slack bad "
        "mig vänta; skickas om en stund. Du får besked när det är klart; ingen får det två gånger."
    )


def delivery_settled(target: str, delivered: bool, missing: list[str] | None = None) -> str:
    if delivered and missing:
        return (
            f"⚠️ Besked: meddelandet till {_names([target])} har kommit fram, men inte "
            f"{_files(missing)}: {'den' if len(missing) == 1 else 'de'} kunde inte laddas upp dit. "
            f"Ladda upp {'den' if len(missing) == 1 else 'dem'} där själv."
        )
    if delivered:
        return f"✅ Besked: meddelandet till {_names([target])} har kommit fram."
    return (
        f"⚠️ Besked: meddelandet till {_names([target])} kunde inte skickas. "
        "Allt är sparat; försök igen om en stund."
    )


def _files(names: list[str]) -> str:
    listed = ", ".join(f"`{esc(n)}`" for n in names)
    return f"filen {listed}" if len(names) == 1 else f"filerna {listed}"


def delivery_failed(targets: list[str]) -> str:
    return (
        f"⚠️ Allt är sparat, men jag kunde inte skicka till {_names(targets)}. "
        "Slack svarade inte som det skulle; försök igen om en stund."
    )


def post_failed(channel: str, files: bool) -> str:
    """To whoever pressed or asked, with the message (and files) the channel did not get."""
    here = (
        "Här är det och filerna, så att du kan lägga ut dem"
        if files
        else "Här är det, så att du kan lägga ut det"
    )
    return (
        f"⚠️ Allt är sparat, men jag kunde inte lägga ut meddelandet i {_names([channel])} "
        f"(Slack tog inte emot det). {here} där själv:"
    )


BUTTON_SAVE_ANYWAY = "Spara ändå"
BUTTON_CHANGE = "Ändra"
ALREADY_CONFIRMED = "Det här är redan sparat (knappen trycktes en gång till)."
FORM_ALREADY_SAVED = "Det här är redan sparat (formuläret skickades en gång till)."
FORM_SAVE_ANYWAY_LABEL = "Spara ändå?"
FORM_SAVE_ANYWAY_HINT = "Kryssa i och skicka formuläret igen – eller ändra fältet ovanför."


def confirm_question(warnings: list[str]) -> str:
    lines = "\n".join(f"• {w}" for w in warnings)
    return f"⚠️ Innan jag sparar:\n{lines}\nSpara ändå, eller ändra kommandot?"


def form_question(warnings: list[str]) -> str:
    lines = "\n".join(f"• {w}" for w in warnings)
    return f"⚠️ Innan jag sparar:\n{lines}"


def change_command(command: str, text: str) -> str:
    return f"Inget sparat. Skriv om kommandot och skicka det igen:\n`{command} {text}`"
