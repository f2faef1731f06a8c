"""Block Kit from the bot's neutral replies, built with slack_sdk.models so limits are checked."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.markup import clip
from bot.core.replies import Message, Part

FALLBACK_LIMIT = 3000


def block(part: Part) -> Block:
    if part.kind == "header":
        return HeaderBlock(text=PlainTextObject(text=clip(part.text, 150), emoji=True))
    if part.kind == "context":
        return ContextBlock(elements=[MarkdownTextObject(text=clip(part.text, 2900))])
    if part.kind == "divider":
        return DividerBlock()
    if part.kind == "buttons":
        return ActionsBlock(
            elements=[
                ButtonElement(
                    text=clip(b.label, 75),
                    action_id=b.action_id,
                    value=b.value[:2000],
                    style=b.style,
                )
                for b in part.buttons
            ]
        )
    return SectionBlock(text=MarkdownTextObject(text=clip(part.text, 3000)))


def blocks(message: Message) -> list[dict[str, Any]]:
    """Validated block dicts (to_dict raises on anything over Slack's limits)."""
    return [block(p).to_dict() for p in message.parts[:50]]


def payload(message: Message) -> dict[str, Any]:
    return {"text": clip(message.fallback, FALLBACK_LIMIT), "blocks": blocks(message)}
