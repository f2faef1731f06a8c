"""Swedish personal identity numbers (personnummer, samordningsnummer) in text that is about to
be published. Dates, phone numbers and meeting references must not raise false alarms, so a
hit needs a real date (a samordningsnummer adds 60 to the day) and a correct Luhn check digit.
"""

from __future__ import annotations

import re
from datetime import date

# ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN, ÅÅMMDD+NNNN (over 100) and the same without the sign.
_CANDIDATE = re.compile(r"(?<![\d-])((?:19|20)?\d{6})([-+ ]?)(\d{4})(?![\d-])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _real_date(yymmdd: str, century: str | None) -> bool:
    year = int((century or "19") + yymmdd[:2])
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        if century is None:  # 2000-talet: try again (29 februari)
            try:
                date(2000 + int(yymmdd[:2]), month, day)
            except ValueError:
                return False
            return True
        return False
    return True


def find_personal_numbers(text: str) -> list[str]:
    """The personnummer in `text`, as written, each once and in order."""
    found: list[str] = []
    for match in _CANDIDATE.finditer(text):
        head, sign, tail = match.groups()
        if sign == " " and len(head) == 6:
            continue  # "230814 1234" is more often a date and a number than a personnummer
        century = head[:2] if len(head) == 8 else None
        short = head[-6:]
        if not _real_date(short, century):
            continue
        if not _luhn_ok(short + tail):
            continue
        written = match.group(0)
        if written not in found:
            found.append(written)
    return found


def masked(number: str) -> str:
    """How a hit is shown back: the date part, the last four hidden."""
    return re.sub(r"\d{4}$", "XXXX", number)
