"""What the bot sends on its own, over Slack: each message is tagged with its ledger key
(message metadata), so after a crash, a 5xx or a time-out the bot can ask Slack whether it
arrived instead of sending it again (bot.core.ledger)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.core.ledger import DeliveryError
from bot.core.replies import Message
from handlers.render import payload

log = logging.getLogger(__name__)
EVENT_TYPE = "ledningsbot_delivery"
# Reminders sent before the ledger was shared carry this one; they are still found.
EVENT_TYPES = frozenset({EVENT_TYPE, "ledningsbot_reminder"})


def refused(error: BaseException | None) -> bool:
    """A connection refused (or a name not found): the request never left, so it may be sent
    again. A reset, a lost answer or a time-out may come after Slack took it: never retried."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError) or (
        isinstance(reason, OSError) and getattr(reason, "errno", None) in (-2, -3, -5)  # EAI_*
    )


class BeforeSendingRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's ConnectionErrorRetryHandler retries any URLError, time-outs included (the
    request may have arrived); this one only what failed before the request was sent."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is None and refused(error)


def posting_retry_handlers(*, rate_limit_retries: int = 3) -> list[RetryHandler]:
    """429 after Retry-After, and connections refused before sending. Never a 5xx or a
    time-out: the message may be there; the ledger checks before it sends again."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        BeforeSendingRetryHandler(max_retry_count=2),
    ]


def metadata(key: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def uncertain(error: Exception) -> bool:
    """May the request have reached Slack? A 5xx, a time-out or a connection lost after
    sending: yes. An answer from Slack (ok: false, a 4xx) or a refused connection: no."""
    if isinstance(error, SlackApiError):
        return int(error.response.status_code or 0) >= 500
    return True


def delivery_error(error: Exception, what: str) -> DeliveryError:
    reason = str(error)
    if isinstance(error, SlackApiError):
        reason = str(error.response.get("error") or error.response.status_code)
    return DeliveryError(f"{what}: {reason}", uncertain=uncertain(error))


class SlackNotifier:
    def __init__(self, client: WebClient) -> None:
        # Only what never reached Slack is retried by the client (429, a refused connection).
        # After a time-out or a 5xx the message may have arrived: the ledger asks with find().
        self.client = WebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            # few retries: a send must end well within the ledger's claim lease
            retry_handlers=posting_retry_handlers(rate_limit_retries=2),
        )

    def send(self, recipient: str, message: Message, key: str) -> str:
        try:
            response = self.client.chat_postMessage(
                channel=recipient, metadata=metadata(key), **payload(message)
            )
        except (SlackClientError, OSError) as error:
            raise delivery_error(error, "chat.postMessage") from error
        return str(response.get("ts") or "")

    def find(self, recipient: str, key: str) -> str | None:
        return find(self.client, recipient, key)


def find(client: WebClient, recipient: str, key: str) -> str | None:
    """The ts of the bot's message tagged `key` in `recipient`'s DM (or channel), if any.
    Raises DeliveryError (uncertain) when Slack cannot be asked now."""
    try:
        channel = recipient
        if recipient[:1] in ("U", "W"):
            channel = client.conversations_open(users=recipient)["channel"]["id"]
        history = client.conversations_history(
            channel=channel, limit=100, include_all_metadata=True
        )
    except (SlackClientError, OSError) as error:
        raise DeliveryError(f"could not check delivery: {error}", uncertain=True) from error
    for message in history.get("messages") or []:
        data = message.get("metadata") or {}
        if (
            data.get("event_type") in EVENT_TYPES
            and (data.get("event_payload") or {}).get("key") == key
        ):
            return str(message.get("ts"))
    return None
