"""`/organ`: create organs, bind them to channels, name convenors (admins)."""

from __future__ import annotations

import re

from bot import organs
from bot.commands import cycle
from bot.commands import owners as owner_words
from bot.commands.words import HELP, split_first
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.core.markup import parse_channel, parse_mention
from bot.core.replies import Reply, listing, say
from bot.organs import texts as organ_texts

_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
EXAMPLES = {
    "ny": "/organ ny PG-AVTAL Processgrupp för avtal #pg-avtal sammankallande @Anna",
    "skapa": "/organ ny PG-AVTAL Processgrupp för avtal #pg-avtal sammankallande @Anna",
    "koppla": "/organ koppla AU #au",
    "sammankallande": "/organ sammankallande AU @Anna",
    "påminnelser": "/organ påminnelser AU på 3 dagar",
    "paminnelser": "/organ påminnelser AU på 3 dagar",
}


def example(text: str) -> str:
    """How the `/organ` subcommand typed is written."""
    return EXAMPLES.get(split_first(text)[0], "/organ lista")


def run(ctx: Ctx, text: str) -> Reply:
    sub, rest = split_first(text)
    if sub in ("ny", "skapa"):
        return _create(ctx, rest)
    if sub in ("lista", ""):
        return _list(ctx)
    if sub == "koppla":
        short, channel = split_first(rest)
        channel_id = parse_channel(channel.strip())
        if not short or channel_id is None:
            raise UserError(organ_texts.ORGAN_BIND_USAGE)
        return say(organ_texts.organ_bound(organs.bind(ctx, short, channel_id)), public=True)
    if sub == "sammankallande":
        short, who = split_first(rest)
        user = parse_mention(who.strip())
        if not short:
            raise UserError(organ_texts.ORGAN_CONVENOR_USAGE)
        if who.strip() and user is None:
            typed = who.strip()
            name = typed.split()[0].lstrip("@")
            example = f"/organ sammankallande {short.upper()} @{name}"
            user = owner_words.person(ctx, typed.lstrip("@"), example)
            if user is None:
                raise UserError(organ_texts.convenor_not_mention(typed, example))
        return say(organ_texts.organ_convenor(organs.set_convenor(ctx, short, user)), public=True)
    if sub in cycle.ORGAN:  # anteckningar, punktfrist, arkiv: bot.commands.cycle
        return cycle.organ(ctx, sub, rest)
    if sub in ("påminnelser", "paminnelser"):
        return _reminders(ctx, rest)
    if sub in HELP:
        return say(organ_texts.ORGAN_USAGE)
    raise UserError(organ_texts.unknown_subcommand(sub))


def _create(ctx: Ctx, rest: str) -> Reply:
    """`ny KORT Fullt namn [#kanal] [sammankallande @x]`"""
    words = rest.split()
    if len(words) < 2:
        raise UserError(organ_texts.ORGAN_NEW_USAGE)
    short, name_words = words[0], []
    channel_id: str | None = None
    convenor: str | None = None
    i = 1
    while i < len(words):
        word = words[i]
        if parse_channel(word):
            channel_id = parse_channel(word)
        elif word.lower() == "sammankallande" and i + 1 < len(words):
            convenor = parse_mention(words[i + 1])
            if convenor is None:
                # "sammankallande Erika Lagergren": a name, looked up among the members
                typed = " ".join(w for w in words[i + 1 :] if not parse_channel(w))
                before = _CHANNEL.sub(lambda m: "#" + (m.group(1) or "kanal"), " ".join(words[:i]))
                name = typed.split()[0].lstrip("@")
                example = f"/organ ny {before} sammankallande @{name}"
                convenor = owner_words.person(ctx, typed.lstrip("@"), example)
                if convenor is None:
                    raise UserError(organ_texts.convenor_not_mention(typed, example))
                channels = [w for w in words[i + 1 :] if parse_channel(w)]
                channel_id = parse_channel(channels[0]) if channels else channel_id
                break
            i += 1
        elif parse_mention(word):
            convenor = parse_mention(word)
        else:
            name_words.append(word)
        i += 1
    if not name_words:
        raise UserError(organ_texts.ORGAN_NEW_USAGE)
    organ = organs.create(ctx, short, " ".join(name_words), channel_id, convenor)
    return say(organ_texts.organ_created(organ), public=True)


def _list(ctx: Ctx) -> Reply:
    rows = organs.list_all(ctx)
    if not rows:
        return say(organ_texts.ORGAN_NONE)
    return listing("Organ", [organ_texts.organ_line(o) for o in rows])


def _reminders(ctx: Ctx, rest: str) -> Reply:
    """`påminnelser AU på [3 dagar]` / `påminnelser AU av`"""
    words = rest.lower().replace("arbetsdagar", "dagar").split()
    if len(words) < 2 or words[1] not in ("på", "av"):
        raise UserError(organ_texts.ORGAN_REMINDERS_USAGE)
    lead: int | None = None
    if len(words) > 2:
        if not words[2].isdigit() or words[3:] not in ([], ["dagar"], ["dag"]):
            raise UserError(organ_texts.ORGAN_REMINDERS_USAGE)
        lead = int(words[2])
    organ = organs.set_reminders(ctx, words[0], words[1] == "på", lead)
    return say(organ_texts.organ_reminders(organ), public=True)
