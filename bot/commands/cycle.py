"""The meeting cycle in the command language: `/mote punkt|dagordning|kallelse|godkänn|ordna|
ändra|lyft|utgår|underlag|anteckning|närvaro|justerare|anteckningar|justera`, `/beslut utdrag`,
`/organ anteckningar|punktfrist|arkiv`, and `(§5)` on `/uppdrag`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from bot import cycle, meetings
from bot.assignments import View
from bot.calendar import invites
from bot.commands.words import split_first
from bot.core.context import Ctx
from bot.core.dates import format_date
from bot.core.errors import UserError
from bot.core.markup import clip, esc, mention, parse_mention
from bot.core.replies import (
    Attachment,
    Message,
    Reply,
    context,
    listing,
    say,
    section,
)
from bot.cycle import actions
from bot.cycle import texts as cycle_texts
from bot.cycle.model import (
    ABSENT,
    DROPPED,
    GUEST,
    LOCKED,
    MOVED,
    PRESENT,
    PROPOSED,
    FileRef,
)
from storage.models import Meeting

MOTE = {
    "punkt": "punkt",
    "dagordning": "dagordning",
    "föredragningslista": "dagordning",
    "kallelse": "kallelse",
    "godkänn": "godkänn",
    "godkann": "godkänn",
    "ordna": "ordna",
    "ändra": "ändra",
    "andra": "ändra",
    "lyft": "lyft",
    "utgår": "utgår",
    "utgar": "utgår",
    "underlag": "underlag",
    "anteckning": "anteckning",
    "närvaro": "närvaro",
    "narvaro": "närvaro",
    "närvarolista": "närvaro",
    "justerare": "justerare",
    "anteckningar": "anteckningar",
    "protokoll": "anteckningar",
    "minnesanteckningar": "anteckningar",
    "justera": "justera",
}
ORGAN = {"anteckningar": "form", "punktfrist": "frist", "arkiv": "arkiv"}
CONFIRM = "ändå"
_KIND_WORDS = {
    "beslut": "beslut",
    "beslutspunkt": "beslut",
    "information": "information",
    "informationspunkt": "information",
    "info": "information",
    "dialog": "dialog",
    "dialogpunkt": "dialog",
    "diskussion": "dialog",
}
_PROPOSAL = re.compile(r"(?:^|\s)förslag(?:\s+till\s+beslut)?\s*:\s*", re.IGNORECASE)
_PRESENTER = re.compile(r"(?:^|\s)föredragande\s*:?\s+", re.IGNORECASE)
_ITEM_IN_TEXT = re.compile(
    r"\s*\((?:(?P<ref>[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-\d{6}(?:-\d+)?)\s+)?§\s*(?P<n>\d{1,3})\)\s*",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?P<role>närvarande|frånvarande|gäster|gäst|övriga|övriga medverkande)\s*:?\s*",
    re.IGNORECASE,
)
_ORG = re.compile(r"^\s*\((?P<org>[^()]{1,200})\)")
_SLACK_FILE = re.compile(
    r"<?(?P<link>https://[A-Za-z0-9.-]+\.slack\.com/files/[A-Z0-9]+/(?P<id>F[A-Z0-9]+)"
    r"(?:/(?P<name>[^\s|>/?#]+))?[^\s|>]*)(?:\|(?P<label>[^>]*))?>?"
)


def run(ctx: Ctx, sub: str, rest: str) -> Reply:
    """One `/mote` subcommand of the cycle (`sub` is a key of MOTE)."""
    name = MOTE[sub]
    if name == "punkt":
        return _propose(ctx, rest)
    ref, rest = split_first(rest)
    if not ref:
        usage = {
            "närvaro": cycle_texts.ATTENDANCE_USAGE,
            "justerare": cycle_texts.ADJUSTER_USAGE,
            "ordna": cycle_texts.ORDER_USAGE,
            "lyft": cycle_texts.MOVE_USAGE,
            "anteckning": cycle_texts.NOTE_USAGE,
            "underlag": cycle_texts.MATERIAL_USAGE,
            "ändra": cycle_texts.EDIT_USAGE,
        }.get(name, cycle_texts.MEETING_USAGE.format(sub=name))
        raise UserError(usage)
    rest = _join_paragraph_sign(rest)
    handler = {
        "dagordning": _agenda,
        "kallelse": _kallelse,
        "godkänn": _accept,
        "ordna": _order,
        "ändra": _edit,
        "lyft": _move,
        "utgår": _drop,
        "underlag": _material,
        "anteckning": _note,
        "närvaro": _attendance,
        "justerare": _adjusters,
        "anteckningar": _minutes,
        "justera": _send_for_justering,
    }[name]
    return handler(ctx, ref, rest)


def _join_paragraph_sign(text: str) -> str:
    return re.sub(r"§\s+(\d)", r"§\1", text.strip())


def _confirmed(rest: str) -> tuple[bool, str]:
    words = rest.split()
    if words and words[-1].lower() == CONFIRM:
        return True, " ".join(words[:-1])
    return False, rest


# ------------------------------------------------------------------ the agenda


def parse_item(text: str) -> cycle.ItemSpec:
    """`<rubrik> [föredragande @x | namn] [beslut|information|dialog] [förslag: …]`"""
    proposal = None
    match = _PROPOSAL.search(text)
    if match:
        proposal, text = text[match.end() :].strip() or None, text[: match.start()]
    user = name = kind = None
    match = _PRESENTER.search(text)
    if match:
        after = text[match.end() :].split()
        text = text[: match.start()]
        if after and parse_mention(after[0]):
            user = parse_mention(after.pop(0))
        elif after and after[0].startswith("@"):
            raise UserError(cycle_texts.plain_at(after[0], "punkt LG-261217 Rubrik föredragande"))
        else:
            words = []
            while after and after[0].lower().strip(",") not in _KIND_WORDS:
                words.append(after.pop(0))
            name = " ".join(words).strip(" ,") or None
        if after and after[0].lower().strip(",") in _KIND_WORDS:
            kind = _KIND_WORDS[after.pop(0).lower().strip(",")]
        if after:
            raise UserError(cycle_texts.ITEM_USAGE)
    words = text.split()
    if kind is None and len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        kind = _KIND_WORDS[words.pop().lower()]
    return cycle.ItemSpec(" ".join(words), user, name, kind, proposal)


def _propose(ctx: Ctx, rest: str) -> Reply:
    ref, rest = split_first(rest)
    if not ref:
        raise UserError(cycle_texts.ITEM_USAGE)
    if not rest.strip():
        raise UserError(cycle_texts.ITEM_USAGE)  # in Slack, the form opens instead
    return proposed(ctx, ref, parse_item(rest))


def proposed(ctx: Ctx, ref: str, spec: cycle.ItemSpec) -> Reply:
    """Propose an item (from the command or its form) and say so."""
    changed = cycle.propose(ctx, ref, spec)
    item = changed.items[0]
    label = cycle.label(item)
    reply = say(
        cycle_texts.item_proposed(changed.meeting.ref, label, item.title, changed.accepted),
        public=True,
    )
    if not changed.accepted and changed.organ.convenor_user_id:
        note = reply.message.fallback
        reply.dms.append(
            (
                changed.organ.convenor_user_id,
                Message(note, [section(note), actions.accept_button(changed.meeting.ref, label)]),
            )
        )
    _presenter_dms(ctx, changed, reply)
    return reply


def _presenter_dms(ctx: Ctx, changed: cycle.Changed, reply: Reply) -> None:
    with ctx.db.transaction() as session:
        last_day, _days = cycle.deadline(session, changed.meeting, changed.organ)
    for item in changed.presenters:
        assert item.presenter_user_id is not None and item.id is not None
        text = cycle_texts.presenter_dm(
            changed.meeting.ref,
            cycle.label(item),
            item.title,
            cycle.when_text(changed.meeting),
            format_date(last_day),
        )
        button = actions.material_button(changed.meeting.ref, item.id)
        reply.dms.append((item.presenter_user_id, Message(text, [section(text), button])))


def _agenda_lines(ctx: Ctx, view: cycle.AgendaView, *, proposals: bool = True) -> list[str]:
    """The agenda as Slack lines; `proposals`: with the proposed items still waiting (not in
    the published kallelse)."""
    today = ctx.app.today()
    lines: list[str] = []
    waiting: list[str] = []
    for item in view.items:
        presenter = (
            mention(item.presenter_user_id)
            if item.presenter_user_id
            else (esc(item.presenter_name) if item.presenter_name else None)
        )
        line = cycle_texts.agenda_item_line(
            str(item.number) if item.number is not None else cycle.label(item),
            item.title,
            presenter,
            item.kind,
            item.material,
            view.missing_material(item, today),
            [(f.name, f.permalink) for f in view.files_for(item)],
        )
        if item.status == PROPOSED:
            waiting.append(line)
            continue
        if item.status == MOVED:
            target = view.targets.get(item.moved_to_meeting_id or 0)
            line = f"~{line}~ – {cycle_texts.AGENDA_MOVED} `{target.ref if target else '?'}`"
        elif item.status == DROPPED:
            line = f"~{line}~ – {cycle_texts.AGENDA_DROPPED}"
        lines.append(line)
        if item.auto == "återrapport":
            for report in view.reports:
                lines.append("      " + _report_line(report))
        if item.proposal:
            lines.append(f"      _Förslag till beslut:_ {esc(clip(item.proposal, 500))}")
    if not lines:
        lines.append(cycle_texts.AGENDA_EMPTY)
    if waiting and proposals:
        lines += ["", cycle_texts.AGENDA_PROPOSALS, *waiting]
    return lines


def _report_line(view: View) -> str:
    from bot.assignments import texts as assignment_texts

    return "↳ " + assignment_texts.assignment_line(view).replace("\n", " ")


def _agenda(ctx: Ctx, ref: str, rest: str) -> Reply:
    view = cycle.agenda_view(ctx, ref)
    title = cycle_texts.agenda_header(
        cycle.kind_label(view), cycle.when_text(view.meeting), view.meeting.ref
    )
    lines = [title, *_agenda_lines(ctx, view)]
    footer = cycle_texts.agenda_deadline(format_date(view.last_day), view.days)
    reply = listing(f"Dagordning {view.meeting.ref}", lines, footer=footer)
    return reply


def _kallelse(ctx: Ctx, ref: str, rest: str) -> Reply:
    confirmed, _rest = _confirmed(rest)
    view = cycle.agenda_view(ctx, ref)
    names = {
        i.presenter_user_id: ctx.directory.display_name(i.presenter_user_id)
        for i in view.items
        if i.presenter_user_id
    }
    plain = cycle.plain_agenda(view, names)
    found = cycle.find_personal_numbers(plain)
    if found and not confirmed:
        return _ask(
            cycle_texts.personal_numbers("Dagordningen", found),
            "/mote",
            f"kallelse {view.meeting.ref}",
        )
    meeting, organ = cycle.publish(ctx, ref, plain)
    title = cycle_texts.kallelse_header(
        cycle.kind_label(view), cycle.when_text(meeting), meeting.ref
    )
    lines = _agenda_lines(ctx, view, proposals=False)
    post = listing(f"Kallelse {meeting.ref}", [title, *lines]).message
    if organ.channel_id and organ.channel_id != ctx.channel_id:
        reply = say(cycle_texts.kallelse_published(meeting.ref, organ.channel_id))
        reply.dms.append((organ.channel_id, post))
    else:
        reply = Reply(post, public=True)
        reply.message.parts.append(context(cycle_texts.kallelse_published(meeting.ref, None)))
    batch = invites.agenda_updates(ctx, meeting.ref)
    if batch is not None:
        reply.invites = batch
    return reply


def _ask(text: str, command: str, args: str) -> Reply:
    return Reply(Message(text, [section(text), actions.go_on_button(command, args)]))


def _item_and_rest(rest: str, usage: str) -> tuple[str, str]:
    token, after = split_first(rest)
    if not token or not cycle.is_item_token(token):
        raise UserError(usage)
    return token, after


def _accept(ctx: Ctx, ref: str, rest: str) -> Reply:
    tokens = rest.replace(",", " ").split()
    if not tokens or not all(cycle.is_item_token(t) for t in tokens):
        raise UserError(cycle_texts.ITEM_REF_USAGE.format(sub="godkänn"))
    with ctx.db.transaction() as session:
        meeting, _organ = meetings.get(session, ref)
        first = cycle.find_item(session, meeting, tokens[0])
    if first.auto == "föregående":
        final = cycle.approve_previous(ctx, ref, first)
        return _locked_reply(
            ctx, final, cycle_texts.previous_approved(meeting.ref, final.meeting.ref)
        )
    changed = cycle.accept(ctx, ref, tokens)
    reply = say(
        cycle_texts.items_accepted(changed.meeting.ref, [cycle.label(i) for i in changed.items]),
        public=True,
    )
    _presenter_dms(ctx, changed, reply)
    return reply


def _order(ctx: Ctx, ref: str, rest: str) -> Reply:
    words = rest.replace(",", " ").replace("§", "").split()
    if not words or not all(w.isdigit() for w in words):
        raise UserError(cycle_texts.ORDER_USAGE)
    changed = cycle.reorder(ctx, ref, [int(w) for w in words])
    return say(cycle_texts.order_saved(changed.meeting.ref), public=True)


def _edit(ctx: Ctx, ref: str, rest: str) -> Reply:
    token, after = _item_and_rest(rest, cycle_texts.EDIT_USAGE)
    match = re.match(r"^(rubrik|föredragande|typ|förslag)\s*:?\s*(.*)$", after.strip(), re.I | re.S)
    if not match:
        raise UserError(cycle_texts.EDIT_USAGE)
    what, value = match.group(1).lower(), match.group(2).strip()
    user = parse_mention(value.split()[0]) if value.split() else None
    if what == "föredragande" and value.startswith("@") and user is None:
        raise UserError(cycle_texts.plain_at(value.split()[0], "ändra LG-261217 §4 föredragande"))
    changed = cycle.edit(ctx, ref, token, what, value, user)
    reply = say(cycle_texts.item_edited(changed.meeting.ref, cycle.label(changed.items[0])))
    _presenter_dms(ctx, changed, reply)
    return reply


def _move(ctx: Ctx, ref: str, rest: str) -> Reply:
    token, after = _item_and_rest(rest, cycle_texts.MOVE_USAGE)
    target = re.sub(r"^(till|på)\s+", "", after.strip(), flags=re.IGNORECASE)
    if not target:
        raise UserError(cycle_texts.MOVE_USAGE)
    changed = cycle.move(ctx, ref, token, target)
    item = changed.items[0]
    assert changed.target is not None
    later = changed.target
    day = format_date(later.start_date, weekday=False)
    where = f"{cycle.kind_label_of(later, changed.organ)} {day} ({later.ref})"
    return say(
        cycle_texts.item_moved(changed.meeting.ref, cycle.label(item), item.title, where),
        public=True,
    )


def _drop(ctx: Ctx, ref: str, rest: str) -> Reply:
    token, after = _item_and_rest(rest, cycle_texts.ITEM_REF_USAGE.format(sub="utgår"))
    changed = cycle.drop(ctx, ref, token, after)
    item = changed.items[0]
    return say(
        cycle_texts.item_dropped(changed.meeting.ref, cycle.label(item), item.title), public=True
    )


def _note(ctx: Ctx, ref: str, rest: str) -> Reply:
    token, after = _item_and_rest(rest, cycle_texts.NOTE_USAGE)
    changed = cycle.add_note(ctx, ref, token, after)
    return say(cycle_texts.note_saved(changed.meeting.ref, cycle.label(changed.items[0])))


def _material(ctx: Ctx, ref: str, rest: str) -> Reply:
    token, after = _item_and_rest(rest, cycle_texts.MATERIAL_USAGE)
    text, files = split_files(after)
    changed = cycle.add_material(ctx, ref, token, text, files)
    return say(cycle_texts.material_saved(changed.meeting.ref, cycle.label(changed.items[0])))


def split_files(text: str) -> tuple[str, list[FileRef]]:
    """Links to files in Slack (`https://team.slack.com/files/U…/F…/kronobarn.pdf`, as *Kopiera
    länk* gives them) are kept as files, by id, name and permalink; the rest stays text."""
    files: list[FileRef] = []

    def keep(match: re.Match[str]) -> str:
        link, file_id, name = match.group("link"), match.group("id"), match.group("name")
        shown = unquote(name) if name else (match.group("label") or file_id)
        files.append(FileRef(file_id, shown, link))
        return " "

    rest = _SLACK_FILE.sub(keep, text)
    return " ".join(rest.split()), files


# ------------------------------------------------------------------ attendance


def parse_attendance(text: str) -> cycle.AttendanceSpec:
    """`närvarande @a @b, Marcus Ek (Växjö kommun); frånvarande @c; gäster: Lina Nyberg (SKR)`"""
    spec = cycle.AttendanceSpec()
    for n, segment in enumerate(s for s in text.split(";") if s.strip()):
        segment = segment.strip()
        match = _ROLE.match(segment)
        if match:
            word = match.group("role").lower()
            role = PRESENT if word == "närvarande" else ABSENT if word == "frånvarande" else GUEST
            segment = segment[match.end() :]
        elif n == 0:
            role = PRESENT
        else:
            raise UserError(cycle_texts.ATTENDANCE_USAGE)
        spec.by_role.setdefault(role, []).extend(_entries(segment))
    return spec


def _entries(segment: str) -> list[cycle.AttendanceEntry]:
    entries: list[cycle.AttendanceEntry] = []
    for piece in _split_commas(segment):
        rest = piece.strip()
        while rest:
            token, after = [*rest.split(None, 1), ""][:2]
            user = parse_mention(token)
            if user is None and not token.startswith("<@"):
                break
            if user is None:
                raise UserError(cycle_texts.ATTENDANCE_USAGE)
            org = _ORG.match(after)
            organisation = org.group("org").strip() if org else None
            rest = after[org.end() :].strip() if org else after.strip()
            entries.append(cycle.AttendanceEntry(user_id=user, organisation=organisation))
        if not rest:
            continue
        name, _, org_part = rest.partition("(")
        if ":" in name or "<" in name:  # "sjuka: …" is no role we know; "<#C…>" is no person
            raise UserError(cycle_texts.ATTENDANCE_USAGE)
        stray = re.search(r"(?:^|\s)(@\S+)", rest)
        if stray:
            raise UserError(cycle_texts.plain_at(stray.group(1), "närvaro LG-261217 närvarande"))
        organisation = org_part.rstrip(") ").strip() or None
        if not name.strip():
            raise UserError(cycle_texts.ATTENDANCE_USAGE)
        entries.append(
            cycle.AttendanceEntry(
                name=name.strip(), organisation=organisation if organisation else None
            )
        )
    return entries


def _split_commas(text: str) -> list[str]:
    pieces, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth <= 0:
            pieces.append(current)
            current = ""
        else:
            current += ch
    pieces.append(current)
    return [p for p in pieces if p.strip()]


def _attendance_lines(listing_: cycle.AttendanceListing) -> list[str]:
    lines = []
    for role, heading in ((PRESENT, "Närvarande"), (ABSENT, "Frånvarande"), (GUEST, "Gäster")):
        rows = [r for r in listing_.rows if r.role == role]
        if not rows:
            continue
        lines.append(f"*{heading}* ({len(rows)})")
        for row in sorted(
            rows, key=lambda r: ((r.organisation or "~").casefold(), r.name.casefold())
        ):
            who = mention(row.user_id) if row.user_id else esc(row.name)
            lines.append(f"• {who}" + (f", {esc(row.organisation)}" if row.organisation else ""))
    return lines


def _attendance(ctx: Ctx, ref: str, rest: str) -> Reply:
    if not rest.strip():
        shown = cycle.attendance_listing(ctx, ref)
        if shown is None:  # nothing recorded yet: the answers to the invitation
            message, attachment = invites.attendance(ctx, ref)
            message.parts.append(context(cycle_texts.attendance_from_rsvps()))
            return Reply(message, files=[attachment])
        lines = _attendance_lines(shown)
        plain = "\n".join(
            f"{r.name}" + (f", {r.organisation}" if r.organisation else "") + f" ({r.role})"
            for r in shown.rows
        )
        reply = listing(cycle_texts.attendance_header(shown.meeting.ref), lines)
        reply.files = [
            Attachment(
                f"narvaro-{shown.meeting.ref}.txt",
                cycle_texts.attendance_header(shown.meeting.ref),
                plain.encode("utf-8"),
            )
        ]
        reply.files_private = True
        return reply
    shown, counts = cycle.record_attendance(ctx, ref, parse_attendance(rest))
    text = cycle_texts.attendance_saved(
        shown.meeting.ref, counts[PRESENT], counts[ABSENT], counts[GUEST]
    )
    reply = listing(text, _attendance_lines(shown))
    return reply


def _adjusters(ctx: Ctx, ref: str, rest: str) -> Reply:
    users = []
    for word in rest.replace(",", " ").split():
        if word.lower() in ("och", "samt"):
            continue
        user = parse_mention(word)
        if user is None:
            if word.startswith("@"):
                raise UserError(cycle_texts.plain_at(word, "justerare LG-261217"))
            raise UserError(cycle_texts.ADJUSTER_USAGE)
        users.append(user)
    meeting, chosen = cycle.set_adjusters(ctx, ref, list(dict.fromkeys(users)))
    return say(cycle_texts.adjusters_set(meeting.ref, chosen), public=True)


# ------------------------------------------------------------------ minutes and justering


def files_of(stem: str, title: str, files: cycle.Files) -> list[Attachment]:
    return [
        Attachment(f"{stem}.md", f"{title} (Markdown)", files.markdown.encode("utf-8")),
        Attachment(f"{stem}.docx", f"{title} (Word)", files.docx),
        Attachment(f"{stem}.pdf", f"{title} (PDF)", files.pdf),
    ]


def _document_message(first: str, draft: cycle.Draft) -> Message:
    lines = cycle.slack_lines(draft.doc)
    reply = listing(cycle.title_of(draft.doc), [])
    reply.message.parts = [section(first), *listing("x", lines).message.parts[1:]]
    reply.message.fallback = first
    return reply.message


def _minutes(ctx: Ctx, ref: str, rest: str) -> Reply:
    draft = cycle.draft(ctx, ref)
    if draft.locked:
        lock = draft.doc.lock
        assert lock is not None
        first = cycle_texts.locked_shown(draft.meeting.ref, draft.row.version, lock.by, lock.at)
    else:
        first = cycle_texts.draft_made(draft.meeting.ref, draft.row.version, draft.new)
    message = _document_message(first, draft)
    if draft.changes_after:
        text = "\n".join([cycle_texts.CHANGES_AFTER_HEADER, *draft.changes_after])
        message.parts.insert(1, section(clip(text, 2900)))
    found = cycle.find_personal_numbers(draft.files.markdown)
    if found:
        message.parts.insert(1, section(cycle_texts.personal_numbers("Utkastet", found)))
    stem = _stem(draft)
    reply = Reply(message, files=files_of(stem, cycle.title_of(draft.doc), draft.files))
    reply.files_private = True
    return reply


def _stem(draft: cycle.Draft) -> str:
    kind = "protokoll" if draft.doc.form == "protokoll" else "minnesanteckningar"
    suffix = "" if draft.locked else f"-utkast-v{draft.row.version}"
    return f"{kind}-{draft.meeting.ref}{suffix}"


def _send_for_justering(ctx: Ctx, ref: str, rest: str) -> Reply:
    confirmed, _rest = _confirmed(rest)
    if not confirmed:
        current = cycle.draft(ctx, ref)
        found = cycle.find_personal_numbers(current.files.markdown)
        if found:
            return _ask(
                cycle_texts.personal_numbers("Utkastet", found),
                "/mote",
                f"justera {current.meeting.ref}",
            )
    sent = cycle.send_for_justering(ctx, ref)
    draft = sent.draft
    text = cycle_texts.justering_dm(
        draft.meeting.ref,
        cycle.kind_label(draft),
        cycle.when_text(draft.meeting),
        draft.row.version,
        ctx.user_id,
    )
    message = _document_message(text, draft)
    message.parts.append(actions.justering_buttons(draft.meeting.ref, draft.row.version))
    lines = []
    if sent.adjusters:
        lines.append(
            cycle_texts.sent_for_justering(draft.meeting.ref, draft.row.version, sent.adjusters)
        )
    if sent.already:
        lines.append(cycle_texts.already_sent(draft.meeting.ref, draft.row.version, sent.already))
    reply = say("\n".join(lines))
    stem = _stem(draft)
    pdf = files_of(stem, cycle.title_of(draft.doc), draft.files)[2]
    for user in sent.adjusters:
        reply.dms.append((user, message))
        reply.dm_files.append((user, pdf))
    return reply


def _locked_reply(ctx: Ctx, final: cycle.Draft, first: str) -> Reply:
    """The minutes are locked: the news and the final files, in the organ's channel."""
    lock = final.doc.lock
    assert lock is not None
    text = cycle_texts.minutes_locked(
        cycle.kind_label(final),
        cycle.when_text(final.meeting),
        final.meeting.ref,
        lock.version,
        lock.by,
        lock.content_hash,
    )
    reply = say(first + "\n" + text, public=True)
    reply.files = files_of(_stem(final), cycle.title_of(final.doc), final.files)[::2]
    return reply


def justera(ctx: Ctx, ref: str, version: int) -> tuple[str, Reply | None, str | None]:
    """The *Justera* button: (answer to the justerare, the news for the channel, its channel)."""
    done = cycle.justera(ctx, ref, version)
    answer = cycle_texts.justerad_by_you(done.meeting.ref, version, done.waiting)
    if done.final is None:
        return answer, None, None
    return answer, _locked_reply(ctx, done.final, ""), done.organ.channel_id


def request_change(ctx: Ctx, ref: str, version: int, comment: str) -> tuple[str, str, Message]:
    """*Begär ändring*: (answer to the justerare, the secretary, the DM to them)."""
    meeting, secretary = cycle.request_change(ctx, ref, version, comment)
    text = cycle_texts.change_requested_dm(meeting.ref, version, ctx.user_id, comment)
    return cycle_texts.change_request_sent(meeting.ref), secretary, Message(text, [section(text)])


def minutes_line(ctx: Ctx, meeting: Meeting) -> str:
    """For `/mote visa`: where the meeting's minutes stand."""
    state = cycle.minutes_state(ctx, meeting)
    locked = None
    if state.status == LOCKED and state.justerad_at is not None:
        day = format_date(state.justerad_at.astimezone(ctx.app.tz).date(), weekday=False)
        by = ", ".join(mention(u) for u in state.approved_by) or esc(state.justerad_by or "")
        locked = (day, by, (state.content_hash or "")[:12])
    return cycle_texts.minutes_state(
        state.form, state.version, state.status, state.adjusters, locked
    )


def decision_item_warning(
    ctx: Ctx, ref: str, meeting: Meeting | None, item: str | None
) -> str | None:
    """After `/beslut LG-261217 §7: …`: a warning when §7 is not an item the meeting deals with
    (the decision is stored all the same: a decision is the record)."""
    if meeting is None or meeting.id is None or not item:
        return None
    found = cycle.open_numbers(ctx, meeting.id)
    if found is None:
        return None  # a meeting without an agenda: its § are the secretary's own
    numbers, closed = found
    if item.isdigit() and int(item) in numbers:
        return None
    status = closed.get(int(item)) if item.isdigit() else None
    how = (
        None if status is None else ("är lyft till ett senare möte" if status == MOVED else "utgår")
    )
    return cycle_texts.decision_item_unknown(item, ref, meeting.ref, numbers, how)


# ------------------------------------------------------------------ /beslut utdrag


def extract(ctx: Ctx, rest: str) -> Reply:
    confirmed, rest = _confirmed(rest)
    ref = rest.strip()
    if not ref:
        raise UserError(cycle_texts.EXTRACT_USAGE)
    made = cycle.extract(ctx, ref)
    found = cycle.find_personal_numbers(made.markdown)
    if found and not confirmed:
        return _ask(
            cycle_texts.personal_numbers("Utdraget", found), "/beslut", f"utdrag {made.ref}"
        )
    reply = listing(cycle_texts.extract_made(made.ref), made.lines)
    stem = f"utdrag-{made.ref}"
    reply.files = [
        Attachment(f"{stem}.pdf", f"{made.title} (PDF)", made.pdf),
        Attachment(f"{stem}.docx", f"{made.title} (Word)", made.docx),
    ]
    reply.files_private = True
    return reply


# ------------------------------------------------------------------ /organ


def organ(ctx: Ctx, sub: str, rest: str) -> Reply:
    name = ORGAN[sub]
    words = rest.lower().replace("arbetsdagar", "dagar").split()
    if name == "form":
        if len(words) != 2 or words[1] not in cycle.FORMS:
            raise UserError(cycle_texts.FORM_USAGE)
        organ_row = cycle.set_form(ctx, words[0], words[1])
        return say(cycle_texts.form_set(organ_row.short_name, words[1]), public=True)
    if name == "frist":
        if len(words) < 2 or not words[1].isdigit() or words[2:] not in ([], ["dagar"], ["dag"]):
            raise UserError(cycle_texts.DEADLINE_USAGE)
        organ_row = cycle.set_deadline(ctx, words[0], int(words[1]))
        return say(cycle_texts.deadline_set(organ_row.short_name, int(words[1])), public=True)
    if len(words) != 2 or not words[1].isdigit():
        raise UserError(cycle_texts.ARCHIVE_USAGE)
    archive = cycle.archive(ctx, words[0], int(words[1]))
    reply = say(
        cycle_texts.archive_made(archive.organ, archive.year, archive.count, len(archive.data))
    )
    reply.files = [Attachment(archive.filename, archive.filename, archive.data)]
    reply.files_private = True
    return reply


# ------------------------------------------------------------------ /uppdrag … (§5)


@dataclass(frozen=True)
class ItemRef:
    meeting_ref: str | None
    number: int


def split_item(text: str) -> tuple[str, ItemRef | None]:
    """`… (§5)` or `… (LG-261217 §5)` anywhere in an assignment: the item it is given under."""
    match = _ITEM_IN_TEXT.search(text)
    if match is None:
        return text, None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return rest, ItemRef(match.group("ref"), int(match.group("n")))


def resolve_item(ctx: Ctx, ref: ItemRef | None) -> int | None:
    """The agenda item's id, checked before the assignment is made; None without `(§N)`."""
    if ref is None:
        return None
    return cycle.item_for(ctx, ref.meeting_ref, ref.number)


def attach(ctx: Ctx, item_id: int | None, view: View) -> None:
    if item_id is not None:
        assert view.assignment.id is not None
        cycle.attach_assignment(ctx, item_id, view.assignment.id)
