"""`/mote`: schedule, list, show, move and cancel meetings and sessions."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, timedelta

from sqlmodel import Session

from bot import assignments, meetings, organs, reminders
from bot.assignments import View
from bot.assignments import texts as assignment_texts
from bot.calendar import invites
from bot.calendar import texts as calendar_texts
from bot.calendar.invites import InviteBatch
from bot.commands import cycle
from bot.commands.words import HELP, split_first
from bot.core.context import Ctx
from bot.core.dates import WEEKDAY_NAMES, DateError, When, format_when, split_when
from bot.core.errors import NeedsConfirmation, UserError
from bot.core.markup import clip, esc
from bot.core.replies import (
    SECTION_LIMIT,
    Button,
    Message,
    Reply,
    buttons,
    context,
    listing,
    say,
    section,
)
from bot.cycle import texts as cycle_texts
from bot.meetings import texts as meeting_texts
from bot.reminders import texts as reminder_texts
from storage.models import Meeting

# A year as typed: 2024, 240201, 2024-02-01 (a date without one is the next such date).
_YEAR_TYPED = re.compile(r"\b(?:19|20)\d\d\b|\b\d{6}\b")
_SERIES = re.compile(
    r"^(?:(?P<organ>\S+)\s+)?varje\s+(?P<day>\w+)\s+(?P<time>.*?)\s*\bfrån\s+(?P<first>.+?)"
    r"\s+till\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_SKIP = re.compile(r"^,?\s*(?:utom|förutom|ej)\s+", re.IGNORECASE)
_MORE = re.compile(r"^\s*(?:,|och)\s*", re.IGNORECASE)
_CANCEL = re.compile(r"^(ställ\s+in|ställin|avboka|stryk)(?:\s+|$)", re.IGNORECASE)
MAX_LOCATION = 300
log = logging.getLogger(__name__)


EXAMPLES = {
    "ny": "/mote ny AU 14 augusti 13-15 Regionhuset",
    "planera": "/mote ny AU 14 augusti 13-15 Regionhuset",
    "boka": "/mote ny AU 14 augusti 13-15 Regionhuset",
    "lista": "/mote lista AU",
    "visa": "/mote visa AU-260814",
    "flytta": "/mote flytta AU-260814 till 21 augusti 13-15",
    "ställ": "/mote ställ in AU-260814 för få anmälda",
    "ställin": "/mote ställ in AU-260814 för få anmälda",
    "avboka": "/mote ställ in AU-260814 för få anmälda",
    "stryk": "/mote ställ in AU-260814 för få anmälda",
    "bjud": "/mote bjud in AU-260814",
    "bjudin": "/mote bjud in AU-260814",
    "inbjudan": "/mote bjud in AU-260814",
    "närvaro": "/mote närvaro AU-260814",
    "narvaro": "/mote närvaro AU-260814",
    "närvarolista": "/mote närvaro AU-260814",
}


def example(text: str) -> str:
    """How the `/mote` subcommand typed is written."""
    return EXAMPLES.get(split_first(text)[0], "/mote ny AU 14 augusti 13-15")


def run(ctx: Ctx, text: str) -> Reply:
    cancel = _CANCEL.match(text)
    if cancel:
        ref, reason = split_first(text[cancel.end() :])
        if not ref:
            raise UserError(meeting_texts.MEETING_CANCEL_USAGE)
        return _cancel(ctx, ref, reason.strip()[:500] or None)
    sub, rest = split_first(text)
    if sub in cycle.MOTE:  # the meeting cycle: agenda, attendance, minutes, justering
        return cycle.run(ctx, sub, rest)
    if sub in ("ny", "planera", "boka"):
        if _SERIES.match(rest):
            return _schedule_series(ctx, rest)
        return _schedule(ctx, rest)
    if sub in ("lista", ""):
        rows = meetings.upcoming(ctx, rest.strip() or None)
        if not rows:
            return say(meeting_texts.MEETINGS_NONE)
        return listing("Kommande möten", [meeting_texts.meeting_line(m, o) for m, o in rows])
    if sub == "visa":
        return _show(ctx, rest)
    if sub in ("bjud", "bjudin", "inbjudan"):
        return _invite(ctx, rest if sub != "bjud" else re.sub(r"^in\b\s*", "", rest.strip()))
    if sub in ("närvaro", "narvaro", "närvarolista"):
        if not rest.strip():
            raise UserError(calendar_texts.ATTENDANCE_USAGE)
        message, attachment = invites.attendance(ctx, rest.split()[0])
        return Reply(message, files=[attachment])
    if sub == "flytta":
        return _move(ctx, rest)
    if sub in HELP:
        return say(
            meeting_texts.MEETING_USAGE
            + "\n"
            + calendar_texts.MEETING_CALENDAR_USAGE
            + "\n"
            + cycle_texts.CYCLE_USAGE
        )
    raise UserError(meeting_texts.unknown_subcommand(sub))


def _cancel(ctx: Ctx, ref: str, reason: str | None) -> Reply:
    """Cancel; what was due at the meeting moves to the organ's next one, and its owners are
    told where it went."""
    released: list[View] = []

    def release(session: Session, meeting: Meeting) -> None:
        released.extend(assignments.release(session, ctx, meeting))

    meeting, organ = meetings.cancel(ctx, ref, reason, then=release)
    reply = say(meeting_texts.meeting_cancelled(meeting, organ), public=True)
    if released:
        reply.message.parts.append(context(assignment_texts.released_summary(released)))
        label = f"{meeting_texts.label(meeting, organ)} {format_when(meetings.when_of(meeting))}"
        for user in dict.fromkeys(u for v in released for u in v.owner_users()):
            mine = [v for v in released if user in v.owner_users()]
            body = assignment_texts.released_dm(esc(label), meeting.kind, mine)
            reply.dms.append((user, Message(body, [section(body)])))
        reply.refresh_home = list(
            dict.fromkeys([ctx.user_id, *(u for v in released for u in v.owner_users())])
        )
    return _follow_up(ctx, reply, meeting.ref, invites.cancellations)


def _show(ctx: Ctx, ref: str) -> Reply:
    meeting, organ = meetings.show(ctx, ref)
    body = meeting_texts.meeting_details(meeting, organ)
    answers = invites.show(ctx, meeting.ref)
    if answers.invited:
        body += "\n" + calendar_texts.rsvp_summary(answers.by_answer)
    body += "\n" + cycle.minutes_line(ctx, meeting)
    planned = reminders.for_meeting(ctx.app, meeting)
    parts = [section(body)]
    if planned:
        now = ctx.app.now()
        lines = [
            reminder_texts.reminder_line(
                p.send_at.astimezone(ctx.app.tz),
                p.kind,
                p.recipient,
                reminders.status_label(p, now, ctx.app),
            )
            for p in planned
        ]
        parts.append(
            section(clip(reminder_texts.REMINDERS_HEADER + "\n" + "\n".join(lines), SECTION_LIMIT))
        )
    return Reply(Message(body, parts))


def _when(ctx: Ctx, text: str, usage: str) -> tuple[When, str]:
    try:
        return split_when(text, ctx.app.today(), future=True)
    except DateError as error:
        raise UserError(f"{error}\n{usage}") from None


def _location(rest: str) -> str | None:
    location = rest.strip().lstrip(",").strip()
    return clip(location, MAX_LOCATION) or None


def _schedule(ctx: Ctx, rest: str) -> Reply:
    """`ny [ORGAN] [typ | namn med typ] <när> [plats]`: "AU 14 augusti 13-15 Regionhuset",
    "workshop 17 november", "Gemensam spridningskonferens 1-2 november"."""
    words = rest.split()
    if not words:
        raise UserError(meeting_texts.MEETING_NEW_USAGE)
    organ_name: str | None = None
    kind = "möte"
    title: str | None = None
    if not _starts_with_date(ctx, rest) and _is_organ(ctx, words[0]):
        organ_name, words = words[0], words[1:]
    start = next((i for i in range(len(words)) if _starts_with_date(ctx, " ".join(words[i:]))), 0)
    named = words[:start]
    kinds = [meetings.KINDS[k] for k in (_kind_word(w) for w in named) if k is not None]
    if len(named) == 1 and kinds:
        kind = kinds[0]
    elif named and kinds:
        kind, title = kinds[0], " ".join(named)
    elif len(named) == 1 and organ_name is None:
        organ_name = named[0]  # not an organ we know: meetings.schedule says which are known
    elif named:
        raise UserError(meeting_texts.MEETING_TITLE_UNCLEAR.format(text=esc(" ".join(named))))
    typed = " ".join(words[start:])
    when, location = _when(ctx, typed, meeting_texts.MEETING_NEW_USAGE)
    warnings = []
    if not _YEAR_TYPED.search(typed) and when.start > ctx.app.today() + timedelta(days=183):
        shown = typed[: len(typed) - len(location)].strip() if location else typed
        warnings.append(meeting_texts.warn_far_ahead(when.start, shown))
    meeting, organ = meetings.schedule(
        ctx,
        organ_name,
        when,
        kind=kind,
        location=_location(location),
        title=title,
        warnings=warnings,
    )
    if meeting.status == meetings.HELD:
        return say(meeting_texts.meeting_recorded(meeting, organ), public=True)
    text = meeting_texts.meeting_scheduled(meeting, organ)
    waited = assignments.settle(ctx, meeting)
    if waited:
        text += "\n" + assignment_texts.settled_line(waited)
    reply = say(text, public=True)
    invite = Button(calendar_texts.BUTTON_INVITE, invites.ACTION_INVITE, meeting.ref)
    reply.message.parts.append(buttons(invite))
    return reply


def _schedule_series(ctx: Ctx, rest: str) -> Reply:
    """`ny [ORGAN] varje <veckodag> <tid> från <datum> till <datum> [utom <datum>, …] [plats]`:
    one series, each occurrence a meeting of its own."""
    found = _SERIES.match(rest)
    assert found is not None
    usage = meeting_texts.MEETING_SERIES_USAGE
    weekday = next(
        (i for i, name in enumerate(WEEKDAY_NAMES) if found["day"].lower().startswith(name)), None
    )
    if weekday is None:
        raise UserError(f"Jag förstod inte ”{esc(found['day'])}” som en veckodag. {usage}")
    timed, left = _when(ctx, f"{found['first']} {found['time']}".strip(), usage)
    if left:
        raise UserError(f"Jag förstod inte ”{esc(left)}”. {usage}")
    last, tail = _when(ctx, found["rest"], usage)
    skipped: set[date] = set()
    skip = _SKIP.match(tail)
    if skip:
        tail = tail[skip.end() :]
        while tail:
            left_out, tail = _when(ctx, tail, usage)
            skipped.add(left_out.start)
            more = _MORE.match(tail)
            if not more:
                break
            tail = tail[more.end() :]
    until = last.start
    if until < timed.start:  # "från 5 juni till 28 augusti" typed in July: next year's
        until = until.replace(year=until.year + 1)
    day = timed.start + timedelta(days=(weekday - timed.start.weekday()) % 7)
    occurrences = []
    while day <= until:
        if day not in skipped:
            occurrences.append(When(day, day, timed.start_time, timed.end_time))
        day += timedelta(days=7)
    if not occurrences:
        raise UserError(meeting_texts.series_empty(WEEKDAY_NAMES[weekday]))
    if len(occurrences) > meeting_texts.MAX_SERIES:
        raise UserError(meeting_texts.series_too_long(len(occurrences)))
    rule = meetings.weekly_rule(weekday, until, timed.start_time, ctx.app.tz)
    try:
        created, organ = meetings.schedule_series(
            ctx, found["organ"], occurrences, rule, location=_location(tail)
        )
    except NeedsConfirmation as error:
        raise NeedsConfirmation([*error.warnings, meeting_texts.series_skip_hint()]) from None
    waited = [v for meeting in created for v in assignments.settle(ctx, meeting)]
    text = meeting_texts.series_scheduled(created, organ, WEEKDAY_NAMES[weekday])
    if waited:
        text += "\n" + assignment_texts.settled_line(waited)
    return say(text, public=True)


def _kind_word(word: str) -> str | None:
    """ "spridningskonferens", "workshopen", "internatet" → the key in meetings.KINDS."""
    word = word.lower().strip(",.:")
    for candidate in (word, word[:-2], word[:-1]):
        if candidate in meetings.KINDS and len(candidate) > 2:
            return candidate
    return None


def _is_organ(ctx: Ctx, word: str) -> bool:
    with ctx.db.transaction() as session:
        return organs.find(session, word) is not None


def _starts_with_date(ctx: Ctx, text: str) -> bool:
    try:
        split_when(text, ctx.app.today())
    except DateError:
        return False
    return True


def _move(ctx: Ctx, rest: str) -> Reply:
    ref, rest = split_first(rest)
    if not ref:
        raise UserError(meeting_texts.MEETING_MOVE_USAGE)
    rest = re.sub(r"^till\s+", "", rest.strip(), flags=re.IGNORECASE)
    when, location = _when(ctx, rest, meeting_texts.MEETING_MOVE_USAGE)
    meeting, organ, old = meetings.move(ctx, ref, when, _location(location))
    reply = say(meeting_texts.meeting_moved(meeting, organ, old), public=True)
    return _follow_up(ctx, reply, meeting.ref, invites.updates)


def _invite(ctx: Ctx, rest: str) -> Reply:
    """`bjud in <ref> [@person …|#kanal|organ]`"""
    ref, targets = split_first(rest)
    if not ref:
        raise UserError(calendar_texts.INVITE_USAGE)
    batch = invites.invite(ctx, ref, targets)
    reply = say(invites.planned_message(batch))
    if batch.jobs or batch.no_email:
        reply.invites = batch
    return reply


def _follow_up(
    ctx: Ctx, reply: Reply, ref: str, plan: Callable[[Ctx, str], InviteBatch | None]
) -> Reply:
    """Moved or cancelled: what the invitees must be sent rides along with the reply. The
    change is saved already, so a failure here is told, not raised."""
    try:
        batch = plan(ctx, ref)
    except Exception:
        log.exception("could not plan the invitees' update for %s", ref)
        reply.message.parts.append(context(calendar_texts.invite_follow_up_failed(ref)))
        return reply
    if batch is not None:
        reply.invites = batch
        note = invites.planned_message(batch)
        reply.message.parts.append(context(note))
    return reply
