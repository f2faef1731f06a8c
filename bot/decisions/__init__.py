"""Decisions (beslut): logged, numbered, amended, revoked, listed, searched and exported.

The feature's service, re-exported: `from bot import decisions` then `decisions.<name>`."""

from bot.decisions.service import (
    EXPORT_COLUMNS,
    MAX_ITEM,
    MAX_TEXT,
    RECENT,
    REVOKED,
    Logged,
    Shown,
    amend,
    check_text,
    count,
    export,
    listing,
    log,
    revoke,
    search_page,
    show,
)

__all__ = [
    "EXPORT_COLUMNS",
    "MAX_ITEM",
    "MAX_TEXT",
    "RECENT",
    "REVOKED",
    "Logged",
    "Shown",
    "amend",
    "check_text",
    "count",
    "export",
    "listing",
    "log",
    "revoke",
    "search_page",
    "show",
]
