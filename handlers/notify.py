"""Reminders over Slack: each DM is tagged with its ledger key (message metadata), so after a
crash the bot can ask Slack whether it arrived instead of sending it again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.core.replies import Message
from bot.reminders import DeliveryError
from handlers.render import payload

log = logging.getLogger(__name__)
EVENT_TYPE = "ledningsbot_reminder"


class SlackNotifier:
    def __init__(self, client: WebClient) -> None:
        # Only 429s are retried blindly (Slack did not take the message). After a timeout or a
        # 5xx the message may have arrived: the ledger checks with find() before sending again.
        self.client = WebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            # few retries: a send must end well within the ledger's claim lease
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
        )

    def send(self, recipient: str, message: Message, key: str) -> str:
        try:
            response = self.client.chat_postMessage(
                channel=recipient,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                **payload(message),
            )
        except (SlackClientError, OSError) as error:
            raise DeliveryError(str(error)) from error
        return str(response.get("ts") or "")

    def find(self, recipient: str, key: str) -> str | None:
        try:
            channel = recipient
            if recipient[:1] in ("U", "W"):
                channel = self.client.conversations_open(users=recipient)["channel"]["id"]
            history = self.client.conversations_history(
                channel=channel, limit=100, include_all_metadata=True
            )
        except (SlackClientError, OSError) as error:
            raise DeliveryError(f"could not check delivery: {error}") from error
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return str(message.get("ts"))
        return None
