"""Block Kit from the bot's neutral replies, built with slack_sdk.models so limits are checked."""

from __future__ import annotations

import logging
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
from bot.core.replies import Message, Part, split_text

log = logging.getLogger(__name__)
FALLBACK_LIMIT = 3000
SECTION_TEXT = 3000  # Slack's limit on a section's text
MESSAGE_BLOCKS = 50  # a message's blocks; a view holds 100


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
    return SectionBlock(text=MarkdownTextObject(text=clip(part.text, SECTION_TEXT)))


def blocks(message: Message, *, limit: int = MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Validated block dicts (to_dict raises on anything over Slack's limits). A section longer
    than Slack allows goes on in the next section, never cut."""
    out: list[dict[str, Any]] = []
    for part in message.parts:
        pieces = split_text(part.text, SECTION_TEXT) if part.kind == "section" else [part.text]
        out += [block(Part(part.kind, piece, part.buttons)).to_dict() for piece in pieces]
    if len(out) > limit:
        log.warning("a message of %d blocks was cut to %d", len(out), limit)
    return out[:limit]


def payload(message: Message) -> dict[str, Any]:
    return {"text": clip(message.fallback, FALLBACK_LIMIT), "blocks": blocks(message)}
