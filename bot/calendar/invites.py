"""Calendar invitations: who is invited to a meeting, which version each got, and the answers.

Three steps, so that nobody gets the same version twice and nothing is half-done:

1. *Plan* (``invite``, ``updates``, ``cancellations``): one write transaction creates the
   Invitation rows (the plan: who, which address, the version last claimed on each channel)
   and *claims* each delivery that is due in the delivery ledger (bot.core.ledger.take): every
   DM and every e-mail of every version is a row of its own there (kinds ``DM_KIND`` and
   ``MAIL_KIND``, the DM's key the one it carries in Slack, ``Job.key``), and the invitation
   points at the row of the version last claimed on each channel (``dm_delivery_id``,
   ``mail_delivery_id``). Two people inviting at once, a restart or a second replica find the
   claim and skip it; a claim older than the lease (``Product.lease``: the sender died) or a
   failed one is taken again by the next plan, and the safety tick (``resume``) finishes such
   a batch by itself. A DM taken over is first looked for in Slack. A newer version claimed
   while an older one is unsettled supersedes it ("ersatt"): the older is not sent any more.
2. *Deliver* (``deliver``): every invitee gets a Slack DM with RSVP buttons and the ``.ics``
   (through a :class:`Postman` that handlers/ provide) and, with SMTP set up and an address in
   the profile, an iMIP e-mail. One invitee's failure is noted and the others go on.
3. *Record*: each outcome is marked on its ledger row (sent, failed, or, for a DM Slack did
   not answer about, unknown: looked for after the lease) in its own small transaction.

Knows no Slack: the Postman does the Web API calls; e-mail goes through bot.calendar.mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot import meetings, organs
from bot.calendar import feeds, ical, texts
from bot.calendar import series as series_of
from bot.calendar.mail import Mailer, MailError, imip_message
from bot.core import ledger
from bot.core import texts as core_texts
from bot.core.clock import STOCKHOLM
from bot.core.context import Ctx, Product
from bot.core.errors import NotAllowed, UserError
from bot.core.markup import parse_channel, parse_mention
from bot.core.replies import Attachment, Button, Message, Part, buttons, section
from bot.meetings import texts as meeting_texts
from storage.models import Delivery, Invitation, Meeting, Organ

log = logging.getLogger(__name__)

KOMMER = "kommer"
KOMMER_INTE = "kommer_inte"
KANSKE = "kanske"
RSVPS = (KOMMER, KOMMER_INTE, KANSKE)
ACTION_RSVP = {
    KOMMER: "mote_svar_kommer",
    KOMMER_INTE: "mote_svar_kommer_inte",
    KANSKE: "mote_svar_kanske",
}
ACTION_INVITE = "mote_bjud_in"

# What a batch is: a first invitation, an update after a move, or a cancellation.
NEW = "ny"
UPDATE = "ändrad"
CANCEL = "inställd"
AGENDA = "kallelse"  # the agenda published: same time, new description

# The ledger's kinds of an invitation's deliveries (bot.core.ledger, storage.models.Delivery).
DM_KIND = "inbjudan"
MAIL_KIND = "inbjudan-epost"
MAIL_KEY = ":epost"  # after the DM's key: the e-mail's
UNKNOWN = "unknown"  # a DM's fate not known yet (a 5xx or a time-out): looked for later
# A claim not settled yet: taken over once it is older than the lease.
_OPEN = (ledger.PLANNED, ledger.SENDING, ledger.UNKNOWN, ledger.WAITING)
MAX_INVITEES = 500
# Addresses used in the .ics when there is no real one: reserved, never delivered (RFC 2606).
NO_ORGANIZER = "ledningsbot@ledningsbot.invalid"
_PLACEHOLDER_DOMAIN = "slack.invalid"
_JOINERS = {"och", "samt", ",", "&amp;", "&", "+"}
#: An RSVP button's value ending in this answers for the whole series (the series' DM).
SERIES_MARK = "+"


@dataclass
class Job:
    """One invitee in a batch: what to send them on which channel."""

    invitation_id: int
    user_id: str
    name: str
    email: str | None
    dm: bool
    mail: bool
    rsvp: str | None = None
    # Our claims on the ledger rows of this version's DM and e-mail; renewed before sending.
    dm_claim: ledger.Claim | None = None
    mail_claim: ledger.Claim | None = None
    doubt: bool = False  # an earlier attempt at this version may have arrived: ask first
    # A series: the whole series (master, overrides, EXDATE) rather than only the occurrence
    # the batch is about; the occurrence alone only to whoever has the version just before.
    whole: bool = True

    def key(self, batch: InviteBatch) -> str:
        """The DM's key in Slack (its metadata), so its arrival can be checked: the version of
        what is sent (the meeting's, or the series' for a series)."""
        if batch.series is not None:
            return f"inbjudan:serie:{batch.series.uid}:{self.user_id}:{batch.sequence}"
        return f"inbjudan:{batch.meeting_id}:{self.user_id}:{batch.sequence}"

    def mail_key(self, batch: InviteBatch) -> str:
        """The e-mail's key in the ledger (the e-mail itself does not carry it: it cannot be
        looked for once sent)."""
        return self.key(batch) + MAIL_KEY


@dataclass
class InviteBatch:
    """What one command must send: planned and claimed, not yet delivered."""

    kind: str  # NEW, UPDATE or CANCEL
    meeting_id: int
    ref: str
    sequence: int
    event: ical.Event
    label: str  # "LG-möte", "Workshop (LG)"
    organ: str  # "LG – Ledningsgrupp för samordning"
    sender: str  # who invites, moves or cancels (a user id)
    sender_name: str
    jobs: list[Job] = field(default_factory=list)
    already: int = 0  # invitees who already have this version
    in_flight: int = 0  # being sent by another batch right now (a claim not yet resolved)
    no_email: list[str] = field(default_factory=list)  # SMTP is set up, their profile has none
    # A recurring series: the whole series as one calendar item; ``meeting_id`` is then the
    # occurrence that keeps the claims (series_of.anchor) and ``sequence`` the series'.
    series: ical.Series | None = None
    # The date as planned of the occurrence this follow-up is about, when it alone changed
    # since the version before (so it alone can be sent); None: the whole series.
    occurrence: date | None = None
    series_refs: str = ""  # "AU-250605 … AU-250828"
    resumed: bool = False  # finished by the safety tick: about the series, not one occurrence


@dataclass
class Report:
    """What came of a batch, for the one who sent it."""

    batch: InviteBatch
    dms: int = 0
    mails: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (user id, why)
    unknown: list[str] = field(default_factory=list)  # not known whether the DM arrived


class DeliveryError(Exception):
    """A Slack delivery failed. ``delivered``: the DM went out, only the file did not.
    ``uncertain``: not known whether the DM arrived (Slack did not answer); it is checked
    later, before anything is sent again."""

    def __init__(self, reason: str, *, delivered: bool = False, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delivered = delivered
        self.uncertain = uncertain


class Postman(Protocol):
    """Sends one invitee their DM, tagged with `key`, and uploads the .ics into the same
    conversation. With `doubt` (an earlier attempt may have arrived) it asks Slack first, and
    after a 5xx or a time-out it asks before sending again: never a blind retry."""

    def send(
        self, user_id: str, message: Message, attachment: Attachment, key: str, *, doubt: bool
    ) -> str | None:
        """The DM's ts (None: not known). Raise DeliveryError when it did not (fully) arrive,
        or it is not known."""
        ...


# -------------------------------------------------------------------------------- planning


def invite(ctx: Ctx, ref: str, targets: str) -> InviteBatch:
    """`/mote bjud in <ref> [@person …|#kanal|organ]`: plan invitations (default: the organ)."""
    with ctx.db.transaction() as session:
        meeting, organ = meetings.get(session, ref)
        _check_may_invite(ctx, meeting, organ)
        words = [w for w in targets.replace(",", " ").split() if w.lower() not in _JOINERS]
        people, channels = _parse_targets(session, words, organ, meeting.ref)
    members: dict[str, list[str]] = {}
    for channel_id in channels:
        members[channel_id] = ctx.directory.channel_members(channel_id)
    invitees = list(dict.fromkeys([*people, *(u for c in channels for u in members[c])]))
    if not invitees:
        raise UserError(texts.invite_nobody(meeting.ref))
    if len(invitees) > MAX_INVITEES:
        raise UserError(texts.invite_too_many(len(invitees), MAX_INVITEES, meeting.ref))
    for user_id in people:
        if not ctx.directory.user_exists(user_id):
            raise UserError(core_texts.unknown_user(user_id))
    emails = {u: ctx.directory.email(u) for u in invitees}
    names = {u: ctx.directory.display_name(u) for u in invitees}
    sender_name = ctx.directory.display_name(ctx.user_id)
    now = ctx.app.now()
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)  # again: it may have moved meanwhile
        _check_may_invite(ctx, meeting, organ)
        occurrences = _occurrences(session, meeting)
        holder = _holder(meeting, occurrences)
        ctx.db.serialise(session, f"invite:{holder}")
        snapshots = {}
        for channel_id, users in members.items():
            bound = organs.for_channel(session, channel_id)
            if bound is not None and bound.id is not None:
                snapshots[bound.id] = users
        # The organs' member locks in the order /kalender takes them (sorted): no deadlock.
        for organ_id in sorted(snapshots):
            feeds.store_members(session, organ_id, snapshots[organ_id], now)
        existing = _invitations_of(session, holder)
        found = _deliveries(session, existing.values())
        batch = _batch(ctx, NEW, meeting, organ, sender_name, occurrences)
        # A series: invited to every occurrence still to come (each has its own RSVP, and is
        # in the invitee's feed); the claims are kept on the holder's row only.
        others = [
            o.id
            for o in occurrences
            if o.id is not None
            and o.id != holder
            and o.status == meetings.PLANNED
            and o.end_date >= ctx.app.today()
        ]
        invited_to = _invited_to(session, others)
        for user_id in invitees:
            row = existing.get(user_id)
            if row is None:
                row = Invitation(
                    meeting_id=holder,
                    user_id=user_id,
                    invited_by=ctx.user_id,
                    invited_at=now,
                )
            if emails[user_id]:
                row.email = emails[user_id]
            for other in others:
                if (other, user_id) not in invited_to:
                    session.add(
                        Invitation(
                            meeting_id=other,
                            user_id=user_id,
                            email=emails[user_id],
                            invited_by=ctx.user_id,
                            invited_at=now,
                        )
                    )
            _claim(ctx.app, batch, row, names[user_id], session, found, first=True)
    return batch


def updates(ctx: Ctx, ref: str) -> InviteBatch | None:
    """After a move: the new version to everyone invited (same UID, higher SEQUENCE)."""
    return _follow_up(ctx, ref, UPDATE)


def agenda_updates(ctx: Ctx, ref: str) -> InviteBatch | None:
    """After the kallelse: the version with the agenda in its description to everyone invited."""
    return _follow_up(ctx, ref, AGENDA)


def cancellations(ctx: Ctx, ref: str) -> InviteBatch | None:
    """After a cancellation: METHOD:CANCEL to everyone invited."""
    return _follow_up(ctx, ref, CANCEL)


def _follow_up(ctx: Ctx, ref: str, kind: str) -> InviteBatch | None:
    """Everyone invited gets the meeting's new version. An occurrence of a series: everyone
    invited to the series gets the series' new version, as the occurrence alone (an override,
    or a CANCEL with its RECURRENCE-ID) where they have the version just before."""
    with ctx.db.transaction() as session:
        meeting, _organ = meetings.get(session, ref)
        holder = _holder(meeting, _occurrences(session, meeting))
        known = {row.user_id: row.email for row in _invitations_of(session, holder).values()}
    if not known:
        return None
    # Slack is asked before the write transaction, never while it holds the lock.
    names = {u: ctx.directory.display_name(u) for u in known}
    emails = {u: email or ctx.directory.email(u) for u, email in known.items()}
    sender_name = ctx.directory.display_name(ctx.user_id)
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)
        occurrences = _occurrences(session, meeting)
        holder = _holder(meeting, occurrences)
        ctx.db.serialise(session, f"invite:{holder}")
        # What is sent follows the meeting as it is now: a move overtaken by a cancellation
        # sends the cancellation (the sequence claimed is the current one).
        if meeting.status == meetings.CANCELLED:
            kind = CANCEL
        batch = _batch(ctx, kind, meeting, organ, sender_name, occurrences)
        if batch.series is not None and _changed_last(meeting, occurrences):
            batch.occurrence = series_of.planned_on(meeting)
        series_rows = _invitations_of(session, holder)
        found = _deliveries(session, series_rows.values())
        if occurrences and _id(meeting) != holder and meeting.status == meetings.PLANNED:
            # An occurrence moved ahead from the past (postponed after the fact): the series'
            # invitees are invited to it now, so the buttons of its "ny tid" DM take answers.
            _invite_to(ctx, session, meeting, series_rows.values())
        for row in series_rows.values():
            row.email = row.email or emails.get(row.user_id)
            _claim(ctx.app, batch, row, names.get(row.user_id, row.user_id), session, found)
    return batch if batch.jobs or batch.no_email else None


def _invite_to(ctx: Ctx, session: Session, meeting: Meeting, rows: Iterable[Invitation]) -> None:
    """Invite the series' invitees (``rows``, the anchor's) to an occurrence still to come
    that they are not invited to."""
    if meeting.end_date < ctx.app.today():
        return
    invited = _invited_to(session, [_id(meeting)])
    for row in rows:
        if (_id(meeting), row.user_id) not in invited:
            session.add(
                Invitation(
                    meeting_id=_id(meeting),
                    user_id=row.user_id,
                    email=row.email,
                    invited_by=ctx.user_id,
                    invited_at=ctx.app.now(),
                )
            )


def email_changed(app: Product, user_id: str, email: str | None) -> bool:
    """A new address in someone's profile: updates and cancellations of meetings still to come
    go to it. Writes only when an invitation kept another address; True if it did."""
    if not email:
        return False
    stale = (
        select(Invitation.id)
        .join(Meeting, col(Meeting.id) == Invitation.meeting_id)
        .where(
            Invitation.user_id == user_id,
            col(Invitation.email).is_not(None),
            Invitation.email != email,
            # a series' claims (and so its e-mail address) are kept on its first occurrence
            or_(col(Meeting.end_date) >= app.today(), col(Meeting.series_uid).is_not(None)),
        )
    )
    with app.db.transaction() as session:
        ids = list(session.exec(stale).all())
    if not ids:
        return False
    with app.db.transaction(write=True) as session:
        for row in session.exec(select(Invitation).where(col(Invitation.id).in_(ids))).all():
            row.email = email
            session.add(row)
    return True


def _check_may_invite(ctx: Ctx, meeting: Meeting, organ: Organ) -> None:
    if not (meetings.may_manage(ctx, organ) or meeting.created_by == ctx.user_id):
        raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
    if meeting.status == meetings.CANCELLED:
        raise UserError(meeting_texts.meeting_cancelled_already(meeting.ref))
    if meeting.end_date < ctx.app.today() or meeting.status == meetings.HELD:
        raise UserError(texts.invite_past(meeting.ref))


def _parse_targets(
    session: Session, words: list[str], organ: Organ, ref: str
) -> tuple[list[str], list[str]]:
    """People named and channels whose members are invited; nothing named = the organ. The
    examples in what is said back name the meeting (`ref`)."""
    people: list[str] = []
    channels: list[str] = []
    for word in words:
        user = parse_mention(word)
        channel = parse_channel(word)
        named = None if user or channel else organs.find(session, word)
        if user:
            people.append(user)
        elif channel:
            channels.append(channel)
        elif named is not None:
            if not named.channel_id:
                raise UserError(texts.invite_no_channel(named.short_name, ref))
            channels.append(named.channel_id)
        else:
            raise UserError(texts.invite_bad_target(word, ref))
    if not words:
        if not organ.channel_id:
            raise UserError(texts.invite_no_channel(organ.short_name, ref))
        channels.append(organ.channel_id)
    return people, list(dict.fromkeys(channels))


def _batch(
    ctx: Ctx,
    kind: str,
    meeting: Meeting,
    organ: Organ,
    sender_name: str,
    occurrences: list[Meeting],
) -> InviteBatch:
    return _batch_for(ctx.app, kind, meeting, organ, occurrences, ctx.user_id, sender_name)


def _batch_for(
    app: Product,
    kind: str,
    meeting: Meeting,
    organ: Organ,
    occurrences: list[Meeting],
    sender: str,
    sender_name: str,
) -> InviteBatch:
    label = meeting_texts.kind_label(meeting.kind, organ)
    event = ical.event_from_meeting(meeting, organ.short_name, summary=label)
    series = None
    if occurrences:
        series = series_of.of_meetings(occurrences, organ.short_name, summary=label, tz=app.tz)
        event = series_of.occurrence_event(meeting, organ.short_name, summary=label, series=series)
    return InviteBatch(
        kind=kind,
        meeting_id=_holder(meeting, occurrences),
        ref=meeting.ref,
        sequence=series.sequence if series is not None else meeting.sequence,
        event=event,
        label=label,
        organ=f"{organ.short_name} – {organ.name}",
        sender=sender,
        sender_name=sender_name,
        series=series,
        series_refs=f"{occurrences[0].ref} … {occurrences[-1].ref}" if occurrences else "",
    )


def _occurrences(session: Session, meeting: Meeting) -> list[Meeting]:
    """All occurrences of the meeting's series; empty for a meeting on its own."""
    if not meeting.series_uid:
        return []
    return series_of.rows(session, meeting.series_uid)


def _holder(meeting: Meeting, occurrences: list[Meeting]) -> int:
    """The meeting whose Invitation rows keep the claims: itself, or its series' anchor."""
    return series_of.anchor(occurrences) if occurrences else _id(meeting)


def _changed_last(meeting: Meeting, occurrences: list[Meeting]) -> bool:
    """Was this occurrence the series' last change (strictly the newest)? Only then can the
    version just before plus this occurrence be the series' current version; otherwise (a tie,
    or another occurrence changed since) the whole series is sent, which is always right."""
    others = [o.updated_at for o in occurrences if o.id != meeting.id]
    return all(meeting.updated_at > other for other in others)


def _invitations(session: Session, meeting: Meeting) -> dict[str, Invitation]:
    return _invitations_of(session, _id(meeting))


def _invitations_of(session: Session, meeting_id: int) -> dict[str, Invitation]:
    rows = session.exec(
        select(Invitation).where(Invitation.meeting_id == meeting_id).order_by(col(Invitation.id))
    ).all()
    return {row.user_id: row for row in rows}


def _invited_to(session: Session, meeting_ids: list[int]) -> set[tuple[int, str]]:
    if not meeting_ids:
        return set()
    rows = session.exec(
        select(Invitation.meeting_id, Invitation.user_id).where(
            col(Invitation.meeting_id).in_(meeting_ids)
        )
    ).all()
    return {(m, u) for m, u in rows}


def _deliveries(session: Session, rows: Iterable[Invitation]) -> dict[int, Delivery]:
    """The ledger rows the invitations point at (the versions last claimed), in one query."""
    ids = {i for row in rows for i in (row.dm_delivery_id, row.mail_delivery_id) if i is not None}
    if not ids:
        return {}
    found = session.exec(select(Delivery).where(col(Delivery.id).in_(ids))).all()
    return {row.id: row for row in found if row.id is not None}


@dataclass(frozen=True)
class _Channel:
    """Where one channel of an invitation stands: the version last claimed and its ledger row
    (None: never claimed)."""

    sequence: int | None
    row: Delivery | None

    @property
    def status(self) -> str | None:
        return self.row.status if self.row is not None else None

    def due(self, sequence: int, now: datetime, lease: timedelta) -> bool:
        """Does this version still have to go out on this channel? (What ledger.take takes,
        with ``again``: a failed one is tried once more.)"""
        if self.sequence is None or self.sequence < sequence:
            return True
        if self.sequence > sequence:
            return False
        if self.row is None or self.row.status in (ledger.PLANNED, ledger.FAILED):
            return True
        return self.row.status in _OPEN and now - self.row.claimed_at > lease

    def in_flight(self, sequence: int, now: datetime, lease: timedelta) -> bool:
        """Claimed for this version by a batch still within its lease: on its way, not done."""
        return (
            self.sequence == sequence
            and self.status in _OPEN
            and not self.due(sequence, now, lease)
        )

    def sent(self, sequence: int) -> bool:
        return self.sequence == sequence and self.status == ledger.SENT


def _channels(row: Invitation, found: dict[int, Delivery]) -> tuple[_Channel, _Channel]:
    def at(row_id: int | None) -> Delivery | None:
        return found.get(row_id) if row_id is not None else None

    return (
        _Channel(row.dm_sequence, at(row.dm_delivery_id)),
        _Channel(row.mail_sequence, at(row.mail_delivery_id)),
    )


def _claim(
    app: Product,
    batch: InviteBatch,
    row: Invitation,
    name: str,
    session: Session,
    found: dict[int, Delivery],
    *,
    first: bool = False,
) -> None:
    """Claim the deliveries of this version that are due for one invitee; add a job.
    ``found``: the ledger rows the batch's invitations point at (``_deliveries``)."""
    now = app.now()
    seq = batch.sequence
    smtp = app.calendar.smtp is not None
    # Follow-ups go where earlier versions went; a first invitation goes everywhere it can.
    wants_dm = first or row.dm_sequence is not None
    wants_mail = smtp and (first or row.mail_sequence is not None or bool(row.email))
    lease = app.lease
    dm_was, mail_was = _channels(row, found)
    dm = wants_dm and dm_was.due(seq, now, lease)
    mail = wants_mail and bool(row.email) and mail_was.due(seq, now, lease)
    if smtp and not row.email and dm:
        batch.no_email.append(row.user_id)
    # A series' occurrence alone only to whoever got the version just before on every channel
    # it now goes to; anyone else (new, behind, or a failed send) gets the whole series.
    whole = batch.occurrence is None or not all(
        was.sent(seq - 1) for due, was in ((dm, dm_was), (mail, mail_was)) if due
    )
    job = Job(0, row.user_id, name, row.email, False, False, row.rsvp, whole=whole)
    flying = False
    if dm:
        claim, flying = _take(session, app, batch, row, dm_was, DM_KIND, job.key(batch), now)
        if claim is not None:
            row.dm_sequence, row.dm_delivery_id = seq, claim.id
            # Taken over from an attempt that may have arrived (a crash, a 5xx, a time-out).
            job.dm, job.dm_claim, job.doubt = True, claim, claim.doubt
    if mail:
        claim, late = _take(session, app, batch, row, mail_was, MAIL_KIND, job.mail_key(batch), now)
        flying = flying or late
        if claim is not None:
            row.mail_sequence, row.mail_delivery_id = seq, claim.id
            job.mail, job.mail_claim = True, claim
    if row.id is None or job.dm or job.mail:
        session.add(row)
    if not job.dm and not job.mail:
        flying = flying or (wants_dm and dm_was.in_flight(seq, now, lease))
        flying = flying or (wants_mail and mail_was.in_flight(seq, now, lease))
        if flying:
            batch.in_flight += 1
        else:
            batch.already += 1
        return
    session.flush()
    assert row.id is not None
    job.invitation_id = row.id
    batch.jobs.append(job)


def _take(
    session: Session,
    app: Product,
    batch: InviteBatch,
    row: Invitation,
    was: _Channel,
    kind: str,
    key: str,
    now: datetime,
) -> tuple[ledger.Claim | None, bool]:
    """Claim this version on one channel in the ledger: (the claim, or None and whether another
    sender holds it). An older version still unsettled there is superseded: its sender finds
    its claim gone and sends nothing more of it."""
    if was.row is not None and was.sequence != batch.sequence and was.row.status in _OPEN:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id) == was.row.id, col(Delivery.status).in_(_OPEN))
            .values(status=ledger.SUPERSEDED, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
    claim = ledger.take(
        session,
        now,
        key,
        kind=kind,
        recipient=row.user_id,
        lease=app.lease,
        asker=batch.sender,
        again=True,
    )
    if claim is not None:
        return claim, False
    # The ledger has this version already, though the invitation did not point at it: it is
    # settled, or someone else holds it. The invitation points at it from now on.
    known = session.exec(select(Delivery).where(Delivery.key == key)).one()
    if kind == DM_KIND:
        row.dm_sequence, row.dm_delivery_id = batch.sequence, known.id
    else:
        row.mail_sequence, row.mail_delivery_id = batch.sequence, known.id
    return None, known.status in _OPEN


def _id(row: Meeting | Organ) -> int:
    assert row.id is not None
    return row.id


# -------------------------------------------------------------------------------- delivery


def deliver(app: Product, batch: InviteBatch, postman: Postman) -> Report:
    """Send every job of a batch; one invitee's failure never stops the others."""
    report = Report(batch)
    for user_id in batch.no_email:
        report.failures.append((user_id, texts.INVITE_NO_EMAIL))
    config = app.calendar
    mailer = Mailer(config.smtp) if config.smtp is not None else None
    try:
        for job in batch.jobs:
            # Every Slack call for this invitee ends within the renewed claim's lease.
            with ledger.holding_claim(app.lease):
                if not _renew(app, job):
                    continue  # our claims went stale and another sender took them over
                try:
                    outcome = _deliver_one(app, batch, job, postman, mailer)
                except Exception:  # a bug or a surprise: told, recorded, and on to the next
                    log.exception("invitation to %s failed", job.user_id)
                    outcome = _Outcome(
                        dm=False if job.dm else None,
                        mail=False if job.mail else None,
                        dm_error=texts.INVITE_FAILED if job.dm else None,
                        mail_error=texts.INVITE_FAILED if job.mail else None,
                    )
            report.dms += outcome.dm is True
            report.mails += bool(outcome.mail)
            if outcome.dm == UNKNOWN:
                report.unknown.append(job.user_id)
            elif outcome.problems:
                report.failures.append((job.user_id, "; ".join(outcome.problems)))
            try:
                _record(app, job, outcome)
            except Exception:  # e.g. the database busy: this one is unrecorded, not the rest
                log.exception("could not record the invitation to %s", job.user_id)
    finally:
        if mailer is not None:
            mailer.close()
    return report


@dataclass
class _Outcome:
    """What came of one invitee's deliveries: None where nothing was sent (nothing due, or the
    claim no longer ours), UNKNOWN where it is not known whether the DM arrived."""

    dm: bool | str | None = None
    mail: bool | None = None
    ts: str | None = None  # the DM's
    dm_error: str | None = None
    mail_error: str | None = None

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(e for e in (self.dm_error, self.mail_error) if e))


def _deliver_one(
    app: Product, batch: InviteBatch, job: Job, postman: Postman, mailer: Mailer | None
) -> _Outcome:
    outcome = _Outcome()
    ics = _ics(app, batch, job)
    if job.dm:
        try:
            outcome.ts = postman.send(
                job.user_id,
                dm_message(batch, job),
                _attachment(batch, ics),
                job.key(batch),
                doubt=job.doubt,
            )
            outcome.dm = True
        except DeliveryError as error:
            outcome.dm = UNKNOWN if error.uncertain else error.delivered
            outcome.dm_error = error.reason
    # The DM may have outlasted the claim (a slow Slack, a busy machine) and another sender
    # taken it over: the e-mail, which cannot be looked for afterwards, is then theirs to send.
    if job.mail and mailer is not None and job.email and (not job.dm or _still_ours(app, job)):
        try:
            message = _email(app, batch, job, ics)
            mailer.send(message, sender=_organizer(app).email, recipient=job.email)
            outcome.mail = True
        except MailError as error:
            log.warning("invite mail to %s failed: %s", job.email, error)
            outcome.mail = False
            outcome.mail_error = texts.invite_mail_failed(error.kind, error.detail)
        except (ValueError, UnicodeError):  # an address a mail header cannot carry
            log.warning("unusable e-mail address for %s", job.user_id, exc_info=True)
            outcome.mail = False
            outcome.mail_error = texts.INVITE_BAD_EMAIL
    return outcome


def _still_ours(app: Product, job: Job) -> bool:
    """Renew the e-mail's claim before the e-mail. When even that cannot be done (the database
    busy), the e-mail waits: its claim stays, and the safety tick sends it after the lease,
    once."""
    try:
        return _renew(app, job, dm=False) and job.mail_claim is not None
    except Exception:
        log.exception("could not renew the claim on invitation %s", job.invitation_id)
        return False


def _renew(app: Product, job: Job, *, dm: bool = True) -> bool:
    """Keep the claims fresh right before sending: a batch slower than the claim's lifetime
    (SMTP timeouts, rate limits) is then never overtaken for the people it has not reached.
    A claim no longer ours (another sender took it over) is let go, and what it was for is not
    sent; False when none is left."""
    now = app.now()
    with app.db.transaction(write=True) as session:
        if dm and job.dm_claim is not None:
            renewed = ledger.renew(session, [job.dm_claim], now)
            job.dm_claim = renewed[0] if renewed else None
            job.dm = job.dm_claim is not None
        if job.mail_claim is not None:
            renewed = ledger.renew(session, [job.mail_claim], now)
            job.mail_claim = renewed[0] if renewed else None
            job.mail = job.mail_claim is not None
    if not job.dm and not job.mail:
        log.info("invitation %s was taken over by another sender", job.invitation_id)
        return False
    return True


def _record(app: Product, job: Job, outcome: _Outcome) -> None:
    """Mark each delivery on its ledger row; only our claim's holder writes, so a claim taken
    over meanwhile (or superseded by a newer version) is left to its new owner. A DM not known
    to have arrived is marked unknown: the safety tick asks Slack about it after the lease
    (never sends it blindly)."""
    now = app.now()
    with app.db.transaction(write=True) as session:
        if job.dm_claim is not None and outcome.dm is not None:
            status = (
                ledger.UNKNOWN
                if outcome.dm == UNKNOWN
                else ledger.SENT
                if outcome.dm
                else ledger.FAILED
            )
            ts = outcome.ts or None
            ledger.mark(session, job.dm_claim, status, now, ts=ts, error=outcome.dm_error)
        if job.mail_claim is not None and outcome.mail is not None:
            status = ledger.SENT if outcome.mail else ledger.FAILED
            ledger.mark(session, job.mail_claim, status, now, error=outcome.mail_error)


def resume(app: Product, postman: Postman, name: Callable[[str], str]) -> list[Report]:
    """The safety tick: finish the batches a crash (or an unanswered Slack) left with claims
    past the lease, by themselves, with no command. Each DM taken over is looked for in Slack
    first (its key), so it is sent only if it never arrived; an e-mail cannot be looked for and
    is sent once more (the same UID and SEQUENCE: it updates the same calendar item)."""
    stale = app.now() - app.lease
    # Without SMTP (turned off since) an e-mail cannot go: it waits, untouched, until SMTP is
    # set up again, rather than being taken up by every tick.
    kinds = (DM_KIND, MAIL_KIND) if app.calendar.smtp is not None else (DM_KIND,)
    left = (
        select(Delivery.id)
        .where(
            col(Delivery.status).in_(_OPEN),
            col(Delivery.kind).in_(kinds),
            col(Delivery.claimed_at) < stale,
        )
        .scalar_subquery()
    )
    with app.db.transaction() as session:
        meeting_ids = sorted(
            set(
                session.exec(
                    select(Invitation.meeting_id).where(
                        col(Invitation.dm_delivery_id).in_(left)
                        | col(Invitation.mail_delivery_id).in_(left)
                    )
                ).all()
            )
        )
    reports = []
    for meeting_id in meeting_ids:
        batch = _resumed_batch(app, meeting_id, stale, name)
        if batch is not None and batch.jobs:
            reports.append(deliver(app, batch, postman))
    return reports


def _resumed_batch(
    app: Product, meeting_id: int, stale: datetime, name: Callable[[str], str]
) -> InviteBatch | None:
    def left_over(
        session: Session, meeting: Meeting
    ) -> tuple[list[Invitation], dict[int, Delivery]]:
        rows = _invitations(session, meeting).values()
        found = _deliveries(session, rows)
        return [
            row
            for row in rows
            if any(
                was.status in _OPEN and was.row is not None and was.row.claimed_at < stale
                for was in _channels(row, found)
            )
        ], found

    with app.db.transaction() as session:  # who is involved: names may ask Slack ...
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            return None
        rows, _found = left_over(session, meeting)
        people = [u for row in rows for u in (row.invited_by, row.user_id)]
    names = {user: name(user) for user in dict.fromkeys(people)}  # ... never under the lock
    with app.db.transaction(write=True) as session:
        meeting = session.get(Meeting, meeting_id)
        organ = session.get(Organ, meeting.organ_id) if meeting is not None else None
        if meeting is None or organ is None:
            return None
        app.db.serialise(session, f"invite:{meeting_id}")
        rows, found = left_over(session, meeting)
        if not rows:
            return None
        ctx_user = rows[0].invited_by
        # A series (its claims are on this, its anchor): the whole series as it is now.
        occurrences = _occurrences(session, meeting)
        version = series_of.sequence(occurrences) if occurrences else meeting.sequence
        cancelled = [o for o in occurrences or [meeting] if o.status == meetings.CANCELLED]
        if len(cancelled) == len(occurrences or [meeting]):  # the meeting, or all the series
            kind = CANCEL
        else:
            kind = NEW if version == 0 else UPDATE
        batch = _batch_for(
            app, kind, meeting, organ, occurrences, ctx_user, names.get(ctx_user, ctx_user)
        )
        batch.resumed = True
        for row in rows:
            _claim(app, batch, row, names.get(row.user_id, row.user_id), session, found)
    return batch


def _organizer(app: Product) -> ical.Person:
    config = app.calendar
    return ical.Person(config.invite_from or NO_ORGANIZER, config.invite_from_name or "ledningsbot")


def _attendee(job: Job) -> ical.Person:
    email = job.email
    if email:
        try:
            return ical.Person(email, job.name)
        except ValueError:
            log.warning("unusable e-mail address for %s", job.user_id)
    return ical.Person(f"{job.user_id.lower()}@{_PLACEHOLDER_DOMAIN}", job.name)


def _ics(app: Product, batch: InviteBatch, job: Job) -> bytes:
    """The invitee's .ics. With SMTP: iTIP (REQUEST or CANCEL, ORGANIZER = INVITE_FROM, the
    invitee as ATTENDEE), the same file the e-mail carries. Without: METHOD:PUBLISH, no ORGANIZER
    and no ATTENDEE, so no calendar offers an Accept whose reply would go nowhere."""
    series = batch.series
    if app.calendar.smtp is None:
        if series is not None:  # the whole series, as it is now: it replaces the calendar's
            return ical.publish(series, now=app.now(), tz=app.tz)
        event = batch.event
        if batch.kind == CANCEL and not event.cancelled:
            event = replace(event, cancelled=True)
        return ical.publish(event, now=app.now(), tz=app.tz)
    people = [_attendee(job)]
    if series is not None and series.master.cancelled:  # no occurrence left: all of it goes
        return ical.series_cancellation(series, _organizer(app), people, now=app.now(), tz=app.tz)
    if series is not None and (job.whole or batch.occurrence is None):
        return ical.invite_series(series, _organizer(app), people, now=app.now(), tz=app.tz)
    if series is not None and batch.occurrence is not None:
        return ical.occurrence_update(
            series,
            batch.occurrence,
            _organizer(app),
            people,
            now=app.now(),
            tz=app.tz,
            occurrence=batch.event,
        )
    build = ical.cancellation if batch.kind == CANCEL else ical.invite
    return build(batch.event, _organizer(app), people, now=app.now(), tz=app.tz)


def _method(app: Product, batch: InviteBatch, job: Job) -> str:
    """The iTIP method of the invitee's .ics (and of its e-mail's calendar part)."""
    if batch.series is not None:
        if batch.series.master.cancelled:
            return "CANCEL"
        alone = not job.whole and batch.occurrence is not None
        return "CANCEL" if alone and batch.event.cancelled else "REQUEST"
    return "CANCEL" if batch.kind == CANCEL else "REQUEST"


def _whole_series(batch: InviteBatch) -> bool:
    """Does the batch speak of the series (a first invitation, or a version resumed) rather
    than of the one occurrence that changed? (What the file holds is the job's ``whole``.)"""
    return batch.series is not None and (batch.kind == NEW or batch.resumed)


def _attachment(batch: InviteBatch, ics: bytes) -> Attachment:
    if batch.series is not None and _whole_series(batch):
        return Attachment(
            filename=f"{batch.ref}-serie.ics",
            title=f"{batch.label} {series_of.recurrence_text(batch.series)}",
            content=ics,
        )
    return Attachment(
        filename=f"{batch.ref}.ics",
        title=texts.invite_file_title(batch.label, batch.event.when),
        content=ics,
    )


def _email(app: Product, batch: InviteBatch, job: Job, ics: bytes) -> EmailMessage:
    organizer = _organizer(app)
    assert job.email is not None
    subject = texts.invite_mail_subject(batch.kind, batch.label, batch.event.when)
    body = texts.invite_mail_body(
        batch.kind,
        batch.label,
        batch.event.when,
        batch.event.location,
        batch.organ,
        batch.ref,
        batch.sender_name,
    )
    series = batch.series
    if series is not None and _whole_series(batch):
        recurrence = series_of.recurrence_text(series)
        prefix = {NEW: "Inbjudan", CANCEL: "Inställd serie"}.get(batch.kind, "Ändrad serie")
        subject = f"{prefix}: {batch.label} {recurrence}"
        body = texts.series_mail_body(
            batch.label,
            recurrence,
            series.master.location,
            batch.organ,
            batch.series_refs,
            batch.sender_name,
            cancelled=series.master.cancelled,
            changed=batch.kind != NEW,
        )
    return imip_message(
        sender=organizer.email,
        sender_name=organizer.name,
        to=job.email,
        to_name=job.name,
        subject=subject,
        text=body,
        ics=ics,
        method=_method(app, batch, job),
        now=app.now(),
    )


def dm_message(batch: InviteBatch, job: Job) -> Message:
    """The DM an invitee reads: the session in Swedish and, unless cancelled, RSVP buttons."""
    series = batch.series
    if series is not None and _whole_series(batch):
        recurrence = series_of.recurrence_text(series)
        location = series.master.location
        if batch.kind == NEW:
            text = texts.series_invite_dm(batch.label, recurrence, location, batch.sender)
        elif series.master.cancelled:
            text = texts.series_cancelled_dm(batch.label, recurrence)
            return Message(text, [section(text)])
        else:
            text = texts.series_updated_dm(batch.label, recurrence, location)
        return Message(text, [section(text), rsvp_buttons(batch.ref + SERIES_MARK)])
    text = texts.invite_dm(
        batch.kind,
        batch.label,
        batch.event.when,
        batch.event.location,
        batch.ref,
        batch.sender,
        job.rsvp,
    )
    parts = [section(text)]
    if batch.kind != CANCEL:
        parts.append(rsvp_buttons(batch.ref))
    return Message(text, parts)


def rsvp_buttons(ref: str) -> Part:
    return buttons(
        *(
            Button(texts.RSVP_BUTTONS[answer], ACTION_RSVP[answer], ref, style)
            for answer, style in ((KOMMER, "primary"), (KOMMER_INTE, None), (KANSKE, None))
        )
    )


def report_message(report: Report) -> Message:
    text = texts.invite_report(
        report.batch.kind,
        report.batch.ref,
        report.dms,
        report.mails,
        report.failures,
        report.unknown,
    )
    return Message(text, [section(text)])


def planned_message(batch: InviteBatch) -> str:
    """What the sender reads at once, before the DMs go out."""
    text = texts.invite_planned(
        batch.kind, batch.ref, len(batch.jobs), batch.already, batch.in_flight
    )
    if batch.series is not None and batch.kind == NEW and batch.jobs:
        text += " " + texts.series_planned_note(series_of.recurrence_text(batch.series))
    return text


# -------------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answers:
    """Who has said what about a meeting, in the order they were invited."""

    by_answer: dict[str | None, list[str]]

    @property
    def invited(self) -> int:
        return sum(len(users) for users in self.by_answer.values())


def answer(ctx: Ctx, ref: str, rsvp: str) -> tuple[Meeting, Organ, Invitation]:
    """Store an RSVP from the buttons. Only invitees answer; a cancelled meeting takes none.
    From a series' DM (`ref` ends in SERIES_MARK) the answer is for every occurrence still to
    come that the invitee is invited to."""
    if rsvp not in RSVPS:
        raise UserError(texts.INVITE_USAGE)
    whole = ref.strip().endswith(SERIES_MARK)
    ref = ref.strip().removesuffix(SERIES_MARK)
    with ctx.db.transaction(write=True) as session:
        meeting, organ = meetings.get(session, ref)
        row = session.exec(
            select(Invitation).where(
                Invitation.meeting_id == _id(meeting), Invitation.user_id == ctx.user_id
            )
        ).first()
        if whole and meeting.series_uid:
            # The series' DM: every occurrence still to come, whatever became of the one its
            # buttons name (it may since have been cancelled, or be over).
            coming = select(Meeting.id).where(
                Meeting.series_uid == meeting.series_uid,
                Meeting.status == meetings.PLANNED,
                Meeting.end_date >= ctx.app.today(),
            )
            rows = session.exec(
                select(Invitation)
                .where(Invitation.user_id == ctx.user_id, col(Invitation.meeting_id).in_(coming))
                .order_by(col(Invitation.id))
            ).all()
            if row is None and not rows:
                raise UserError(texts.rsvp_not_invited(meeting.ref))
            if not rows:
                raise UserError(texts.series_over(meeting.ref))
            now = ctx.app.now()
            for other in rows:
                other.rsvp, other.rsvp_at = rsvp, now
                session.add(other)
            shown = row if row is not None and row in rows else rows[0]
            # The answer names an occurrence it is for (not one cancelled, or over).
            named = session.get(Meeting, shown.meeting_id) or meeting
            return named, organ, shown
        if row is None:
            raise UserError(texts.rsvp_not_invited(meeting.ref))
        if meeting.status == meetings.CANCELLED:
            raise UserError(meeting_texts.meeting_cancelled_already(meeting.ref))
        row.rsvp = rsvp
        row.rsvp_at = ctx.app.now()
        session.add(row)
    return meeting, organ, row


def answer_message(ctx: Ctx, ref: str, rsvp: str) -> Message:
    """Store the answer; the DM as it reads afterwards (the answer shown, buttons kept)."""
    meeting, organ, _row = answer(ctx, ref, rsvp)
    text = texts.invite_answered(
        meeting_texts.kind_label(meeting.kind, organ),
        meetings.when_of(meeting),
        meeting.location,
        meeting.ref,
        rsvp,
    )
    value = meeting.ref
    if ref.strip().endswith(SERIES_MARK) and meeting.series_uid:
        text += "\n" + texts.SERIES_ANSWERED
        value += SERIES_MARK
    return Message(text, [section(text), rsvp_buttons(value)])


def answers(session: Session, meeting: Meeting) -> Answers:
    by_answer: dict[str | None, list[str]] = {KOMMER: [], KOMMER_INTE: [], KANSKE: [], None: []}
    for row in _invitations(session, meeting).values():
        if _to_the_meeting(row, meeting):
            by_answer.setdefault(row.rsvp, []).append(row.user_id)
    return Answers(by_answer)


def _to_the_meeting(row: Invitation, meeting: Meeting) -> bool:
    """Is the row an invitation to the meeting itself? The first occurrence of a series also
    keeps the claims of everyone invited to the series, also of those invited once it was
    over: they were never invited to it (nobody is invited to a meeting that is over)."""
    if not meeting.series_uid:
        return True
    invited_at = row.invited_at
    if invited_at.tzinfo is None:  # stored as UTC
        invited_at = invited_at.replace(tzinfo=UTC)
    invited_on = invited_at.astimezone(STOCKHOLM).date()
    return invited_on <= meeting.end_date


def show(ctx: Ctx, ref: str) -> Answers:
    with ctx.db.transaction() as session:
        meeting, _organ = meetings.get(session, ref)
        return answers(session, meeting)


def attendance(ctx: Ctx, ref: str) -> tuple[Message, Attachment]:
    """The "Närvarande" list for the minutes: a message and a text file."""
    with ctx.db.transaction() as session:
        meeting, organ = meetings.get(session, ref)
        found = answers(session, meeting)
    if not found.invited:
        raise UserError(texts.attendance_none(meeting.ref))
    label = meeting_texts.kind_label(meeting.kind, organ)
    when = meetings.when_of(meeting)
    everyone = [u for users in found.by_answer.values() for u in users]
    names = {u: ctx.directory.display_name(u) for u in everyone}
    groups = [
        (rsvp, sorted(found.by_answer.get(rsvp, []), key=lambda u: names[u].casefold()))
        for rsvp in (KOMMER, KANSKE, KOMMER_INTE, None)
    ]
    text = texts.attendance_message(label, when, meeting.ref, groups)
    plain = texts.attendance_file(
        label, when, meeting.ref, [(rsvp, [names[u] for u in users]) for rsvp, users in groups]
    )
    attachment = Attachment(
        filename=f"narvaro-{meeting.ref}.txt",
        title=texts.attendance_title(meeting.ref),
        content=plain.encode("utf-8"),
    )
    return Message(text, [section(text)]), attachment
