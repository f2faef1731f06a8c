"""The command language: `/beslut …`, `/uppdrag …`, `/mote …`, `/organ …` as text in, Reply out.

Slack handlers, the CLI and the local shell all come through `run`, so every feature can be
driven without a Slack payload.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.commands import beslut, kalender, mote, organ, uppdrag
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.errors import NeedsConfirmation, NotAllowed, NotAvailable, UserError
from bot.core.markup import clean, too_long_ids, unesc
from bot.core.replies import Button, Reply, buttons, say
from bot.decisions import texts as decision_texts
from storage.models import Assignment, Confirmation, Decision, Meeting

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
    if command not in COMMANDS:
        return say(decision_texts.DECISION_USAGE)
    return _run(ctx, command, clean(unesc(text)))  # Slack's &amp; &lt; &gt; undone once, here


def _run(ctx: Ctx, command: str, text: str) -> Reply:
    """A known command on text already unescaped and cleaned (by `run`, or stored for a
    confirmation): never unescaped twice."""
    handler = COMMANDS[command]
    example = EXAMPLES[command](text)
    if len(text) > MAX_COMMAND_TEXT:
        too_long = core_texts.too_long("kommandot", len(text), MAX_COMMAND_TEXT)
        return say(core_texts.with_example(too_long, command, example))
    if too_long_ids(text):
        return say(core_texts.with_example(core_texts.ID_TOO_LONG, command, example))
    try:
        reply = handler(ctx, text)
    except NeedsConfirmation as error:
        return _ask(ctx, command, text, error.warnings)
    except (NotAllowed, NotAvailable) as error:
        return say(error.message)  # a refusal or a missing setting, not a mistake: no example
    except UserError as error:
        answer = core_texts.with_example(error.message, command, example)
        return say(_with_typed_ref(ctx, command, text, answer))
    except Exception:
        log.exception("command %s failed", command)
        return say(core_texts.GENERIC_ERROR)
    if reply.files and not reply.public:
        reply.files_private = True  # an answer only the asker sees: its files go to them too
    return reply


# The references an example is written with, and where each kind is kept.
_REFS: list[tuple[re.Pattern[str], type[Assignment] | type[Decision] | type[Meeting]]] = [
    (re.compile(r"U-\d+"), Assignment),
    (re.compile(r"[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{4}-\d+"), Decision),
    (re.compile(r"[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{6}"), Meeting),
]


def _with_typed_ref(ctx: Ctx, command: str, text: str, said: str) -> str:
    """`said` (an example, or an error answer) with the assignment, decision or meeting the
    user wrote put into its examples of `command`, when it exists: `ändra U-1 …` is answered
    with `/uppdrag ändra U-1 till nästa LG`, not U-12 – an example that runs as it stands."""
    words = text.split()
    typed = words[1].upper().rstrip(",.:;") if len(words) > 1 else ""
    spans = re.compile(rf"`{re.escape(command)} [^`]*`")
    for pattern, model in _REFS:
        if not pattern.fullmatch(typed) or not any(
            pattern.search(span.group()) for span in spans.finditer(said)
        ):
            continue
        with ctx.db.transaction() as session:
            if session.exec(select(model.id).where(col(model.ref) == typed)).first() is None:
                return said
        return spans.sub(partial(_put_ref, pattern, typed), said)
    return said


def _put_ref(pattern: re.Pattern[str], typed: str, span: re.Match[str]) -> str:
    return pattern.sub(typed, span.group(), count=1)


ACTION_SAVE_ANYWAY = "bekrafta_spara"
ACTION_CHANGE = "bekrafta_andra"
MAX_VALUE = 2000  # Slack's limit on a button's value


def _ask(ctx: Ctx, command: str, text: str, warnings: list[str]) -> Reply:
    """The question, with *Spara ändå* and *Ändra*: each button carries the command as typed,
    the channel it was typed in and a token the store is decided by (see `confirm`)."""
    question = core_texts.confirm_question(warnings)
    asked = {"c": command, "t": text, "ch": ctx.channel_id, "k": secrets.token_hex(16)}
    value = json.dumps(asked, ensure_ascii=False)
    reply = say(question)
    if len(value.encode()) <= MAX_VALUE:
        reply.message.parts.append(
            buttons(
                Button(core_texts.BUTTON_SAVE_ANYWAY, ACTION_SAVE_ANYWAY, value, "primary"),
                Button(core_texts.BUTTON_CHANGE, ACTION_CHANGE, value),
            )
        )
    return reply


def confirm(ctx: Ctx, value: str) -> Reply:
    """*Spara ändå*: the command runs again with its warnings answered. Its token is stored
    first, once: a second press (or another replica) finds it taken and stores nothing."""
    try:
        asked = json.loads(value)
        command, text, token = str(asked["c"]), str(asked["t"]), str(asked["k"])[:64]
        channel = asked.get("ch")
    except (ValueError, KeyError, TypeError):
        return say(core_texts.GENERIC_ERROR)
    if command not in COMMANDS:
        return say(core_texts.GENERIC_ERROR)
    try:
        with ctx.db.transaction(write=True) as session:
            session.add(Confirmation(token=token, used_by=ctx.user_id, used_at=ctx.app.now()))
    except IntegrityError:
        return say(core_texts.ALREADY_CONFIRMED)
    where = str(channel) if channel else ctx.channel_id
    return _run(replace(ctx, channel_id=where, confirmed=True), command, text)


def change(value: str) -> Reply:
    """*Ändra*: nothing is stored; the command as typed, to copy and correct."""
    try:
        asked = json.loads(value)
        return say(core_texts.change_command(str(asked["c"]), str(asked["t"])))
    except (ValueError, KeyError, TypeError):
        return say(core_texts.GENERIC_ERROR)
