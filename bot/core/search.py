"""Swedish-aware full-text search: the same Snowball stems on SQLite (FTS5) and PostgreSQL.

PostgreSQL's own `swedish` configuration uses the Snowball Swedish stemmer too; stemming here,
in one place, makes both databases find exactly the same decisions.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("swedish")
MAX_QUERY_TERMS = 8


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


def fts5_match(stems: list[str]) -> str:
    # Each term is quoted (only word characters remain), so no FTS5 syntax gets through.
    return " AND ".join(f'"{s}"*' for s in stems)


def tsquery(stems: list[str]) -> str:
    return " & ".join(f"{s}:*" for s in stems)
