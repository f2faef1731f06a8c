"""Sending a reply: to the asker or channel via response_url, DMs, and files. Slack's errors
(429, 5xx, timeouts) are retried by the clients' retry handlers; what still fails is logged and
told to the asker, never raised into Bolt."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.core import texts as core_texts
from bot.core.replies import Attachment, Message, Reply
from handlers.render import payload

log = logging.getLogger(__name__)


def retry_handlers() -> list[RetryHandler]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=2),
    ]


def respond(
    response_url: str | None,
    message: Message,
    *,
    public: bool = False,
    replace_original: bool = False,
    client: WebClient | None = None,
    channel_id: str | None = None,
    user_id: str | None = None,
) -> bool:
    """Answer through the response_url; without one, as an ephemeral message. True if sent."""
    body: dict[str, Any] = payload(message)
    try:
        if response_url:
            body["response_type"] = "in_channel" if public else "ephemeral"
            if replace_original:
                body["replace_original"] = True
            hook = WebhookClient(response_url, timeout=10, retry_handlers=retry_handlers())
            result = hook.send_dict(body)
            if result.status_code != 200:
                log.error("response_url answered %s: %s", result.status_code, result.body)
                return False
            return True
        if client is not None and channel_id and user_id:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **body)
            return True
    except (SlackClientError, OSError):
        log.exception("could not answer the user")
    return False


def answer_action(
    body: dict[str, Any], client: WebClient, message: Message, *, replace_original: bool = False
) -> None:
    """Answer a button press where it was pressed (its response_url), else ephemerally."""
    respond(
        body.get("response_url"),
        message,
        replace_original=replace_original,
        client=client,
        channel_id=(body.get("channel") or {}).get("id"),
        user_id=body["user"]["id"],
    )


def deliver(
    reply: Reply,
    *,
    client: WebClient,
    response_url: str | None,
    user_id: str,
    channel_id: str | None,
) -> None:
    respond(
        response_url,
        reply.message,
        public=reply.public,
        client=client,
        channel_id=channel_id,
        user_id=user_id,
    )
    failed: list[str] = []
    for recipient, message in reply.dms:
        if not send_dm(client, recipient, message):
            failed.append(recipient)
    for attachment in reply.files:
        target = None if reply.files_private else channel_id
        if not _upload(client, attachment, target, user_id):
            failed.append(attachment.filename)
    for recipient, attachment in reply.dm_files:
        if not _upload(client, attachment, None, recipient):
            failed.append(attachment.filename)
    if failed:
        note = core_texts.delivery_failed(failed)
        respond(response_url, Message(note), client=client, channel_id=channel_id, user_id=user_id)


def post(
    client: WebClient, channel_id: str, message: Message, files: list[Attachment], user_id: str
) -> bool:
    """A message and its files in a channel (the files to `user_id`'s DM if the bot is not in
    it). True if all arrived."""
    ok = send_dm(client, channel_id, message)
    for attachment in files:
        ok = _upload(client, attachment, channel_id, user_id) and ok
    return ok


def send_dm(client: WebClient, user_id: str, message: Message) -> bool:
    try:
        client.chat_postMessage(channel=user_id, **payload(message))
        return True
    except (SlackClientError, OSError):
        log.exception("DM to %s failed", user_id)
        return False


def _upload(client: WebClient, attachment: Any, channel_id: str | None, user_id: str) -> bool:
    """Upload into the channel; without one, or when the bot is not in it, into `user_id`'s
    DM."""
    for target in dict.fromkeys((channel_id, None)):
        try:
            if target is None:  # not a member of the channel: send it to the asker instead
                target = client.conversations_open(users=user_id)["channel"]["id"]
            client.files_upload_v2(
                channel=target,
                filename=attachment.filename,
                title=attachment.title,
                content=attachment.content,
            )
            return True
        except SlackApiError as error:
            if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
                log.exception("upload of %s failed", attachment.filename)
                return False
        except (SlackClientError, OSError):
            log.exception("upload of %s failed", attachment.filename)
            return False
    return False
