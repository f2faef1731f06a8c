"""Calendar over Slack: invitations as DMs with RSVP buttons and the .ics uploaded into the DM,
the RSVP buttons, the "Bjud in" button on a meeting message, and channel membership events
(which keep the feeds' membership snapshot current)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import commands
from bot.calendar import feeds, invites
from bot.calendar import texts as calendar_texts
from bot.calendar.invites import DeliveryError, InviteBatch
from bot.core import ledger
from bot.core.errors import UserError
from bot.core.replies import Attachment, Message, section
from handlers.common import Deps, ack_then
from handlers.deliver import answer_action, respond, send_dm
from handlers.directory import SlackDirectory
from handlers.notify import (
    SlackNotifier,
    check_time,
    delivery_error,
    file_shared,
    find,
    metadata,
    retry_after,
    uncertain,
)
from handlers.render import payload

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long one batch may wait out Slack's rate limits (429 + Retry-After) in all, on top of
# the client's own RateLimitErrorRetryHandler.
MAX_RATE_WAIT = 600.0


class SlackPostman:
    """Sends one invitee their DM (with buttons) and uploads the .ics into that DM: one
    chat.postMessage and one files_upload_v2 (getUploadURLExternal, the upload,
    completeUploadExternal) an invitee."""

    def __init__(
        self,
        client: WebClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = MAX_RATE_WAIT,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._max_wait = max_wait
        self.waited = 0.0
        self.rate_limited = 0

    def send(
        self, user_id: str, message: Message, attachment: Attachment, key: str, *, doubt: bool
    ) -> str:
        """The DM tagged with `key`, at most once (bot.core.ledger.send_once: asked first with
        `doubt`, and after a 5xx or a time-out before sending again), then the file. Returns
        the DM's ts."""
        channels: list[str] = []

        class Once:
            def send(inner, recipient: str, msg: Message, tag: str) -> str:
                try:
                    posted = self._call(
                        lambda: self.client.chat_postMessage(
                            channel=recipient, metadata=metadata(tag), **payload(msg)
                        )
                    )
                except (SlackClientError, OSError) as error:
                    raise delivery_error(error, "chat.postMessage") from error
                channels.append(str(posted.get("channel") or ""))
                return str(posted.get("ts") or "")

            def find(inner, recipient: str, tag: str) -> str | None:
                return find(self.client, recipient, tag)

        try:
            ts = ledger.send_once(Once(), user_id, message, key, doubt=doubt)
        except ledger.DeliveryError as error:
            log.warning("invite DM to %s: %s", user_id, error.reason)
            if error.uncertain or error.later:  # Slack asked to wait: again after the lease
                raise DeliveryError(calendar_texts.INVITE_UNKNOWN, uncertain=True) from None
            reason = error.reason.partition(": ")[2] or error.reason
            raise DeliveryError(calendar_texts.invite_slack_error(reason)) from None
        try:
            # Posting to a user id posts in the bot's DM with them, and the answer names that
            # DM's channel: the file goes there without a conversations.open. (Found in the
            # history instead: the DM is opened to learn it.)
            channel = channels[-1] if channels and channels[-1] else None
            if channel is None:
                channel = str(self.client.conversations_open(users=user_id)["channel"]["id"])
                # The DM arrived before a crash, a 5xx or a time-out: its file may have too.
                if self._call(lambda: file_shared(self.client, channel, attachment, ts)):
                    return ts
            self._call(
                lambda: self.client.files_upload_v2(
                    channel=channel,
                    filename=attachment.filename,
                    title=attachment.title,
                    content=attachment.content,
                )
            )
            return ts
        except (SlackClientError, OSError) as error:
            if uncertain(error):  # a 5xx, a time-out, no time left in the claim: look later
                log.warning("upload of the invitation for %s: %s; checked later", user_id, error)
                raise DeliveryError(calendar_texts.INVITE_FILE_UNKNOWN, uncertain=True) from None
            log.exception("upload of the invitation for %s failed", user_id)
            raise DeliveryError(calendar_texts.INVITE_FILE_FAILED, delivered=True) from None
        except (KeyError, TypeError):
            log.exception("upload of the invitation for %s failed", user_id)
            raise DeliveryError(calendar_texts.INVITE_FILE_FAILED, delivered=True) from None

    def _call(self, call: Callable[[], T]) -> T:
        """Retry a Web API call on 429 after Retry-After, until the batch's budget is spent."""
        while True:
            try:
                return call()
            except SlackApiError as error:
                if error.response.status_code != 429:
                    raise
                self.rate_limited += 1
                wait = retry_after(error.response.headers)
                if self.waited + wait > self._max_wait:
                    raise
                # only while the wait and the next call fit in this invitee's claim
                check_time("Retry-After", wait + self.client.timeout)
                self.waited += wait
                self._sleep(wait)


def queue_invites(
    deps: Deps,
    batch: InviteBatch,
    *,
    client: WebClient,
    response_url: str | None,
    user_id: str,
    channel_id: str | None,
) -> None:
    """Send a batch in the invitations' own lane (see Deps.invites)."""

    def send() -> None:
        try:
            send_invites(
                deps,
                batch,
                client=client,
                response_url=response_url,
                user_id=user_id,
                channel_id=channel_id,
            )
        except Exception:
            log.exception("invite batch for %s failed", batch.ref)

    deps.invites.submit(send)


def send_invites(
    deps: Deps,
    batch: InviteBatch,
    *,
    client: WebClient,
    response_url: str | None,
    user_id: str,
    channel_id: str | None,
) -> invites.Report:
    """Deliver a planned batch, then tell the sender what came of it."""
    report = invites.deliver(deps.product, batch, SlackPostman(client))
    message = invites.report_message(report)
    told = respond(response_url, message, client=client, channel_id=channel_id, user_id=user_id)
    if not told:
        send_dm(client, user_id, message)
    return report


def resume_invites(deps: Deps, client: WebClient) -> None:
    """The safety tick: invitation batches a crash cut short are finished; whoever invited is
    told what came of it in a DM (through the delivery ledger: once)."""
    for report in invites.resume(deps.product, SlackPostman(client), deps.directory.display_name):
        message = invites.report_message(report)
        batch = report.batch
        stamp = f"{deps.product.now():%Y%m%dT%H%M%S%f}"
        key = f"inbjudan-besked:{batch.meeting_id}:{batch.sequence}:{stamp}"
        if batch.sender:
            ids = ledger.enqueue(deps.product, "besked", [(key, batch.sender, message)], None)
            ledger.send(deps.product, SlackNotifier(client), ids)


def register(app: App, deps: Deps) -> None:
    for rsvp, action_id in invites.ACTION_RSVP.items():
        app.action(action_id)(ack_then(deps, _rsvp_listener(deps, rsvp)))

    def invite_button(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id")
        response_url = body.get("response_url")
        reply = commands.run(deps.ctx(user_id, channel_id), "/mote", f"bjud in {action['value']}")
        respond(response_url, reply.message, client=client, channel_id=channel_id, user_id=user_id)
        if isinstance(reply.invites, InviteBatch):
            queue_invites(
                deps,
                reply.invites,
                client=client,
                response_url=response_url,
                user_id=user_id,
                channel_id=channel_id,
            )

    # Inviting a whole organ takes a while: acked at once, sent from the pool.
    app.action(invites.ACTION_INVITE)(ack_then(deps, invite_button))

    @app.event("member_joined_channel")
    def joined(event: dict[str, Any]) -> None:
        if event.get("channel") and event.get("user"):
            feeds.member_joined(deps.product, str(event["channel"]), str(event["user"]))

    def user_changed(body: dict[str, Any], client: WebClient) -> None:
        """Sent for every profile change in the workspace (a status emoji too): the directory
        learns the person; the database is written only when something it keeps changed."""
        user = (body.get("event") or {}).get("user") or {}
        if not user.get("id"):
            return
        if isinstance(deps.directory, SlackDirectory):
            deps.directory.learn(user)
        user_id = str(user["id"])
        if user.get("deleted"):
            feeds.user_deactivated(deps.product, user_id)
        else:
            email = str((user.get("profile") or {}).get("email") or "").strip() or None
            invites.email_changed(deps.product, user_id, email)

    # Acked at once; done where the commands' work runs (the directory there learns the person).
    app.event("user_change")(ack_then(deps, user_changed))

    @app.event("member_left_channel")
    def left(event: dict[str, Any]) -> None:
        if event.get("channel") and event.get("user"):
            feeds.member_left(deps.product, str(event["channel"]), str(event["user"]))


def _rsvp_listener(deps: Deps, rsvp: str) -> Callable[..., None]:
    def handle(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        ctx = deps.ctx(body["user"]["id"], (body.get("channel") or {}).get("id"))
        try:
            message = invites.answer_message(ctx, action["value"], rsvp)
        except UserError as error:
            answer_action(body, client, Message(error.message, [section(error.message)]))
            return
        answer_action(body, client, message, replace_original=True)

    handle.__name__ = f"rsvp_{rsvp}"
    return handle
