"""`/kalender`: the asker's calendar subscription links; `ny-länk` revokes and renews them."""

from __future__ import annotations

from bot import feeds, texts
from bot.commands.words import HELP, split_first
from bot.context import Ctx
from bot.errors import UserError
from bot.replies import Message, Part, Reply, context, section

RENEW = {"ny-länk", "ny-lank", "nylänk", "ny", "nya", "förnya", "ny länk", "nya länkar"}


def run(ctx: Ctx, text: str) -> Reply:
    words = " ".join(text.lower().split())
    sub, _rest = split_first(words)
    if sub in HELP:
        return Reply(Message(texts.CALENDAR_USAGE, [section(texts.CALENDAR_USAGE)]))
    if words and words not in RENEW:
        raise UserError(texts.CALENDAR_USAGE)
    renew = bool(words)
    links = feeds.links(ctx, renew=renew)
    parts: list[Part] = [section(texts.CALENDAR_INTRO)]
    parts += [section(texts.calendar_link(link.title, link.webcal, link.https)) for link in links]
    parts.append(context(texts.calendar_footer(renew)))
    return Reply(Message(texts.CALENDAR_INTRO, parts[:45]))
