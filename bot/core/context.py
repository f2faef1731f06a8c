"""What every feature needs: the database, the clock, the time zone and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, local_today
from storage.db import Database


class Directory(Protocol):
    """Facts about people that live in the workspace, not in our tables."""

    def is_admin(self, user_id: str) -> bool: ...

    def user_exists(self, user_id: str) -> bool: ...

    def display_name(self, user_id: str) -> str: ...

    def channel_members(self, channel_id: str) -> list[str]:
        """The people (no bots) in a channel."""
        ...

    def email(self, user_id: str) -> str | None:
        """The e-mail address in the person's profile, if any."""
        ...


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

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def user_exists(self, user_id: str) -> bool:
        return not self.names or user_id in self.names

    def display_name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    def channel_members(self, channel_id: str) -> list[str]:
        return list(self.members.get(channel_id, []))

    def email(self, user_id: str) -> str | None:
        return self.emails.get(user_id)


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

    @property
    def db(self) -> Database:
        return self.app.db

    def is_admin(self) -> bool:
        return self.user_id in self.app.admins or self.directory.is_admin(self.user_id)
