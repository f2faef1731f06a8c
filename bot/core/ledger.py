"""The delivery ledger: every message the bot sends on its own is claimed under a unique key
before it is sent and marked after, and it carries that key (as message metadata) so that
after any doubt (a crash, a 5xx, a time-out) the bot asks whether it arrived before sending it
again. Never a blind retry.

Every message has one row here (storage.models.Delivery), whoever sends it. Most (assignment
DMs, the meeting cycle's DMs, the bot's own posts in a channel, follow-ups to the asker) are
kept with their message, so a batch cut short by a crash is finished by the next safety tick,
in any process (``enqueue``/``send``/``resume``). Reminders and invitations build theirs when
they are sent, from the register as it is then: their plans (storage.models.Reminder,
Invitation) point at their rows here, and they claim and mark them with ``take``/``mark``
in their own transactions, and resume them from their own ticks.

Every Slack call made for a claim ends before the claim's lease does (``holding_claim``), or
another process could take the claim over while this one is still sending: twice.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from bot.core import texts
from bot.core.context import Product
from bot.core.replies import Attachment, Button, Message, Part, section
from storage.models import Delivery

log = logging.getLogger(__name__)

PLANNED, SENDING, SENT, FAILED, UNKNOWN = "planerad", "skickas", "skickad", "misslyckad", "okänd"
# Known not delivered because Slack asked the bot to wait (a 429 whose Retry-After did not fit
# in the claim): sent by the safety tick once the lease is over, like a planned row.
WAITING = "väntar"
# Not to be sent any more, something newer went instead: a reminder caught up late together
# with the morning one (only that one is sent), an invitation's version a newer one replaced.
SUPERSEDED = "ersatt"
INSTANCE = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
_CLAIMS = itertools.count(1)


def _token() -> str:
    """Who holds a claim: this process and a number of the claim's own, so only its holder
    (not another sender in the same process) marks or renews it."""
    return f"{INSTANCE}:{next(_CLAIMS)}"[-64:]


# While this thread holds a claim: the moment (time.monotonic) by which every Slack call made
# for it must have ended. After claimed_at + lease another process may take the claim over and
# send the same message, so nothing of ours may still be under way then (handlers.notify: a
# call that could not end in time is not started, a Retry-After that does not fit is not
# waited out; the message is left unresolved and checked after the lease instead).
_DEADLINE: ContextVar[float | None] = ContextVar("delivery_deadline", default=None)
# Of the lease, kept back for the final write and for clocks that differ between hosts.
MARGIN = 0.1
# Slack calls one claim must have room for, each to its time-out: a doubted DM is looked
# up (conversations.open, conversations.history) before it is sent (chat.postMessage).
CALLS_PER_CLAIM = 3


def window(lease: timedelta) -> float:
    """The seconds of a claim that Slack calls may use: the lease less its margin."""
    return lease.total_seconds() * (1 - MARGIN)


def shortest_lease(timeout: float) -> float:
    """The shortest lease in which a doubted DM can be looked up and sent, every call running
    to its time-out."""
    return CALLS_PER_CLAIM * timeout / (1 - MARGIN)


@contextmanager
def holding_claim(lease: timedelta) -> Iterator[None]:
    """Mark the calls made inside as made for a claim taken now with this lease. Start it before
    the claim is written, so the deadline is never later than the one other processes see."""
    deadline = time.monotonic() + window(lease)
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds left of the claim this thread holds (None: no claim)."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


class DeliveryError(Exception):
    """A send or a check that did not go through. ``uncertain``: the request may have reached
    Slack (a 5xx, a time-out, a connection lost after sending), so the message may be there.
    ``later``: Slack answered and asked to wait longer than the claim allows (a 429): known
    not delivered, to be sent again after the lease."""

    def __init__(self, reason: str, *, uncertain: bool = False, later: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.uncertain = uncertain and not later
        self.later = later


class Sender(Protocol):
    """How a message reaches someone (Slack in production, anything in tests)."""

    def send(self, recipient: str, message: Message, key: str) -> str:
        """Post with `key` attached; return the message id (ts). Raise DeliveryError."""
        ...

    def find(self, recipient: str, key: str) -> str | None:
        """The id of a message already posted to `recipient` with this key, if any. Raise
        DeliveryError when that cannot be found out now."""
        ...


@runtime_checkable
class FileSender(Sender, Protocol):
    """A sender that can also bring a message's files after it (Slack in production)."""

    def attach(
        self, recipient: str, files: list[Attachment], after_ts: str, asker: str | None
    ) -> list[str]:
        """Upload each file after the message `after_ts` unless it is there already; return
        the names of those that did not go."""
        ...


def send_once(sender: Sender, recipient: str, message: Message, key: str, *, doubt: bool) -> str:
    """Send one message at most once: with `doubt` (an earlier attempt may have arrived) ask
    first; after an uncertain failure ask before sending again. Returns the ts. Raises
    DeliveryError, uncertain when it is not known whether the message is there."""
    if doubt:
        found = sender.find(recipient, key)
        if found is not None:
            return found
    try:
        return sender.send(recipient, message, key)
    except DeliveryError as error:
        if not error.uncertain:
            raise
        log.warning("%s: %s; checking whether it arrived", key, error)
    found = sender.find(recipient, key)  # raises (uncertain) when Slack cannot say
    if found is not None:
        return found
    return sender.send(recipient, message, key)  # known not there: once more


@dataclass
class Outcome:
    """What came of a set of deliveries."""

    sent: list[str] = field(default_factory=list)  # recipients
    failed: list[str] = field(default_factory=list)  # known not delivered
    unknown: list[str] = field(default_factory=list)  # unresolved: checked later
    later: list[str] = field(default_factory=list)  # Slack asked to wait: sent after the lease
    elsewhere: list[str] = field(default_factory=list)  # another process holds the claim
    missing: list[str] = field(default_factory=list)  # files that did not follow their message


# ------------------------------------------------------------------------------ the rows


def to_json(message: Message, files: Iterable[Attachment] = ()) -> str:
    data: dict[str, object] = {
        "fallback": message.fallback,
        "parts": [
            {"kind": p.kind, "text": p.text, "buttons": [vars(b) for b in p.buttons]}
            for p in message.parts
        ],
    }
    files = list(files)
    if files:  # what follows the message once it is there (a post's files)
        data["files"] = [
            {
                "filename": f.filename,
                "title": f.title,
                "content": base64.b64encode(f.content).decode("ascii"),
            }
            for f in files
        ]
    return json.dumps(data, ensure_ascii=False)


def files_of(text: str) -> list[Attachment]:
    """The files kept with a row's message, to follow it (none for most)."""
    return [
        Attachment(f["filename"], f["title"], base64.b64decode(f["content"]))
        for f in json.loads(text).get("files") or []
    ]


def from_json(text: str) -> Message:
    data = json.loads(text)
    parts = [
        Part(p["kind"], p.get("text", ""), tuple(Button(**b) for b in p.get("buttons", [])))
        for p in data.get("parts", [])
    ]
    return Message(data["fallback"], parts)


def enqueue(
    app: Product,
    kind: str,
    items: Iterable[tuple[str, str, Message]],
    asker: str | None,
    *,
    files: Iterable[Attachment] = (),
) -> list[int]:
    """Write (key, recipient, message) rows as planned, in one transaction; a key already in
    the ledger is not written again. Returns the ids of the rows, old or new, in order.
    `files` are kept with each message: whoever settles it as sent brings them after it."""
    files = list(files)
    now = app.now()
    items = list(items)
    with app.db.transaction(write=True) as session:
        keys = [key for key, _, _ in items]
        known = {
            row.key: row.id
            for row in session.exec(select(Delivery).where(col(Delivery.key).in_(keys))).all()
        }
        ids: list[int] = []
        for key, recipient, message in items:
            if key in known:
                ids.append(known[key] or 0)
                continue
            row = Delivery(
                key=key,
                kind=kind,
                recipient=recipient,
                asker=asker,
                message=to_json(message, files),
                status=PLANNED,
                created_at=now,
                claimed_at=now,
            )
            session.add(row)
            session.flush()
            known[key] = row.id
            ids.append(row.id or 0)
    return ids


@dataclass(frozen=True)
class Claim:
    """A row taken for sending: only its holder (``token``) marks or renews it."""

    id: int
    token: str
    claimed_at: datetime
    doubt: bool  # an earlier attempt may have arrived: look for it before sending


def take(
    session: Session,
    now: datetime,
    key: str,
    *,
    kind: str,
    recipient: str,
    lease: timedelta,
    asker: str | None = None,
    again: bool = False,
) -> Claim | None:
    """In the caller's write transaction: claim the row under `key`, writing it (as being sent,
    with no message kept: the caller builds it) when it is not there yet. A row is taken when it
    is planned, when it is unresolved or waiting and older than the lease, and with `again`
    when it failed (known not delivered: a reminder tries once more on its next tick). None:
    sent, settled, or someone else holds it. Two processes writing the same new key: the second
    gets an IntegrityError from the database, and holds nothing."""
    row = session.exec(select(Delivery).where(Delivery.key == key)).first()
    if row is None:
        token = _token()
        row = Delivery(
            key=key,
            kind=kind,
            recipient=recipient,
            asker=asker,
            message=None,
            status=SENDING,
            attempts=1,
            created_at=now,
            claimed_by=token,
            claimed_at=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return Claim(row.id, token, now, False)
    return _take_row(session, row, now, lease, again=again)


def _take_row(
    session: Session, row: Delivery, now: datetime, lease: timedelta, *, again: bool
) -> Claim | None:
    takeable = [
        col(Delivery.status) == PLANNED,
        and_(
            col(Delivery.status).in_((SENDING, UNKNOWN, WAITING)),
            col(Delivery.claimed_at) < now - lease,
        ),
    ]
    if again:
        takeable.append(col(Delivery.status) == FAILED)
    token = _token()
    taken = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == row.id,
            or_(*takeable),
            col(Delivery.attempts) == row.attempts,
        )
        .values(status=SENDING, claimed_by=token, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    assert row.id is not None
    return Claim(row.id, token, now, row.attempts > 0)


def mark(
    session: Session,
    claim: Claim,
    status: str,
    at: datetime,
    *,
    ts: str | None = None,
    error: str | None = None,
) -> bool:
    """In the caller's write transaction: what came of a claim. False (nothing written) when it
    is no longer ours: it outlived its lease and another sender took it over."""
    marked = session.execute(
        update(Delivery)
        .where(col(Delivery.id) == claim.id, col(Delivery.claimed_by) == claim.token)
        .values(
            status=status,
            sent_at=at if status in (SENT, SUPERSEDED) else None,
            message_ts=ts,
            error=error[:500] if error else None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(marked.rowcount == 1)  # type: ignore[attr-defined]


def renew(session: Session, claims: Iterable[Claim], now: datetime) -> list[Claim] | None:
    """In the caller's write transaction: keep claims fresh right before sending (a batch
    slower than the lease is then never overtaken for those it has not reached). The renewed
    claims, or None when any of them is no longer ours."""
    renewed = []
    for claim in claims:
        done = session.execute(
            update(Delivery)
            .where(col(Delivery.id) == claim.id, col(Delivery.claimed_by) == claim.token)
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None
        renewed.append(replace(claim, claimed_at=now))
    return renewed


def _claim(app: Product, row_id: int, lease: timedelta) -> tuple[Delivery, Claim] | None:
    """Take a row kept with its message; None if it is done or someone else has it."""
    now = app.now()
    with app.db.transaction(write=True) as session:
        before = session.get(Delivery, row_id)
        if before is None or before.message is None:
            return None
        claim = _take_row(session, before, now, lease, again=False)
        if claim is None:
            return None
        session.refresh(before)
        session.expunge(before)
        return before, claim


def _finish(app: Product, claim: Claim, status: str, *, ts: str | None, error: str | None) -> None:
    with app.db.transaction(write=True) as session:
        mark(session, claim, status, app.now(), ts=ts, error=error)


def send(
    app: Product,
    sender: Sender,
    ids: Iterable[int],
    *,
    lease: timedelta | None = None,
    asker: str | None = None,
) -> Outcome:
    """Send the rows given (those still to send): claim, send once, mark. A row someone else
    is settling for another asker (unresolved, or waiting) counts as elsewhere for `asker`:
    the besked goes to the one who was told."""
    lease = app.lease if lease is None else lease
    outcome = Outcome()
    for row_id in ids:
        with holding_claim(app.lease):
            claimed = _claim(app, row_id, lease)
            if claimed is not None:
                row, claim = claimed
                status, missing = _deliver(app, sender, row, claim)
                _count(outcome, status, row.recipient)
                outcome.missing.extend(missing)
                continue
        with app.db.transaction() as session:
            known = session.get(Delivery, row_id)
            if known is None:
                continue
            theirs = known.status in (UNKNOWN, WAITING) and known.asker not in (None, asker)
            _count(outcome, SENDING if theirs else known.status, known.recipient)
    return outcome


def _count(outcome: Outcome, status: str, recipient: str) -> None:
    {
        SENT: outcome.sent,
        FAILED: outcome.failed,
        UNKNOWN: outcome.unknown,
        WAITING: outcome.later,
    }.get(status, outcome.elsewhere).append(recipient)


def _deliver(app: Product, sender: Sender, row: Delivery, claim: Claim) -> tuple[str, list[str]]:
    """Send one claimed row, and its files after it under the same claim: the row is marked
    sent only once they are there, so a crash in between leaves it unresolved, and whoever
    takes it over finds the message (its key) and each file (its share) before sending
    anything again. The status, and the names of files that could not be brought."""
    assert row.message is not None
    try:
        ts = send_once(sender, row.recipient, from_json(row.message), row.key, doubt=claim.doubt)
        missing = _files_after(sender, row, ts)
    except DeliveryError as error:
        status = WAITING if error.later else UNKNOWN if error.uncertain else FAILED
        log.warning("delivery %s: %s (%s)", row.key, error.reason, status)
        _finish(app, claim, status, ts=None, error=error.reason)
        return status, []
    except Exception as error:  # a bug: recorded as unresolved, looked at again later
        log.exception("delivery %s failed", row.key)
        _finish(app, claim, UNKNOWN, ts=None, error=repr(error))
        return UNKNOWN, []
    note = f"filer som inte kom fram: {', '.join(missing)}" if missing else None
    _finish(app, claim, SENT, ts=ts, error=note)
    return SENT, missing


def _files_after(sender: Sender, row: Delivery, ts: str) -> list[str]:
    """Bring a sent message's files after it (each only if it is not there already); the
    names of those that did not go."""
    files = files_of(row.message or "{}")
    if not files:
        return []
    if not ts or not isinstance(sender, FileSender):
        return [f.filename for f in files]
    return sender.attach(row.recipient, files, ts, row.asker)


def resume(app: Product, sender: Sender, *, lease: timedelta | None = None) -> Outcome:
    """The safety tick: finish what a crash left planned or being sent, and settle what was
    unresolved or waiting, once its lease has run out. The asker of a message whose fate they
    were told was unknown (or to come) gets a follow-up when it is settled, and so does the
    asker of one found not to have arrived (after a crash nobody told them anything)."""
    lease = app.lease if lease is None else lease
    stale = app.now() - lease
    with app.db.transaction() as session:
        rows = session.exec(
            select(Delivery)
            .where(
                col(Delivery.status).in_((PLANNED, SENDING, UNKNOWN, WAITING)),
                col(Delivery.claimed_at) < stale,
                col(Delivery.message).is_not(None),  # the others are resumed by their owners
            )
            .order_by(col(Delivery.id))
        ).all()
        pending = [(row.id or 0, row.status) for row in rows]
    outcome = Outcome()
    for row_id, was in pending:
        with holding_claim(app.lease):
            claimed = _claim(app, row_id, lease)
            if claimed is None:
                continue
            row, claim = claimed
            status, missing = _deliver(app, sender, row, claim)
        _count(outcome, status, row.recipient)
        outcome.missing.extend(missing)
        told = was in (UNKNOWN, WAITING)  # the asker was told it is not settled yet
        settled = status not in (UNKNOWN, WAITING)
        # Known not delivered: the asker has not heard it (the sender that would have told
        # them died, or told them it was being checked).
        if (
            ((told and settled) or status == FAILED or missing)
            and row.asker
            and row.kind != FOLLOW_UP
        ):
            _follow_up(app, sender, row, delivered=status == SENT, missing=missing)
    return outcome


FOLLOW_UP = "besked"


def _follow_up(
    app: Product, sender: Sender, row: Delivery, *, delivered: bool, missing: list[str]
) -> None:
    """Tell the asker how an unresolved message ended (and of any file that did not follow
    it), through the ledger too."""
    assert row.asker is not None
    text = texts.delivery_settled(row.recipient, delivered, missing)
    message, files = Message(text, [section(text)]), []
    if not delivered and row.message and row.recipient[:1] in ("C", "G"):
        # A post the channel never got: the asker gets it, with its files, to post it there
        # (it cannot be tried again under its key).
        original, files = from_json(row.message), files_of(row.message)
        note = texts.post_failed(row.recipient, bool(files))
        message = Message(f"{note}\n{original.fallback}", [section(note), *original.parts])
    ids = enqueue(app, FOLLOW_UP, [(f"{row.key}:besked", row.asker, message)], None, files=files)
    send(app, sender, ids)


def replan(app: Product, ids: Iterable[int]) -> list[int]:
    """Plan again the rows given that are known not to have arrived (FAILED), for a sender
    with no asker to tell (a reminder): the next send, or the safety tick once the lease is
    over, tries them once more. A row is one message, so it still goes out at most once.
    Returns the ids planned again."""
    ids = list(ids)
    with app.db.transaction(write=True) as session:
        failed = session.exec(
            select(Delivery.id).where(col(Delivery.id).in_(ids), col(Delivery.status) == FAILED)
        ).all()
        again = [row_id for row_id in failed if row_id is not None]
        if again:
            session.execute(
                update(Delivery)
                .where(col(Delivery.id).in_(again), col(Delivery.status) == FAILED)
                .values(status=PLANNED, claimed_by=None)
            )
    return again


def status_of(app: Product, ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    with app.db.transaction() as session:
        rows = session.exec(select(Delivery).where(col(Delivery.id).in_(ids))).all()
        return {row.id or 0: row.status for row in rows}
