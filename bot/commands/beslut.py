"""`/beslut`: log, list, search, show, amend, revoke and export decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import assignments, decisions, meetings, organs
from bot.assignments import OwnerSpec
from bot.assignments import texts as assignment_texts
from bot.commands import cycle
from bot.commands.uppdrag import affected, dm_message
from bot.commands.words import HELP, scope, search_words, split_first, split_page
from bot.core import confirming
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.dates import DateError, parse_when
from bot.core.errors import NeedsConfirmation, UserError
from bot.core.markup import clip, esc
from bot.core.replies import (
    SECTION_LIMIT,
    Attachment,
    Message,
    Reply,
    context,
    header,
    paged,
    say,
    section,
)
from bot.decisions import texts as decision_texts

SUBCOMMANDS = {"lista", "sök", "sok", "visa", "ändra", "andra", "upphäv", "upphav", "export"}
_HEAD = re.compile(r"^(?P<head>[^:\n]{1,60}):\s*(?P<body>.+)$", re.DOTALL)
_MEETING_REF = re.compile(r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{6}(-\d+)?$", re.IGNORECASE)
_REASON = re.compile(r"\s+skäl\s*:\s*", re.IGNORECASE)
_NUMBER = r"\d{1,3}(?:\.\d{1,2})*[a-z]?"
# A paragraph as the minutes number it: "§ 5", "§5.2", "punkt 5", "p. 5", "5.2", "2)",
# "8 Beslutspunkt", "Beslutspunkt 8"; at the end of what stands before the colon.
_ITEM = re.compile(
    rf"(?:^|\s)(?:§\s*(?P<a>{_NUMBER})|(?:punkt|p\.?)\s*(?P<b>{_NUMBER})"
    rf"|(?P<c>{_NUMBER})\s*(?:\)|\.?\s*beslutspunkt)|beslutspunkt\s*(?P<d>{_NUMBER})"
    rf"|(?P<e>\d{{1,3}}(?:\.\d{{1,2}})+|\d{{1,3}}))\s*$",
    re.IGNORECASE,
)
# "§5 Ledningsgruppen beslutar …": a § (with what may stand before it) and no colon.
_LEADING_ITEM = re.compile(
    rf"^(?P<head>(?:[^\s§:]+\s+){{0,3}}?(?:§\s*{_NUMBER}|{_NUMBER}\)))\s+(?P<body>[^\s:].*)$",
    re.DOTALL,
)
# An item at the start of `/beslut ändra REF …`: "§ 6", "punkt 6", "p. 6", with or without ":".
_AMEND_ITEM = re.compile(rf"^(?:§\s*|punkt\s+|p\.?\s*)(?P<item>{_NUMBER})\b\s*:?\s*", re.I)
_PROPOSAL_START = re.compile(r"^\s*förslag(?:\s+till\s+beslut)?\s*:\s*", re.IGNORECASE)
_DECISION_LABEL = re.compile(r"(?<!\w)beslut\s*:\s*", re.IGNORECASE)
# "… överenskommelsen. Ledningsgruppen beslutar att …": a new sentence that decides.
_DECIDES = re.compile(r"(?:(?<=[.!?])\s+|\n\s*)(?=[A-ZÅÄÖ][\wåäö]*\s+beslutar\b)")


EXAMPLES = {
    "lista": "/beslut lista LG 2025",
    "sök": "/beslut sök hemsjukvård",
    "sok": "/beslut sök hemsjukvård",
    "visa": "/beslut visa LG-2025-3",
    "ändra": "/beslut ändra LG-2025-3 § 6",
    "andra": "/beslut ändra LG-2025-3 § 6",
    "upphäv": "/beslut upphäv LG-2025-3 ersatt av beslut LG-2025-9",
    "upphav": "/beslut upphäv LG-2025-3 ersatt av beslut LG-2025-9",
    "export": "/beslut export LG 2025",
}


def example(text: str) -> str:
    """How the `/beslut` subcommand typed is written."""
    return EXAMPLES.get(split_first(text)[0], "/beslut LG: Ledningsgruppen beslutar att …")


def run(ctx: Ctx, text: str) -> Reply:
    sub, rest = split_first(text)
    if sub in HELP:
        return say(decision_texts.DECISION_USAGE)
    if not text:
        return say(decision_texts.DECISION_USAGE)  # the Slack handler opens the form instead
    if sub == "utdrag":  # protokollsutdrag: bot.commands.cycle
        return cycle.extract(ctx, rest)
    if sub not in SUBCOMMANDS:
        return _log(ctx, text)
    if sub == "lista":
        return _list(ctx, rest)
    if sub in ("sök", "sok"):
        return _search(ctx, rest)
    if sub == "visa":
        return _show(ctx, rest.strip())
    if sub in ("ändra", "andra"):
        return _amend(ctx, rest)
    if sub in ("upphäv", "upphav"):
        ref, reason = split_first(rest)
        if not ref:
            raise UserError(decision_texts.DECISION_REVOKE_USAGE)
        logged = decisions.revoke(ctx, ref, reason)
        return say(decision_texts.decision_revoked(logged.decision), public=True)
    # export
    organ, year = scope(rest)
    csv_bytes, md_bytes, count = decisions.export(ctx, organ, year)
    stem = "beslutslogg" + "".join(f"-{x}" for x in (organ, year) if x)
    reply = say(decision_texts.exported(count))
    reply.files = [
        Attachment(f"{stem}.csv", "Beslutslogg (CSV)", csv_bytes),
        Attachment(f"{stem}.md", "Beslutslogg (Markdown)", md_bytes),
    ]
    return reply


def _log(ctx: Ctx, text: str) -> Reply:
    """`[Beslut:] [ORGAN] [datum|möte] [§N]: [Förslag till beslut: …] [Beslut:] text`, or just
    the text for the channel's organ; `§N text` needs no colon."""
    text = re.sub(r"^beslut\s*:\s*", "", text, flags=re.IGNORECASE)
    organ_name, on, meeting_ref, item, body = None, None, None, None, text
    for pattern in (_HEAD, _LEADING_ITEM):
        match = pattern.match(text)
        # Without a colon the head is a guess: what does not read as one is decision text.
        parsed = _parse_head(ctx, match.group("head"), pattern is _HEAD) if match else None
        if match and parsed is not None:
            organ_name, on, meeting_ref, item = parsed
            body = match.group("body")
            break
    proposal, decided = _split_proposal(body)
    logged = decisions.log(
        ctx,
        organ_name=organ_name,
        decision_text=decided,
        proposal=proposal if proposal else None,
        item=item,
        on=on,
        meeting_ref=meeting_ref,
    )
    reply = say(
        decision_texts.decision_logged(logged.decision, logged.organ, logged.meeting), public=True
    )
    _warn_item(ctx, reply, logged)
    return reply


def _warn_item(ctx: Ctx, reply: Reply, logged: decisions.Logged) -> None:
    """A § the meeting's agenda does not deal with: said in the answer."""
    warning = cycle.decision_item_warning(
        ctx, logged.decision.ref, logged.meeting, logged.decision.item
    )
    if warning:
        reply.message.parts.append(section(warning))
        reply.message.fallback += "\n" + warning


def _split_proposal(body: str) -> tuple[str | None, str]:
    """ "Förslag till beslut: … Beslut: …" (or "… Ledningsgruppen beslutar …") in one text:
    the proposal and the decision."""
    start = _PROPOSAL_START.match(body)
    if start is None:
        return None, body
    rest = body[start.end() :]
    label = _DECISION_LABEL.search(rest)
    if label is not None:
        proposal, decided = rest[: label.start()], rest[label.end() :]
    else:
        sentence = _DECIDES.search(rest)
        if sentence is None:
            raise UserError(decision_texts.DECISION_NO_DECISION)
        proposal, decided = rest[: sentence.start()], rest[sentence.end() :]
    proposal, decided = proposal.strip(), decided.strip()
    if not proposal or not decided:
        raise UserError(decision_texts.DECISION_NO_DECISION)
    return proposal, decided


def _amend(ctx: Ctx, rest: str) -> Reply:
    """`ändra REF [§N] [ny text skäl: varför]`: a new paragraph, a new text (a reason is
    needed), or both; "Förslag till beslut: … Beslut: …" changes the proposal too."""
    ref, body = split_first(rest)
    if not ref:
        raise UserError(decision_texts.DECISION_AMEND_USAGE)
    reason: str | None = None
    parts = _REASON.split(" " + body, maxsplit=1)
    if len(parts) == 2:
        body, reason = parts[0].strip(), parts[1]
    item_match = _AMEND_ITEM.match(body)
    item = item_match.group("item") if item_match else None
    if item_match:
        body = body[item_match.end() :]
    proposal, decided = _split_proposal(body) if body.strip() else (None, "")
    if not decided.strip() and item is None:
        raise UserError(decision_texts.DECISION_AMEND_USAGE)
    logged = decisions.amend(
        ctx,
        ref,
        decided or None,
        reason,
        item=item,
        proposal=proposal if proposal else None,
    )
    return say(
        decision_texts.decision_amended(logged.decision, logged.change, logged.after_justering),
        public=True,
    )


def _parse_head(
    ctx: Ctx, head: str, told: bool = True
) -> tuple[str | None, date | None, str | None, str | None] | None:
    """What stands before the colon, if it is organ/date/meeting/paragraph and nothing else.
    None when it is the start of the decision text ("Ledningsgruppen beslutar följande: …")."""
    rest = head.strip()
    item: str | None = None
    item_match = _ITEM.search(rest)
    if item_match:
        item = next(g for g in item_match.groups() if g)
        rest = rest[: item_match.start()].strip()
    words = rest.split()
    organ_name = meeting_ref = None
    on: date | None = None
    with ctx.db.transaction() as session:
        aliases = organs.aliases(session)
    if words and words[0].lower() in aliases:
        organ_name = words.pop(0)
    if len(words) == 1 and _MEETING_REF.match(words[0]):
        meeting_ref = words.pop()
    if words:
        try:
            when = parse_when(" ".join(words), ctx.app.today(), future=False)
        except DateError as error:
            # "LG 31 februari: …" and "punkt 5x: …" were meant as a head; "LG beslutar
            # följande: …" and a long sentence with a number in it were not.
            meant = organ_name is not None or item is not None or "§" in head
            if told and any(ch.isdigit() for ch in head) and (meant or len(head.split()) <= 4):
                raise UserError(decision_texts.head_not_understood(head, str(error))) from None
            return None
        on = when.start
    if organ_name is None and on is None and meeting_ref is None and item is None:
        return None
    return organ_name, on, meeting_ref, item


def _list(ctx: Ctx, rest: str) -> Reply:
    """`/beslut lista [organ] [år] [sida N]`: the newest first, a page at a time."""
    typed, page = split_page(rest)
    organ, year = scope(typed)
    total = decisions.count(ctx, organ, year)
    rows = decisions.listing(ctx, organ, year, limit=page.size, offset=page.offset)
    if not rows and total:
        return say(core_texts.no_such_page(page.number, page.last(total)))
    if not rows:
        return say(decision_texts.DECISIONS_NONE)
    title = decision_texts.list_header(organ, year, total)
    lines = [decision_texts.decision_line(d, o) for d, o in rows]
    return paged(title, lines, total=total, page=page, command="/beslut", text=f"lista {typed}")


def _search(ctx: Ctx, rest: str) -> Reply:
    """`/beslut sök ord … [sida N]`: the newest hits first, a page at a time, paged like the
    lists; the header says how many match ("fler än …" past what the search counts)."""
    typed, page = split_page(rest)
    found = decisions.search_page(ctx, typed, limit=page.size, offset=page.offset)
    if not found.rows and found.total:
        return say(core_texts.no_such_page(page.number, page.last(found.pageable)))
    if not found.rows:
        return say(decision_texts.DECISIONS_NONE)
    title = decision_texts.search_header(typed, found.total, found.counted)
    lines = [decision_texts.decision_line(d, o) for d, o in found.rows]
    reply = paged(
        title,
        lines,
        total=found.pageable,
        page=page,
        command="/beslut",
        text=f"sök {search_words(typed)}",
    )
    if found.more_than_counted:
        reply.message.parts.append(context(core_texts.hits_past_counted(found.counted)))
    return reply


def _show(ctx: Ctx, ref: str) -> Reply:
    if not ref:
        raise UserError(decision_texts.DECISION_SHOW_USAGE)
    shown = decisions.show(ctx, ref)
    d = shown.decision
    parts = [
        header(decision_texts.decision_title(d, shown.organ)),
        context(decision_texts.decision_meta(d, shown.organ, shown.meeting)),
    ]
    if d.proposal:
        parts.append(section(clip(f"*Förslag till beslut:*\n{esc(d.proposal)}", SECTION_LIMIT)))
    parts.append(section(clip(f"*Beslut:*\n{esc(d.text)}", SECTION_LIMIT)))
    if shown.assignments:
        lines = [f"`{a.ref}` {esc(a.what[:200])} ({a.status})" for a in shown.assignments]
        parts.append(section(clip("*Uppdrag:*\n" + "\n".join(lines), SECTION_LIMIT)))
    if len(shown.revisions) > 1:
        history = "\n".join(decision_texts.decision_revision_line(r) for r in shown.revisions)
        parts.append(section(clip("*Historik:*\n" + history, SECTION_LIMIT)))
    return Reply(Message(f"Beslut {d.ref}", parts))


@dataclass
class DecisionForm:
    """What the decision form (modal) sends."""

    organ: str | None
    text: str
    meeting: str | None = None
    item: str | None = None
    proposal: str | None = None
    assign: bool = False
    owners: list[str] = field(default_factory=list)
    what: str | None = None
    due: str | None = None


class AlreadySaved(UserError):
    """The form was sent again with the same *Spara ändå* ticked: it is saved already."""


def log_from_form(ctx: Ctx, form: DecisionForm, answered: str | None = None) -> Reply:
    """The decision and its assignment in one transaction: both are saved, or neither.
    Errors carry the form field they concern. What looks like a mistake (a due date on a
    weekend …) raises NeedsConfirmation, unless `answered` (the form's ticked *Spara ändå*, see
    bot.core.confirming) answers those very warnings: then it is saved once, with the token."""
    if not answered:
        return _log_from_form(ctx, form)
    try:
        return _log_from_form(ctx, form)  # nothing to ask any more: saved as it is
    except NeedsConfirmation as error:
        token = confirming.answers(answered, error.warnings)
        if token is None:
            raise  # it warns about something else now: asked again
    try:
        return _log_from_form(replace(ctx, confirmed=True), form, claim=token)
    except IntegrityError:
        if confirming.used(ctx, token):  # the same form at the same moment: the other saved it
            raise AlreadySaved(core_texts.FORM_ALREADY_SAVED) from None
        raise


def _log_from_form(ctx: Ctx, form: DecisionForm, claim: str | None = None) -> Reply:
    meeting_ref: str | None = None
    on: date | None = None
    if form.meeting and form.meeting.strip():
        value = form.meeting.strip()
        if _MEETING_REF.match(value):
            meeting_ref = value
        else:
            try:
                on = parse_when(value, ctx.app.today(), future=False).start
            except DateError as error:
                raise UserError(str(error), "meeting") from None
    if form.assign and not form.owners:
        raise UserError(decision_texts.MODAL_NEED_OWNER, "owners")
    if form.assign and not (form.what or "").strip():
        raise UserError(decision_texts.MODAL_NEED_WHAT, "what")
    item = (form.item or "").strip().lstrip("§").strip() or None
    if form.assign:  # asks Slack: before the write lock
        try:
            assignments.check_owners(ctx, [OwnerSpec(user_id=u) for u in form.owners])
        except UserError as error:
            raise UserError(error.message, "owners") from None
    with ctx.db.transaction(write=True) as session:
        if claim is not None and not confirming.claim(session, ctx, claim):
            raise AlreadySaved(core_texts.FORM_ALREADY_SAVED)
        _check_form(session, ctx, form, meeting_ref, on, item)
        try:
            logged = decisions.log(
                ctx,
                organ_name=form.organ,
                decision_text=form.text,
                proposal=(form.proposal or "").strip() or None,
                item=item,
                on=on,
                meeting_ref=meeting_ref,
                session=session,
            )
        except NeedsConfirmation as error:
            error.field = error.field or "meeting"
            raise
        except UserError as error:
            raise UserError(error.message, error.field or "text") from None
        reply = say(
            decision_texts.decision_logged(logged.decision, logged.organ, logged.meeting),
            public=True,
        )
        _warn_item(ctx, reply, logged)
        if form.assign:
            try:
                view = assignments.create(
                    ctx,
                    [OwnerSpec(user_id=u) for u in form.owners],
                    form.what or "",
                    (form.due or "").strip() or None,
                    decision_id=logged.decision.id,
                    organ_id=logged.organ.id,
                    session=session,
                )
            except NeedsConfirmation as error:
                error.field = error.field or "due"
                raise
            except UserError as error:
                raise UserError(error.message, error.field or "due") from None
            reply.message.parts.append(section(assignment_texts.assignment_created(view)))
            reply.message.parts += [context(note) for note in view.notes]
            reply.dms = [(u, dm_message(view, ctx.user_id)) for u in view.owner_users()]
            reply.refresh_home = affected(ctx.user_id, view)
    return reply


def _check_form(
    session: Session,
    ctx: Ctx,
    form: DecisionForm,
    meeting_ref: str | None,
    on: date | None,
    item: str | None,
) -> None:
    """What would be wrong with the form's fields, said briefly under the field it concerns."""
    organ = organs.find(session, form.organ) if form.organ else None
    if form.organ and organ is None:
        raise UserError(decision_texts.MODAL_UNKNOWN_ORGAN, "organ")
    if meeting_ref:
        try:
            meeting, of_organ = meetings.get(session, meeting_ref)
        except UserError:
            raise UserError(decision_texts.modal_unknown_meeting(meeting_ref), "meeting") from None
        if organ is not None and of_organ.id != organ.id:
            raise UserError(
                decision_texts.modal_other_organ(meeting.ref, organ.short_name), "meeting"
            )
        on = meeting.start_date
    if on is not None and on > ctx.app.today():
        raise UserError(decision_texts.modal_in_future(on), "meeting")
    if item and len(item) > decisions.MAX_ITEM:
        raise UserError(decision_texts.modal_too_long(len(item), decisions.MAX_ITEM), "item")
    for field_id, value in (("proposal", form.proposal), ("text", form.text)):
        if value and len(value.strip()) > decisions.MAX_TEXT:
            too_long = decision_texts.modal_too_long(len(value.strip()), decisions.MAX_TEXT)
            raise UserError(too_long, field_id)
