"""The log: one record, one line that starts at the left margin, whatever a request contains.

A request's text (a path, a header, a field Slack passed on) may reach a log message. Its
control characters are escaped (a newline becomes the two characters `\\n`), so it cannot end
the line and start one that looks like another record; the lines of a traceback are indented,
so only a record's first line starts at the margin.
"""

from __future__ import annotations

import logging
import re
import sys
from types import TracebackType
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
INDENT = "    "
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def escape(text: str) -> str:
    """`text` on one line: control characters as Python escapes (`\\n`, `\\x1b`, `\\u2028`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # As logging.Formatter.format, but a traceback is formatted here every time: the text
        # another handler cached on the record (`exc_text`) is not indented.
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + _indented(record.exc_text)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape(super().formatMessage(record))

    def formatException(self, ei: ExcInfo) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


def _indented(text: str) -> str:
    return "\n".join(INDENT + escape(line) for line in text.split("\n"))


def configure(level: str, stream: TextIO | None = None) -> None:
    """The root logger writes to stderr (or `stream`) through `OneLineFormatter` (unless it
    already has a handler: then, as `logging.basicConfig`, nothing changes)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
