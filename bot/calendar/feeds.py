"""Calendar subscriptions: private feed links and the feeds behind them.

* A link carries a token of ``TOKEN_BYTES`` bytes: HMAC-SHA256 of (owner, feed, generation)
  under the installation's feed secret (``Installation``, made once by the migration and
  shared by every process on the database). So ``/kalender`` hands out the same links each
  time and writes nothing after the first; ``/kalender ny-länk`` raises the owner's generation
  and revokes every link of theirs. Only the token's SHA-256 is stored; a request is looked up
  by that hash and compared with ``hmac.compare_digest``; unknown, malformed and revoked tokens
  all get the same bare 404. The secret lives in the database rather than in a setting: whoever
  reads the database already reads everything a feed shows, and a setting would be one more
  thing to share between processes and to lose (every link would break).
* A personal feed holds the sessions of every organ the owner belongs to, the meetings they are
  invited to, and the deadlines of their own open assignments (all-day events). An organ feed
  holds that organ's sessions, and only while its owner still belongs to the organ. Sessions
  from ``HISTORY`` back are kept; cancelled ones stay ``CANCELLED_KEPT`` so clients remove them.
* Belonging to an organ = being in its channel (or its convenor). Membership is a snapshot in
  ``OrganMember``, kept current by member_joined_channel / member_left_channel events. An
  organ's snapshot is read whole from Slack by ``/mote bjud in`` (the organ invited) and, when
  it is missing or older than ``MEMBERS_MAX_AGE``, by ``/kalender`` (at most
  ``MEMBERS_PER_CALL`` organs a call, the oldest first); ``/kalender`` reads the asker's own
  channels (users.conversations) every time, so their links are right whatever the number of
  organs, and takes them out of an organ only when the bot is in its channel (Slack reports
  neither archived channels nor private ones without the bot). So serving a feed never calls
  Slack (in Socket Mode the web server has no Slack client at all) and is not slowed by it.
* Validators: the feed's *state* is a hash of cheap aggregate queries (what is in scope, how
  many rows, their latest ``updated_at``) and the day. The token row keeps the last state, the
  strong ETag (SHA-256 of the bytes) and when the bytes last changed (Last-Modified). A request
  whose state is unchanged and whose If-None-Match (or If-Modified-Since) matches gets 304
  without rendering; rendered bytes are kept in a small in-process cache keyed by state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import threading
import time as monotonic
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, event, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from bot import assignments, meetings
from bot.calendar import ical, texts
from bot.calendar import series as series_of
from bot.core.context import Ctx, Product
from bot.core.errors import NotAvailable
from bot.meetings import texts as meeting_texts
from storage.db import serialise
from storage.models import (
    Assignment,
    AssignmentEvent,
    CalendarStamp,
    FeedToken,
    Installation,
    Invitation,
    Meeting,
    Organ,
    OrganMember,
)

log = logging.getLogger(__name__)

TOKEN_BYTES = 24  # 192 bits of HMAC-SHA256
HISTORY = timedelta(days=180)
CANCELLED_KEPT = timedelta(days=30)
CACHE_SIZE = 256  # feeds' bodies kept in memory …
CACHE_BYTES = 32 * 1024 * 1024  # … and at most this much of them (a feed can be megabytes)
CACHE_SECONDS = 600.0
EVENT_CACHE_SIZE = 50_000  # serialised VEVENTs kept in memory (~0.5 kB each)
FEED_VERSION = "3"  # raise when the rendering changes, so every ETag changes with it
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,86}$")
_OPEN = "öppen"
# A snapshot of an organ's channel members older than this is read again by /kalender (events
# keep it current in between; this is for events missed while the bot was away) …
MEMBERS_MAX_AGE = timedelta(days=1)
# … at most this many organs a call, so a /kalender costs a few Web API calls however many
# organs there are (a cold start with 106 organs fills in over the following calls).
MEMBERS_PER_CALL = 2


# -------------------------------------------------------------------------------- membership


def store_members(session: Session, organ_id: int, users: Iterable[str], now: datetime) -> None:
    """Replace the snapshot of an organ's members (one refresher at a time per organ)."""
    serialise(session, f"members:{organ_id}")
    wanted = set(users)
    have = set(
        session.exec(select(OrganMember.user_id).where(OrganMember.organ_id == organ_id)).all()
    )
    _remove(session, organ_id, have - wanted)
    for user_id in sorted(wanted - have):
        session.add(OrganMember(organ_id=organ_id, user_id=user_id, seen_at=now))
    organ = session.get(Organ, organ_id)
    if organ is not None:
        organ.members_refreshed_at = now
        session.add(organ)
    session.flush()


def _remove(session: Session, organ_id: int, users: Iterable[str]) -> None:
    """Delete by key, not by loaded row: a row someone else deleted meanwhile is simply gone
    (an ORM delete of it would fail the whole transaction)."""
    gone = sorted(users)
    if gone:
        session.execute(
            delete(OrganMember).where(
                col(OrganMember.organ_id) == organ_id, col(OrganMember.user_id).in_(gone)
            )
        )


def own_differences(session: Session, user_id: str, belongs: dict[int, bool]) -> list[int]:
    """The organs whose snapshot says otherwise about `user_id` than `belongs` (as Slack told
    it), in order: the ones `store_own_organs` would change."""
    have = set(
        session.exec(select(OrganMember.organ_id).where(OrganMember.user_id == user_id)).all()
    )
    return sorted(o for o, member in belongs.items() if member != (o in have))


def store_own_organs(
    session: Session,
    user_id: str,
    belongs: dict[int, bool],
    now: datetime,
    *,
    locked: Iterable[int] | None = None,
) -> None:
    """One person's membership of each organ (by its channel), as Slack told it: the other
    members' snapshots are left as they are.

    The organs to change are locked first (in order, before anything is written; member events
    and other refreshers lock them one at a time) and then read again: a member_joined or
    member_left that got in between has done the work already. A caller that has taken the
    locks itself says which organs (`locked`); only those are changed then."""
    if locked is None:
        locked = own_differences(session, user_id, belongs)
        for organ_id in locked:
            serialise(session, f"members:{organ_id}")
    concerned = set(locked)
    if not concerned:
        return
    for organ_id in own_differences(session, user_id, belongs):
        if organ_id not in concerned:
            continue
        if belongs[organ_id]:
            session.add(OrganMember(organ_id=organ_id, user_id=user_id, seen_at=now))
        else:
            _remove(session, organ_id, [user_id])
    session.flush()


def member_joined(app: Product, channel_id: str, user_id: str) -> None:
    with app.db.transaction(write=True) as session:
        organ = session.exec(select(Organ).where(Organ.channel_id == channel_id)).first()
        if organ is None or organ.id is None:
            return
        serialise(session, f"members:{organ.id}")
        row = session.exec(
            select(OrganMember).where(
                OrganMember.organ_id == organ.id, OrganMember.user_id == user_id
            )
        ).first()
        if row is None:
            session.add(OrganMember(organ_id=organ.id, user_id=user_id, seen_at=app.now()))


def member_left(app: Product, channel_id: str, user_id: str) -> None:
    with app.db.transaction(write=True) as session:
        organ = session.exec(select(Organ).where(Organ.channel_id == channel_id)).first()
        if organ is None or organ.id is None:
            return
        serialise(session, f"members:{organ.id}")
        _remove(session, organ.id, [user_id])


def user_deactivated(app: Product, user_id: str) -> bool:
    """Someone left the workspace: their links stop working and they belong to no organ.
    Writes only when they had a link or a membership; True if it did."""
    with app.db.transaction() as session:
        links = select(FeedToken.id).where(
            FeedToken.user_id == user_id, col(FeedToken.revoked_at).is_(None)
        )
        member = select(OrganMember.id).where(OrganMember.user_id == user_id)
        if (
            session.exec(links.limit(1)).first() is None
            and session.exec(member.limit(1)).first() is None
        ):
            return False
    with app.db.transaction(write=True) as session:
        now = app.now()
        for token in session.exec(
            select(FeedToken).where(
                FeedToken.user_id == user_id, col(FeedToken.revoked_at).is_(None)
            )
        ).all():
            token.revoked_at = now
            session.add(token)
        session.execute(delete(OrganMember).where(col(OrganMember.user_id) == user_id))
    return True


def refresh_members(ctx: Ctx) -> None:
    """Before /kalender hands out links: the asker's own channels (users.conversations, a call
    per 200 channels they are in), and the whole snapshot of at most MEMBERS_PER_CALL organs
    whose snapshot is missing or older than MEMBERS_MAX_AGE (the oldest first). Slack is asked
    outside any transaction; what it will not tell keeps its last snapshot.

    users.conversations leaves out archived channels and private ones the bot is not in, so
    the asker is taken out of an organ only when its channel is one the bot is in (its own
    users.conversations): of the others Slack said nothing. An organ whose
    channel the bot cannot read (private without it, or archived) counts as read, as it
    stands, so it is not "not read yet" (on everyone's Home tab) for ever."""
    now = ctx.app.now()
    with ctx.db.transaction() as session:
        bound = [
            (o.id, o.channel_id, o.members_refreshed_at)
            for o in session.exec(select(Organ).where(col(Organ.channel_id).is_not(None))).all()
            if o.id is not None and o.channel_id
        ]
    stale = sorted(
        (b for b in bound if b[2] is None or b[2] <= now - MEMBERS_MAX_AGE),
        key=lambda b: (b[2] is not None, b[2] or now, b[0]),
    )[:MEMBERS_PER_CALL]
    seen: set[str] | None = None
    try:
        seen = ctx.directory.bot_channels()
    except Exception:
        log.warning("could not list the bot's channels", exc_info=True)
    found: dict[int, list[str]] = {}
    unreadable: list[int] = []
    for organ_id, channel_id, _at in stale:
        assert organ_id is not None and channel_id is not None
        try:
            found[organ_id] = ctx.directory.channel_members(channel_id)
        except Exception:
            log.warning("could not list the members of %s", channel_id, exc_info=True)
            if seen is not None and channel_id not in seen:
                unreadable.append(organ_id)
    own: set[str] | None = None
    try:
        own = set(ctx.directory.channels_of(ctx.user_id))
    except Exception:
        log.warning("could not list the channels of %s", ctx.user_id, exc_info=True)
    belongs: dict[int, bool] = {}
    if own is not None:
        for organ_id, channel_id, _at in bound:
            assert organ_id is not None and channel_id is not None
            if channel_id in own:
                belongs[organ_id] = True
            elif seen is not None and channel_id in seen:
                belongs[organ_id] = False
    if not belongs and not found and not unreadable:
        return
    with ctx.db.transaction(write=True) as session:
        # Every organ this writes is locked first, in order (two /kalender at once would
        # otherwise each hold one and wait for the other's).
        concerned = set(found) | set(own_differences(session, ctx.user_id, belongs))
        for organ_id in sorted(concerned):
            serialise(session, f"members:{organ_id}")
        for organ_id, users in sorted(found.items()):
            store_members(session, organ_id, users, now)
        for organ_id in unreadable:
            organ = session.get(Organ, organ_id)
            if organ is not None:
                organ.members_refreshed_at = now
                session.add(organ)
        store_own_organs(session, ctx.user_id, belongs, now, locked=concerned)


def unknown_organ_ids(session: Session) -> list[int]:
    """Organs bound to a channel whose members have never been read whole: whom they hold is
    not known yet (only those who asked for their own links). A channel the bot cannot read
    (private without it, or archived) counts as read once Slack has said so."""
    rows = session.exec(
        select(Organ.id).where(
            col(Organ.channel_id).is_not(None), col(Organ.members_refreshed_at).is_(None)
        )
    ).all()
    return sorted(i for i in rows if i is not None)


def organ_ids_of(session: Session, user_id: str) -> list[int]:
    """The organs a person belongs to: in the channel (snapshot) or convenor."""
    member = select(OrganMember.organ_id).where(OrganMember.user_id == user_id)
    rows = session.exec(
        select(Organ.id).where(
            or_(col(Organ.id).in_(member), col(Organ.convenor_user_id) == user_id)
        )
    ).all()
    return sorted(i for i in rows if i is not None)


# -------------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Link:
    title: str
    https: str
    webcal: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def installation(session: Session) -> Installation:
    """The installation's id and feed secret (one row, made by the migration)."""
    row = session.get(Installation, 1)
    if row is None:
        raise RuntimeError("the installation row is missing: run the migrations")
    return row


def derive_token(secret: str, user_id: str, organ_id: int | None, generation: int) -> str:
    """The token of one feed link: the same for the same owner, feed and generation."""
    feed = "personal" if organ_id is None else f"organ:{organ_id}"
    message = f"{user_id}|{feed}|{generation}".encode()
    digest = hmac.new(bytes.fromhex(secret), message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass
class _LinkPlan:
    """What /kalender hands out, and what (if anything) it must write for that."""

    generation: int
    scopes: list[tuple[str, int | None, str]]  # title, organ id (None: personal), token
    missing: list[tuple[int | None, str]]  # (organ id, token) without a row yet
    revoke: list[int]  # row ids of links that stop working


def _plan_links(session: Session, user_id: str, renew: bool) -> _LinkPlan:
    rows = session.exec(select(FeedToken).where(FeedToken.user_id == user_id)).all()
    derived = [r for r in rows if r.generation is not None]
    generation = max((r.generation or 0 for r in derived), default=1)
    # A link of the current generation revoked (the owner was deactivated): a new generation.
    revoked = any(r.revoked_at is not None for r in derived if r.generation == generation)
    revoke: list[int] = []
    if renew or revoked:
        generation += 1
        revoke = [r.id for r in rows if r.revoked_at is None and r.id is not None]
    secret = installation(session).feed_secret
    ids = organ_ids_of(session, user_id)
    organs = session.exec(
        select(Organ).where(col(Organ.id).in_(ids)).order_by(col(Organ.short_name))
    ).all()
    feeds: list[tuple[str, int | None]] = [(texts.FEED_PERSONAL_TITLE, None)]
    feeds += [(texts.feed_organ_name(o.short_name, o.name), o.id) for o in organs]
    scopes = [(t, o, derive_token(secret, user_id, o, generation)) for t, o in feeds]
    known = {r.token_hash for r in rows}
    missing = [(o, token) for _t, o, token in scopes if hash_token(token) not in known]
    return _LinkPlan(generation, scopes, missing, revoke)


def links(ctx: Ctx, *, renew: bool = False) -> list[Link]:
    """The asker's feed links: personal first, then one per organ they belong to. The same
    links every time; ``renew`` revokes every link of theirs and hands out new ones."""
    base = ctx.app.calendar.public_base_url
    if not base:
        raise NotAvailable(texts.CALENDAR_NOT_CONFIGURED)
    refresh_members(ctx)
    with ctx.db.transaction() as session:
        plan = _plan_links(session, ctx.user_id, renew)
    if plan.missing or plan.revoke or renew:
        now = ctx.app.now()
        with ctx.db.transaction(write=True) as session:
            serialise(session, f"feed-links:{ctx.user_id}")
            plan = _plan_links(session, ctx.user_id, renew)  # again, under the lock
            for row_id in plan.revoke:
                row = session.get(FeedToken, row_id)
                if row is not None:
                    row.revoked_at = now
                    session.add(row)
            for organ_id, token in plan.missing:
                session.add(
                    FeedToken(
                        token_hash=hash_token(token),
                        user_id=ctx.user_id,
                        organ_id=organ_id,
                        generation=plan.generation,
                        created_at=now,
                    )
                )
    result: list[Link] = []
    for title, _organ_id, token in plan.scopes:
        https = f"{base}/kalender/{token}.ics"
        result.append(Link(title, https, "webcal://" + https.split("://", 1)[1]))
    return result


# -------------------------------------------------------------------------------- serving


@dataclass(frozen=True)
class FeedResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


NOT_FOUND = FeedResponse(404, [("Content-Type", "text/plain; charset=utf-8")], b"finns inte\n")
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class _Scope:
    owner: str
    organ_id: int | None  # None: personal
    organ_ids: tuple[int, ...]  # the organs whose sessions are shown


@dataclass(frozen=True)
class _Cached:
    state: str
    etag: str
    body: bytes
    at: float


class FeedServer:
    """Answers GET /kalender/<token>.ics. One per process; holds a small cache of bodies."""

    def __init__(self, app: Product) -> None:
        self.app = app
        self.events = EventCache()
        self._cache: OrderedDict[int, _Cached] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    @property
    def cached_bytes(self) -> int:
        """How many bytes of feed bodies this process holds: at most ``CACHE_BYTES`` (or the
        one body last served, if a single feed is larger)."""
        with self._lock:
            return self._cached_bytes

    def get(
        self,
        token: str,
        *,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
    ) -> FeedResponse:
        if not _TOKEN.match(token):
            return NOT_FOUND
        digest = hash_token(token)
        now = self.app.now()
        today = self.app.today()
        with self.app.db.transaction() as session:
            row = session.exec(select(FeedToken).where(FeedToken.token_hash == digest)).first()
            if row is None or not hmac.compare_digest(row.token_hash, digest):
                return NOT_FOUND
            if row.revoked_at is not None or row.id is None:
                return NOT_FOUND
            scope = _scope(session, row)
            if scope is None:
                return NOT_FOUND
            state = _state(session, scope, today)
            unchanged = state == row.state and row.etag and row.changed_at is not None
            if unchanged and _not_modified(
                row.etag or "", row.changed_at or now, if_none_match, if_modified_since
            ):
                return _response(304, row.etag or "", row.changed_at or now, b"")
            cached = self._cached(row.id, state)
            if cached is None:
                body = _render(session, scope, now, today, self.app, self.events)
                etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
                self._store(row.id, _Cached(state, etag, body, monotonic.monotonic()))
            else:
                body, etag = cached.body, cached.etag
            changed_at = row.changed_at if etag == row.etag and row.changed_at else now
            must_save = (state, etag, changed_at) != (row.state, row.etag, row.changed_at)
            token_id = row.id
        if must_save:
            self._save(token_id, state, etag, changed_at)
        if _not_modified(etag, changed_at, if_none_match, if_modified_since):
            return _response(304, etag, changed_at, b"")
        return _response(200, etag, changed_at, body)

    def _cached(self, token_id: int, state: str) -> _Cached | None:
        with self._lock:
            hit = self._cache.get(token_id)
            if hit is None:
                return None
            if hit.state != state or monotonic.monotonic() - hit.at > CACHE_SECONDS:
                del self._cache[token_id]
                self._cached_bytes -= len(hit.body)
                return None
            self._cache.move_to_end(token_id)
            return hit

    def _store(self, token_id: int, entry: _Cached) -> None:
        with self._lock:
            old = self._cache.pop(token_id, None)
            if old is not None:
                self._cached_bytes -= len(old.body)
            self._cache[token_id] = entry
            self._cached_bytes += len(entry.body)
            while len(self._cache) > CACHE_SIZE or (
                self._cached_bytes > CACHE_BYTES and len(self._cache) > 1
            ):
                _, evicted = self._cache.popitem(last=False)
                self._cached_bytes -= len(evicted.body)

    def _save(self, token_id: int, state: str, etag: str, changed_at: datetime) -> None:
        with self.app.db.transaction(write=True) as session:
            row = session.get(FeedToken, token_id)
            if row is None or row.revoked_at is not None:
                return
            if row.etag != etag:
                row.changed_at = changed_at
            row.state, row.etag = state, etag
            session.add(row)


def _response(status: int, etag: str, changed_at: datetime, body: bytes) -> FeedResponse:
    headers = [
        ("ETag", etag),
        ("Last-Modified", format_datetime(changed_at.astimezone(UTC), usegmt=True)),
        ("Cache-Control", "private, no-cache"),
    ]
    if status == 200:
        headers += [
            ("Content-Type", CONTENT_TYPE),
            ("Content-Disposition", 'inline; filename="ledningsbot.ics"'),
            ("X-Content-Type-Options", "nosniff"),
        ]
    return FeedResponse(status, headers, body)


def _not_modified(
    etag: str, changed_at: datetime, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110 13.1.2/13.1.3: If-None-Match wins; a weak comparison is allowed for GET."""
    if if_none_match is not None:
        wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in wanted or etag in wanted
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return changed_at.replace(microsecond=0) <= since
    return False


def _scope(session: Session, row: FeedToken) -> _Scope | None:
    """What the token's owner may see through it; None when an organ feed is no longer theirs."""
    mine = organ_ids_of(session, row.user_id)
    if row.organ_id is None:
        return _Scope(row.user_id, None, tuple(mine))
    if row.organ_id not in mine:
        return None
    return _Scope(row.user_id, row.organ_id, (row.organ_id,))


def _meeting_filter(scope: _Scope) -> ColumnElement[bool]:
    in_organs = col(Meeting.organ_id).in_(scope.organ_ids)
    if scope.organ_id is not None:
        return in_organs
    invited = select(Invitation.meeting_id).where(Invitation.user_id == scope.owner)
    return or_(in_organs, col(Meeting.id).in_(invited))


def _state(session: Session, scope: _Scope, today: date) -> str:
    """A fingerprint of everything the feed shows, from one indexed read whatever its size:
    the calendar stamp (raised in the same transaction as every change to meetings, organs,
    organ members, invitations and assignments, see :func:`_stamp_changes`), with the day
    and the scope. (The newest AssignmentEvent id was used before; on PostgreSQL ids are
    handed out at insert, not commit, so a slow transaction could commit an older id after a
    feed had already been fingerprinted, and the feed would have stayed stale.)"""
    version = session.exec(select(CalendarStamp.version).where(CalendarStamp.id == 1)).first()
    parts: list[object] = [FEED_VERSION, today.isoformat(), scope.owner, scope.organ_id]
    parts += [scope.organ_ids, version]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# -------------------------------------------------------------------------------- rendering

_MEETING_COLUMNS: tuple[Any, ...] = (
    Meeting.id,
    Meeting.organ_id,
    Meeting.ref,
    Meeting.kind,
    Meeting.title,
    Meeting.start_date,
    Meeting.end_date,
    Meeting.start_time,
    Meeting.end_time,
    Meeting.location,
    Meeting.status,
    Meeting.uid,
    Meeting.sequence,
    Meeting.cancel_reason,
    Meeting.agenda,
    Meeting.created_at,
    Meeting.updated_at,
    Meeting.series_uid,
)
# A series' own columns are read only for the occurrences of series in the feed: thousands of
# single meetings do not carry (or hash, in their cache keys) five columns that are empty.
_SERIES_COLUMNS: tuple[Any, ...] = (
    *_MEETING_COLUMNS,
    Meeting.series_rule,
    Meeting.series_date,
    Meeting.series_start,
    Meeting.series_end,
    Meeting.series_location,
)
_VEVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)


class EventCache:
    """Serialised VEVENTs by everything they are made of (a row's values, the label, the zone,
    DTSTAMP), shared by all feeds of the process: a feed is rendered by icalendar only for the
    events that changed since it was last seen, and spliced from the rest."""

    def __init__(self, size: int = EVENT_CACHE_SIZE) -> None:
        self.size = size
        self._blocks: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[Hashable]) -> list[bytes | None]:
        """The cached block of each key (None where there is none), for a whole feed under one
        taking of the lock."""
        blocks: list[bytes | None] = []
        with self._lock:
            for key in keys:
                block = self._blocks.get(key)
                if block is not None:
                    self._blocks.move_to_end(key)
                blocks.append(block)
        return blocks

    def put(self, key: Hashable, block: bytes) -> None:
        with self._lock:
            self._blocks[key] = block
            self._blocks.move_to_end(key)
            while len(self._blocks) > self.size:
                self._blocks.popitem(last=False)


def _render(
    session: Session,
    scope: _Scope,
    now: datetime,
    today: date,
    app: Product,
    cache: EventCache | None = None,
) -> bytes:
    """The feed's bytes: exactly what ``ical.feed`` makes of its events and deadlines."""
    since = today - HISTORY
    organs = {o.id: o for o in session.exec(select(Organ)).all()}
    rows = session.execute(
        sa_select(*_MEETING_COLUMNS)
        .where(_meeting_filter(scope), col(Meeting.end_date) >= since)
        .order_by(col(Meeting.start_date), col(Meeting.start_time), col(Meeting.id))
    ).all()
    # A series is one item, made of all its occurrences (also those before HISTORY or
    # cancelled: its first date, its SEQUENCE and its EXDATEs are the same in every feed and
    # in the invitations).
    series: dict[str, list[Any]] = {}
    wanted = {row.series_uid for row in rows if row.series_uid}
    if wanted:
        for row in session.execute(
            sa_select(*_SERIES_COLUMNS)
            .where(col(Meeting.series_uid).in_(wanted))
            .order_by(col(Meeting.series_date), col(Meeting.id))
        ).all():
            series.setdefault(row.series_uid, []).append(row)
    items: list[_Item] = []
    labels: dict[tuple[str, int], str] = {}  # a few kinds and organs, thousands of rows
    for row in rows:
        if row.series_uid:
            group = series.pop(row.series_uid, None)
            if group:  # at the place of its first occurrence in the feed; once
                items.append(_series_item(group, organs[row.organ_id], labels, now, app))
            continue
        if row.status == meetings.CANCELLED and row.updated_at.date() < today - CANCELLED_KEPT:
            continue
        organ = organs[row.organ_id]
        label = labels.get((row.kind, row.organ_id)) or _label(labels, row.kind, organ)
        stamp = min(row.updated_at, now)
        key = ("m", tuple(row), organ.short_name, label, app.tz.key, stamp)
        make = partial(_event, row, organ.short_name, label)
        items.append(_Item(key, make, timed=row.start_time is not None))
    if scope.organ_id is None:
        name = texts.FEED_PERSONAL_NAME
        instance = installation(session).instance_id
        items += _deadline_items(session, scope.owner, since, now, instance)
    else:
        name = texts.feed_organ_name(organs[scope.organ_id].short_name, organs[scope.organ_id].name)
    return _assemble(name, items, now, app, cache)


def _event(row: Any, short_name: str, label: str) -> ical.Event:
    return ical.event_from_meeting(cast(ical.MeetingLike, row), short_name, summary=label)


def _label(labels: dict[tuple[str, int], str], kind: str, organ: Organ) -> str:
    assert organ.id is not None
    label = labels.get((kind, organ.id))
    if label is None:
        label = labels[(kind, organ.id)] = meeting_texts.kind_label(kind, organ)
    return label


def _series_item(
    group: list[Any], organ: Organ, labels: dict[tuple[str, int], str], now: datetime, app: Product
) -> _Item:
    label = _label(labels, group[0].kind, organ)
    stamp = min(max(r.updated_at for r in group), now)
    key = ("s", tuple(tuple(r) for r in group), organ.short_name, label, app.tz.key, stamp)
    make = partial(series_of.of_meetings, group, organ.short_name, summary=label, tz=app.tz)
    return _Item(key, make, timed=group[0].series_start is not None)


def _deadline_items(
    session: Session, user_id: str, since: date, now: datetime, instance: str
) -> list[_Item]:
    columns: tuple[Any, ...] = (
        Assignment.id,
        Assignment.ref,
        Assignment.what,
        Assignment.report_to,
        Assignment.due_date,
        Assignment.sequence,
        Assignment.updated_at,
        Meeting.ref,
        Meeting.start_date,
        Meeting.updated_at,
    )
    rows = session.execute(
        sa_select(*columns)
        .outerjoin(Meeting, col(Meeting.id) == Assignment.due_meeting_id)
        .where(assignments.owned_by(user_id), col(Assignment.status) == _OPEN)
        .order_by(col(Assignment.id))
    ).all()
    items: list[_Item] = []
    for a_id, ref, what, report_to, due_date, sequence, updated, m_ref, m_day, m_updated in rows:
        day = m_day if m_day is not None else due_date
        if day is None or day < since:
            continue
        if m_updated is not None and m_updated > updated:
            updated = m_updated
        uid = deadline_uid(a_id, instance)
        key = ("d", uid, ref, what, report_to, day, m_ref, sequence, updated, min(updated, now))
        make = partial(_deadline, uid, ref, what, report_to, day, m_ref, sequence, updated)
        items.append(_Item(key, make))
    return items


def deadline_uid(assignment_id: int, instance: str) -> str:
    """Unique across installations: the installation's random id is part of it (meetings have
    a uuid4 of their own)."""
    return f"uppdrag-{assignment_id}-{instance}@ledningsbot"


def _deadline(
    uid: str,
    ref: str,
    what: str,
    report_to: str | None,
    day: date,
    meeting_ref: str | None,
    sequence: int,
    updated: datetime,
) -> ical.Deadline:
    """Made only when the event cache does not already hold it: the texts are not free."""
    return ical.Deadline(
        uid=uid,
        summary=texts.deadline_summary(ref, what),
        day=day,
        description=texts.deadline_description(what, report_to, meeting_ref),
        updated_at=updated,
        sequence=sequence,
    )


def _assemble(
    name: str, items: list[_Item], now: datetime, app: Product, cache: EventCache | None
) -> bytes:
    """Cached VEVENT blocks where there are some; ``ical.feed`` for the rest and for the frame
    (header and VTIMEZONE). Falls back to one plain ``ical.feed`` whenever splicing would not
    give the very same bytes (another zone than Stockholm, no cache, a surprise in the output)."""
    if cache is None or app.tz.key != ical.STOCKHOLM.key:
        return _plain_feed(name, [item.make() for item in items], now, app)
    blocks = cache.get_many([item.key for item in items])
    made = {i: items[i].make() for i, block in enumerate(blocks) if block is None}
    if made:
        found = _VEVENT.findall(_plain_feed(name, list(made.values()), now, app))
        # A series is several VEVENTs (master and overrides), one block in the cache.
        counts = [len(t.events) if isinstance(t, ical.Series) else 1 for t in made.values()]
        if len(found) != sum(counts):  # not what we expect of ical.feed: do not splice
            return _plain_feed(name, [item.make() for item in items], now, app)
        at = 0
        for i, count in zip(made, counts, strict=True):
            blocks[i] = b"".join(found[at : at + count])
            at += count
            cache.put(items[i].key, blocks[i] or b"")
    # The frame: header, and the VTIMEZONE exactly when some session is timed.
    timed = next((i for i, item in enumerate(items) if item.timed), None)
    sample = [] if timed is None else [made.get(timed) or items[timed].make()]
    frame = _plain_feed(name, sample, now, app)
    head = frame[: frame.find(b"BEGIN:VEVENT\r\n")] if sample else frame[: -len(_END)]
    return head + b"".join(b for b in blocks if b is not None) + _END


_END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class _Item:
    """One event of a feed: its cache key and how to build it when it is not cached."""

    key: Hashable
    make: Callable[[], ical.Event | ical.Series | ical.Deadline]
    timed: bool = False


def _plain_feed(
    name: str, things: list[ical.Event | ical.Series | ical.Deadline], now: datetime, app: Product
) -> bytes:
    events = [t for t in things if isinstance(t, (ical.Event, ical.Series))]
    deadlines = [t for t in things if isinstance(t, ical.Deadline)]
    return ical.feed(name, events, now=now, tz=app.tz, deadlines=deadlines)


# -------------------------------------------------------------------------------- change stamp

# Rows whose changes can change a feed (every change to an assignment adds an AssignmentEvent).
# Invitations and members count when added or removed.
_CHANGES_ANY = (Meeting, Organ, AssignmentEvent)
_CHANGES_MEMBERSHIP = (OrganMember, Invitation)
_STAMPED = "ledningsbot.calendar_stamped"


def _stamp_changes(session: OrmSession, _context: object, _instances: object) -> None:
    """Raise the calendar stamp once in each transaction that changes what feeds show (one
    atomic UPDATE, so concurrent writers never share a version). Writes that bypass the ORM
    (Core UPDATEs of those tables) must call :func:`touch` themselves."""
    if session.info.get(_STAMPED):
        return
    changed = any(isinstance(o, _CHANGES_ANY) for o in (*session.new, *session.dirty))
    changed = changed or any(
        isinstance(o, (*_CHANGES_ANY, *_CHANGES_MEMBERSHIP))
        for o in (*session.new, *session.deleted)
    )
    if changed:
        touch(session)
        session.info[_STAMPED] = True


def _stamp_done(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_STAMPED, None)


def touch(session: OrmSession) -> None:
    session.execute(
        update(CalendarStamp)
        .where(col(CalendarStamp.id) == 1)
        .values(version=col(CalendarStamp.version) + 1)
    )


event.listen(OrmSession, "before_flush", _stamp_changes)
event.listen(OrmSession, "after_transaction_end", _stamp_done)
