"""Swedish-aware full-text search: the same Snowball stems on SQLite (FTS5) and PostgreSQL.

PostgreSQL's own `swedish` configuration uses the Snowball Swedish stemmer too; stemming here,
in one place, makes both databases find exactly the same decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("swedish")
MAX_QUERY_TERMS = 8
T = TypeVar("T")


@dataclass
class Hits(Generic[T]):
    """One page of what a search found, and how many it found in all: exact up to `counted`;
    `counted` + 1 means more than that, of which the newest `counted` can be paged through."""

    rows: list[T]
    total: int
    counted: int

    @property
    def more_than_counted(self) -> bool:
        return self.total > self.counted

    @property
    def pageable(self) -> int:
        return min(self.total, self.counted)


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w.replace("_", "")]


def terms(*texts: str | None) -> str:
    """What is indexed: every word's stem, and the word itself when it differs."""
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for word in words(text or ""):
            for term in (stem(word), word):
                if term not in seen:
                    seen.add(term)
                    out.append(term)
    return " ".join(out)


def query_terms(query: str) -> list[str]:
    """The stems a query looks for (each as a prefix), at most MAX_QUERY_TERMS."""
    result: list[str] = []
    for word in words(query):
        term = stem(word)
        if term not in result:
            result.append(term)
    return result[:MAX_QUERY_TERMS]


def begins_words(text: str, stems: list[str]) -> bool:
    """Whether, for every stem, a word of `text` begins with it: what a prefix search of the
    indexed `terms(text)` finds (a Swedish stem is the word with its ending cut off, so a term
    begins with a stem exactly when its word does), without stemming the text."""
    folded = text.casefold()
    return all(re.search(r"(?<!\w)" + re.escape(s), folded) for s in stems)


def words_that_count(query: str) -> list[str]:
    """The words of a query that give `query_terms` its stems: the same search, shorter."""
    kept: list[str] = []
    seen: list[str] = []
    for word in words(query):
        term = stem(word)
        if term not in seen:
            if len(seen) == MAX_QUERY_TERMS:
                break
            seen.append(term)
            kept.append(word)
    return kept


def fts5_match(stems: list[str]) -> str:
    # Each term is quoted (only word characters remain), so no FTS5 syntax gets through.
    return " AND ".join(f'"{s}"*' for s in stems)


def tsquery(stems: list[str]) -> str:
    return " & ".join(f"{s}:*" for s in stems)
