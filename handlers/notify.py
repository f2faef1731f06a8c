"""What the bot sends on its own, over Slack: each message is tagged with its ledger key
(message metadata), so after a crash, a 5xx or a time-out the bot can ask Slack whether it
arrived instead of sending it again (bot.core.ledger)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
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
from slack_sdk.web import SlackResponse

from bot.core import ledger
from bot.core.ledger import DeliveryError
from bot.core.replies import Attachment, Message
from handlers.render import payload
from storage.db import outside_write_transaction

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


class OutOfTime(SlackClientError):
    """A call not begun, or a Retry-After not waited out, because it could not end before the
    delivery claim it is made for runs out (bot.core.ledger.holding_claim): another process may
    take the claim over then. Whether the message is there stays open (uncertain): the ledger
    asks Slack after the lease, and sends only if it is not."""


class AskedToWait(SlackClientError):
    """Slack answered 429 with a Retry-After that does not fit in the delivery claim: the
    message is known not to be there, and is sent again after the claim's lease (never while
    this process may still be waiting)."""


def retry_after(headers: Any) -> float:
    """Slack's Retry-After in seconds (1 when it is missing or unreadable)."""
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError, IndexError):
                break
    return 1.0


def check_time(what: str, seconds: float) -> None:
    """Raise OutOfTime when the claim this thread holds ends in less than `seconds`."""
    left = ledger.time_left()
    if left is not None and left < seconds:
        raise OutOfTime(f"{what}: {max(left, 0):.1f} s left of the claim, {seconds:.1f} s needed")


class RateLimitWithinClaim(RateLimitErrorRetryHandler):
    """429 after Retry-After, but for a claim only while the wait and the next call fit in the
    claim's lease (slack_sdk sleeps Retry-After plus up to a second of jitter)."""

    def __init__(self, max_retry_count: int, timeout: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.timeout = timeout

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        try:
            check_time("Retry-After", retry_after(response.headers) + 1 + self.timeout)
        except OutOfTime as error:
            raise AskedToWait(str(error)) from None
        return True


def posting_retry_handlers(
    *, rate_limit_retries: int = 3, timeout: float = 10.0
) -> list[RetryHandler]:
    """429 after Retry-After, and connections refused before sending. Never a 5xx or a
    time-out: the message may be there; the ledger checks before it sends again."""
    return [
        RateLimitWithinClaim(rate_limit_retries, timeout),
        BeforeSendingRetryHandler(max_retry_count=2),
    ]


class SlackClient(WebClient):
    """The bot's Web API client. No call inside a write transaction (storage.db's guard: it
    raises in the tests, logs in production), and none begun for a delivery claim that it could
    not end, time-out included, before the claim runs out."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        outside_write_transaction(f"Slack {api_method}")
        check_time(api_method, self.timeout)
        return super().api_call(api_method, **kwargs)

    @classmethod
    def like(cls, client: WebClient) -> SlackClient:
        """One like `client` (the same token, address, time-out and retries)."""
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=list(client.retry_handlers or []),
        )


def metadata(key: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def uncertain(error: Exception) -> bool:
    """May the request have reached Slack? A 5xx, a time-out or a connection lost after
    sending: yes. An answer from Slack (ok: false, a 4xx) or a refused connection: no."""
    if isinstance(error, SlackApiError):
        return int(error.response.status_code or 0) >= 500
    return not isinstance(error, AskedToWait)


def delivery_error(error: Exception, what: str) -> DeliveryError:
    """A send that did not go through, as the ledger sees it. A 429 (a Retry-After that did not
    fit in the claim, or retries run out) is known not delivered and sent again after the lease
    by the safety tick: Slack asked the bot to wait, the message is not lost."""
    if isinstance(error, AskedToWait):
        return DeliveryError(f"{what}: 429, {error}", later=True)
    if isinstance(error, SlackApiError) and error.response.status_code == 429:
        return DeliveryError(f"{what}: 429, retries used up", later=True)
    reason = str(error)
    if isinstance(error, SlackApiError):
        reason = str(error.response.get("error") or error.response.status_code)
    return DeliveryError(f"{what}: {reason}", uncertain=uncertain(error))


class SlackNotifier:
    def __init__(self, client: WebClient) -> None:
        # Only what never reached Slack is retried by the client (429, a refused connection).
        # After a time-out or a 5xx the message may have arrived: the ledger asks with find().
        self.client = SlackClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            retry_handlers=posting_retry_handlers(rate_limit_retries=2, timeout=client.timeout),
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

    def attach(
        self, recipient: str, files: list[Attachment], after_ts: str, asker: str | None
    ) -> list[str]:
        """A settled post's files, after it (each only if its share is not there already);
        into `asker`'s DM if the bot is not in the channel. The names of those that failed.
        Raises DeliveryError when it is not known whether one arrived (a 5xx, a time-out) or
        Slack asked to wait: the post stays unresolved, and whoever settles it looks for the
        file's share before uploading it again (never "upload it yourself" for a file that
        may be there)."""
        return [
            f.filename
            for f in files
            if not upload(self.client, f, recipient, asker or "", after_ts=after_ts, settle=True)
        ]


# How far back a message is looked for: pages of the conversation's history, newest first. A
# check comes within a lease of the send, or after a restart; in a DM with the bot or an
# organ's channel a thousand messages is days. Beyond that it counts as not there.
FIND_PAGE = 200
FIND_PAGES = 5


def history(client: WebClient, channel: str, **args: Any) -> Iterator[dict[str, Any]]:
    """A conversation's messages, newest first, page by page (at most FIND_PAGES)."""
    cursor = None
    for _ in range(FIND_PAGES):
        page = client.conversations_history(channel=channel, limit=FIND_PAGE, cursor=cursor, **args)
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def find(client: WebClient, recipient: str, key: str) -> str | None:
    """The ts of the bot's message tagged `key` in `recipient`'s DM (or channel), if any.
    Raises DeliveryError (uncertain) when Slack cannot be asked now."""
    try:
        channel = recipient
        if recipient[:1] in ("U", "W"):
            channel = client.conversations_open(users=recipient)["channel"]["id"]
        for message in history(client, channel, include_all_metadata=True):
            data = message.get("metadata") or {}
            if (
                data.get("event_type") in EVENT_TYPES
                and (data.get("event_payload") or {}).get("key") == key
            ):
                return str(message.get("ts"))
    except (SlackClientError, OSError) as error:
        raise DeliveryError(f"could not check delivery: {error}", uncertain=True) from error
    return None


def file_shared(client: WebClient, channel: str, attachment: Any, after_ts: str) -> bool:
    """Whether a file by this name and title was shared in `channel` after the message
    `after_ts` (the message it belongs to): a file's share shows in the history as a message
    carrying it, as Slack shows it. Raises SlackClientError when Slack cannot be asked."""
    for message in history(client, channel, oldest=after_ts):
        if float(message.get("ts") or 0) <= float(after_ts):
            continue
        for shared in message.get("files") or []:
            if shared.get("name") == attachment.filename and (
                shared.get("title") in (None, "", attachment.title)
            ):
                return True
    return False


def upload(
    client: WebClient,
    attachment: Any,
    channel_id: str | None,
    user_id: str,
    *,
    after_ts: str | None = None,
    settle: bool = False,
) -> bool:
    """Upload into the channel; without one, or when the bot is not in it, into `user_id`'s
    DM. With `after_ts` (the message the file belongs to), not if its share is there already.
    With `settle`, a failure that may have reached Slack (or a 429) raises DeliveryError
    instead of counting as not uploaded. A person's id as the channel means their DM."""
    if channel_id is not None and channel_id[:1] in ("U", "W"):
        user_id, channel_id = channel_id, None
    targets: list[str | None] = list(dict.fromkeys((channel_id, None)))
    for target in targets:
        try:
            if target is None:  # not a member of the channel: send it to the asker instead
                target = client.conversations_open(users=user_id)["channel"]["id"]
            if after_ts is not None and file_shared(client, target, attachment, after_ts):
                return True
            client.files_upload_v2(
                channel=target,
                filename=attachment.filename,
                title=attachment.title,
                content=attachment.content,
            )
            return True
        except SlackApiError as error:
            if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
                if settle and (uncertain(error) or error.response.status_code == 429):
                    raise delivery_error(error, "files.upload") from error
                log.exception("upload of %s failed", attachment.filename)
                return False
        except (SlackClientError, OSError) as error:
            if settle:  # a time-out, a lost answer, no time left in the claim, a Retry-After
                raise delivery_error(error, "files.upload") from error
            log.exception("upload of %s failed", attachment.filename)
            return False
    return False
