"""The bot running for real: HTTP server on loopback port 0, Slack stand-in, signed requests."""

from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import commands
from bot.core import texts as core_texts
from bot.core.context import Ctx, Product, StaticDirectory
from bot.core.replies import Reply
from bot.core.workdays import is_working_day
from handlers.app import Bot, build_bot
from handlers.server import WebServer
from handlers.settings import Settings
from handlers.slack_standin import Call, LocalSlack
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
MakeCtx = Callable[..., Ctx]  # the `ctx` fixture: ctx(user="sara", channel="C0LG") → Ctx


def sara_in_lg(product: Product, *members: str) -> Ctx:
    """Sara in LG's channel with these members (Anna has an e-mail address): no Slack behind
    it."""
    directory = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()},
        members={"C0LG": list(members)},
        emails={"U0ANNA": "anna@example.se"},
    )
    return Ctx(product, "U0SARA", "C0LG", directory)


def set_up_workspace(slack: LocalSlack) -> None:
    """The tests' workspace in the stand-in: PEOPLE, each with an e-mail address (Sara a
    workspace admin too), and CHANNELS."""
    for name, user_id in PEOPLE.items():
        slack.add_user(user_id, name, email=f"{name}@example.se", is_admin=name == "sara")
    for channel_id, name in CHANNELS.items():
        slack.set_channel(channel_id, name)


def settings_for(
    product: Product,
    slack: LocalSlack,
    *,
    signing_secret: str | None = None,
    app_token: str | None = None,
) -> Settings:
    """The settings of a bot in this process that talks to `slack`: over HTTP, signed with
    `signing_secret`, or over Socket Mode with `app_token`."""
    return Settings(
        bot_token="xoxb-test",
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=slack.url,
        tz=product.tz,
        admins=product.admins,
    )


class Harness:
    def __init__(self, product: Product, slack: LocalSlack, **bot_options: Any) -> None:
        self.product = product
        self.slack = slack
        set_up_workspace(slack)
        settings = settings_for(product, slack, signing_secret=SECRET)
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

    def settle(self) -> None:
        """Wait until every request so far is answered and its work done. (The work is handed
        to the pool after the client has its answer: the server is asked first.)"""
        assert self.server.wait_idle(), "a request is still being answered"
        self.bot.drain()

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
        return replied(self.slack, key)

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
        return replied(self.slack, key)

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


def replied(slack: LocalSlack, key: str) -> dict[str, Any]:
    """The reply posted to the response_url with `key` (waiting for it)."""
    calls = slack.wait_for(lambda cs: any(c.method == "response_url" and c.key == key for c in cs))
    return next(c.args for c in calls if c.method == "response_url" and c.key == key)


def text_of(payload: dict[str, Any]) -> str:
    """Everything a person would read in a message or view: fallback text and all block texts."""
    parts = [payload.get("text") or ""]
    for block in blocks_of(payload):
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


def run(ctx: Ctx, command: str, text: str) -> str:
    """A command through the command language (no Slack): everything the user reads. A crash
    behind the generic apology fails the test."""
    answer = said(commands.run(ctx, command, text))
    assert core_texts.GENERIC_ERROR not in answer, answer
    return answer


# ---------------------------------------------------------------------- what Slack shows
def blocks_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a message or view as Slack got them (a message may send them as JSON)."""
    blocks = payload.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def headers(payload: dict[str, Any]) -> list[str]:
    """The texts of the header blocks, in order."""
    return [b["text"]["text"] for b in blocks_of(payload) if b["type"] == "header"]


def sections(payload: dict[str, Any]) -> list[str]:
    """The mrkdwn texts of the section blocks, in order."""
    return [b["text"]["text"] for b in blocks_of(payload) if b["type"] == "section" and "text" in b]


def buttons(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button in the actions blocks, in order."""
    return [
        (e["text"]["text"], e["action_id"], e.get("value", ""))
        for b in blocks_of(payload)
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


# ---------------------------------------------------------------------- negative assertions
NEVER_WITHIN = 0.5  # seconds; a command's whole round trip takes a few hundredths here


def never(
    slack: LocalSlack, fault: Callable[[list[Call]], bool], *, within: float = NEVER_WITHIN
) -> None:
    """Assert that what the stand-in records does not come to show `fault`: waits on that very
    event, failing as soon as it shows, for `within` seconds. Call it after a witness: a valid
    request sent after the one that must have no effect, whose own effect has been waited for.
    The work after each ack runs in a pool in arrival order, so by then the work of a wrongly
    accepted request has been taken up; `within` gives it time to show on another thread."""
    try:
        slack.wait_for(fault, timeout=within)
    except AssertionError:
        return
    raise AssertionError("this should never have reached Slack:\n" + slack.summary())


def within_block_kit_limits(payload: dict[str, Any]) -> None:
    """What Slack would accept: at most 50 blocks, each valid by slack_sdk's own checks."""
    blocks = blocks_of(payload)
    assert len(blocks) <= 50, len(blocks)
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # raises SlackObjectFormationError past a limit


def as_slack_sends(typed: str) -> str:
    """A command's text as Slack sends it when someone types `typed` and picks @Anna and #au
    from the lists: &, < and > escaped (the manifest asks for should_escape), the people and
    channels the stand-in knows as <@U0ANNA|anna> and <#C0AU|au>."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    ids = {name: channel_id for channel_id, name in CHANNELS.items()}

    def person(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return f"<@{PEOPLE[name]}|{name}>" if name in PEOPLE else match.group(0)

    def channel(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<#{ids[name]}|{name}>" if name in ids else match.group(0)

    return re.sub(r"#([\w-]+)", channel, re.sub(r"@(\w+)", person, text))


# ---------------------------------------------------------------------- Block Kit limits
MESSAGE_CALLS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")
VIEW_CALLS = ("views.publish", "views.open", "views.update", "views.push")
LIMITS = {"message blocks": 50, "view blocks": 100, "section text": 3000, "button text": 75}


def block_kit_faults(call: Call) -> list[str]:
    """What Slack would refuse in one recorded call: past the limits on blocks per message
    (50) or view (100), section text (3,000) or button text (75), or a block or view that
    slack_sdk's own validation rejects."""
    if call.method in MESSAGE_CALLS:
        found, limit = blocks_of(call.args), LIMITS["message blocks"]
    elif call.method in VIEW_CALLS:
        view = call.args.get("view") or {}
        view = json.loads(view) if isinstance(view, str) else view
        try:
            View(**view).validate_json()
        except (SlackObjectFormationError, TypeError, ValueError) as error:
            return [f"{call.method}: view: {error}"]
        found, limit = list(view.get("blocks") or []), LIMITS["view blocks"]
    else:
        return []
    faults = [f"{call.method}: {len(found)} blocks"] if len(found) > limit else []
    for block in found:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                raise ValueError("not a block")
            parsed.validate_json()
        except (SlackObjectFormationError, ValueError) as error:
            faults.append(f"{call.method}: {block.get('type')}: {error}")
        text = (block.get("text") or {}).get("text", "") if block.get("type") == "section" else ""
        if len(text) > LIMITS["section text"]:
            faults.append(f"{call.method}: a section of {len(text)} characters")
        for element in block.get("elements") or []:
            label = (element.get("text") or {}) if element.get("type") == "button" else {}
            if len(label.get("text", "")) > LIMITS["button text"]:
                faults.append(f"{call.method}: a button text of {len(label['text'])} characters")
    return faults


def a_working_day(day: date) -> date:
    """`day`, or the first working day after it: tests that plan meetings on the real date
    must not land on a weekend or holiday, which the bot asks about before storing."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
