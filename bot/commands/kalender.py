"""`/kalender`: the asker's calendar subscription links; `ny-länk` revokes and renews them."""

from __future__ import annotations

from bot.calendar import feeds
from bot.calendar import texts as calendar_texts
from bot.commands.words import HELP, split_first
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.core.replies import Message, Part, Reply, context, section

RENEW = {"ny-länk", "ny-lank", "nylänk", "ny", "nya", "förnya", "ny länk", "nya länkar"}


def example(text: str) -> str:
    """How `/kalender` is written."""
    return "/kalender ny-länk"


def run(ctx: Ctx, text: str) -> Reply:
    words = " ".join(text.lower().split())
    sub, _rest = split_first(words)
    if sub in HELP:
        return Reply(
            Message(calendar_texts.CALENDAR_USAGE, [section(calendar_texts.CALENDAR_USAGE)])
        )
    if words and words not in RENEW:
        raise UserError(calendar_texts.calendar_unknown(text))
    renew = bool(words)
    links = feeds.links(ctx, renew=renew)
    parts: list[Part] = [section(calendar_texts.CALENDAR_INTRO)]
    parts += [
        section(calendar_texts.calendar_link(link.title, link.webcal, link.https)) for link in links
    ]
    parts.append(context(calendar_texts.calendar_footer(renew)))
    return Reply(Message(calendar_texts.CALENDAR_INTRO, parts[:45]))
