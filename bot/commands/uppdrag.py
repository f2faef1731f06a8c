"""`/uppdrag`: give, list, close, update, move and strike assignments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import assignments, decisions, organs
from bot.assignments import OwnerSpec, View, affected
from bot.assignments import texts as assignment_texts
from bot.assignments.actions import assignment_buttons
from bot.commands import cycle
from bot.commands import owners as owner_words
from bot.commands.words import HELP, owner_token, search_words, split_first, split_page
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import ERR_TWO_DUES, DateError, MeetingRef, parse_due, split_due
from bot.core.errors import UserError
from bot.core.markup import parse_mention
from bot.core.replies import (
    Message,
    Page,
    Reply,
    context,
    listing,
    page_end,
    paged,
    say,
    section,
    sections,
)
from bot.core.reporting import REPORT_NOUN, REPORT_VERB
from bot.decisions import texts as decision_texts
from bot.reminders import texts as reminder_texts

SUBCOMMANDS = {
    "lista",
    "klar",
    "klart",
    "status",
    "flytta",
    "stryk",
    "visa",
    "påminn",
    "paminn",
    "ändra",
    "andra",
    "sök",
    "sok",
}
_REPORT = re.compile(
    rf"[,.;]?\s*(?:med\s+)?{REPORT_NOUN}(?:\s+sker)?\s+till\s+(?P<to>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# The verb forms the minutes use: "… och återkopplar till ledningsgruppen", "återrapporterar
# till AU", "rapporterar till LG", "återkopplar sedan förslag på hantering till ledningsgruppen".
_REPORT_VERB = re.compile(
    r"(?P<lead>[,.;]?\s*(?:\b(?:och|samt)\s+)?)"
    rf"(?P<verb>\b{REPORT_VERB}(?:\s+(?:sedan|därefter)\b)?)"
    r"(?P<obj>(?:\s+(?!till\b)\S+){0,8}?)\s+till\s+(?P<to>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_JOINERS = {"och", "samt", "&amp;", "&", ","}
_WHOLLY_QUOTED = re.compile(r'["”“«]([^"”“«»]+)["”“»]')
_FROM_DECISION = re.compile(
    r"\s*\(?\b(?:enligt\s+|från\s+)?beslut\s+(?P<ref>[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{4}-\d+)\)?",
    re.IGNORECASE,
)
_ASSIGNMENT_REF = re.compile(r"^U-?\d+$", re.IGNORECASE)
# "U-2 är klart", "U-2 klar – skickat till AU"
_DONE_AFTER_REF = re.compile(
    r"^(?:är\s+)?(?:klart|klar|klara|gjort|färdigt)\b[\s,.:;–-]*(?P<comment>.*)$",
    re.IGNORECASE | re.DOTALL,
)
EXAMPLES = {
    "lista": "/uppdrag lista @Anna",
    "sök": "/uppdrag sök LINK",
    "sok": "/uppdrag sök LINK",
    "klar": "/uppdrag klart U-12",
    "klart": "/uppdrag klart U-12",
    "ändra": "/uppdrag ändra U-12 till nästa LG",
    "andra": "/uppdrag ändra U-12 till nästa LG",
    "status": "/uppdrag status U-12 Utkast skickat till AU",
    "flytta": "/uppdrag flytta U-12 till nästa LG",
    "stryk": "/uppdrag stryk U-12 ersätts av U-15",
    "visa": "/uppdrag visa U-12",
    "påminn": "/uppdrag påminn U-12",
    "paminn": "/uppdrag påminn U-12",
}


def example(text: str) -> str:
    """How the `/uppdrag` subcommand typed is written."""
    return EXAMPLES.get(split_first(text)[0], "/uppdrag @Anna Ta fram underlag till nästa AU")


def run(ctx: Ctx, text: str) -> Reply:
    sub, rest = split_first(text)
    typed, page = split_page(text, MINE_PAGE)
    if not typed:  # `/uppdrag` or `/uppdrag sida 2`
        return _mine(ctx, page)
    if sub in HELP:
        return say(assignment_texts.ASSIGNMENT_USAGE)
    if _ASSIGNMENT_REF.match(sub):
        done = _DONE_AFTER_REF.match(rest.strip())
        if done is None:
            raise UserError(assignment_texts.ASSIGNMENT_CLOSE_USAGE)
        return _close(ctx, sub, done.group("comment"))
    if sub not in SUBCOMMANDS:
        return _create(ctx, text)
    if sub == "lista":
        return _list(ctx, rest.strip())
    if sub in ("sök", "sok"):
        return _search(ctx, rest.strip())
    ref, arg = split_first(rest)
    if not ref:
        raise UserError(_USAGE_FOR.get(sub, assignment_texts.ASSIGNMENT_USAGE))
    if sub in ("klar", "klart"):
        return _close(ctx, ref, arg)
    if sub in ("ändra", "andra"):
        return _amend(ctx, ref, arg)
    if sub == "status":
        view = assignments.add_status(ctx, ref, arg)
        return _changed(ctx, view, assignment_texts.assignment_status_saved(view))
    if sub == "flytta":
        view = assignments.move(ctx, ref, arg.strip())
        reply = _changed(ctx, view, assignment_texts.assignment_moved(view))
        reply.message.parts += [context(note) for note in view.notes]
        return reply
    if sub == "stryk":
        view = assignments.strike(ctx, ref, arg)
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


_USAGE_FOR = {
    "klar": assignment_texts.ASSIGNMENT_CLOSE_USAGE,
    "klart": assignment_texts.ASSIGNMENT_CLOSE_USAGE,
    "ändra": assignment_texts.ASSIGNMENT_AMEND_USAGE,
    "andra": assignment_texts.ASSIGNMENT_AMEND_USAGE,
    "status": assignment_texts.ASSIGNMENT_STATUS_USAGE,
    "flytta": assignment_texts.ASSIGNMENT_MOVE_USAGE,
    "stryk": assignment_texts.ASSIGNMENT_STRIKE_USAGE,
}


def _close(ctx: Ctx, ref: str, comment: str) -> Reply:
    view = assignments.close(ctx, ref, comment.strip())
    return _changed(ctx, view, assignment_texts.assignment_closed(view))


@dataclass
class _Parsed:
    """An assignment as typed: owners, text, due point, reporting back, origin."""

    owners: list[OwnerSpec]
    what: str
    due: str | None
    report_to: str | None
    decision_ref: str | None
    notes: list[str] = field(default_factory=list)  # how something was read, said in the answer


def _parse(ctx: Ctx, text: str, aliases: dict[str, str], here: str | None) -> _Parsed:
    """`@anna @roger <vad> [till] <när> [återkoppling till AU] [(beslut LG-2026-3)]`"""
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
    decision_ref = None
    from_decision = _FROM_DECISION.search(rest)
    if from_decision:
        decision_ref = from_decision.group("ref")
        rest = (rest[: from_decision.start()] + " " + rest[from_decision.end() :]).strip()
    report_to = None
    report = _REPORT.search(rest)
    if report:
        report_to, rest = report.group("to").strip().rstrip("."), rest[: report.start()]
    else:
        report_to, rest = _report_verb(ctx, rest, aliases, here)
    recipients: list[tuple[str, str]] = []  # "Skicka underlaget till AU": where, not when
    try:
        what, due = split_due(rest, ctx.app.today(), aliases, here=here, recipients=recipients)
        if report_to:
            # "återkoppling till AU om två veckor": the due point may come last of all
            to, later = split_due(report_to, ctx.app.today(), aliases, here=here)
            if later is not None and to:
                if due is not None:
                    raise DateError(ERR_TWO_DUES.format(first=due, second=later))
                report_to, due = to, later
    except DateError as error:
        raise UserError(str(error)) from None
    for word in what.split():
        owner_token(word)  # a stray @name further on is still somebody we do not know
    notes = [assignment_texts.read_as_recipient(*r) for r in recipients if due is None]
    return _Parsed(owners, what, due, report_to, decision_ref, notes)


def _report_verb(
    ctx: Ctx, text: str, aliases: dict[str, str], here: str | None
) -> tuple[str | None, str]:
    """Reporting back written with a verb: (to whom, the text without it). "Fortsätter dialogen
    och återkopplar till ledningsgruppen" → ("ledningsgruppen", "Fortsätter dialogen");
    "Återkopplar sedan förslag på hantering till LG" keeps what is reported ("Återkopplar
    sedan förslag på hantering"). A "till" that is only a date ("rapporterar till 4/12") is
    not a recipient: the text is left as typed. A meeting ("återkopplar till LG i oktober") is
    both: reported to its organ, due at it ("Fortsätter dialogen till LG i oktober")."""
    found = _REPORT_VERB.search(text)
    if found is None:
        return None, text
    to = found.group("to").strip().rstrip(".")
    try:
        recipient, later = split_due(to, ctx.app.today(), aliases, here=here)
    except DateError:
        recipient, later = to, None  # what does not read is quoted when the due is split
    if not recipient:
        meeting = _meeting_of(ctx, later, aliases, here)
        if meeting is None:
            return None, text
        if found.group("obj").strip() or not text[: found.start()].strip():
            return meeting, text  # "Återrapportera till nästa AU": the due point stays
        return meeting, f"{text[: found.start()].rstrip()} till {to}"
    if found.group("obj").strip() or not text[: found.start()].strip():
        return to, text[: found.start("to")].rstrip()[: -len("till")].rstrip()
    return to, text[: found.start()]


def _meeting_of(ctx: Ctx, due: str | None, aliases: dict[str, str], here: str | None) -> str | None:
    """The organ whose meeting a due point names ("LG i oktober" → "LG"); None for a date."""
    if not due:
        return None
    try:
        value = parse_due(due, ctx.app.today(), aliases, here=here)
    except DateError:
        return None
    return value.organ if isinstance(value, MeetingRef) else None


def _only_when(ctx: Ctx, text: str, aliases: dict[str, str], here: str | None) -> bool:
    """Whether a text is only a due point or reporting back ("till nästa AU", "återkoppling
    till LG"), nothing to do: after names alone those are the owners (`ändra U-1 Anna och Roger
    till nästa AU`)."""
    try:
        parsed = _parse(ctx, text, aliases, here)
    except UserError:
        return False
    return not parsed.what and not parsed.owners and bool(parsed.due or parsed.report_to)


def _context(ctx: Ctx) -> tuple[dict[str, str], str | None]:
    """The organs' names, and the short name of the channel's organ."""
    with ctx.db.transaction() as session:
        return organs.names(session, ctx.channel_id)


def _create(ctx: Ctx, text: str) -> Reply:
    text, item_ref = cycle.split_item(text)  # given under an agenda item (§5): bot.commands.cycle
    item_id = cycle.resolve_item(ctx, item_ref)
    aliases, here = _context(ctx)
    named = owner_words.leading_owners(ctx, text, aliases)
    parsed = _parse(ctx, named[1] if named else text, aliases, here)
    if named:
        parsed.owners = named[0] + parsed.owners
    if not parsed.owners:
        raise UserError(assignment_texts.ASSIGNMENT_NO_OWNER)
    view = assignments.create(
        ctx,
        parsed.owners,
        parsed.what,
        parsed.due,
        parsed.report_to,
        decision_ref=parsed.decision_ref,
        names=(aliases, here),
    )
    cycle.attach(ctx, item_id, view)
    reply = say(assignment_texts.assignment_created(view), public=True)
    reply.message.parts += [context(note) for note in view.notes + parsed.notes]
    reply.dms = [(user, dm_message(view, ctx.user_id)) for user in view.owner_users()]
    reply.refresh_home = affected(ctx.user_id, view)
    outside = [o.name for o in view.owners if o.name]
    if outside:
        origin = view.organs.get(view.assignment.organ_id or 0)
        reply.message.parts.append(
            context(
                assignment_texts.named_owner_note(
                    outside,
                    origin.convenor_user_id if origin else None,
                    origin.short_name if origin else None,
                )
            )
        )
    for owner in view.owners:
        if owner.organ_id is not None and not view.organs[owner.organ_id].convenor_user_id:
            reply.message.parts.append(
                context(
                    assignment_texts.organ_without_convenor(view.organs[owner.organ_id].short_name)
                )
            )
    return reply


def _amend(ctx: Ctx, ref: str, text: str) -> Reply:
    """`ändra U-1 [@ansvariga] [ny text] [till <när>] [återkoppling till X]`: what is written
    replaces what the assignment says."""
    aliases, here = _context(ctx)
    # "Magnus, Roger och Jenny …": the same names as when it was given (bot.commands.owners)
    named = owner_words.leading_owners(
        ctx,
        text,
        aliases,
        f"/uppdrag ändra {ref.upper()}",
        alone=True,
        consumed=lambda rest: _only_when(ctx, rest, aliases, here),
    )
    parsed = _parse(ctx, named[1] if named else text, aliases, here)
    if named:
        parsed.owners = named[0] + parsed.owners
    elif parsed.what and (parsed.due or parsed.report_to):
        # `ändra U-1 Anna och Roger Ledningsgrupp för samordning i oktober`: what is left once
        # the due point is read is names only – the new owners, as names alone are above (or
        # asked about when only some of them are somebody), never the new text.
        alone = owner_words.leading_owners(
            ctx,
            parsed.what,
            aliases,
            f"/uppdrag ändra {ref.upper()}",
            alone=True,
            consumed=lambda rest: False,
            after=text.removeprefix(parsed.what).strip() if text.startswith(parsed.what) else "",
        )
        if alone is not None and not alone[1]:
            parsed.owners, parsed.what = alone[0] + parsed.owners, ""
    whole = _WHOLLY_QUOTED.fullmatch(parsed.what)
    if whole:  # `ändra U-1 "Anna och Lokaler"`: the new text, as asked when it was unclear
        parsed.what = whole.group(1).strip()
    view, changes, added = assignments.amend(
        ctx,
        ref,
        owners=parsed.owners or None,
        what=parsed.what or None,
        due_text=parsed.due,
        report_to=parsed.report_to,
        names=(aliases, here),
    )
    reply = _changed(ctx, view, assignment_texts.assignment_amended(view, changes))
    reply.message.parts += [context(note) for note in view.notes + parsed.notes]
    reply.dms = [(user, dm_message(view, ctx.user_id)) for user in added]
    return reply


DECISIONS_IN_SEARCH = 5  # under the assignments `/uppdrag sök` finds: the newest decisions


def _search(ctx: Ctx, rest: str) -> Reply:
    """`/uppdrag sök ord … [sida N]`: assignments a page at a time (paged like the lists), with
    how many match; on the first page also the newest decisions the same words find."""
    query, page = split_page(rest)
    found = assignments.search_page(ctx, query, limit=page.size, offset=page.offset)
    decided = None
    if page.number == 1:
        decided = decisions.search_page(ctx, query, limit=DECISIONS_IN_SEARCH)
    if not found.rows and found.total:
        return say(core_texts.no_such_page(page.number, page.last(found.pageable)))
    if not found.rows and not (decided and decided.rows):
        return say(assignment_texts.search_none(query))
    title = assignment_texts.search_header(query, found.total, found.counted)
    lines = [assignment_texts.found_line(v) for v in found.rows]
    text = f"sök {search_words(query)}"
    reply = paged(title, lines, total=found.pageable, page=page, command="/uppdrag", text=text)
    if found.more_than_counted:
        reply.message.parts.append(context(core_texts.hits_past_counted(found.counted)))
    if decided and decided.rows:
        head = decision_texts.search_header(query, decided.total, decided.counted)
        found_lines = [decision_texts.decision_line(d, o) for d, o in decided.rows]
        reply.message.parts += sections(head + "\n" + "\n".join(found_lines))
        if decided.total > len(decided.rows):
            example = search_words(query)
            if split_page(example)[0] != example:  # words ending `sida 3` would be a page
                example += " sida 1"
            reply.message.parts.append(
                context(decision_texts.newest_of(len(decided.rows), example))
            )
    return reply


def _changed(ctx: Ctx, view: View, text: str) -> Reply:
    reply = say(text)
    reply.refresh_home = affected(ctx.user_id, view)
    return reply


def dm_message(view: View, by: str) -> Message:
    body = assignment_texts.assignment_dm(view, by)
    return Message(body, [section(body), assignment_buttons(view)])


MINE_PAGE = 20  # each with its buttons: two blocks


def _mine(ctx: Ctx, page: Page) -> Reply:
    """`/uppdrag [sida N]`: my open assignments with their buttons, a page at a time."""
    total = assignments.count_open(ctx, user_id=ctx.user_id)
    views = assignments.mine(ctx, limit=page.size, offset=page.offset)
    if not views and total:
        return say(core_texts.no_such_page(page.number, page.last(total)))
    if not views:
        return say(assignment_texts.ASSIGNMENTS_MINE_NONE)
    reply = listing(assignment_texts.my_assignments_header(total), [])
    for view in views:
        reply.message.parts += [
            section(assignment_texts.assignment_line(view)),
            assignment_buttons(view),
        ]
    reply.message.parts += page_end(len(views), total, page, "/uppdrag", "")
    return reply


def _list(ctx: Ctx, rest: str) -> Reply:
    """`/uppdrag lista [@person | organ] [sida N]`."""
    who, page = split_page(rest)
    user = parse_mention(who) if who else None
    if who and user is None:
        owner_token(who)
        total = assignments.count_open(ctx, organ_name=who)
        views = assignments.listing(ctx, organ_name=who, limit=page.size, offset=page.offset)
    else:
        total = assignments.count_open(ctx, user_id=user)
        views = assignments.listing(ctx, user_id=user, limit=page.size, offset=page.offset)
    if not views and total:
        return say(core_texts.no_such_page(page.number, page.last(total)))
    if not views:
        return say(assignment_texts.ASSIGNMENTS_NONE)
    title = assignment_texts.assignments_header(None if user else who or None, total)
    lines = [assignment_texts.assignment_line(v) for v in views]
    return paged(title, lines, total=total, page=page, command="/uppdrag", text=f"lista {who}")


def _show(ctx: Ctx, ref: str) -> Reply:
    view, events = assignments.show(ctx, ref)
    lines = [assignment_texts.assignment_line(view)]
    lines += [
        assignment_texts.assignment_event_line(e.kind, e.text, e.by, e.at.date()) for e in events
    ]
    return listing(f"Uppdrag {view.assignment.ref} ({view.assignment.status})", lines)
