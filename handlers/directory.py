"""People as the workspace knows them, looked up over the Web API and cached briefly."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
CACHE_SECONDS = 300.0
MEMBERS_CACHE_SECONDS = 60.0


class SlackDirectory:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._members: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def _user(self, user_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(user_id)
        if hit and now - hit[0] < CACHE_SECONDS:
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

    def is_admin(self, user_id: str) -> bool:
        user = self._user(user_id)
        return bool(user and (user.get("is_admin") or user.get("is_owner")))

    def user_exists(self, user_id: str) -> bool:
        user = self._user(user_id)
        return bool(user) and not (user or {}).get("deleted", False)

    def display_name(self, user_id: str) -> str:
        user = self._user(user_id) or {}
        profile = user.get("profile", {})
        return str(profile.get("display_name") or user.get("real_name") or user_id)

    def email(self, user_id: str) -> str | None:
        user = self._user(user_id) or {}
        email = (user.get("profile") or {}).get("email")
        return (str(email).strip() or None) if email else None

    def channel_members(self, channel_id: str) -> list[str]:
        """conversations.members, every page; bots and deactivated accounts left out."""
        now = time.monotonic()
        with self._lock:
            hit = self._members.get(channel_id)
        if hit and now - hit[0] < MEMBERS_CACHE_SECONDS:
            return list(hit[1])
        members: list[str] = []
        cursor: str | None = None
        while True:
            page = self.client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
            members += [str(m) for m in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        people = [m for m in dict.fromkeys(members) if self._is_person(m)]
        with self._lock:
            self._members[channel_id] = (now, people)
        return list(people)

    def _is_person(self, user_id: str) -> bool:
        user = self._user(user_id)
        if not user or user.get("deleted"):
            return False
        return not (user.get("is_bot") or user.get("is_app_user") or user_id == "USLACKBOT")
