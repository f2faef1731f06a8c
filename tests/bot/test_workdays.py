"""Swedish working days and reminder send times (bot/core/workdays.py)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from holidays.countries import Sweden
from hypothesis import given
from hypothesis import strategies as st

from bot.core import workdays
from bot.core.workdays import (
    holiday_name,
    is_working_day,
    previous_working_day,
    send_time,
    working_days_before,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 24), "julafton"),
        (date(2026, 12, 25), "juldagen"),
        (date(2026, 12, 26), "annandag jul"),
        (date(2026, 12, 31), "nyårsafton"),
        (date(2027, 1, 1), "nyårsdagen"),
        (date(2027, 1, 6), "trettondedag jul"),
        (date(2027, 3, 26), "långfredagen"),
        (date(2027, 3, 28), "påskdagen"),
        (date(2027, 3, 29), "annandag påsk"),
        (date(2027, 5, 6), "kristi himmelsfärdsdag"),
        (date(2027, 6, 6), "nationaldagen"),
        (date(2027, 6, 25), "midsommarafton"),
        (date(2027, 6, 26), "midsommardagen"),
        (date(2026, 5, 1), "första maj"),
        (date(2027, 5, 1), "första maj"),
    ],
)
def test_known_holidays(day: date, name: str) -> None:
    assert holiday_name(day) == name
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 3, 16),  # an ordinary Tuesday
        date(2026, 12, 23),  # the Wednesday before julafton
        date(2026, 12, 30),  # the Wednesday before nyårsafton
        date(2027, 6, 24),  # the Thursday before midsommarafton
        date(2027, 3, 25),  # skärtorsdagen is a working day
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert is_working_day(day)
    assert holiday_name(day) is None


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2027, 3, 13))  # Saturday
    assert not is_working_day(date(2027, 3, 14))  # Sunday
    # A plain Sunday is not a named holiday, even though holidays can list every Sunday.
    assert holiday_name(date(2027, 3, 14)) is None


class SwedenListingSundays(Sweden):
    """holidays.Sweden as older versions of the package make it: every Sunday a "Söndag"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["include_sundays"] = True
        super().__init__(*args, **kwargs)


class SwedenWithoutDeFacto(Sweden):
    """holidays.Sweden as versions of the package without the de_facto category make it."""

    supported_categories = ("public",)


@contextmanager
def installed(sweden: type) -> Iterator[None]:
    """The bot's working days as they are with another holidays.Sweden installed. The module
    builds its tables once per year and keeps them, so it is imported afresh, and again after."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(holidays, "Sweden", sweden)
        importlib.reload(workdays)
        try:
            yield
        finally:
            patch.undo()
            importlib.reload(workdays)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def test_plain_sundays_from_older_holidays_versions_are_dropped() -> None:
    assert SwedenListingSundays(years=2027, language="sv").get(date(2027, 3, 14))  # the premise
    with installed(SwedenListingSundays):
        assert holiday_name(date(2027, 3, 14)) is None
        assert holiday_name(date(2027, 6, 6)) == "nationaldagen"  # a Sunday in 2027
        assert holiday_name(date(2027, 5, 16)) == "pingstdagen"
        assert is_working_day(date(2027, 3, 15)) and not is_working_day(date(2027, 3, 14))


@pytest.mark.parametrize("year", range(2024, 2031))
def test_de_facto_category_agrees_with_computed_dates(year: int) -> None:
    """With the package's de_facto category, and with the bot's own dates where it has none,
    every day of the year has the same name (or none) and is a working day or not alike."""
    assert "de_facto" in holidays.Sweden.supported_categories, "no de_facto category installed"
    from_library = {d: (holiday_name(d), is_working_day(d)) for d in days_of(year)}
    with installed(SwedenWithoutDeFacto):
        computed = {d: (holiday_name(d), is_working_day(d)) for d in days_of(year)}
    assert from_library == computed
    assert sorted(n for n, _ in computed.values() if n in DE_FACTO) == sorted(DE_FACTO)


DE_FACTO = ("julafton", "midsommarafton", "nyårsafton")


def test_computed_midsummer_eves() -> None:
    with installed(SwedenWithoutDeFacto):
        eves = {
            y: [d for d in days_of(y) if holiday_name(d) == "midsommarafton"]
            for y in (2024, 2026, 2027, 2030)
        }
    assert eves == {
        2024: [date(2024, 6, 21)],
        2026: [date(2026, 6, 19)],
        2027: [date(2027, 6, 25)],
        2030: [date(2030, 6, 21)],
    }


def test_working_days_before_a_monday_is_the_previous_wednesday() -> None:
    # Mon 15 March 2027: Fri 12 = 1, Thu 11 = 2, Wed 10 = 3.
    assert working_days_before(date(2027, 3, 15), 3) == date(2027, 3, 10)


def test_working_days_before_skips_trettondedag_and_new_year() -> None:
    # Thu 7 Jan 2027: Wed 6 trettondedag jul (holiday), Tue 5 = 1, Mon 4 = 2, Sun 3, Sat 2,
    # Fri 1 nyårsdagen (holiday), Thu 31 Dec nyårsafton (de facto), Wed 30 Dec = 3.
    assert working_days_before(date(2027, 1, 7), 3) == date(2026, 12, 30)


def test_working_days_before_skips_christmas() -> None:
    # Mon 28 Dec 2026: Sun 27, Sat 26 annandag jul, Fri 25 juldagen, Thu 24 julafton,
    # Wed 23 = 1, Tue 22 = 2, Mon 21 = 3.
    assert working_days_before(date(2026, 12, 28), 3) == date(2026, 12, 21)


def test_working_days_before_zero_and_negative() -> None:
    assert working_days_before(date(2026, 12, 25), 0) == date(2026, 12, 25)
    with pytest.raises(ValueError):
        working_days_before(date(2026, 12, 25), -1)


def test_previous_working_day() -> None:
    assert previous_working_day(date(2027, 3, 16)) == date(2027, 3, 15)
    assert previous_working_day(date(2027, 3, 30)) == date(2027, 3, 25)  # over påsk
    assert previous_working_day(date(2027, 6, 28)) == date(2027, 6, 24)  # over midsommar


def test_send_time_before_the_spring_dst_change() -> None:
    # Tue 30 March 2027: Mon 29 annandag påsk, Sun 28, Sat 27, Fri 26 långfredagen,
    # Thu 25 = 1, Wed 24 = 2, Tue 23 = 3. Summer time starts Sun 28 March 2027.
    sent = send_time(date(2027, 3, 30), 3, time(9, 0), STOCKHOLM)
    assert sent == datetime(2027, 3, 23, 9, 0, tzinfo=STOCKHOLM)
    assert sent.tzinfo is STOCKHOLM
    assert sent.utcoffset() == timedelta(hours=1)
    assert sent.astimezone(UTC) == datetime(2027, 3, 23, 8, 0, tzinfo=UTC)


def test_send_time_after_the_spring_dst_change() -> None:
    sent = send_time(date(2027, 4, 1), 1, time(9, 0), STOCKHOLM)
    assert (sent.date(), sent.time()) == (date(2027, 3, 31), time(9, 0))
    assert sent.utcoffset() == timedelta(hours=2)
    assert sent.astimezone(UTC) == datetime(2027, 3, 31, 7, 0, tzinfo=UTC)


def test_send_time_around_the_october_dst_change() -> None:
    # Winter time starts Sun 31 October 2027; Sat 30 Oct is alla helgons dag.
    # Wed 3 Nov: Tue 2 = 1, Mon 1 = 2, Sun 31, Sat 30, Fri 29 Oct = 3 (still summer time).
    before = send_time(date(2027, 11, 3), 3, time(9, 0), STOCKHOLM)
    assert (before.date(), before.time()) == (date(2027, 10, 29), time(9, 0))
    assert before.utcoffset() == timedelta(hours=2)
    # Thu 4 Nov: Wed 3 = 1, Tue 2 = 2, Mon 1 = 3 (winter time): still 09:00 local.
    after = send_time(date(2027, 11, 4), 3, time(9, 0), STOCKHOLM)
    assert (after.date(), after.time()) == (date(2027, 11, 1), time(9, 0))
    assert after.utcoffset() == timedelta(hours=1)
    assert after.astimezone(UTC) == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)


def test_send_time_lead_zero_is_the_meeting_morning() -> None:
    sent = send_time(date(2027, 3, 16), 0, time(7, 30), STOCKHOLM)
    assert sent == datetime(2027, 3, 16, 7, 30, tzinfo=STOCKHOLM)


def _working_days_in(start: date, end: date) -> int:
    """Number of working days in the half-open interval [start, end)."""
    return sum(is_working_day(start + timedelta(days=i)) for i in range((end - start).days))


@given(
    d=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    n=st.integers(min_value=0, max_value=10),
)
def test_working_days_before_properties(d: date, n: int) -> None:
    result = working_days_before(d, n)
    assert result <= d
    if n == 0:
        assert result == d
        return
    # The result is the n-th working day counting back from d (d excluded): a working day
    # strictly before d, with exactly n working days in [result, d).
    assert result < d
    assert is_working_day(result)
    assert _working_days_in(result, d) == n
    assert previous_working_day(d) == working_days_before(d, 1)


def test_fallback_without_de_facto_category() -> None:
    # As if the installed holidays had no de_facto category: the computed dates are used.
    with installed(SwedenWithoutDeFacto):
        assert holiday_name(date(2027, 6, 25)) == "midsommarafton"
        assert not is_working_day(date(2026, 12, 24))
        assert not is_working_day(date(2026, 12, 31))
        assert working_days_before(date(2027, 1, 7), 3) == date(2026, 12, 30)
