"""The tables. Knows nothing of Slack; times are stored as UTC, meeting dates as local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on every database (SQLite stores no
    offset and would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column() -> Column:
    return Column(UTCDateTime(), nullable=False)


class Organ(SQLModel, table=True):
    """LG, AU, a processgrupp or a network: anything that meets or is given assignments."""

    id: int | None = Field(default=None, primary_key=True)
    short_name: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)
    channel_id: str | None = Field(default=None, max_length=32, unique=True)
    convenor_user_id: str | None = Field(default=None, max_length=32)
    reminders_enabled: bool = Field(default=False)
    reminder_lead_days: int = Field(default=3)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    # When the snapshot of the channel's members (OrganMember) was last taken whole from Slack
    # (None: never); member_joined/left events keep it current in between.
    members_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Meeting(SQLModel, table=True):
    """A meeting or session of an organ: timed or all-day, possibly spanning several days."""

    __table_args__ = (Index("ix_meeting_organ_start", "organ_id", "start_date"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True)
    organ_id: int = Field(foreign_key="organ.id")
    kind: str = Field(max_length=40)
    title: str | None = Field(default=None, max_length=200)
    start_date: date
    end_date: date
    start_time: time | None = None
    end_time: time | None = None
    location: str | None = Field(default=None, max_length=300)
    status: str = Field(default="planerat", max_length=20)
    uid: str = Field(max_length=100, unique=True)
    sequence: int = Field(default=0)
    cancel_reason: str | None = Field(default=None, max_length=500)
    agenda: str | None = Field(default=None, sa_type=Text)  # the published agenda (kallelse)
    # A recurring series ("varje torsdag 13-14 från 5 juni till 28 augusti"): every occurrence
    # is a meeting of its own carrying the series' UID and its RRULE (UNTIL in UTC for a timed
    # series, RFC 5545 3.3.10), and the series as it was planned: the occurrence's own date in
    # the rule (its RECURRENCE-ID, kept when it is moved) and the series' times and place (the
    # master event's). A calendar shows one item: the rule, and the occurrences that differ.
    series_uid: str | None = Field(default=None, max_length=100, index=True)
    series_rule: str | None = Field(default=None, max_length=200)
    series_date: date | None = None
    series_start: time | None = None
    series_end: time | None = None
    series_location: str | None = Field(default=None, max_length=300)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class Decision(SQLModel, table=True):
    """A decision: a public record. Never deleted; every change leaves a revision."""

    __table_args__ = (
        UniqueConstraint("organ_id", "year", "serial", name="uq_decision_serial"),
        Index("ix_decision_organ_decided", "organ_id", "decided_on"),
        Index("ix_decision_decided", "decided_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True)
    organ_id: int = Field(foreign_key="organ.id")
    year: int
    serial: int
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    item: str | None = Field(default=None, max_length=20)
    proposal: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    status: str = Field(default="gällande", max_length=20)
    decided_on: date
    search_terms: str = Field(default="", sa_type=Text)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class DecisionRevision(SQLModel, table=True):
    """One version of a decision: what it said, who changed it, when and why."""

    __table_args__ = (UniqueConstraint("decision_id", "version", name="uq_revision_version"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    version: int
    action: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    proposal: str | None = Field(default=None, sa_type=Text)
    item: str | None = Field(default=None, max_length=20)
    status: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_type=Text)
    changed_by: str = Field(max_length=32)
    changed_at: datetime = Field(sa_column=_utc_column())


class Assignment(SQLModel, table=True):
    """Who shall do what, by when, reporting back to whom."""

    __table_args__ = (Index("ix_assignment_status_due", "status", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    organ_id: int | None = Field(default=None, foreign_key="organ.id")
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    what: str = Field(sa_type=Text)
    due_date: date | None = None
    due_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    due_organ_id: int | None = Field(default=None, foreign_key="organ.id")
    # With due_organ_id and no due date: due at the organ's first meeting after this day (the
    # meeting after the one it was due at, not planned yet when it was moved).
    due_after: date | None = None
    report_to: str | None = Field(default=None, max_length=200)
    status: str = Field(default="öppen", max_length=20)
    last_status: str | None = Field(default=None, sa_type=Text)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=32)
    # The iCalendar SEQUENCE of its deadline in calendar feeds: raised when it moves or closes.
    sequence: int = Field(default=0)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class AssignmentOwner(SQLModel, table=True):
    """An owner: a Slack user, or an organ (its convenor answers for it)."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", "organ_id", name="uq_owner"),
        Index("ix_owner_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    user_id: str | None = Field(default=None, max_length=32)
    organ_id: int | None = Field(default=None, foreign_key="organ.id")
    # Somebody not in Slack ("regionen", "Marcus (Växjö kommun)"): the origin organ's convenor
    # answers for them.
    name: str | None = Field(default=None, max_length=200)
    # This owner's part is done (a shared assignment closes when every part is).
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=32)


class AssignmentEvent(SQLModel, table=True):
    """The history of an assignment: created, status, moved, done, struck."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    kind: str = Field(max_length=20)
    text: str | None = Field(default=None, sa_type=Text)
    by: str = Field(max_length=32)
    at: datetime = Field(sa_column=_utc_column())


class Confirmation(SQLModel, table=True):
    """A *Spara ändå* pressed: the token of the question it answers, stored once. A second
    press (or a second replica) finds it taken and stores nothing."""

    token: str = Field(primary_key=True, max_length=64)
    used_by: str = Field(max_length=32)
    used_at: datetime = Field(sa_column=_utc_column())


class ProcessedEvent(SQLModel, table=True):
    """Slack event ids already handled: retries of the same event are dropped."""

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_column=_utc_column())


class SeenRequest(SQLModel, table=True):
    """Signed requests already taken, by a hash of their signature and timestamp: the same
    signed request sent again within its five minutes is answered 200 and does nothing. Rows
    live ten minutes (a timestamp may be five minutes ahead as well as behind)."""

    key: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Reminder(SQLModel, table=True):
    """A reminder taken for sending: one row per (meeting, recipient, kind, round), the plan it
    was sent for. Its delivery (claim, status, ts) is its row in the ledger (Delivery), under the
    key that is also the DM's metadata in Slack, so a DM goes out once across restarts and
    replicas."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "recipient", "kind", "round", name="uq_reminder_key"),
        UniqueConstraint("delivery_id", name="uq_reminder_delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    recipient: str = Field(max_length=32)  # a user id, or the organ's channel for summaries
    kind: str = Field(max_length=20)
    round: int = Field(default=0)  # a new round when the meeting moved more than a day
    meeting_date: date
    planned_at: datetime = Field(sa_column=_utc_column())
    delivery_id: int = Field(foreign_key="delivery.id")
    late: bool = Field(default=False)


class Delivery(SQLModel, table=True):
    """The delivery ledger: one row per message the bot sends on its own, under a unique key
    (also the message's metadata in Slack), claimed before it is sent and marked after
    (bot.core.ledger). Most rows keep their message, so a batch cut short by a crash is
    finished by the next safety tick, in any process; reminders and invitations build theirs
    when sent, and their plans (Reminder, Invitation) point here."""

    __table_args__ = (Index("ix_delivery_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    recipient: str = Field(max_length=32)  # a user id (its DM) or a channel id
    asker: str | None = Field(default=None, max_length=32)  # who is told what came of it
    # JSON (bot.core.ledger); None: built by its sender when sent (a reminder, an invitation)
    message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # planerad | skickas | skickad | misslyckad | okänd | väntar | ersatt
    status: str = Field(max_length=20)
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_column=_utc_column())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime = Field(sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ts: str | None = Field(default=None, max_length=40)
    error: str | None = Field(default=None, max_length=500)


# ---------------------------------------------------------------- calendar: invites and feeds


class Invitation(SQLModel, table=True):
    """One person invited to a meeting: the plan (who, which address, the version last claimed
    on each channel) and the answer. Each DM and each e-mail of each version is a row of its
    own in the delivery ledger (Delivery, kinds "inbjudan" and "inbjudan-epost"), claimed in
    the same transaction that plans it and marked after (bot.calendar.invites), so nobody gets
    the same version twice, also when two people invite at once or the bot restarts;
    ``*_delivery_id`` points at the row of the version last claimed on that channel.
    """

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_invitation"),
        Index("ix_invitation_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: str = Field(max_length=32)
    email: str | None = Field(default=None, max_length=254)
    invited_by: str = Field(max_length=32)
    invited_at: datetime = Field(sa_column=_utc_column())
    dm_sequence: int | None = None  # the meeting version last claimed for the Slack DM
    dm_delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    mail_sequence: int | None = None  # the same for the e-mail (iMIP)
    mail_delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    rsvp: str | None = Field(default=None, max_length=20)  # kommer | kommer_inte | kanske
    rsvp_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrganMember(SQLModel, table=True):
    """Who is in an organ's channel, as last seen (refreshed from Slack by /kalender, invites
    and member_joined/left events), so a calendar feed is served without asking Slack."""

    __table_args__ = (
        UniqueConstraint("organ_id", "user_id", name="uq_organ_member"),
        Index("ix_organ_member_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id")
    user_id: str = Field(max_length=32)
    seen_at: datetime = Field(sa_column=_utc_column())


class FeedToken(SQLModel, table=True):
    """A calendar subscription link: personal (organ_id None) or one organ's. Only the SHA-256
    of the token is kept; `etag`, `state` and `changed_at` let unchanged feeds answer 304.

    A token is derived from the installation's feed secret, the owner, the feed and the owner's
    `generation` (see bot.calendar.feeds), so the same link is handed out every time; a new
    generation (`/kalender ny-länk`) revokes the rows of the old. Rows from before that
    (random tokens) have no generation and work until they are revoked."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: str = Field(max_length=32, index=True)
    organ_id: int | None = Field(default=None, foreign_key="organ.id")
    generation: int | None = None
    created_at: datetime = Field(sa_column=_utc_column())
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    etag: str | None = Field(default=None, max_length=80)
    state: str | None = Field(default=None, max_length=64)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarStamp(SQLModel, table=True):
    """One row, raised by every change to what calendar feeds show (see bot.calendar.feeds), so an
    unchanged feed is recognised without reading its rows."""

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


class Installation(SQLModel, table=True):
    """One row, made by the migration: what sets this installation apart from every other.
    `instance_id` makes calendar UIDs unique across installations; `feed_secret` (hex) is the
    key calendar links are derived from. Every process on the database shares them."""

    id: int = Field(default=1, primary_key=True)
    instance_id: str = Field(max_length=32)
    feed_secret: str = Field(max_length=128)


# ---------------------------------------------------------------- minutes read in from files


class MinutesImport(SQLModel, table=True):
    """A set of minutes read in from a file (`ledningsbot import`): the original file, kept with
    its meeting, and the proposal that was stored (JSON, with attendance, justerare and items).
    The file's SHA-256 is unique: importing the same file twice stores nothing twice."""

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(max_length=64, unique=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    proposal: str = Field(sa_type=Text)
    imported_by: str = Field(max_length=32)
    imported_at: datetime = Field(sa_column=_utc_column())


# ---------------------------------------------------------------- the meeting cycle


class CycleSetting(SQLModel, table=True):
    """An organ's own form: minnesanteckningar or protokoll, and its deadline for agenda items
    in working days before the meeting. No row: minnesanteckningar, 5 working days."""

    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", unique=True)
    minutes_form: str = Field(default="minnesanteckningar", max_length=20)
    item_deadline_days: int = Field(default=5)


class AgendaItem(SQLModel, table=True):
    """A point on a meeting's agenda: proposed (``proposal_no``, F1, F2 …), accepted (a
    ``number``, the §), moved to another meeting or dropped. Decisions attach through their
    own meeting and § fields; assignments through ItemAssignment."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "proposal_no", name="uq_agendaitem_proposal"),
        Index("ix_agendaitem_meeting", "meeting_id", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    proposal_no: int
    number: int | None = None
    title: str = Field(max_length=300)
    presenter_user_id: str | None = Field(default=None, max_length=32)
    presenter_name: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, max_length=20)  # beslut | information | dialog
    proposal: str | None = Field(default=None, sa_type=Text)  # förslag till beslut
    status: str = Field(default="föreslagen", max_length=20)
    auto: str | None = Field(default=None, max_length=20)  # öppnande | föregående | återrapport
    notes: str | None = Field(default=None, sa_type=Text)
    material: str | None = Field(default=None, sa_type=Text)
    material_reminded: bool = Field(default=False)
    carried_from_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    moved_to_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    reason: str | None = Field(default=None, max_length=500)
    proposed_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class ItemAssignment(SQLModel, table=True):
    """An assignment given under an agenda item (`/uppdrag … (§5)`)."""

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(foreign_key="agendaitem.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", unique=True)


class MaterialFile(SQLModel, table=True):
    """A file given as an agenda item's material (underlag): its Slack file id, name and
    permalink, as the *Lägg till underlag* form or a file link in `/mote underlag` gave it."""

    __table_args__ = (
        UniqueConstraint("agenda_item_id", "file_id", name="uq_materialfile_item_file"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(foreign_key="agendaitem.id", index=True)
    file_id: str = Field(max_length=32)
    name: str = Field(max_length=300)
    permalink: str | None = Field(default=None, max_length=1000)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_column=_utc_column())


class CycleMessage(SQLModel, table=True):
    """A DM the meeting cycle sends (the justering DMs), claimed by its key in the transaction
    that decides to send it, and marked when it went out: sent once, never blindly again."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    recipient: str = Field(max_length=32)
    claimed_at: datetime = Field(sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Attendee(SQLModel, table=True):
    """Who was at a meeting: a Slack user or a name, with an organisation; närvarande,
    frånvarande or gäst."""

    __table_args__ = (Index("ix_attendee_meeting", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20)
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = Field(sa_column=_utc_column())


class Minutes(SQLModel, table=True):
    """The minutes of one meeting: their form, who takes them, where justering stands, and
    once justerade the lock (version, content hash, who, when, upprättad)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    minutes_form: str = Field(max_length=20)
    status: str = Field(default="utkast", max_length=20)
    secretary_user_id: str | None = Field(default=None, max_length=32)
    sent_version: int | None = None
    sent_by: str | None = Field(default=None, max_length=32)
    locked_version: int | None = None
    content_hash: str | None = Field(default=None, max_length=64)
    justerad_by: str | None = Field(default=None, max_length=300)
    justerad_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    established_on: date | None = None  # upprättad
    approved_at_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class MinutesAdjuster(SQLModel, table=True):
    """A justerare of a meeting's minutes, and the version they justerade: a Slack user, or
    (minutes read in from a file) a name."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_minutes_adjuster"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    approved_version: int | None = None
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MinutesVersion(SQLModel, table=True):
    """One version of the minutes, kept for good: the document (as JSON), its Markdown, PDF and
    DOCX. A draft (``final`` false) or the justerade files of the locked version."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "version", "final", name="uq_minutes_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    final: bool = Field(default=False)
    content_hash: str = Field(max_length=64)
    document: str = Field(sa_type=Text)
    markdown: str = Field(sa_type=Text)
    pdf: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    docx: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())


class MinutesEvent(SQLModel, table=True):
    """The history of a meeting's agenda and minutes: kallelse, drafts, sent for justering,
    change requested, justerade, changed after justering."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=30)
    version: int | None = None
    text: str | None = Field(default=None, sa_type=Text)
    by: str = Field(max_length=32)
    at: datetime = Field(sa_column=_utc_column())


class DecisionJustering(SQLModel, table=True):
    """A decision as its minutes were justerade: a later change is a change after justering."""

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    version: int
    text: str = Field(sa_type=Text)
    justerad_at: datetime = Field(sa_column=_utc_column())
