"""What the bot answers, independent of Slack: handlers render it as Block Kit, the CLI as text."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core import texts as core_texts
from bot.core.markup import clip, esc_all


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
PAGE_SIZE = 40  # lines per page of a long list
ACTION_MORE = "visa_fler"  # a "Visa fler" button: its value is "<command>|<text as Slack sends>"


@dataclass(frozen=True)
class Page:
    """Which part of a long list to show: `number` from 1, `size` lines each."""

    number: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def last(self, total: int) -> int:
        return max(1, -(-total // self.size))


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Text in pieces of at most `limit` characters, cut between lines (a line longer than the
    limit between words): what would not fit in one section goes on in the next."""
    pieces: list[str] = []
    chunk = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than a section: cut it where a word ends
            head = clip(line, limit)[:-1].rstrip()
            if chunk:
                pieces.append(chunk)
                chunk = ""
            pieces.append(head + "…")
            line = "…" + line[len(head) :].lstrip()
        if chunk and len(chunk) + 1 + len(line) > limit:
            pieces.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk or not pieces:
        pieces.append(chunk)
    return pieces


def sections(text: str) -> list[Part]:
    """One or more sections holding all of `text`, never cut."""
    return [section(piece) for piece in split_text(text)]


def listing(
    title: str,
    lines: list[str],
    *,
    footer: str | None = None,
    public: bool = False,
) -> Reply:
    """A header and lines packed into as few sections as Slack's limits allow. Lines that do not
    fit in a message are not dropped silently: the message says how many are left out."""
    parts: list[Part] = [header(title)]
    chunk = ""
    shown = 0
    for line in lines:
        line = clip(line, SECTION_LIMIT)
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            if len(parts) >= MAX_SECTIONS:
                break
            parts.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
        shown += 1
    if chunk:
        parts.append(section(chunk))
    if shown < len(lines):
        parts.append(context(core_texts.left_out(len(lines) - shown)))
    if footer:
        parts.append(context(footer))
    return Reply(Message(title, parts), public=public)


def more_button(command: str, text: str, page: Page) -> Part:
    """ "Visa fler": the next page of the list `command text` (as Slack sends it, escaped)."""
    typed = f"{text} sida {page.number + 1}".strip()
    return buttons(Button(core_texts.SHOW_MORE, ACTION_MORE, f"{command}|{esc_all(typed)}"))


def page_end(shown: int, total: int, page: Page, command: str, text: str) -> list[Part]:
    """Under one page of a long list: which these are of how many, and the way to the next page
    (`… sida 2` typed, or the "Visa fler" button). Nothing when everything is shown."""
    if total <= shown and page.number == 1:
        return []
    typed = f"{command} {text}".strip()
    last = page.last(total)
    footer = core_texts.page_footer(
        page.offset + 1, page.offset + shown, total, typed, page.number, last
    )
    parts = [context(footer)]
    if page.number < last:
        parts.append(more_button(command, text, page))
    return parts


def paged(
    title: str,
    lines: list[str],
    *,
    total: int,
    page: Page,
    command: str,
    text: str,
    public: bool = False,
) -> Reply:
    """One page of a long list, with `page_end` under it."""
    reply = listing(title, lines, public=public)
    reply.message.parts += page_end(len(lines), total, page, command, text.strip())
    return reply
