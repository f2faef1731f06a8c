"""Small parsing helpers shared by the commands."""

from __future__ import annotations

import re

from bot.core import search
from bot.core import texts as core_texts
from bot.core.errors import UserError
from bot.core.markup import parse_mention
from bot.core.replies import PAGE_SIZE, Page

HELP = {"hjälp", "help", "?", "hjalp"}
_YEAR = re.compile(r"^(19|20)\d\d$")
SEARCH_WORD = 100  # characters of one search word a button carries on
_PAGE = re.compile(r"(?:^|\s+)sida\s+(\d{1,5})\s*$", re.IGNORECASE)


def split_page(text: str, size: int = PAGE_SIZE) -> tuple[str, Page]:
    """`… sida 3` at the end of a list command: the text without it, and the page (1 if none)."""
    match = _PAGE.search(text)
    if match is None:
        return text.strip(), Page(1, size)
    return text[: match.start()].strip(), Page(max(1, int(match.group(1))), size)


def search_words(query: str) -> str:
    """A search as a "Visa fler" button carries it to the next page: the words that count
    (`bot.core.search` looks at the first few stems), so a long query still fits a button.
    A word longer than any in the log is cut: it finds nothing either way."""
    return " ".join(w[:SEARCH_WORD] for w in search.words_that_count(query))


def split_first(text: str) -> tuple[str, str]:
    """The first word (lower-case) and the rest."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), (parts[1] if len(parts) > 1 else "")


def year_or_none(word: str) -> int | None:
    return int(word) if _YEAR.match(word) else None


def scope(rest: str) -> tuple[str | None, int | None]:
    """`[organ] [år]` in either order."""
    organ: str | None = None
    year: int | None = None
    for word in rest.split():
        if year is None and year_or_none(word):
            year = year_or_none(word)
        elif organ is None:
            organ = word
        else:
            raise UserError(core_texts.scope_not_understood(word))
    return organ, year


def owner_token(token: str) -> str | None:
    """A user id from a Slack mention; an unescaped `@name` is an unknown person."""
    user = parse_mention(token)
    if user is None and token.startswith("@") and len(token) > 1:
        raise UserError(core_texts.plain_at(token))
    return user
