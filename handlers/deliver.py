"""Sending a reply: to the asker or channel via response_url, DMs, and files.

Nothing that posts is retried blindly: the clients retry a 429 (after Retry-After) and a
connection that was refused before the request went out, nothing else. DMs go through the
delivery ledger (bot.core.ledger): claimed, tagged with their key, checked after a 5xx or a
time-out before they are sent again. The asker is always answered, truthfully: when the
response_url fails, as an ephemeral message, else as a DM; "okänt, kontrolleras" when it is not
known whether a DM arrived, with a follow-up once the safety tick has found out."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.core import ledger
from bot.core import texts as core_texts
from bot.core.context import Product
from bot.core.replies import Attachment, Message, Reply, section
from handlers.notify import SlackNotifier, posting_retry_handlers, refused, upload
from handlers.render import payload
from storage.db import outside_write_transaction

log = logging.getLogger(__name__)


def retry_handlers(timeout: float = 10.0) -> list[RetryHandler]:
    """The bot's client posts too: the same handlers."""
    return posting_retry_handlers(timeout=timeout)


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
    """Answer through the response_url; when it fails or there is none, ephemerally in the
    channel, else in a DM to the asker. True if the answer went out."""
    body: dict[str, Any] = payload(message)
    maybe_there = False  # Slack may have shown it: a 5xx or a time-out
    if response_url:
        outside_write_transaction("response_url")
        hook_body = dict(body)
        hook_body["response_type"] = "in_channel" if public else "ephemeral"
        if replace_original:
            hook_body["replace_original"] = True
        try:
            hook = WebhookClient(
                response_url,
                timeout=int(client.timeout) if client is not None else 10,
                retry_handlers=posting_retry_handlers(),
            )
            result = hook.send_dict(hook_body)
            if result.status_code == 200:
                return True
            log.error("response_url answered %s: %s", result.status_code, result.body)
            maybe_there = result.status_code >= 500
        except (SlackClientError, OSError) as error:
            log.warning("response_url failed; answering another way", exc_info=True)
            maybe_there = not refused(error)
    if client is None or not user_id:
        return False
    if maybe_there:
        # What a response_url showed cannot be looked up: rather twice than never, and the
        # second time it says so.
        note = core_texts.ANSWER_MAYBE_REPEATED
        message = Message(f"{note}\n{message.fallback}", [section(note), *message.parts])
        body = payload(message)
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **body)
            return True
        except (SlackClientError, OSError):
            log.warning("ephemeral answer to %s failed; sending a DM", user_id, exc_info=True)
    return send_dm(client, user_id, message)


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
    product: Product,
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
    unknown: list[str] = []
    later: list[str] = []
    if reply.dms:
        outcome = send_dms(product, client, reply.dms, user_id)
        failed += outcome.failed
        unknown += outcome.unknown
        later += outcome.later
    for attachment in reply.files:
        target = None if reply.files_private else channel_id
        if not upload(client, attachment, target, user_id):
            failed.append(attachment.filename)
    for recipient, attachment in reply.dm_files:
        if not upload(client, attachment, None, recipient):
            failed.append(attachment.filename)
    if failed:
        note = core_texts.delivery_failed(failed)
        respond(response_url, Message(note), client=client, channel_id=channel_id, user_id=user_id)
    if unknown:
        note = core_texts.delivery_unknown(unknown)
        respond(response_url, Message(note), client=client, channel_id=channel_id, user_id=user_id)
    if later:
        note = core_texts.delivery_later(later)
        respond(response_url, Message(note), client=client, channel_id=channel_id, user_id=user_id)


def send_dms(
    product: Product, client: WebClient, dms: list[tuple[str, Message]], asker: str | None
) -> ledger.Outcome:
    """DMs the bot sends on someone's behalf, through the delivery ledger: claimed, tagged with
    their key, checked after a 5xx or a time-out before they are sent again; what a crash cut
    short is finished by the safety tick, and `asker` hears how an unresolved one ended."""
    if not dms:
        return ledger.Outcome()
    batch = uuid.uuid4().hex
    items = [(f"dm:{batch}:{n}:{to}", to, message) for n, (to, message) in enumerate(dms)]
    ids = ledger.enqueue(product, "dm", items, asker)
    return ledger.send(product, SlackNotifier(client), ids)


def send_dms_telling(
    product: Product, client: WebClient, dms: list[tuple[str, Message]], asker: str
) -> None:
    """send_dms, and the asker told in a DM of what did not arrive or is being checked."""
    outcome = send_dms(product, client, dms, asker)
    if outcome.failed:
        send_dm(client, asker, Message(core_texts.delivery_failed(outcome.failed)))
    if outcome.unknown:
        send_dm(client, asker, Message(core_texts.delivery_unknown(outcome.unknown)))
    if outcome.later:
        send_dm(client, asker, Message(core_texts.delivery_later(outcome.later)))


def post(
    product: Product,
    client: WebClient,
    channel_id: str,
    message: Message,
    files: list[Attachment],
    user_id: str,
    *,
    key: str,
) -> bool:
    """A message the bot posts in a channel on its own (the justerade minutes, an item taken on
    the agenda, a form's answer), through the delivery ledger under `key`: claimed, tagged,
    checked after a 5xx or a time-out, finished by the safety tick after a crash. Its files
    are kept with it and follow it under the same claim (into `user_id`'s DM if the bot is not
    in the channel), each uploaded only if its share is not in the channel after the message
    already; it is marked sent once they are there, so a crash in between is finished by the
    safety tick like any unresolved message.

    `user_id` (who pressed or asked) is told the truth of anything but a plain success: the
    message and its files come to them when the channel is known not to have got it, a note
    when it is being checked or Slack asked to wait (a besked follows), and the names of files
    that did not go. False only when the message is known not to have arrived."""
    ids = ledger.enqueue(product, "kanal", [(key, channel_id, message)], user_id, files=files)
    outcome = ledger.send(product, SlackNotifier(client), ids, asker=user_id)

    def tell(text: str) -> None:
        respond(None, Message(text), client=client, channel_id=channel_id, user_id=user_id)

    if outcome.failed:
        log.error("post %s to %s failed", key, channel_id)
        note = core_texts.post_failed(channel_id, bool(files))
        respond(
            None,
            Message(f"{note}\n{message.fallback}", [section(note), *message.parts]),
            client=client,
            user_id=user_id,
        )
        for attachment in files:
            upload(client, attachment, None, user_id)
        return False
    if outcome.unknown or outcome.later:
        log.warning("post %s to %s: unresolved, settled later with its files", key, channel_id)
        tell(
            core_texts.delivery_unknown([channel_id])
            if outcome.unknown
            else core_texts.delivery_later([channel_id])
        )
        return True
    if outcome.missing:  # the message is there; these files could not follow it
        tell(core_texts.delivery_settled(channel_id, True, outcome.missing))
    return True


def post_or_answer(
    product: Product,
    client: WebClient,
    channel_id: str,
    message: Message,
    user_id: str,
    *,
    kind: str,
) -> None:
    """A form's answer in the channel it was opened from, through the ledger under a key of
    its own (`kind:` and a fresh id); when it is known not to have arrived there, to the asker
    (ephemeral, else DM), with a line saying so."""
    post(product, client, channel_id, message, [], user_id, key=f"{kind}:{uuid.uuid4().hex}")


def send_dm(client: WebClient, user_id: str, message: Message) -> bool:
    try:
        client.chat_postMessage(channel=user_id, **payload(message))
        return True
    except (SlackClientError, OSError):
        log.exception("DM to %s failed", user_id)
        return False
