"""Markdown: the minutes and extracts as plain text anyone can read, diff and archive."""

from __future__ import annotations

from bot.cycle.model import Block


def _md(text: str, *, line_starts: bool = True) -> str:
    """User text made Markdown-safe: no HTML, headings, links or emphasis by accident."""
    out = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]#|":
        out = out.replace(ch, "\\" + ch)
    lines = out.split("\n")
    # a line starting with "- ", "+ ", "1. " or ">" would become a list or a quote
    if line_starts:
        lines = [_line_start(line) for line in lines]
    return "  \n".join(lines)


def _line_start(line: str) -> str:
    if line[:1] in "-+>":
        return "\\" + line
    if _numbered(line):
        head, rest = line.split(".", 1)
        return head + "\\." + rest
    return line


def _numbered(line: str) -> bool:
    head = line.split(".", 1)[0]
    return head.isdigit() and line[len(head) : len(head) + 2] == ". "


def write(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        text = _md(block.text, line_starts=block.kind not in ("heading", "title"))
        if block.kind == "title":
            out += [f"# {text}", ""]
        elif block.kind == "subtitle":
            out += [f"**{text}**", ""]
        elif block.kind == "heading":
            out += [f"## {text}", ""]
        elif block.kind == "bullet":
            if out and out[-1] == "" and len(out) > 1 and out[-2].startswith("- "):
                out.pop()
            out += [f"- {text}", ""]
        elif block.kind == "small":
            out += [f"*{text}*", ""]
        elif block.kind == "gap":
            out += ["---", ""]
        else:
            lead = f"**{_md(block.label)}** " if block.label else ""
            out += [lead + text, ""]
    return "\n".join(out).rstrip("\n") + "\n"
