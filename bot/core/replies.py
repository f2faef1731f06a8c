"""What the bot answers, independent of Slack: handlers render it as Block Kit, the CLI as text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: str | None = None  # "primary" or "danger"


@dataclass(frozen=True)
class Part:
    """One block: header, section (mrkdwn), context (small print), divider or buttons."""

    kind: str
    text: str = ""
    buttons: tuple[Button, ...] = ()


def header(text: str) -> Part:
    return Part("header", text)


def section(text: str) -> Part:
    return Part("section", text)


def context(text: str) -> Part:
    return Part("context", text)


def divider() -> Part:
    return Part("divider")


def buttons(*items: Button) -> Part:
    return Part("buttons", buttons=items)


@dataclass
class Message:
    fallback: str  # plain notification text (mrkdwn, escaped)
    parts: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    filename: str
    title: str
    content: bytes


@dataclass
class Reply:
    """The answer to a command: to the asker (or the channel), DMs to others, files to upload."""

    message: Message
    public: bool = False
    dms: list[tuple[str, Message]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    files_private: bool = False  # the files go to the asker's DM, not the channel asked in
    dm_files: list[tuple[str, Attachment]] = field(default_factory=list)  # a file in someone's DM
    # Calendar invitations to send after answering (a bot.calendar.invites.InviteBatch: the
    # core knows no feature, so the front door checks the type).
    invites: object | None = None
    refresh_home: list[str] = field(default_factory=list)  # users whose Home tab changed


def say(text: str, *, public: bool = False) -> Reply:
    return Reply(Message(text, [section(text)]), public=public)


SECTION_LIMIT = 2900  # Slack allows 3000 characters in a section's text
MAX_SECTIONS = 40  # a message holds 50 blocks


def listing(
    title: str, lines: list[str], *, footer: str | None = None, public: bool = False
) -> Reply:
    """A header and lines packed into as few sections as Slack's limits allow."""
    from bot.core.markup import clip

    parts: list[Part] = [header(title)]
    chunk = ""
    for line in lines:
        line = clip(line, SECTION_LIMIT)
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            parts.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
        if len(parts) > MAX_SECTIONS:
            break
    if chunk and len(parts) <= MAX_SECTIONS:
        parts.append(section(chunk))
    if footer:
        parts.append(context(footer))
    return Reply(Message(title, parts), public=public)
