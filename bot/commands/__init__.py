"""The command language: `/beslut …`, `/uppdrag …`, `/mote …`, `/organ …` as text in, Reply out.

Slack handlers, the CLI and the local shell all come through `run`, so every feature can be
driven without a Slack payload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.commands import beslut, kalender, mote, organ, uppdrag
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.errors import NotAllowed, NotAvailable, UserError
from bot.core.markup import clean, too_long_ids
from bot.core.replies import Reply, say
from bot.decisions import texts as decision_texts

log = logging.getLogger(__name__)

COMMANDS: dict[str, Callable[[Ctx, str], Reply]] = {
    "/beslut": beslut.run,
    "/uppdrag": uppdrag.run,
    "/mote": mote.run,
    "/organ": organ.run,
    "/kalender": kalender.run,
}
# How each command (and subcommand) is written: every error answer shows one of these.
EXAMPLES: dict[str, Callable[[str], str]] = {
    "/beslut": beslut.example,
    "/uppdrag": uppdrag.example,
    "/mote": mote.example,
    "/organ": organ.example,
    "/kalender": kalender.example,
}
MAX_COMMAND_TEXT = 12_000


def run(ctx: Ctx, command: str, text: str) -> Reply:
    """Run one command. User errors come back as a Swedish answer with an example of the same
    command (refusals need none); nothing else escapes."""
    handler = COMMANDS.get(command)
    if handler is None:
        return say(decision_texts.DECISION_USAGE)
    text = clean(text)
    example = EXAMPLES[command](text)
    if len(text) > MAX_COMMAND_TEXT:
        too_long = core_texts.too_long("kommandot", len(text), MAX_COMMAND_TEXT)
        return say(core_texts.with_example(too_long, command, example))
    if too_long_ids(text):
        return say(core_texts.with_example(core_texts.ID_TOO_LONG, command, example))
    try:
        return handler(ctx, text)
    except (NotAllowed, NotAvailable) as error:
        return say(error.message)  # a refusal or a missing setting, not a mistake: no example
    except UserError as error:
        return say(core_texts.with_example(error.message, command, example))
    except Exception:
        log.exception("command %s failed", command)
        return say(core_texts.GENERIC_ERROR)
