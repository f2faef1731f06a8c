"""The minutes and extracts as a Slack message: mrkdwn lines (user text escaped), packed into
sections by the caller."""

from __future__ import annotations

from bot.core.markup import esc
from bot.cycle.model import Block


def write(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        text = esc(block.text)
        if block.kind in ("title", "subtitle", "heading"):
            lines.append(f"*{text}*")
        elif block.kind == "bullet":
            lines.append(f"• {text}")
        elif block.kind == "small":
            lines.append(f"_{text}_")
        elif block.kind == "gap":
            lines.append(" ")
        else:
            lines.append(f"*{esc(block.label)}* {text}" if block.label else text)
    return lines
