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


def esc(text: str) -> str:
    """Escape user text for mrkdwn: it can never ping (<!channel>), link or break layout."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unesc(text: str) -> str:
    """Slack sends &, < and > in command text escaped; turn them back before storing."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # never cut an escape like &amp; in half
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
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
