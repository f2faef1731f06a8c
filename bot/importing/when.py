"""Dates inside running text, read with the project's own parser (``bot.core.dates``).

A thin adapter: ``parse_when`` reads a whole expression; minutes need every expression *inside*
a sentence ("Internat planeras till 1-2 februari 2024. Fokusområde …"), a weekday that does not
match reported instead of refused, and meeting references the command language does not have
yet ("till kommande sammanträde den 28 maj"). What here should move into ``bot.core.dates``:
``find_dates`` (as a general "dates inside a text" scanner) and the ``kommande sammanträde``
form of ``parse_due``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.core.dates import WEEKDAY_NAMES, DateError, When, parse_when

#: A date expression is looked for in at most this many words from where it starts.
WINDOW = 8

_WORD = re.compile(r"\S+")
_YEAR = re.compile(r"(?<!\d)(?:\d{4}|\d{6}|\d{8})(?!\d)")


def fold(text: str) -> str:
    """Lower case without diacritics (å→a, ä→a, ö→o, é→e): for comparing words."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_WEEKDAYS: dict[str, int] = {}
for _index, _name in enumerate(WEEKDAY_NAMES):
    _WEEKDAYS[fold(_name)] = _index
    _WEEKDAYS[fold(_name) + "en"] = _index


@dataclass(frozen=True)
class Found:
    """A date expression found in a text: what it means, where it stands, what was written."""

    when: When
    start: int
    end: int
    text: str
    weekday: int | None  # the weekday written before it ("fredagen den …"), if any
    year_written: bool


def find_dates(text: str, reference: date, *, future: bool = True) -> list[Found]:
    """Every date expression in ``text``, longest first at each place, left to right.

    Days without a year are placed by ``reference`` (the meeting's day): the next such day
    when ``future`` (a due date, a coming session), the last one otherwise.
    """
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    found: list[Found] = []
    i = 0
    while i < len(spans):
        word = text[spans[i][0] : spans[i][1]]
        if not _may_start(word, text, spans, i):
            i += 1
            continue
        hit = _longest(text, spans, i, reference, future)
        if hit is None:
            i += 1
            continue
        when, last = hit
        start, end = spans[i][0], spans[last][1]
        weekday, first = _weekday_before(text, spans, i)
        if weekday is not None:
            start = spans[first][0]
        written = text[start:end].rstrip(".,;:")
        found.append(Found(when, start, end, written, weekday, bool(_YEAR.search(text[start:end]))))
        i = last + 1
    return found


def _may_start(word: str, text: str, spans: list[tuple[int, int]], i: int) -> bool:
    bare = word.lstrip("(")
    if bare[:1].isdigit():
        return True
    if fold(bare) == "den" and i + 1 < len(spans):
        return text[spans[i + 1][0]].isdigit()
    return False


def _longest(
    text: str, spans: list[tuple[int, int]], i: int, reference: date, future: bool
) -> tuple[When, int] | None:
    for last in range(min(i + WINDOW, len(spans)) - 1, i - 1, -1):
        chunk = text[spans[i][0] : spans[last][1]]
        try:
            return parse_when(chunk, reference, future=future), last
        except DateError:
            continue
    return None


def _weekday_before(text: str, spans: list[tuple[int, int]], i: int) -> tuple[int | None, int]:
    """The weekday written just before word ``i`` ("fredagen den 1 …"), and where it stands."""
    j = i - 1
    if j >= 0 and fold(text[spans[j][0] : spans[j][1]]) == "den":
        j -= 1
    if j < 0:
        return None, i
    word = fold(text[spans[j][0] : spans[j][1]].strip(",.:;()"))
    weekday = _WEEKDAYS.get(word)
    return weekday, (j if weekday is not None else i)


__all__ = ["WINDOW", "Found", "find_dates", "fold"]
