"""`/uppdrag`: give, list, close, update, move and strike assignments."""

from __future__ import annotations

import re

from bot import assignments, organs
from bot.assignments import OwnerSpec, View, affected
from bot.assignments import texts as assignment_texts
from bot.assignments.actions import assignment_buttons
from bot.commands import cycle
from bot.commands.words import HELP, owner_token, split_first
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import DateError, parse_due
from bot.core.errors import UserError
from bot.core.markup import parse_mention, unesc
from bot.core.replies import Message, Reply, context, listing, say, section
from bot.reminders import texts as reminder_texts

SUBCOMMANDS = {"lista", "klar", "status", "flytta", "stryk", "visa", "påminn", "paminn"}
_REPORT = re.compile(
    r"[,.;]?\s*(?:med\s+)?(?:återkoppling|återrapportering)(?:\s+sker)?\s+till\s+(?P<to>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_DUE = re.compile(r"\s(?:till|senast|före|innan)\s", re.IGNORECASE)
_JOINERS = {"och", "samt", "&amp;", "&", ","}
_FROM_DECISION = re.compile(
    r"\s*\(?\b(?:enligt\s+|från\s+)?beslut\s+(?P<ref>[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{4}-\d+)\)?",
    re.IGNORECASE,
)


def run(ctx: Ctx, text: str) -> Reply:
    sub, rest = split_first(text)
    if not text:
        return _mine(ctx)
    if sub in HELP:
        return say(assignment_texts.ASSIGNMENT_USAGE)
    if sub not in SUBCOMMANDS:
        return _create(ctx, text)
    if sub == "lista":
        return _list(ctx, rest.strip())
    ref, arg = split_first(rest)
    if not ref:
        raise UserError(assignment_texts.ASSIGNMENT_USAGE)
    if sub == "klar":
        view = assignments.close(ctx, ref, unesc(arg.strip()))
        return _changed(ctx, view, assignment_texts.assignment_closed(view))
    if sub == "status":
        view = assignments.add_status(ctx, ref, unesc(arg))
        return _changed(ctx, view, assignment_texts.assignment_status_saved(view))
    if sub == "flytta":
        due = re.sub(r"^till\s+", "", arg.strip(), flags=re.IGNORECASE)
        view = assignments.move(ctx, ref, due)
        return _changed(ctx, view, assignment_texts.assignment_moved(view))
    if sub == "stryk":
        view = assignments.strike(ctx, ref, unesc(arg))
        return _changed(ctx, view, assignment_texts.assignment_struck(view))
    if sub in ("påminn", "paminn"):
        view = assignments.remind(ctx, ref)
        reply = say(assignment_texts.reminded(view))
        body = reminder_texts.reminder_nudge(view, ctx.user_id)
        reply.dms = [
            (u, Message(body, [section(body), assignment_buttons(view)]))
            for u in view.owner_users()
        ]
        return reply
    return _show(ctx, ref)


def _create(ctx: Ctx, text: str) -> Reply:
    """`@anna @roger <vad> till <när> [återkoppling till AU] [(§5)]`"""
    text, item_ref = cycle.split_item(text)  # given under an agenda item: bot.commands.cycle
    item_id = cycle.resolve_item(ctx, item_ref)
    with ctx.db.transaction() as session:
        aliases = organs.aliases(session)
    words = text.split()
    owners: list[OwnerSpec] = []
    while words:
        word = words[0].rstrip(",")
        if word.lower() in _JOINERS or not word:
            words.pop(0)
            continue
        user = owner_token(word)
        if user:
            owners.append(OwnerSpec(user_id=user))
        elif word.lower() in aliases and word.upper() == aliases[word.lower()]:
            owners.append(OwnerSpec(organ=aliases[word.lower()]))
        else:
            break
        words.pop(0)
    rest = " ".join(words)
    if not owners:
        raise UserError(assignment_texts.ASSIGNMENT_NO_OWNER)
    decision_ref = None
    from_decision = _FROM_DECISION.search(rest)
    if from_decision:
        decision_ref = from_decision.group("ref")
        rest = (rest[: from_decision.start()] + " " + rest[from_decision.end() :]).strip()
    report_to = None
    report = _REPORT.search(rest)
    if report:
        report_to, rest = unesc(report.group("to").strip().rstrip(".")), rest[: report.start()]
    what, due_text = _split_due(ctx, rest, aliases)
    for word in what.split():
        owner_token(word)  # a stray @name further on is still somebody we do not know
    view = assignments.create(
        ctx, owners, unesc(what), due_text, report_to, decision_ref=decision_ref, aliases=aliases
    )
    cycle.attach(ctx, item_id, view)
    reply = say(assignment_texts.assignment_created(view), public=True)
    reply.dms = [(user, dm_message(view, ctx.user_id)) for user in view.owner_users()]
    reply.refresh_home = affected(ctx.user_id, view)
    for owner in view.owners:
        if owner.organ_id is not None and not view.organs[owner.organ_id].convenor_user_id:
            reply.message.parts.append(
                context(
                    assignment_texts.organ_without_convenor(view.organs[owner.organ_id].short_name)
                )
            )
    return reply


def _split_due(ctx: Ctx, rest: str, aliases: dict[str, str]) -> tuple[str, str | None]:
    """The rightmost `till <när>` that really is a due point; the text before it is the task.
    A `till 31 februari` that was meant as a date (it has digits) is an error, not a task."""
    meant_as_date: DateError | None = None
    for match in reversed(list(_DUE.finditer(" " + rest))):
        candidate = (" " + rest)[match.end() :].strip().rstrip(".")
        try:
            parse_due(candidate, ctx.app.today(), aliases)
        except DateError as error:
            if meant_as_date is None and any(ch.isdigit() for ch in candidate[:20]):
                meant_as_date = error
            continue
        return (" " + rest)[: match.start()].strip(), candidate
    if meant_as_date is not None:
        raise UserError(str(meant_as_date))
    return rest.strip(), None


def _changed(ctx: Ctx, view: View, text: str) -> Reply:
    reply = say(text)
    reply.refresh_home = affected(ctx.user_id, view)
    return reply


def dm_message(view: View, by: str) -> Message:
    body = assignment_texts.assignment_dm(view, by)
    return Message(body, [section(body), assignment_buttons(view)])


def _mine(ctx: Ctx) -> Reply:
    views = assignments.mine(ctx)
    if not views:
        return say(assignment_texts.ASSIGNMENTS_MINE_NONE)
    reply = listing(assignment_texts.my_assignments_header(len(views)), [])
    for view in views[:20]:
        reply.message.parts += [
            section(assignment_texts.assignment_line(view)),
            assignment_buttons(view),
        ]
    if len(views) > 20:
        reply.message.parts.append(context(core_texts.TRUNCATED))
    return reply


def _list(ctx: Ctx, who: str) -> Reply:
    user = parse_mention(who) if who else None
    if who and user is None:
        owner_token(who)
        views = assignments.listing(ctx, organ_name=who)
    else:
        views = assignments.listing(ctx, user_id=user)
    if not views:
        return say(assignment_texts.ASSIGNMENTS_NONE)
    title = assignment_texts.assignments_header(None if user else who or None, len(views))
    return listing(title, [assignment_texts.assignment_line(v) for v in views])


def _show(ctx: Ctx, ref: str) -> Reply:
    view, events = assignments.show(ctx, ref)
    lines = [assignment_texts.assignment_line(view)]
    lines += [
        assignment_texts.assignment_event_line(e.kind, e.text, e.by, e.at.date()) for e in events
    ]
    return listing(f"Uppdrag {view.assignment.ref} ({view.assignment.status})", lines)
