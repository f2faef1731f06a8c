"""Making user text safe: cleaned on the way in, escaped on the way out to Slack mrkdwn."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates can make text display as something it is not.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Half a UTF-16 pair: JSON can carry one ("\ud800"), no database can store it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Slack's ids (U…, C…, T…) are short; the tables hold 32 characters. A longer one in a request
# is turned away with a Swedish answer before anything is stored (see too_long_ids).
MAX_ID = 32
_LONG_ID = re.compile(rf"<[@#]([A-Za-z0-9]{{{MAX_ID + 1},}})")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")


def clean(text: str) -> str:
    """Normalise typed text: NFC, no control characters (tabs and newlines stay), no bidi tricks,
    no lone surrogates (each becomes U+FFFD, as a broken character is shown)."""
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text)).translate(_BIDI)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


# What stays real when user text is shown: people, channels and links. Everything else in
# angle brackets (broadcasts <!channel> <!here> <!everyone>, user groups <!subteam^…>, dates
# <!date…>, anything unknown) is shown as the characters typed.
_KEPT = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|(?:https?://|mailto:)[^<>|\s]+)(?:\|[^<>|]*)?>"
)
_LINK = re.compile(r"<((?:https?://|mailto:)[^<>|\s]+)\|([^<>|]*)>")
# A link text that names another address ("<https://evil.example|https://bank.se>",
# "<https://evil.example|bank.se>"): the link is shown as its own address instead.
_LOOKS_LIKE_ADDRESS = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*://|mailto:|www\.|[\w-]+\.[a-z]{2,}\b|@)"
)
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}


def _amp(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _kept(token: str) -> str:
    link = _LINK.fullmatch(token)
    if link and _LOOKS_LIKE_ADDRESS.search(link.group(2)):
        token = f"<{link.group(1)}>"  # a disguised link: show where it really goes
    return "<" + token[1:-1].replace("&", "&amp;") + ">"


def esc(text: str) -> str:
    """User text as mrkdwn: @-mentions of people, #channels and links stay real; broadcasts and
    special mentions (<!channel>, <!here>, <!subteam^…>, <!date…>) and every other <, > and &
    show as typed, so nothing can ping everyone, hide where a link goes or break layout."""
    out: list[str] = []
    at = 0
    for match in _KEPT.finditer(text):
        out += [_amp(text[at : match.start()]), _kept(match.group(0))]
        at = match.end()
    out.append(_amp(text[at:]))
    return "".join(out)


def esc_all(text: str) -> str:
    """Everything as typed, mentions and links too (for text that must not link at all)."""
    return _amp(text)


def unesc(text: str) -> str:
    """Slack sends &, < and > in command text escaped (&amp; &lt; &gt;): undone once, in one
    pass, where the text comes in (`bot.commands.run`), so "&amp;lt;" becomes "&lt;"."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending with an ellipsis when cut: never inside an
    escape (&amp;) or a mention or link (<@U…|name>, <https://…|text>), and at a word's end
    when there is one in the last fifth."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opened = cut.rfind("<")
    if opened != -1 and ">" not in cut[opened:]:
        cut = cut[:opened]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > len(cut) * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + "…"


def too_long_ids(text: str) -> list[str]:
    """The ids in mentions (<@U…>) and channel links (<#C…>) too long to be Slack's."""
    return _LONG_ID.findall(text)


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def user_ids(text: str) -> list[str]:
    return _MENTION.findall(text)


def parse_mention(token: str) -> str | None:
    match = _MENTION.fullmatch(token)
    return match.group(1) if match else None


def parse_channel(token: str) -> str | None:
    match = _CHANNEL.fullmatch(token)
    return match.group(1) if match else None
