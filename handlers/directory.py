"""People as the workspace knows them, looked up over the Web API and cached briefly.

One person is looked up with ``users.info``. A channel's members (``conversations.members``,
200 a page) are checked against the whole workspace's ``users.list`` instead when more of them
are unknown than the list has pages: a channel of 450 costs three pages of members and a few
pages of the list, not 450 ``users.info`` calls (Tier 4, ~100 a minute). ``user_change``
events hand the directory the changed person (see :meth:`SlackDirectory.learn`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.context import name_matches
from storage.db import outside_write_transaction

log = logging.getLogger(__name__)
CACHE_SECONDS = 300.0
MEMBERS_CACHE_SECONDS = 60.0
# Slack's advice for paged methods (users.list, conversations.members, users.conversations):
# "We recommend 100-200 results at a time" (the maximum, 1000, may vary per method). So 200,
# the largest page it recommends: users.list costs a call per 200 people in the workspace.
PAGE = 200
BULK = 10  # more unknown people than this (and than users.list has pages): read the list


class SlackDirectory:
    def __init__(self, client: WebClient, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._members: dict[str, tuple[float, list[str]]] = {}
        self._list_pages = 0  # how many pages users.list took last time
        self._everyone: tuple[float, list[dict[str, Any]]] | None = None  # users.list, when read
        self._lock = threading.Lock()

    def _fresh(self, user_id: str, now: float) -> tuple[float, dict[str, Any] | None] | None:
        with self._lock:
            hit = self._cache.get(user_id)
        return hit if hit and now - hit[0] < CACHE_SECONDS else None

    def _user(self, user_id: str) -> dict[str, Any] | None:
        now = self._clock()
        hit = self._fresh(user_id, now)
        if hit:
            return hit[1]
        try:
            user: dict[str, Any] | None = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") not in ("user_not_found", "user_not_visible"):
                raise
            user = None
        with self._lock:
            self._cache[user_id] = (now, user)
        return user

    def learn(self, user: dict[str, Any]) -> None:
        """A person as an event (``user_change``) shows them: no need to ask again."""
        if user.get("id"):
            with self._lock:
                self._cache[str(user["id"])] = (self._clock(), user)

    def _read_everyone(self) -> None:
        """users.list, every page, into the cache. On failure the people stay unknown and are
        looked up one by one."""
        now = self._clock()
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        pages = 0
        try:
            while True:
                page = self.client.users_list(limit=PAGE, cursor=cursor)
                pages += 1
                found += [m for m in page.get("members") or [] if m.get("id")]
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except (SlackClientError, OSError):
            log.warning("users.list failed; asking for people one by one", exc_info=True)
            return
        with self._lock:
            self._list_pages = pages
            self._everyone = (now, found)
            for user in found:
                self._cache[str(user["id"])] = (now, user)

    def find_people(self, name: str) -> list[str]:
        """Everyone in the workspace (users.list, read at most every few minutes) whose display
        name or real name is the name typed, or begins with it."""
        with self._lock:
            everyone = self._everyone
        if everyone is None or self._clock() - everyone[0] >= CACHE_SECONDS:
            self._read_everyone()
            with self._lock:
                everyone = self._everyone
        found = []
        for user in everyone[1] if everyone else []:
            if user.get("deleted") or user.get("is_bot") or user.get("is_app_user"):
                continue
            profile = user.get("profile") or {}
            if name_matches(
                name,
                profile.get("display_name"),
                profile.get("real_name"),
                user.get("real_name"),
                user.get("name"),
            ):
                found.append(str(user["id"]))
        return found

    def is_admin(self, user_id: str) -> bool:
        outside_write_transaction("Directory.is_admin")
        user = self._user(user_id)
        return bool(user and (user.get("is_admin") or user.get("is_owner")))

    def user_exists(self, user_id: str) -> bool:
        outside_write_transaction("Directory.user_exists")
        user = self._user(user_id)
        return bool(user) and not (user or {}).get("deleted", False)

    def display_name(self, user_id: str) -> str:
        outside_write_transaction("Directory.display_name")
        user = self._user(user_id) or {}
        profile = user.get("profile", {})
        return str(profile.get("display_name") or user.get("real_name") or user_id)

    def email(self, user_id: str) -> str | None:
        outside_write_transaction("Directory.email")
        user = self._user(user_id) or {}
        email = (user.get("profile") or {}).get("email")
        return (str(email).strip() or None) if email else None

    def channel_members(self, channel_id: str) -> list[str]:
        """conversations.members, every page; bots and deactivated accounts left out."""
        outside_write_transaction("Directory.channel_members")
        now = self._clock()
        with self._lock:
            hit = self._members.get(channel_id)
        if hit and now - hit[0] < MEMBERS_CACHE_SECONDS:
            return list(hit[1])
        members: list[str] = []
        cursor: str | None = None
        while True:
            page = self.client.conversations_members(channel=channel_id, limit=PAGE, cursor=cursor)
            members += [str(m) for m in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        members = list(dict.fromkeys(members))
        unknown = [m for m in members if self._fresh(m, now) is None]
        with self._lock:
            pages = self._list_pages
        if len(unknown) > max(BULK, pages):
            self._read_everyone()
        people = [m for m in members if self._is_person(m)]
        with self._lock:
            self._members[channel_id] = (now, people)
        return list(people)

    def channels_of(self, user_id: str) -> list[str]:
        """users.conversations for one person, every page: the public channels they are in,
        and the private ones the bot is in too (as conversations.members sees them)."""
        outside_write_transaction("Directory.channels_of")
        channels: list[str] = []
        cursor: str | None = None
        while True:
            page = self.client.users_conversations(
                user=user_id,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=PAGE,
                cursor=cursor,
            )
            channels += [str(c["id"]) for c in page.get("channels") or [] if c.get("id")]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return list(dict.fromkeys(channels))

    def bot_channels(self) -> set[str]:
        """users.conversations for the bot itself, every page: the channels it is in, not
        archived, whose members Slack reports. Asked each time (not kept): one kept from
        before a channel was archived would say of it what Slack no longer does."""
        outside_write_transaction("Directory.bot_channels")
        channels: set[str] = set()
        cursor: str | None = None
        while True:
            page = self.client.users_conversations(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=PAGE,
                cursor=cursor,
            )
            channels |= {str(c["id"]) for c in page.get("channels") or [] if c.get("id")}
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return channels

    def _is_person(self, user_id: str) -> bool:
        user = self._user(user_id)
        if not user or user.get("deleted"):
            return False
        return not (user.get("is_bot") or user.get("is_app_user") or user_id == "USLACKBOT")


def full_names(client: WebClient) -> dict[str, str]:
    """The workspace's people by full name ("Magnus Frithiof" → id, from users.list), for
    linking the owners and justerare that minutes name (`ledningsbot import`, the shortcut)."""
    found: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = client.users_list(limit=PAGE, cursor=cursor)
        for user in page.get("members") or []:
            if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
                continue
            profile = user.get("profile") or {}
            for name in (user.get("real_name"), profile.get("real_name")):
                if name and " " in str(name).strip():
                    found.setdefault(" ".join(str(name).split()), str(user["id"]))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return found
