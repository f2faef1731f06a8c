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


class SlackDirectory:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
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
