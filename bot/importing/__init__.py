"""Importing minutes written outside Slack: a file read into a proposal, reviewed, then stored
as if entered by hand.

The feature's service, re-exported: `from bot import importing` then `importing.<name>`."""

from bot.importing.model import SUFFIXES, Proposal
from bot.importing.parsing import Known, builtin_organs, propose
from bot.importing.reading import MAX_BYTES, Source, read_bytes, read_path
from bot.importing.service import (
    CONTENT_TYPES,
    Stored,
    content_hash,
    imported,
    known_for,
    read,
    store,
)

__all__ = [
    "CONTENT_TYPES",
    "MAX_BYTES",
    "SUFFIXES",
    "Known",
    "Proposal",
    "Source",
    "Stored",
    "builtin_organs",
    "content_hash",
    "imported",
    "known_for",
    "propose",
    "read",
    "read_bytes",
    "read_path",
    "store",
]
