"""Tests for bot.core.dates: Swedish date expressions in, Swedish dates out."""

from __future__ import annotations

import time as clock
from datetime import date, time, timedelta

import pytest
from babel.dates import format_date as babel_format_date
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.dates import (
    MONTH_NAMES,
    DateError,
    MeetingRef,
    When,
    format_date,
    format_short,
    format_time,
    format_when,
    parse_due,
    parse_when,
    split_due,
    split_when,
)

MONDAY = date(2026, 11, 23)  # the default "today" in these tests
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)
ORGANS = {
    "au": "AU",
    "arbetsutskottet": "AU",
    "lg": "LG",
    "ledningsgruppen": "LG",
    "ledningsgrupp": "LG",
    "processgruppen för avtal": "PG-AVTAL",
}


def day(y: int, m: int, d: int, start: str | None = None, end: str | None = None) -> When:
    """A single day, optionally with times written "13:00"."""
    return When(date(y, m, d), date(y, m, d), _t(start), _t(end))


def days(first: date, last: date, start: str | None = None, end: str | None = None) -> When:
    return When(first, last, _t(start), _t(end))


def _t(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def error_of(text: str, today: date = MONDAY, *, future: bool = True) -> str:
    with pytest.raises(DateError) as info:
        parse_when(text, today, future=future)
    return str(info.value)


# --------------------------------------------------------------------------------------------
# parse_when: explicit days
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-09", day(2025, 5, 9)),
        ("2025-5-9", day(2025, 5, 9)),
        ("2025/05/09", day(2025, 5, 9)),
        ("230814", day(2023, 8, 14)),
        ("20250509", day(2025, 5, 9)),
        ("9/5 2026", day(2026, 5, 9)),
        ("9/5-26", day(2026, 5, 9)),
        ("9/5-2026", day(2026, 5, 9)),
        ("9/5/2026", day(2026, 5, 9)),
        ("17 november 2023", day(2023, 11, 17)),
        ("17 nov 2023", day(2023, 11, 17)),
        ("17 nov. 2023", day(2023, 11, 17)),
        ("den 17 november 2023", day(2023, 11, 17)),
        ("17:e november 2023", day(2023, 11, 17)),
        ("den 1:a september 2023", day(2023, 9, 1)),
        ("fredagen den 1 september 2023", day(2023, 9, 1)),
        ("Fredag 1 september 2023", day(2023, 9, 1)),
        ("fre 1/9 2023", day(2023, 9, 1)),
        ("  Den   17  NOVEMBER   2023. ", day(2023, 11, 17)),
        ("17 november 2023,", day(2023, 11, 17)),
        ("２０２５-０５-０９", day(2025, 5, 9)),  # fullwidth digits (NFKC)
        ("söndag 29 november", day(2026, 11, 29)),
        ("sondag 29 november", day(2026, 11, 29)),
        ("lördag 28 nov", day(2026, 11, 28)),
    ],
)
def test_explicit_days(text: str, expected: When) -> None:
    assert parse_when(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("jan", 1),
        ("januari", 1),
        ("feb", 2),
        ("febr.", 2),
        ("mar", 3),
        ("mars", 3),
        ("apr", 4),
        ("april", 4),
        ("maj", 5),
        ("jun", 6),
        ("juni", 6),
        ("jul", 7),
        ("juli", 7),
        ("aug", 8),
        ("augusti", 8),
        ("sep", 9),
        ("sept.", 9),
        ("september", 9),
        ("okt", 10),
        ("oktober", 10),
        ("nov.", 11),
        ("dec", 12),
        ("December", 12),
    ],
)
def test_month_names_and_abbreviations(word: str, month: int) -> None:
    assert parse_when(f"3 {word} 2027", MONDAY) == day(2027, month, 3)


# --------------------------------------------------------------------------------------------
# The year rule
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("17 november", True, day(2027, 11, 17)),
        ("17 november", False, day(2026, 11, 17)),
        ("23 november", True, day(2026, 11, 23)),  # today counts as the future ...
        ("23 november", False, day(2026, 11, 23)),  # ... and as the past
        ("24 november", True, day(2026, 11, 24)),
        ("24 november", False, day(2025, 11, 24)),
        ("9/5", True, day(2027, 5, 9)),
        ("9/5", False, day(2026, 5, 9)),
        ("7 oktober", True, day(2027, 10, 7)),
        ("15 december", True, day(2026, 12, 15)),
        ("15 december", False, day(2025, 12, 15)),
        ("29 februari", True, day(2028, 2, 29)),
        ("29 februari", False, day(2024, 2, 29)),
        ("1-2 februari", True, days(date(2027, 2, 1), date(2027, 2, 2))),
        ("1-2 februari", False, days(date(2026, 2, 1), date(2026, 2, 2))),
        ("30 december-2 januari", True, days(date(2026, 12, 30), date(2027, 1, 2))),
        ("30 december-2 januari", False, days(date(2025, 12, 30), date(2026, 1, 2))),
        # a range is placed by its start, even when today is inside it
        ("20-25 november", True, days(date(2027, 11, 20), date(2027, 11, 25))),
        ("20-25 november", False, days(date(2026, 11, 20), date(2026, 11, 25))),
    ],
)
def test_year_rule(text: str, future: bool, expected: When) -> None:
    assert parse_when(text, MONDAY, future=future) == expected


def test_year_rule_default_is_future() -> None:
    assert parse_when("1 januari", MONDAY) == day(2027, 1, 1)


# --------------------------------------------------------------------------------------------
# Ranges
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-2 februari 2024", days(date(2024, 2, 1), date(2024, 2, 2))),
        ("1–2 februari 2024", days(date(2024, 2, 1), date(2024, 2, 2))),
        ("1 - 2 februari 2024", days(date(2024, 2, 1), date(2024, 2, 2))),
        ("1—2 feb 2024", days(date(2024, 2, 1), date(2024, 2, 2))),
        ("den 1-2 februari 2024", days(date(2024, 2, 1), date(2024, 2, 2))),
        ("30 januari-2 februari 2024", days(date(2024, 1, 30), date(2024, 2, 2))),
        ("30 januari – 2 februari 2024", days(date(2024, 1, 30), date(2024, 2, 2))),
        ("30 december 2026–2 januari 2027", days(date(2026, 12, 30), date(2027, 1, 2))),
        ("30 december–2 januari 2027", days(date(2026, 12, 30), date(2027, 1, 2))),
        ("9-10/5 2026", days(date(2026, 5, 9), date(2026, 5, 10))),
        ("9/5-12/5 2026", days(date(2026, 5, 9), date(2026, 5, 12))),
        ("2025-05-09--2025-05-10", days(date(2025, 5, 9), date(2025, 5, 10))),
        ("2025-05-09 – 2025-05-12", days(date(2025, 5, 9), date(2025, 5, 12))),
        ("1-2 november", days(date(2027, 11, 1), date(2027, 11, 2))),
    ],
)
def test_ranges(text: str, expected: When) -> None:
    assert parse_when(text, MONDAY) == expected


def test_range_properties() -> None:
    w = parse_when("1-2 februari 2024", MONDAY)
    assert w.multi_day and w.all_day
    single = parse_when("2 februari 2024", MONDAY)
    assert not single.multi_day and single.start == single.end


def test_range_backwards_is_an_error() -> None:
    message = error_of("2025-05-12 – 2025-05-09")
    assert "Slutdatumet" in message and "Skriv till exempel" in message
    assert "9–12 maj 2025" in message


# --------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fredagen den 1 september 2023, kl 11-15", day(2023, 9, 1, "11:00", "15:00")),
        ("1 september 2023 kl. 13.00 – 15.00", day(2023, 9, 1, "13:00", "15:00")),
        ("1 september 2023 kl 13:00", day(2023, 9, 1, "13:00")),
        ("1 september 2023 kl 9", day(2023, 9, 1, "09:00")),
        ("1 september 2023 kl. 9", day(2023, 9, 1, "09:00")),
        ("1 september 2023 klockan 9", day(2023, 9, 1, "09:00")),
        ("1 september 2023 kl 1300", day(2023, 9, 1, "13:00")),
        ("1 september 2023 13-15", day(2023, 9, 1, "13:00", "15:00")),
        ("1 september 2023 13 - 15", day(2023, 9, 1, "13:00", "15:00")),
        ("1 september 2023 13.00-15.00", day(2023, 9, 1, "13:00", "15:00")),
        ("1 september 2023 13.00", day(2023, 9, 1, "13:00")),
        ("1 september 2023 kl 9-11.30", day(2023, 9, 1, "09:00", "11:30")),
        ("2025-05-09 (11:10–11:30)", day(2025, 5, 9, "11:10", "11:30")),
        ("2025-05-09 11:10–11:30", day(2025, 5, 9, "11:10", "11:30")),
        ("2025-05-09 kl. 13.00–15.00", day(2025, 5, 9, "13:00", "15:00")),
        ("2025-05-09 kl 0-23.59", day(2025, 5, 9, "00:00", "23:59")),
        ("14 augusti 13-15", day(2027, 8, 14, "13:00", "15:00")),
        (
            "1-2 februari 2024 kl. 09.00–16.00",
            days(date(2024, 2, 1), date(2024, 2, 2), "09:00", "16:00"),
        ),
        ("i morgon kl 9", day(2026, 11, 24, "09:00")),
        ("fredag 13-15", day(2026, 11, 27, "13:00", "15:00")),
        ("nästa fredag kl. 10.15", day(2026, 12, 4, "10:15")),
        ("kl 13 i morgon", day(2026, 11, 24, "13:00")),
        ("kl. 10–12 på fredag", day(2026, 11, 27, "10:00", "12:00")),
        ("kl 9 den 14 augusti", day(2027, 8, 14, "09:00")),
    ],
)
def test_times(text: str, expected: When) -> None:
    assert parse_when(text, MONDAY) == expected


def test_timed_when_properties() -> None:
    w = parse_when("2025-05-09 kl 13", MONDAY)
    assert not w.all_day and w.start_time == time(13) and w.end_time is None


@pytest.mark.parametrize(
    "text",
    [
        "14 augusti 13",  # a bare number after a date is not a time
        "kl 13",  # a time needs a day
        "v 36 kl 13",  # a whole week has no time
        "14 augusti 13.5",
        "13-15 i morgon",  # a time before the day needs "kl"
        "kl 13 v 36",
    ],
)
def test_not_times(text: str) -> None:
    with pytest.raises(DateError):
        parse_when(text, MONDAY)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("14 augusti kl 24", "Klockslaget ”24” finns inte"),
        ("14 augusti 12.60", "Klockslaget ”12.60” finns inte"),
        ("14 augusti kl 25-26", "Klockslaget ”25” finns inte"),
        ("14 augusti 15-13", "Sluttiden 13.00 är inte efter starttiden 15.00"),
        ("14 augusti kl 13-13", "Sluttiden 13.00 är inte efter starttiden 13.00"),
        ("kl 13", "Ange också vilken dag"),
    ],
)
def test_time_errors(text: str, fragment: str) -> None:
    message = error_of(text)
    assert fragment in message
    assert "till exempel" in message


def test_backwards_time_suggests_the_swapped_range() -> None:
    assert "”kl. 13.00–15.00”" in error_of("14 augusti 15-13")


# --------------------------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v 36 2026", days(date(2026, 8, 31), date(2026, 9, 4))),
        ("v36 2026", days(date(2026, 8, 31), date(2026, 9, 4))),
        ("v. 36 2026", days(date(2026, 8, 31), date(2026, 9, 4))),
        ("vecka 36 2026", days(date(2026, 8, 31), date(2026, 9, 4))),
        ("vecka 36", days(date(2027, 9, 6), date(2027, 9, 10))),
        ("v 48", days(date(2026, 11, 23), date(2026, 11, 27))),  # the current week is "next"
        ("v 49", days(date(2026, 11, 30), date(2026, 12, 4))),
        ("v 36-37 2026", days(date(2026, 8, 31), date(2026, 9, 11))),
        ("v 52-2", days(date(2026, 12, 21), date(2027, 1, 15))),
        ("v 53", days(date(2026, 12, 28), date(2027, 1, 1))),  # 2026 has 53 ISO weeks
        ("nästa vecka", days(date(2026, 11, 30), date(2026, 12, 4))),
        ("denna vecka", days(date(2026, 11, 23), date(2026, 11, 27))),
        ("den här veckan", days(date(2026, 11, 23), date(2026, 11, 27))),
        ("i veckan", days(date(2026, 11, 23), date(2026, 11, 27))),
        ("förra veckan", days(date(2026, 11, 16), date(2026, 11, 20))),
        ("fredag v 36 2026", day(2026, 9, 4)),
        ("torsdag vecka 49 kl 13-15", day(2026, 12, 3, "13:00", "15:00")),
        ("fredag nästa vecka", day(2026, 12, 4)),
    ],
)
def test_weeks(text: str, expected: When) -> None:
    assert parse_when(text, MONDAY) == expected


def test_week_year_rule_in_the_past() -> None:
    assert parse_when("v 36", MONDAY, future=False) == days(date(2026, 8, 31), date(2026, 9, 4))
    assert parse_when("v 49", MONDAY, future=False) == days(date(2025, 12, 1), date(2025, 12, 5))
    assert parse_when("v 53", MONDAY, future=False) == days(date(2020, 12, 28), date(2021, 1, 1))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("v 54", "Vecka 54 finns inte"),
        ("vecka 0", "Vecka 0 finns inte"),
        ("vecka 53 2027", "Vecka 53 finns inte år 2027"),
    ],
)
def test_week_errors(text: str, fragment: str) -> None:
    message = error_of(text)
    assert fragment in message and "Skriv till exempel" in message


# --------------------------------------------------------------------------------------------
# Relative days
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("idag", MONDAY),
        ("i dag", MONDAY),
        ("Idag.", MONDAY),
        ("i morgon", date(2026, 11, 24)),
        ("imorgon", date(2026, 11, 24)),
        ("i morgon,", date(2026, 11, 24)),
        ("i övermorgon", date(2026, 11, 25)),
        ("i overmorgon", date(2026, 11, 25)),
        ("i går", date(2026, 11, 22)),
        ("i förrgår", date(2026, 11, 21)),
        ("fredag", date(2026, 11, 27)),
        ("på fredag", date(2026, 11, 27)),
        ("måndag", date(2026, 11, 30)),  # today is Monday: a week later
        ("mandag", date(2026, 11, 30)),
        ("tisdag", date(2026, 11, 24)),
        ("nästa fredag", date(2026, 12, 4)),
        ("nästa måndag", date(2026, 11, 30)),
        ("nästa tisdag", date(2026, 12, 1)),
        ("i fredags", date(2026, 11, 20)),
        ("förra fredagen", date(2026, 11, 20)),
        ("förra måndagen", date(2026, 11, 16)),
        ("om två veckor", date(2026, 12, 7)),
        ("om 2 veckor", date(2026, 12, 7)),
        ("om en vecka", date(2026, 11, 30)),
        ("om tre dagar", date(2026, 11, 26)),
        ("om 10 dagar", date(2026, 12, 3)),
        ("om tolv dagar", date(2026, 12, 5)),
        ("om en månad", date(2026, 12, 23)),
        ("om sex månader", date(2027, 5, 23)),
        ("om ett år", date(2027, 11, 23)),
        ("för två veckor sedan", date(2026, 11, 9)),
    ],
)
def test_relative_days(text: str, expected: date) -> None:
    assert parse_when(text, MONDAY) == When(expected, expected)


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (FRIDAY, "fredag", date(2026, 12, 4)),  # today excluded
        (FRIDAY, "nästa fredag", date(2026, 12, 4)),
        (FRIDAY, "lördag", date(2026, 11, 28)),
        (FRIDAY, "nästa lördag", date(2026, 12, 5)),  # next ISO week, not tomorrow
        (SUNDAY, "fredag", date(2026, 12, 4)),
        (SUNDAY, "nästa fredag", date(2026, 12, 4)),
        (SUNDAY, "nästa måndag", date(2026, 11, 30)),
        (date(2027, 1, 31), "om en månad", date(2027, 2, 28)),
        (date(2028, 1, 31), "om en månad", date(2028, 2, 29)),
    ],
)
def test_relative_days_from_other_days(today: date, text: str, expected: date) -> None:
    assert parse_when(text, today) == When(expected, expected)


def test_bare_weekday_in_the_past() -> None:
    assert parse_when("fredag", MONDAY, future=False) == day(2026, 11, 20)
    assert parse_when("måndag", MONDAY, future=False) == day(2026, 11, 16)
    # explicit words do not depend on `future`
    assert parse_when("nästa fredag", MONDAY, future=False) == day(2026, 12, 4)
    assert parse_when("i morgon", MONDAY, future=False) == day(2026, 11, 24)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "31 februari",
            "Datumet ”31 februari” finns inte. "
            "Skriv till exempel ”28 februari” eller ”2026-03-01”.",
        ),
        (
            "30/2",
            "Datumet ”30/2” finns inte. Skriv till exempel ”28 februari” eller ”2026-03-01”.",
        ),
        (
            "2025-02-29",
            "Datumet ”2025-02-29” finns inte. "
            "Skriv till exempel ”28 februari 2025” eller ”2025-03-01”.",
        ),
        (
            "31 april 2027",
            "Datumet ”31 april 2027” finns inte. "
            "Skriv till exempel ”30 april 2027” eller ”2027-05-01”.",
        ),
        (
            "2025-13-01",
            "Datumet ”2025-13-01” finns inte – månaden måste vara 1–12. "
            "Skriv till exempel ”2025-12-01”.",
        ),
        (
            "Måndagen den 1 september 2023",
            "Den 1 september 2023 är en fredag, inte en måndag. "
            "Skriv till exempel ”fredag 1 september 2023” eller bara ”1 september 2023”.",
        ),
        (
            "måndag 4 december",
            "Den 4 december 2026 är en fredag, inte en måndag. "
            "Skriv till exempel ”fredag 4 december” eller bara ”4 december”.",
        ),
    ],
)
def test_impossible_dates(text: str, expected: str) -> None:
    assert error_of(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hej", "13", "den", "nästa", "om två", "17", "november", "2023", "kl", "1-", "v"],
)
def test_not_a_date(text: str) -> None:
    message = error_of(text)
    assert "till exempel" in message


def test_not_understood_message_quotes_the_text() -> None:
    assert error_of("blåbär") == (
        "Jag förstod inte ”blåbär” som ett datum. Skriv till exempel ”17 november”, "
        "”2026-11-17”, ”fredag kl. 13–15”, ”v 36” eller ”om två veckor”."
    )


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


def test_long_input_is_rejected_quickly() -> None:
    started = clock.perf_counter()
    for text in ("1 " * 25_000, "x" * 50_000, "2025-05-09 " * 5_000):
        with pytest.raises(DateError, match="för lång"):
            parse_when(text, MONDAY)
        with pytest.raises(DateError):
            parse_due(text, MONDAY, ORGANS)
    when, rest = split_when("14 augusti " + "x" * 50_000, MONDAY)
    assert when == day(2027, 8, 14) and len(rest) == 50_000
    with pytest.raises(DateError):
        split_when("x " * 25_000, MONDAY)
    assert clock.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "today", [date(1, 1, 1), date(1, 1, 7), date(9999, 12, 31), date(9999, 12, 24)]
)
@pytest.mark.parametrize(
    "text",
    [
        "fredag",
        "nästa fredag",
        "förra veckan",
        "nästa vecka",
        "i morgon",
        "i går",
        "om 9999 år",
        "för 9999 år sedan",
        "v 1",
        "v 52",
        "v 52-1",
        "17 november",
        "30 december-2 januari",
        "31 december 9999 - 1 januari",
        "1 januari - 2 januari 0001",
        "0000-01-01",
    ],
)
def test_edges_of_the_calendar_raise_date_error_only(today: date, text: str) -> None:
    for future in (True, False):
        try:
            parse_when(text, today, future=future)
        except DateError as error:
            assert "till exempel" in str(error)


# --------------------------------------------------------------------------------------------
# split_when
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        (
            "14 augusti 13-15 Regionhuset, sal 3",
            day(2027, 8, 14, "13:00", "15:00"),
            "Regionhuset, sal 3",
        ),
        (
            "Fredagen den 1 september 2023, kl 11-15, Regionhuset",
            day(2023, 9, 1, "11:00", "15:00"),
            "Regionhuset",
        ),
        ("14 augusti 13 personer", day(2027, 8, 14), "13 personer"),
        ("14 augusti: Regionhuset", day(2027, 8, 14), "Regionhuset"),
        ("2025-05-09 (11:10–11:30) EHDS", day(2025, 5, 9, "11:10", "11:30"), "EHDS"),
        ("1-2 februari 2024 Internat", days(date(2024, 2, 1), date(2024, 2, 2)), "Internat"),
        ("i morgon", day(2026, 11, 24), ""),
        (
            "  v 36   Processgrupperna  ",
            days(date(2027, 9, 6), date(2027, 9, 10)),
            "Processgrupperna",
        ),
        ("nästa fredag kl 9 AU-möte", day(2026, 12, 4, "09:00"), "AU-möte"),
    ],
)
def test_split_when(text: str, expected: When, rest: str) -> None:
    assert split_when(text, MONDAY) == (expected, rest)


def test_split_when_past() -> None:
    assert split_when("17 november beslut", MONDAY, future=False) == (day(2026, 11, 17), "beslut")


def test_split_when_reports_a_wrong_date_instead_of_a_shorter_one() -> None:
    with pytest.raises(DateError, match=r"Klockslaget ”24\.00” finns inte"):
        split_when("idag 24.00 deadline", MONDAY)
    with pytest.raises(DateError, match="Datumet ”31 februari” finns inte"):
        split_when("31 februari Regionhuset", MONDAY)


def test_split_when_without_a_leading_date() -> None:
    with pytest.raises(DateError, match="börjar inte med ett datum"):
        split_when("Regionhuset 14 augusti", MONDAY)
    with pytest.raises(DateError, match="inget datum"):
        split_when("   ", MONDAY)


# --------------------------------------------------------------------------------------------
# parse_due
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nästa AU", MeetingRef("AU", None)),
        ("nästa au", MeetingRef("AU", None)),
        ("nästa ledningsgrupp", MeetingRef("LG", None)),
        ("nästa ledningsgruppen", MeetingRef("LG", None)),
        ("nästa möte i AU", MeetingRef("AU", None)),
        ("nästa möte med ledningsgruppen", MeetingRef("LG", None)),
        ("nästa AU-möte", MeetingRef("AU", None)),
        ("till nästa AU", MeetingRef("AU", None)),
        ("Till nästa AU.", MeetingRef("AU", None)),
        ("AU", MeetingRef("AU", None)),
        ("till AU", MeetingRef("AU", None)),
        ("LG 7 oktober", MeetingRef("LG", date(2027, 10, 7))),
        ("ledningsgruppen 7 oktober", MeetingRef("LG", date(2027, 10, 7))),
        ("till ledningsgruppen 7 oktober", MeetingRef("LG", date(2027, 10, 7))),
        ("ledningsgrupp 7 oktober", MeetingRef("LG", date(2027, 10, 7))),
        ("AU 230814", MeetingRef("AU", date(2023, 8, 14))),
        ("AU (230814)", MeetingRef("AU", date(2023, 8, 14))),
        ("AU-mötet 15 december", MeetingRef("AU", date(2026, 12, 15))),
        ("LG 7 oktober kl 13", MeetingRef("LG", date(2027, 10, 7))),  # the time is dropped
        ("nästa möte i processgruppen för avtal", MeetingRef("PG-AVTAL", None)),
        ("processgruppen för avtal 1 december", MeetingRef("PG-AVTAL", date(2026, 12, 1))),
        # organs that the table does not know
        ("nästa MAS", MeetingRef("MAS", None)),
        ("nästa pg-avtal", MeetingRef("PG-AVTAL", None)),
        ("PG-AVTAL 7 oktober", MeetingRef("PG-AVTAL", date(2027, 10, 7))),
        # dates
        ("15 december", When(date(2026, 12, 15), date(2026, 12, 15))),
        ("till 15 december", When(date(2026, 12, 15), date(2026, 12, 15))),
        ("senast 15 december", When(date(2026, 12, 15), date(2026, 12, 15))),
        ("17 november", When(date(2027, 11, 17), date(2027, 11, 17))),  # always the future
        ("nästa fredag", When(date(2026, 12, 4), date(2026, 12, 4))),
        ("till fredag", When(date(2026, 11, 27), date(2026, 11, 27))),
        ("nästa vecka", When(date(2026, 11, 30), date(2026, 12, 4))),
        ("om två veckor", When(date(2026, 12, 7), date(2026, 12, 7))),
    ],
)
def test_parse_due(text: str, expected: When | MeetingRef) -> None:
    assert parse_due(text, MONDAY, ORGANS) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nästa möte", "Ange vilket möte"),
        ("AU v 36", "Ett möte är en enda dag"),
        ("LG 31 februari", "Datumet ”31 februari” finns inte"),
        ("LG blabla", "Jag förstod inte datumet ”blabla” efter ”LG”"),
        ("31 februari", "Datumet ”31 februari” finns inte"),
        ("deadline 7 oktober", "som ett datum eller ett möte"),  # lower case: not an organ
        ("nästa år", "som ett datum eller ett möte"),
        ("till", "inget datum"),
        ("", "inget datum"),
    ],
)
def test_parse_due_errors(text: str, fragment: str) -> None:
    with pytest.raises(DateError) as info:
        parse_due(text, MONDAY, ORGANS)
    assert fragment in str(info.value)
    assert "till exempel" in str(info.value)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def test_format_date() -> None:
    assert format_date(date(2023, 9, 1)) == "fredag 1 september 2023"
    assert format_date(date(2023, 9, 1), weekday=False) == "1 september 2023"
    assert format_date(date(2023, 9, 1), year=False) == "fredag 1 september"
    assert format_date(date(2023, 9, 1), weekday=False, year=False) == "1 september"


def test_format_time() -> None:
    assert format_time(time(11)) == "11.00"
    assert format_time(time(9, 5)) == "09.05"


def test_format_short() -> None:
    assert format_short(date(2023, 11, 17)) == "2023-11-17"


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (day(2023, 9, 1, "11:00", "15:00"), "fredag 1 september 2023 kl. 11.00–15.00"),
        (day(2023, 9, 1, "11:00"), "fredag 1 september 2023 kl. 11.00"),
        (day(2023, 11, 17), "fredag 17 november 2023"),
        (days(date(2024, 2, 1), date(2024, 2, 2)), "1–2 februari 2024"),
        (days(date(2024, 1, 30), date(2024, 2, 2)), "30 januari–2 februari 2024"),
        (days(date(2026, 12, 30), date(2027, 1, 2)), "30 december 2026–2 januari 2027"),
        (
            days(date(2024, 2, 1), date(2024, 2, 2), "09:00", "16:00"),
            "1–2 februari 2024 kl. 09.00–16.00",
        ),
    ],
)
def test_format_when(when: When, text: str) -> None:
    assert format_when(when) == text
    assert parse_when(text, MONDAY) == when


def test_when_rejects_inconsistent_values() -> None:
    with pytest.raises(ValueError):
        When(date(2024, 2, 2), date(2024, 2, 1))
    with pytest.raises(ValueError):
        When(date(2024, 2, 1), date(2024, 2, 1), None, time(10))
    with pytest.raises(ValueError):
        When(date(2024, 2, 1), date(2024, 2, 1), time(10), time(9))


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

TODAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
DAYS = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))
CLOCKS = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def whens(draw: st.DrawFn) -> When:
    start = draw(DAYS)
    length = draw(st.sampled_from([0, 0, 1, 2, 5, 40, 400]))
    end = start + timedelta(days=min(length, (date.max - start).days))
    kind = draw(st.sampled_from(["all-day", "start", "start-end"]))
    if kind == "all-day":
        return When(start, end)
    first = draw(CLOCKS)
    if kind == "start" or first == time(23, 59):
        return When(start, end, first)
    second = draw(CLOCKS.filter(lambda t: t > first))
    return When(start, end, first, second)


@settings(max_examples=300, deadline=None)
@given(whens(), TODAYS, st.booleans())
@example(When(date(2026, 12, 30), date(2027, 1, 2)), MONDAY, True)
@example(When(date(2024, 2, 29), date(2024, 2, 29), time(0, 0), time(23, 59)), MONDAY, False)
def test_format_when_round_trips(when: When, today: date, future: bool) -> None:
    assert parse_when(format_when(when), today, future=future) == when


REST = st.sampled_from(["Regionhuset, sal 3", "Workshop", "EHDS", "Beslut: enligt förslag", ""])


@settings(max_examples=200, deadline=None)
@given(whens(), TODAYS, REST)
def test_split_when_round_trips(when: When, today: date, rest: str) -> None:
    assert split_when(f"{format_when(when)} {rest}", today) == (when, rest)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_format_date_agrees_with_babel(d: date) -> None:
    assert format_date(d) == babel_format_date(d, "EEEE d MMMM y", locale="sv_SE")


@settings(max_examples=300, deadline=None)
@given(TODAYS, st.integers(1, 12), st.integers(1, 31), st.booleans())
def test_year_rule_picks_the_nearest_matching_day(
    today: date, month: int, day_of_month: int, future: bool
) -> None:
    text = f"{day_of_month} {MONTH_NAMES[month - 1]}"
    try:
        when = parse_when(text, today, future=future)
    except DateError as error:
        assert "finns inte" in str(error)
        assert day_of_month > (29 if month == 2 else 30)
        return
    found = when.start
    assert (found.month, found.day) == (month, day_of_month)
    assert found >= today if future else found <= today
    # no matching day lies between today and the one found
    between = range(today.year, found.year) if future else range(found.year + 1, today.year + 1)
    for year in between:
        try:
            candidate = date(year, month, day_of_month)
        except ValueError:
            continue
        assert candidate < today if future else candidate > today


@settings(max_examples=200, deadline=None)
@given(TODAYS, st.integers(0, 6))
def test_weekday_rules(today: date, weekday: int) -> None:
    name = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"][weekday]
    near = parse_when(name, today).start
    assert near.weekday() == weekday and today < near <= today + timedelta(days=7)
    past = parse_when(name, today, future=False).start
    assert past.weekday() == weekday and today - timedelta(days=7) <= past < today
    following = parse_when(f"nästa {name}", today).start
    assert following.weekday() == weekday
    assert following.isocalendar()[:2] == (today + timedelta(weeks=1)).isocalendar()[:2]


# Text made of the words these users write, to reach deep into the grammar.
VOCABULARY = " ".join(
    (
        "0 1 2 5 9 12 13 15 23 24 25 29 30 31 36 53 60 99 00 05 0800 1300 230814 20250509",
        "2023 2024 2026 9999 0000 - – / : . , ( ) kl kl. klockan v vecka veckan den här",
        "februari feb nov. december maj fredag fredagen fredags måndag sön i på om för",
        "sedan idag dag morgon övermorgon nästa förra denna två tre en ett dagar veckor",
        "månad månader år möte AU LG ledningsgruppen till senast PG-AVTAL :e",
    )
).split()
SEPARATORS = st.sampled_from([" ", "", "  ", "-", "/"])
DATEISH = st.lists(st.tuples(st.sampled_from(VOCABULARY), SEPARATORS), max_size=14).map(
    lambda parts: "".join(word + sep for word, sep in parts)
)
ANY_TEXT = st.one_of(st.text(max_size=300), DATEISH)


def _only_date_errors(call: object) -> None:
    assert callable(call)
    try:
        result = call()
    except DateError as error:
        assert "till exempel" in str(error)
        return
    assert isinstance(result, When | MeetingRef | tuple)


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT, st.one_of(TODAYS, st.dates()), st.booleans())
@example("9/5-26/5", MONDAY, True)
@example("om 9999 år", date(9999, 12, 31), True)
def test_parse_when_only_raises_date_error(text: str, today: date, future: bool) -> None:
    _only_date_errors(lambda: parse_when(text, today, future=future))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.one_of(TODAYS, st.dates()), st.booleans())
def test_split_when_only_raises_date_error(text: str, today: date, future: bool) -> None:
    _only_date_errors(lambda: split_when(text, today, future=future))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.one_of(TODAYS, st.dates()))
def test_parse_due_only_raises_date_error(text: str, today: date) -> None:
    _only_date_errors(lambda: parse_due(text, today, ORGANS))


@settings(max_examples=300, deadline=None)
@given(DATEISH, TODAYS, st.booleans())
def test_parsed_values_are_consistent(text: str, today: date, future: bool) -> None:
    try:
        when = parse_when(text, today, future=future)
    except DateError:
        return
    assert when.start <= when.end
    assert when.end_time is None or (
        when.start_time is not None and when.start_time < when.end_time
    )
    assert parse_when(format_when(when), today, future=future) == when


@pytest.mark.parametrize(
    ("text", "title", "due", "recipient"),
    [
        # sending something "till" an organ: where it goes
        ("Skicka underlaget till AU", "Skicka underlaget till AU", None, ("till AU", "AU")),
        ("Ta fram underlag till LG", "Ta fram underlag till LG", None, ("till LG", "LG")),
        (
            "Lämna yttrandet till ledningsgruppen.",
            "Lämna yttrandet till ledningsgruppen.",
            None,
            ("till ledningsgruppen", "LG"),
        ),
        # a meeting named as one, a date, another introducer, or no sending: a due point
        ("Skicka underlaget till nästa AU", "Skicka underlaget", "till nästa AU", None),
        ("Skicka underlaget till AU-mötet", "Skicka underlaget", "till AU-mötet", None),
        ("Skicka underlaget till AU 7 december", "Skicka underlaget", "till AU 7 december", None),
        ("Skicka underlaget senast AU", "Skicka underlaget", "senast AU", None),
        ("Skicka underlaget till 4/12", "Skicka underlaget", "till 4/12", None),
        ("Lyfta projektdirektivet till AU", "Lyfta projektdirektivet", "till AU", None),
    ],
)
def test_a_bare_organ_after_sending_is_where_it_goes(
    text: str, title: str, due: str | None, recipient: tuple[str, str] | None
) -> None:
    recipients: list[tuple[str, str]] = []
    assert split_due(text, MONDAY, ORGANS, recipients=recipients) == (title, due)
    assert recipients == ([recipient] if recipient else [])
