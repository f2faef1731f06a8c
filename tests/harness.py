"""The bot running for real: HTTP server on loopback port 0, Slack stand-in, signed requests."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from typing import Any

from bot.core.context import Product
from bot.core.replies import Reply
from handlers.app import Bot, build_bot
from handlers.server import WebServer
from handlers.settings import Settings
from handlers.slack_standin import LocalSlack
from handlers.slackwire import (
    block_action,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
    view_submission,
)

SECRET = "test-signing-secret"
PEOPLE = {
    "sara": "U0SARA",  # the secretary, an admin
    "magnus": "U0MAGNUS",
    "anna": "U0ANNA",
    "roger": "U0ROGER",
    "jenny": "U0JENNY",
}
CHANNELS = {"C0LG": "ledningsgrupp", "C0AU": "au", "C0ALLM": "allmant"}


class Harness:
    def __init__(self, product: Product, slack: LocalSlack, **bot_options: Any) -> None:
        self.product = product
        self.slack = slack
        for name, user_id in PEOPLE.items():
            slack.add_user(user_id, name, email=f"{name}@example.se")
        for channel_id, name in CHANNELS.items():
            slack.set_channel(channel_id, name)
        settings = Settings(
            bot_token="xoxb-test",
            signing_secret=SECRET,
            api_url=slack.url,
            tz=product.tz,
            admins=product.admins,
        )
        self.bot: Bot = build_bot(settings, product, **bot_options)
        self.server = WebServer(self.bot, product.db, host="127.0.0.1", port=0, poll_interval=0.02)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self._keys = itertools.count(1)

    def __enter__(self) -> Harness:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        self.bot.close()  # let the work after the last ack finish

    # ------------------------------------------------------------------ raw HTTP
    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
        secret: str = SECRET,
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if sign:
            all_headers.update(signed_headers(secret, body, timestamp))
        request = urllib.request.Request(
            self.url + "/slack/events", data=body.encode(), headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    # ------------------------------------------------------------------ Slack-shaped requests
    def command(
        self,
        command: str,
        text: str,
        *,
        user: str = "sara",
        channel: str = "C0LG",
        wait: bool = True,
    ) -> dict[str, Any]:
        """Send a slash command; return the reply posted to its response_url."""
        key = f"r{next(self._keys)}"
        user_id = PEOPLE.get(user, user)
        body = command_body(
            command,
            text,
            user_id=user_id,
            channel_id=channel,
            response_url=self.slack.response_url(key, channel=channel, user=user_id),
            user_name=user,
        )
        status, _ = self.post(body)
        assert status == 200, status
        if not wait:
            return {}
        calls = self.slack.wait_for(
            lambda cs: any(c.method == "response_url" and c.key == key for c in cs)
        )
        return next(c.args for c in calls if c.method == "response_url" and c.key == key)

    def click(self, action_id: str, value: str, *, user: str) -> dict[str, Any]:
        key = f"a{next(self._keys)}"
        user_id = PEOPLE.get(user, user)
        payload = block_action(
            action_id,
            value,
            user_id=user_id,
            channel_id="D" + user_id,
            response_url=self.slack.response_url(key, user=user_id),
        )
        status, _ = self.post(interactive_body(payload))
        assert status == 200
        calls = self.slack.wait_for(
            lambda cs: any(c.method == "response_url" and c.key == key for c in cs)
        )
        return next(c.args for c in calls if c.method == "response_url" and c.key == key)

    def submit(
        self, callback_id: str, values: dict[str, Any], *, user: str, private_metadata: str = ""
    ) -> tuple[int, str]:
        payload = view_submission(
            callback_id, values, user_id=PEOPLE.get(user, user), private_metadata=private_metadata
        )
        return self.post(interactive_body(payload))

    def event(self, event: dict[str, Any], *, event_id: str, retry: int = 0) -> int:
        body = event_body(event, event_id=event_id)
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        status, _ = self.post(body, content_type="application/json", headers=headers)
        return status


def text_of(payload: dict[str, Any]) -> str:
    """Everything a person would read in a message: fallback text and all block texts."""
    parts = [payload.get("text") or ""]
    blocks = payload.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), (dict, str)):
                t = element["text"]
                parts.append(t.get("text", "") if isinstance(t, dict) else t)
    return "\n".join(parts)


def said(reply: Reply) -> str:
    """Everything the user reads in a reply from the command layer."""
    return "\n".join([reply.message.fallback, *(p.text for p in reply.message.parts)])
