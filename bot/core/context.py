"""What every feature needs: the database, the clock, the time zone and who is asking."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, local_today
from bot.core.errors import AdminUnknown
from storage.db import CallInWriteTransaction, Database, outside_write_transaction

log = logging.getLogger(__name__)


class Directory(Protocol):
    """Facts about people that live in the workspace, not in our tables.

    Each may ask Slack: never call one inside a write transaction (storage.db checks).
    """

    def is_admin(self, user_id: str) -> bool: ...

    def user_exists(self, user_id: str) -> bool: ...

    def display_name(self, user_id: str) -> str: ...

    def channel_members(self, channel_id: str) -> list[str]:
        """The people (no bots) in a channel."""
        ...

    def channels_of(self, user_id: str) -> list[str]:
        """The channels a person is in (those the bot can see), not archived."""
        ...

    def bot_channels(self) -> set[str]:
        """The channels the bot is in, not archived: of these, `channels_of` tells whether a
        person is in them (a private channel without the bot, or an archived one, it cannot)."""
        ...

    def email(self, user_id: str) -> str | None:
        """The e-mail address in the person's profile, if any."""
        ...

    def find_people(self, name: str) -> list[str]:
        """The people (no bots, nobody deactivated) a plain name as the minutes write it
        ("Magnus", "Erika Lagergren") can mean: by display name or real name, whole or by
        its first words, case and accents as typed."""
        ...


def name_matches(typed: str, *names: str | None) -> bool:
    """Whether a typed name ("Erika", "erika lagergren") is one of these names, or their first
    words."""
    want = " ".join(typed.casefold().split())
    if not want:
        return False
    for name in names:
        have = " ".join((name or "").casefold().split())
        if have and (have == want or have.startswith(want + " ")):
            return True
    return False


class StaticDirectory:
    """A directory from a dict, for the CLI and tests with no workspace behind them."""

    def __init__(
        self,
        names: dict[str, str] | None = None,
        admins: set[str] | None = None,
        *,
        members: dict[str, list[str]] | None = None,
        emails: dict[str, str] | None = None,
    ):
        self.names = names or {}
        self.admins = admins or set()
        self.members = members or {}
        self.emails = emails or {}

    # Checked like the Slack directory, so tests without Slack catch a call in a write
    # transaction too.
    def is_admin(self, user_id: str) -> bool:
        outside_write_transaction("Directory.is_admin")
        return user_id in self.admins

    def user_exists(self, user_id: str) -> bool:
        outside_write_transaction("Directory.user_exists")
        return not self.names or user_id in self.names

    def display_name(self, user_id: str) -> str:
        outside_write_transaction("Directory.display_name")
        return self.names.get(user_id, user_id)

    def channel_members(self, channel_id: str) -> list[str]:
        outside_write_transaction("Directory.channel_members")
        return list(self.members.get(channel_id, []))

    def channels_of(self, user_id: str) -> list[str]:
        outside_write_transaction("Directory.channels_of")
        return [c for c, users in self.members.items() if user_id in users]

    def bot_channels(self) -> set[str]:
        outside_write_transaction("Directory.bot_channels")
        return set(self.members)

    def email(self, user_id: str) -> str | None:
        outside_write_transaction("Directory.email")
        return self.emails.get(user_id)

    def find_people(self, name: str) -> list[str]:
        return [u for u, n in self.names.items() if name_matches(name, n)]


@dataclass(frozen=True)
class SmtpConfig:
    """The e-mail server invitations go through."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 20.0


@dataclass(frozen=True)
class CalendarConfig:
    """Invites and feeds: the organizer's address, SMTP (None: no e-mail) and the public base
    URL feed links are built from (None: no links)."""

    invite_from: str | None = None
    invite_from_name: str | None = None
    smtp: SmtpConfig | None = None
    public_base_url: str | None = None


@dataclass(frozen=True)
class Product:
    """The running product: one per process."""

    db: Database
    clock: Clock
    tz: ZoneInfo
    admins: frozenset[str] = field(default_factory=frozenset)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    # How long an unresolved delivery claim is left alone before it is taken over (a crash's
    # leftovers): the delivery ledger's and the invitations'.
    lease: timedelta = timedelta(minutes=5)

    def today(self) -> date:
        return local_today(self.clock, self.tz)

    def now(self) -> datetime:
        return self.clock.now()


@dataclass(frozen=True)
class Ctx:
    """One request: the app, who asks, where, and how to look people up."""

    app: Product
    user_id: str
    channel_id: str | None
    directory: Directory
    confirmed: bool = False  # *Spara ändå* was pressed: warnings are not asked again
    # What the workspace said, asked once per request and before any write transaction:
    # {"admin": True/False/None (unknown)} about the asker, {"user:U…": exists} about others.
    _known: dict[str, bool | None] = field(default_factory=dict, compare=False, repr=False)
    _names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def db(self) -> Database:
        return self.app.db

    def know_admin(self) -> None:
        """Find out whether the asker is a workspace admin, before a write transaction begins
        (it may ask Slack, which may make us wait). A failure is remembered as "unknown": it
        matters only if the command turns out to need admin rights (see is_admin)."""
        if self.user_id in self.app.admins or "admin" in self._known:
            return
        try:
            self._known["admin"] = self.directory.is_admin(self.user_id)
        except CallInWriteTransaction:  # a bug to fix, not Slack being away
            raise
        except Exception:
            log.warning("could not find out whether %s is an admin", self.user_id, exc_info=True)
            self._known["admin"] = None

    def know_users(self, user_ids: list[str]) -> None:
        """Find out, before a write transaction, which of these people the workspace has."""
        for user_id in user_ids:
            self.user_exists(user_id)

    def user_exists(self, user_id: str) -> bool:
        """The directory's answer, asked once per request (see know_users)."""
        key = "user:" + user_id
        if key not in self._known:
            self._known[key] = self.directory.user_exists(user_id)
        return bool(self._known[key])

    def display_name(self, user_id: str) -> str:
        """The directory's name for a person, asked once per request (see know_names)."""
        if user_id not in self._names:
            self._names[user_id] = self.directory.display_name(user_id)
        return self._names[user_id]

    def know_names(self, user_ids: list[str]) -> None:
        """Look up these people's names before a write transaction that shows them."""
        for user_id in user_ids:
            self.display_name(user_id)

    def is_admin(self) -> bool:
        """Admin in our settings or in the workspace. Call know_admin() first, outside the
        transaction; unknown (Slack did not answer) is told to the asker, not guessed."""
        if self.user_id in self.app.admins:
            return True
        self.know_admin()
        admin = self._known["admin"]
        if admin is None:
            raise AdminUnknown()
        return admin
