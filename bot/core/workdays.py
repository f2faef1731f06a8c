"""Swedish working days and reminder send times. Pure functions: no clock, no I/O.

A working day is Monday–Friday and neither a Swedish public holiday (``holidays.Sweden``) nor
a de facto holiday (midsommarafton, julafton, nyårsafton). Holiday tables are built once per
year and cached.

Notes on the ``holidays`` package:

* Some versions list every Sunday as a holiday named "Söndag" (newer ones only with
  ``include_sundays=True``). Those entries are dropped here, so a plain Sunday has no holiday
  name; weekends are excluded from working days by weekday anyway.
* The de facto holidays come from the ``de_facto`` category where the installed version
  supports it; otherwise they are computed here (``_computed_de_facto``). Tests check both
  agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "holiday_name",
    "is_working_day",
    "previous_working_day",
    "send_time",
    "working_days_before",
]

_PLAIN_SUNDAY = "söndag"
_DAY = timedelta(days=1)


def _clean_names(names: Iterable[str]) -> tuple[str, ...]:
    """Lower-cased names (Swedish writes holiday names in lower case in running text), with the
    plain "Söndag" entry some ``holidays`` versions add for every Sunday removed."""
    cleaned = (name.strip().lower() for name in names)
    return tuple(name for name in cleaned if name and name != _PLAIN_SUNDAY)


def _names_by_date(table: holidays.HolidayBase) -> dict[date, tuple[str, ...]]:
    """``{date: names}`` from a ``holidays`` table, without plain Sundays."""
    result: dict[date, tuple[str, ...]] = {}
    for day in table:
        names = _clean_names(table.get_list(day))
        if names:
            result[day] = names
    return result


def _build(year: int, category: str) -> holidays.HolidayBase | None:
    """One category of ``holidays.Sweden`` for ``year``; None if this version lacks it."""
    if category not in getattr(holidays.Sweden, "supported_categories", ("public",)):
        return None
    try:
        return holidays.Sweden(years=year, language="sv", categories=(category,))
    except (TypeError, ValueError, NotImplementedError):
        # Very old versions take no ``categories`` argument; treat as unsupported.
        if category != "public":
            return None
        return holidays.Sweden(years=year, language="sv")


def _computed_de_facto(year: int) -> dict[date, tuple[str, ...]]:
    """Midsommarafton (the Friday between 19 and 25 June), julafton and nyårsafton."""
    june_19 = date(year, 6, 19)
    midsummer_eve = june_19 + timedelta(days=(4 - june_19.weekday()) % 7)
    return {
        midsummer_eve: ("midsommarafton",),
        date(year, 12, 24): ("julafton",),
        date(year, 12, 31): ("nyårsafton",),
    }


def _library_de_facto(year: int) -> dict[date, tuple[str, ...]] | None:
    """The de facto holidays as ``holidays`` knows them, or None if it has no such category."""
    table = _build(year, "de_facto")
    if table is None:
        return None
    names = _names_by_date(table)
    return names or None


@lru_cache(maxsize=256)
def _holidays_for_year(year: int) -> Mapping[date, tuple[str, ...]]:
    """Public and de facto holidays of ``year``: ``{date: lower-case Swedish names}``."""
    public = _build(year, "public")
    merged: dict[date, tuple[str, ...]] = _names_by_date(public) if public is not None else {}
    de_facto = _library_de_facto(year)
    if de_facto is None:
        de_facto = _computed_de_facto(year)
    for day, names in de_facto.items():
        merged[day] = merged.get(day, ()) + tuple(n for n in names if n not in merged.get(day, ()))
    return merged


def holiday_name(d: date) -> str | None:
    """The Swedish name of a public or de facto holiday on ``d`` (e.g. "julafton",
    "annandag påsk"), else None. Two holidays on one day are joined with " och "."""
    names = _holidays_for_year(d.year).get(d)
    return " och ".join(names) if names else None


def is_working_day(d: date) -> bool:
    """Monday–Friday and not a public or de facto Swedish holiday."""
    return d.weekday() < 5 and d not in _holidays_for_year(d.year)


def previous_working_day(d: date) -> date:
    """The last working day strictly before ``d``."""
    day = d - _DAY
    while not is_working_day(day):
        day -= _DAY
    return day


def working_days_before(d: date, n: int) -> date:
    """The working day ``n`` working days before ``d`` (``d`` itself not counted).

    ``n == 0`` returns ``d`` unchanged, working day or not. For ``n > 0`` the result is the
    unique working day ``r < d`` with exactly ``n`` working days in ``[r, d)``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day = d
    for _ in range(n):
        day = previous_working_day(day)
    return day


def send_time(meeting_day: date, lead_working_days: int, at: time, tz: ZoneInfo) -> datetime:
    """When to send a reminder: ``lead_working_days`` working days before ``meeting_day`` at the
    local wall-clock time ``at`` in ``tz`` (lead 0: on the meeting day itself).

    The result is aware in ``tz`` and keeps its wall-clock time across DST changes (09:00 is
    09:00 local in winter and summer). Any tzinfo on ``at`` is ignored.
    """
    day = working_days_before(meeting_day, lead_working_days)
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)
