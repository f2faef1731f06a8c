"""Swedish dates and times: parsing what users type, formatting what they read.

Everything is relative to an injected ``today``; nothing here reads the clock.

Accepted forms (case-insensitive; extra spaces, ``den``, commas, parentheses and trailing
punctuation are tolerated; text is NFKC-normalised and å/ä/ö may be typed as a/a/o):

* explicit days: ``2025-05-09``, ``230814`` (YYMMDD), ``20250509``, ``9/5``, ``9/5 2026``,
  ``9/5-26``, ``9/5/2026``, ``17 november``, ``17 nov.``, ``17:e november 2023``,
  ``den 17 november``, ``fredagen den 1 september 2023`` (a leading weekday must match the date)
* ranges: ``1-2 februari 2024``, ``1 – 2 februari``, ``30 januari-2 februari``,
  ``30 december 2026–2 januari 2027``, ``9-10/5``, ``9/5-12/5``, ``2025-05-09--2025-05-10``
* times after a day or range: ``kl 11-15``, ``kl. 13.00 – 15.00``, ``kl 13:00``, ``kl 9``,
  ``kl 1300``, ``13-15``, ``13.00-15.00``, ``(11:10–11:30)``, ``13.00``. A bare hour (``13``)
  is only a time after ``kl``/``klockan`` or as part of a range (``13-15``). A time introduced
  by ``kl`` may also come before the day: ``kl 13 i morgon``, ``kl. 10–12 på fredag``.
* weeks (Monday–Friday of the ISO week): ``v 36``, ``v36``, ``v. 36``, ``vecka 36``,
  ``vecka 36 2026``, ``v 36-37``, ``nästa vecka``, ``denna vecka``, ``den här veckan``,
  ``i veckan``, ``förra veckan``; a day in a week: ``fredag v 36``, ``fredag nästa vecka``
* relative days: ``idag``/``i dag``, ``i morgon``/``imorgon``, ``i övermorgon``, ``i går``,
  ``i förrgår``, ``fredag``/``på fredag``, ``nästa fredag``, ``förra fredagen``,
  ``i fredags``, ``om två veckor``, ``om 3 dagar``, ``om en månad``, ``om ett år``,
  ``för två veckor sedan``

Rules:

* A day without a year is the next such day on or after today when ``future`` is true, and the
  last one on or before today otherwise. A range without a year is placed by its start; its end
  is the first such day on or after the start. A year written only at the end of a range
  (``30 januari-2 februari 2024``) applies to the start too.
* A week number without a year is the next such week (the current week included) when
  ``future`` is true, the last one otherwise.
* ``fredag`` / ``på fredag``: the first Friday strictly after today (``future=False``: the last
  Friday strictly before today). ``nästa fredag``: the Friday of next ISO week, so on a Monday
  it is 11 days ahead and on a Sunday 5 days ahead. ``förra fredagen``: the Friday of the
  previous ISO week. ``i fredags``: the last Friday strictly before today.
* ``om en månad`` adds calendar months, keeping the day of month where it exists (31 januari +
  1 month = 28/29 februari).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

# --------------------------------------------------------------------------------------------
# User-facing texts (Swedish). Placeholders are filled with str.format.
# --------------------------------------------------------------------------------------------

ERR_EMPTY = (
    "Du skrev inget datum. Skriv till exempel ”17 november”, ”2026-11-17” eller ”i morgon kl. 13”."
)
ERR_TOO_LONG = (
    "Texten är för lång för att vara ett datum (högst {limit} tecken). "
    "Skriv till exempel ”17 november kl. 13–15”."
)
ERR_NOT_UNDERSTOOD = (
    "Jag förstod inte ”{text}” som ett datum. Skriv till exempel ”17 november”, ”2026-11-17”, "
    "”fredag kl. 13–15”, ”v 36” eller ”om två veckor”."
)
ERR_NO_LEADING_DATE = (
    "Texten ”{text}” börjar inte med ett datum. "
    "Skriv till exempel ”14 augusti 13–15 Regionhuset, sal 3”."
)
ERR_NO_SUCH_DATE = (
    "Datumet ”{text}” finns inte. Skriv till exempel ”{example}” eller ”{iso_example}”."
)
ERR_NO_SUCH_MONTH = (
    "Datumet ”{text}” finns inte – månaden måste vara 1–12. Skriv till exempel ”{example}”."
)
ERR_WRONG_WEEKDAY = (
    "Den {date} är en {actual}, inte en {given}. "
    "Skriv till exempel ”{example}” eller bara ”{plain}”."
)
ERR_NO_SUCH_TIME = (
    "Klockslaget ”{text}” finns inte. Skriv till exempel ”kl. 13.00” eller ”kl. 13.00–15.00”."
)
ERR_TIME_ORDER = (
    "Sluttiden {end} är inte efter starttiden {start}. Skriv till exempel ”kl. {example}”."
)
ERR_RANGE_ORDER = "Slutdatumet {end} är före startdatumet {start}. Skriv till exempel ”{example}”."
ERR_NO_SUCH_WEEK = (
    "Vecka {week} finns inte år {year}. Skriv till exempel ”v 36” eller ”vecka 36 {year}”."
)
ERR_BAD_WEEK = "Vecka {week} finns inte – veckonumret måste vara 1–53. Skriv till exempel ”v 36”."
ERR_TIME_ONLY = "Ange också vilken dag, till exempel ”i morgon {text}” eller ”17 november {text}”."
ERR_OUT_OF_RANGE = (
    "Datumet ligger för långt bort. Skriv till exempel ”om två veckor” eller ”2027-01-15”."
)
ERR_DUE_NOT_UNDERSTOOD = (
    "Jag förstod inte ”{text}” som ett datum eller ett möte. "
    "Skriv till exempel ”15 december”, ”om två veckor”, ”nästa fredag”, ”i juni”, ”nästa AU”, "
    "”nästa ledningsgrupp”, ”LG 7 oktober” eller ”LG-231006”."
)
ERR_UNKNOWN_ORGAN = (
    "Jag känner inte till något organ ”{organ}”. Kända organ: {known}. "
    "Skriv till exempel ”nästa AU” eller ”LG i oktober”."
)
ERR_TWO_DUES = (
    "Jag ser två tidpunkter: ”{first}” och ”{second}”. Skriv bara en, sist, till exempel "
    "”… till nästa AU”. Hör ”{first}” till själva uppdraget, sätt citattecken runt det: "
    '"{first}".'
)
ERR_DATE_IN_TEXT = (
    "”{phrase}” ser ut som en tidpunkt men står mitt i texten. Skriv tidpunkten sist, till "
    "exempel ”… till nästa AU” eller ”… om två veckor”. Hör det till själva uppdraget, sätt "
    'citattecken runt det: "{phrase}".'
)
ERR_BEFORE_MEETING = (
    "”{phrase}” kan jag inte läsa som en tidpunkt: jag räknar inte dagar eller veckor före ett "
    "möte. Skriv dagen sist, till exempel ”senast 4/12”, eller mötet, till exempel ”till nästa "
    'AU”. Hör det till själva uppdraget, sätt citattecken runt det: "{phrase}".'
)
ERR_MEETING_DATE = (
    "Jag förstod inte datumet ”{text}” efter ”{organ}”. "
    "Skriv till exempel ”{organ} 7 oktober” eller ”nästa {organ}”."
)
ERR_MEETING_ONE_DAY = (
    "Ett möte är en enda dag, men ”{text}” är flera dagar. "
    "Skriv till exempel ”{organ} 7 oktober” eller ”nästa {organ}”."
)
ERR_MEETING_NO_ORGAN = (
    "Ange vilket möte du menar med ”{text}”, till exempel ”nästa AU”, ”nästa ledningsgrupp” "
    "eller ”LG 7 oktober”."
)

# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

#: Longest text (in characters) that is considered as a date expression at all.
MAX_LENGTH = 200
#: split_when looks for a date in at most this many leading whitespace-separated words.
MAX_SPLIT_WORDS = 16

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


class DateError(ValueError):
    """A date expression that could not be understood.

    ``str(e)`` is a Swedish, user-facing message that says what was wrong and gives an example
    that works.
    """


class _NotUnderstood(DateError):
    """The text did not look like a date at all (as opposed to e.g. an impossible date)."""


@dataclass(frozen=True)
class When:
    """A day or a run of days, optionally with a start time (and end time) on each day."""

    start: date
    end: date  # inclusive; == start for a single day
    start_time: time | None = None
    end_time: time | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("When.end must not be before When.start")
        if self.end_time is not None:
            if self.start_time is None:
                raise ValueError("When.end_time requires When.start_time")
            if self.end_time <= self.start_time:
                raise ValueError("When.end_time must be after When.start_time")

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    @property
    def multi_day(self) -> bool:
        return self.end > self.start


@dataclass(frozen=True)
class MeetingRef:
    """A reference to a meeting of an organ.

    ``on`` alone: that day's meeting; ``on`` and ``last``: the first meeting in that window (a
    month: ``LG i oktober``); neither: the next one. ``kind``: a session asked for by name
    (``workshop``, ``internat`` …); None is the organ's meeting proper. ``ref``: the bot's own
    reference to a meeting (``LG-231006``)."""

    organ: str
    on: date | None
    kind: str | None = None
    last: date | None = None
    ref: str | None = None


def parse_when(text: str, today: date, *, future: bool = True) -> When:
    """Parse a whole string as a date expression (see the module docstring)."""
    return _parse(text, today, future)


def split_when(text: str, today: date, *, future: bool = True) -> tuple[When, str]:
    """Split a leading date expression off ``text``.

    Returns the longest leading run of whitespace-separated words that parses, and the rest
    of the text stripped. If a longer leading run looks like a date but is wrong (an impossible
    date, an invalid time), that error is raised instead of silently using a shorter run.
    """
    if not text.strip():
        raise DateError(ERR_EMPTY)
    ends: list[int] = []
    for match in re.finditer(r"\S+", text):
        if match.end() > MAX_LENGTH:
            break
        ends.append(match.end())
        if len(ends) >= MAX_SPLIT_WORDS:
            break
    specific: DateError | None = None
    for end in reversed(ends):
        try:
            when = _parse(text[:end], today, future)
        except _NotUnderstood:
            continue
        except DateError as error:
            specific = specific or error
            continue
        if specific is not None:
            raise specific
        return when, text[end:].strip()
    if specific is not None:
        raise specific
    raise DateError(ERR_NO_LEADING_DATE.format(text=_quote(text)))


def parse_due(
    text: str,
    today: date,
    organs: Mapping[str, str],
    *,
    here: str | None = None,
    bare: str = "always",
    unknown_organs: bool = True,
) -> When | MeetingRef:
    """Parse a due point: a (future) date expression or a reference to a meeting.

    ``organs`` maps lower-case aliases (``"au"``, ``"ledningsgruppen"``) to short names
    (``"AU"``, ``"LG"``); ``here`` is the organ of the channel, for phrases that name a meeting
    but no organ (``nästa möte``, ``oktobermötet``, ``till workshopen``).

    Each form may be preceded by ``till``, ``senast``, ``före``, ``innan``, ``inför``, ``på``,
    ``vid``, ``under`` or ``inom`` (``inom två veckor`` = ``om två veckor``):

    * meetings: ``nästa AU``, ``kommande AU``, ``nästa möte i AU``, ``AU`` (the next meeting),
      ``LG 7 oktober``, ``AU 230814``, ``AU-mötet 7 oktober``, ``LG i oktober``,
      ``LG-mötet i september``, ``ledningsgruppens möte i oktober``, ``oktobermötet``,
      ``juni-mötet``, ``nästa kommittésammanträde den 28 maj``, ``mötet 9/5``; the bot's own
      references: ``LG-231006``;
    * other sessions, only when named: ``till workshopen``, ``nästa internat``,
      ``nätverksträff i juni``, ``LG-workshopen 17 november``;
    * months: ``i juni``, ``i juni 2024``, ``(i) slutet av juni`` — the whole month, as a
      :class:`When` from its first to its last day;
    * every date form of :func:`parse_when` (in the future).

    ``bare`` says when a bare organ (``AU``: its next meeting) counts: ``"always"``, only after
    one of the words above (``"introduced"``) or ``"never"``; a bare session word (``till
    workshopen``) always needs such a word or ``nästa``. With ``unknown_organs``, an organ not
    in ``organs`` is accepted as ``nästa X`` (any case) or ``X 7 oktober`` (only when typed in
    capitals, e.g. ``PG-AVTAL 7 oktober``); its short name is then the typed word in upper
    case. A time after a meeting date is ignored (the meeting is identified by its day).
    """
    if len(text) > MAX_LENGTH:
        raise DateError(ERR_TOO_LONG.format(limit=MAX_LENGTH))
    words = unicodedata.normalize("NFKC", text).strip().rstrip(".,;:!?").split()
    introduced = False
    while words and _fold(words[0].lower()) in _INTRODUCERS:
        if [_fold(w.lower()) for w in words[:3]] == ["till", "och", "med"]:
            words = words[2:]
        if _fold(words[0].lower()) == "inom" and len(words) > 1:
            words[0] = "om"  # "inom två veckor": within two weeks
            introduced = True
            break
        words = words[1:]
        introduced = True
    if not words:
        raise DateError(ERR_EMPTY)
    try:
        return _due(words, today, organs, here, bare, unknown_organs, introduced)
    except DateError:
        # "i v 36", "i 2 veckor"? A leading "i" may also just introduce a date.
        if len(words) > 1 and _fold(words[0].lower()) == "i":
            try:
                return _due(words[1:], today, organs, here, bare, unknown_organs, True)
            except DateError:
                pass
        raise


def _due(
    words: list[str],
    today: date,
    organs: Mapping[str, str],
    here: str | None,
    bare: str,
    unknown_organs: bool,
    introduced: bool,
) -> When | MeetingRef:
    body = " ".join(words)
    folded = [_fold(w.lower()) for w in words]
    aliases = _alias_table(organs)
    single = {alias[0]: short for alias, short in aliases.items() if len(alias) == 1}

    # The bot's own reference: "LG-231006", "AU-230814-2".
    if len(words) == 1:
        ref = _MEETING_REF_RE.fullmatch(words[0].strip("()"))
        if ref is not None:
            return MeetingRef(ref.group("organ").upper(), None, ref=ref.group(0).upper())

    upcoming = folded[0] in ("nasta", "kommande")
    start = 1 if upcoming else 0
    if upcoming and len(words) == 1:
        raise DateError(ERR_MEETING_NO_ORGAN.format(text=_quote(body)))
    head = _meeting_head(folded, start, aliases, single)
    if head is not None:
        organ, month, kind, used, named = head
        rest, rest_folded = words[used:], folded[used:]
        if not rest and month is None:
            if named:  # "till workshopen", "nästa LG-möte"
                ok = upcoming or introduced or bare == "always"
            else:  # a bare organ: "AU", "till AU"
                ok = upcoming or bare == "always" or (bare == "introduced" and introduced)
            if not ok:
                raise _NotUnderstood(ERR_DUE_NOT_UNDERSTOOD.format(text=_quote(body)))
        owner = organ or here
        if owner is None:
            raise DateError(ERR_MEETING_NO_ORGAN.format(text=_quote(body)))
        if month is None and len(rest) in (2, 3) and rest_folded[0] == "i":
            month = _MONTH_SIGNAL_WORDS.get(rest_folded[1])
            if month is not None:
                rest, rest_folded = rest[2:], rest_folded[2:]
        if month is not None:
            year = None
            if rest:
                if len(rest) != 1 or not re.fullmatch(r"\d{4}", rest[0]):
                    raise DateError(
                        ERR_MEETING_DATE.format(text=_quote(" ".join(rest)), organ=owner)
                    )
                year = int(rest[0])
            first, last = _month_window(month, year, today)
            return MeetingRef(owner, first, kind, last)
        if not rest:
            return MeetingRef(owner, None, kind)
        return MeetingRef(owner, _meeting_day(" ".join(rest), today, owner), kind)

    # A month: "i juni", "i juni 2024", "i slutet av juni", "till juni"
    month_when = _month_phrase(folded, today, introduced)
    if month_when is not None:
        return month_when

    try:
        return _parse(body, today, True)
    except _NotUnderstood:
        date_error: DateError | None = None
    except DateError as error:
        date_error = error

    if unknown_organs:
        if upcoming:
            rest_at = _skip_meeting_filler(folded, 1)
            if rest_at == len(words) - 1 and _looks_like_organ(words[rest_at]):
                return MeetingRef(words[rest_at].upper(), None)
        if date_error is None:
            typed = words[0]
            if len(words) > 1 and _looks_like_organ(typed) and typed == typed.upper():
                day = _meeting_day(" ".join(words[1:]), today, typed.upper())
                return MeetingRef(typed.upper(), day)
    if date_error is not None:
        raise date_error
    raise _NotUnderstood(ERR_DUE_NOT_UNDERSTOOD.format(text=_quote(body)))


def _meeting_head(
    folded: list[str],
    i: int,
    aliases: Mapping[tuple[str, ...], str],
    single: Mapping[str, str],
) -> tuple[str | None, int | None, str | None, int, bool] | None:
    """Organ and meeting words at ``folded[i:]``: (organ, month, kind, next index, named),
    where ``named`` says a meeting or session word was written (``LG-mötet``, ``workshopen``,
    ``oktobermötet``), not only an organ."""
    if i >= len(folded):
        return None
    word = _meeting_word(folded[i], single)
    if word is not None:
        organ, month, kind = word
        j = i + 1
        if organ is None and j < len(folded) and folded[j] in ("i", "med", "for"):
            hit = _match_alias(folded, j + 1, aliases)
            if hit is not None:
                organ, j = hit[0], hit[1]
        return organ, month, kind, j, True
    hit = _match_alias(folded, i, aliases)
    named = False
    kind = None
    if hit is not None:
        organ, j, named = hit
    else:
        genitive = folded[i].replace(":", "")
        if not (genitive.endswith("s") and genitive[:-1] in single):
            return None
        organ, j = single[genitive[:-1]], i + 1
        if j >= len(folded) or _meeting_word(folded[j], {}) is None:
            return None  # "ledningsgruppens" alone is not a meeting
    if not named and j < len(folded):
        following = _meeting_word(folded[j], {})
        if following is not None and following[0] is None and following[1] is None:
            kind, j, named = following[2], j + 1, True
    return organ, None, kind, j, named


def _meeting_word(
    word: str, single: Mapping[str, str]
) -> tuple[str | None, int | None, str | None] | None:
    """One word that names a meeting or session: (organ, month, kind). ``LG-mötet``,
    ``ledningsgruppsmötet``, ``oktobermötet``, ``juni-mötet``, ``kommittésammanträdet``,
    ``mötet``, ``workshopen``, ``LG-internatet``."""
    word = word.replace(":", "")
    if "-" in word:
        prefix, _, rest = word.partition("-")
        if prefix in single and "-" not in rest:
            if rest in _SESSION_WORDS:
                return single[prefix], None, _SESSION_WORDS[rest]
            if rest in _MEETING_SUFFIX_WORDS:
                return single[prefix], None, None
    joined = word.replace("-", "")
    if joined in _SESSION_WORDS:
        return None, None, _SESSION_WORDS[joined]
    for suffix in _MEETING_SUFFIX_WORDS:
        if joined.endswith(suffix):
            prefix = joined[: -len(suffix)]
            plain = prefix[:-1] if prefix.endswith("s") else prefix
            for candidate in (prefix, plain):
                if candidate in _MONTH_FULL_WORDS:
                    return None, _MONTH_FULL_WORDS[candidate], None
                if candidate in single:
                    return single[candidate], None, None
            if prefix in _GENERIC_MEETING_PREFIXES:
                return None, None, None
            return None
    return None


def _month_window(month: int, year: int | None, today: date) -> tuple[date, date]:
    """A month's first and last day; without a year this month or the next such month."""
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    if not 1000 <= year <= 9999:
        raise DateError(ERR_OUT_OF_RANGE)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _month_phrase(folded: list[str], today: date, introduced: bool) -> When | None:
    """``i juni [2024]``, ``(i) slutet av juni [2024]``, and after ``till``/``senast`` also
    ``juni [2024]``: the whole month."""
    i = 0
    if folded[:1] == ["i"]:
        i = 1
    if folded[i : i + 2] == ["slutet", "av"]:
        i += 2
    elif i == 0 and not introduced:
        return None
    if i >= len(folded):
        return None
    month = _MONTH_SIGNAL_WORDS.get(folded[i])
    if month is None:
        return None
    rest = folded[i + 1 :]
    if len(rest) > 1 or (rest and not re.fullmatch(r"\d{4}", rest[0])):
        return None
    first, last = _month_window(month, int(rest[0]) if rest else None, today)
    return When(first, last)


def month_of(when: When) -> bool:
    """True when ``when`` is exactly one calendar month (``i juni``)."""
    return (
        when.start.day == 1
        and (when.start.year, when.start.month) == (when.end.year, when.end.month)
        and when.end.day == calendar.monthrange(when.end.year, when.end.month)[1]
    )


def split_due(
    text: str,
    today: date,
    organs: Mapping[str, str],
    *,
    here: str | None = None,
    recipients: list[tuple[str, str]] | None = None,
) -> tuple[str, str | None]:
    """Split an assignment's text into what is to be done and when: ``Lyfta projektdirektivet
    om två veckor`` → (``Lyfta projektdirektivet``, ``om två veckor``).

    The due point is the longest run of words at the end that :func:`parse_due` reads (with or
    without ``till``/``senast``; a bare organ only after such a word). A date right after
    ``från``, ``sedan``, ``efter`` or ``av`` belongs to the text, and so does anything in
    quotation marks. Nothing is dropped silently: a second due point in the text, a date in the
    middle of it, or a phrase meant as a date that does not parse raises a :class:`DateError`
    that quotes it.

    A bare organ after ``till`` at the end is the recipient, not a due point, when the text
    sends something (``Skicka underlaget till AU``, ``Ta fram underlag till LG``: a sending verb
    before it, or a document right before ``till``): it stays in the text, and the phrase with
    the organ's short name is added to ``recipients`` so the answer can say how it was read.
    ``till nästa AU``, ``till AU-mötet``, ``till AU 7 oktober``, ``senast AU`` are due points
    all the same.
    """
    masked = _QUOTED_RE.sub(lambda m: _MASK * len(m.group()), text)
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", masked)]
    raw = [text[s:e] for s, e in spans]
    folded = [_fold(unicodedata.normalize("NFKC", w).lower()).strip(".,;:!?()") for w in raw]
    hidden = [_MASK in masked[s:e] for s, e in spans]
    count = len(spans)

    def reads(a: int, b: int, bare: str) -> When | MeetingRef | None:
        if any(hidden[a:b]):
            return None
        phrase = text[spans[a][0] : spans[b - 1][1]]
        try:
            value = parse_due(phrase, today, organs, here=here, bare=bare, unknown_organs=False)
        except DateError:
            return None
        if isinstance(value, When) and value.end <= today and folded[a] not in _INTRODUCERS:
            return None  # "läget i dag", "mötet i går": about the past, not a due point
        return value

    def exempt(a: int) -> bool:  # "från 2 juni" (but "sedan till AU 8 december" is a due point)
        return a > 0 and folded[a - 1] in _NOT_DUE_BEFORE and folded[a] not in _INTRODUCERS

    _before_meeting(text, spans, folded, hidden)
    due_at: int | None = None
    for a in range(max(0, count - MAX_SPLIT_WORDS), count):
        if reads(a, count, "introduced") is not None:
            due_at = a
            break
    if due_at is not None and exempt(due_at):
        due_at = None
    if due_at is not None and _sent_to(folded, due_at) and reads(due_at, count, "never") is None:
        organ = reads(due_at, count, "introduced")
        if recipients is not None and isinstance(organ, MeetingRef):  # to whom, not when
            recipients.append((text[spans[due_at][0] :].strip().rstrip(".,;:!?"), organ.organ))
        due_at = None
    limit = count if due_at is None else due_at
    due = None if due_at is None else text[spans[due_at][0] :].strip()
    organ_words = frozenset(alias[0] for alias in _alias_table(organs))
    a = 0
    while a < limit:
        if hidden[a] or not _could_start(folded[a], organ_words):
            a += 1
            continue
        longest = next(
            (b for b in range(min(limit, a + 8), a, -1) if reads(a, b, "never") is not None),
            None,
        )
        if longest is not None and exempt(a):
            a = longest  # "från 2 juni": part of the text
            continue
        if longest is not None:
            phrase = _quote(text[spans[a][0] : spans[longest - 1][1]])
            if due is not None:
                raise DateError(ERR_TWO_DUES.format(first=phrase, second=_quote(due)))
            raise DateError(ERR_DATE_IN_TEXT.format(phrase=phrase))
        if not exempt(a) and _looks_dated(raw[a:limit], folded[a:limit]):
            lead = next(k for k in range(a, limit) if folded[k] not in _INTRODUCERS)
            end = min(limit, lead + 4)
            phrase = text[spans[a][0] : spans[end - 1][1]]
            raise DateError(_why_not(phrase, today, organs, here))
        a += 1
    title = text if due_at is None else text[: spans[due_at][0]]
    return title.strip().rstrip(",;:–-").strip(), due


def _before_meeting(
    text: str, spans: list[tuple[int, int]], folded: list[str], hidden: list[bool]
) -> None:
    """ "två veckor innan mötet", "senast en vecka före AU": counted back from a meeting, which
    is not read – quoted back, never stored as the meeting with the count left in the text."""
    for k in range(len(folded) - 2):
        amount, unit, before = folded[k : k + 3]
        if any(hidden[k : k + 3]) or before not in ("innan", "fore"):
            continue
        if (amount.isdigit() or amount in _NUMBER_WORDS) and (
            unit in _UNIT_WORDS or unit in ("arbetsdag", "arbetsdagar")
        ):
            start = k - 1 if k > 0 and folded[k - 1] in _INTRODUCERS else k
            end = min(len(folded), k + 5)
            phrase = _quote(text[spans[start][0] : spans[end - 1][1]].rstrip(".,;:!?"))
            raise DateError(ERR_BEFORE_MEETING.format(phrase=phrase))


def _sent_to(folded: list[str], at: int) -> bool:
    """Whether ``till`` at ``folded[at]`` says where something is sent: a sending verb before
    it, or a document right before it."""
    if folded[at] != "till" or at == 0:
        return False
    return folded[at - 1] in _SENT_NOUNS or any(w in _SENDING_VERBS for w in folded[:at])


def _why_not(phrase: str, today: date, organs: Mapping[str, str], here: str | None) -> str:
    """The message for a phrase that was meant as a due point but does not read as one."""
    try:
        value = parse_due(phrase, today, organs, here=here)
    except _NotUnderstood:
        return ERR_DUE_NOT_UNDERSTOOD.format(text=_quote(phrase))
    except DateError as error:
        return str(error)  # an impossible date, "Ange vilket möte", …: says what is wrong
    if isinstance(value, MeetingRef) and value.organ not in set(organs.values()):
        known = ", ".join(sorted(set(organs.values()))) or "inga ännu"
        return ERR_UNKNOWN_ORGAN.format(organ=_quote(value.organ), known=known)
    return ERR_DUE_NOT_UNDERSTOOD.format(text=_quote(phrase))


def _could_start(word: str, organ_words: frozenset[str]) -> bool:
    """A cheap test: could a due phrase begin with this (folded) word?"""
    return (
        any(c.isdigit() for c in word)
        or word in _START_WORDS
        or word in _MONTH_SIGNAL_WORDS
        or word in _WEEKDAY_WORDS
        or word in organ_words
        or word.replace(":", "")[:-1] in organ_words
        or _meeting_word(word, {}) is not None
        or "-" in word
    )


def _looks_dated(raw: list[str], folded: list[str]) -> bool:
    """Words that were meant as a due point, so a failure to read them must be told: a date
    written with digits, a day and a month, a week number, a meeting reference, ``nästa`` with a
    weekday, week, meeting word or an organ in capitals; after ``till``/``senast`` … also a
    weekday, a meeting word or an organ followed by digits."""
    i = 0
    while i < len(folded) and folded[i] in _INTRODUCERS:
        i += 1
    if i >= len(folded):
        return False
    introduced = i > 0
    first = folded[i]
    second = folded[i + 1] if i + 1 < len(folded) else ""
    if _DATE_TOKEN_RE.fullmatch(first) or _MEETING_REF_RE.fullmatch(raw[i].strip(".,;:!?()")):
        return True
    if first.isdigit() and len(first) <= 2 and second in _MONTH_WORDS:
        return True
    if first in ("v", "vecka") and second[:1].isdigit():
        return True
    if first in ("nasta", "kommande") and second:
        word = raw[i + 1].strip(".,;:!?()")
        capitals = len(word) >= 2 and word == word.upper() and _looks_like_organ(word)
        return (
            second in _WEEKDAY_FULL
            or second in ("vecka", "veckan")
            or _meeting_word(second, {}) is not None
            or capitals
        )
    if introduced:
        return (
            first in _WEEKDAY_FULL
            or _meeting_word(first, {}) is not None
            or (second[:1].isdigit() and raw[i] == raw[i].upper() and _looks_like_organ(raw[i]))
        )
    return False


def format_date(d: date, *, weekday: bool = True, year: bool = True) -> str:
    """``fredag 1 september 2023``; without weekday ``1 september 2023``; without year
    ``fredag 1 september``."""
    text = f"{d.day} {MONTH_NAMES[d.month - 1]}"
    if year:
        text = f"{text} {d.year}"
    if weekday:
        text = f"{WEEKDAY_NAMES[d.weekday()]} {text}"
    return text


def format_time(t: time) -> str:
    """``11.00``, ``09.05`` (24-hour clock, Swedish dot)."""
    return f"{t.hour:02d}.{t.minute:02d}"


def format_when(w: When) -> str:
    """``fredag 1 september 2023 kl. 11.00–15.00``, ``1–2 februari 2024``,
    ``30 januari–2 februari 2024``, ``30 december 2026–2 januari 2027``.

    The result always contains the year, so :func:`parse_when` gives back the same value (for
    years 1000–9999; earlier years are not written with four digits).
    """
    if not w.multi_day:
        text = format_date(w.start)
    elif w.start.year != w.end.year:
        text = f"{format_date(w.start, weekday=False)}–{format_date(w.end, weekday=False)}"
    elif w.start.month != w.end.month:
        start = format_date(w.start, weekday=False, year=False)
        text = f"{start}–{format_date(w.end, weekday=False)}"
    else:
        text = f"{w.start.day}–{format_date(w.end, weekday=False)}"
    if w.start_time is not None:
        text = f"{text} kl. {format_time(w.start_time)}"
        if w.end_time is not None:
            text = f"{text}–{format_time(w.end_time)}"
    return text


def format_short(d: date) -> str:
    """The short form for tables and CSV: ISO ``2023-11-17``."""
    return d.isoformat()


# --------------------------------------------------------------------------------------------
# Vocabulary (folded: lower case, å/ä/ö -> a/a/o)
# --------------------------------------------------------------------------------------------


def _fold_char(c: str) -> str:
    """Strip diacritics from one character, keeping the length of the string unchanged."""
    if c.isascii():
        return c
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch)
    )
    return stripped if len(stripped) == 1 else c


def _fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


_MONTH_WORDS: dict[str, int] = {_fold(name): i + 1 for i, name in enumerate(MONTH_NAMES)}
_MONTH_WORDS.update(
    {"jan": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8}
)
_MONTH_WORDS.update({"sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12})

_WEEKDAY_WORDS: dict[str, int] = {}
_WEEKDAY_PAST_WORDS: dict[str, int] = {}  # "fredags" as in "i fredags"
for _index, _name in enumerate(WEEKDAY_NAMES):
    _WEEKDAY_WORDS[_fold(_name)] = _index
    _WEEKDAY_WORDS[_fold(_name) + "en"] = _index
    _WEEKDAY_PAST_WORDS[_fold(_name) + "s"] = _index
_WEEKDAY_WORDS.update(
    {"man": 0, "tis": 1, "ons": 2, "tor": 3, "tors": 3, "fre": 4, "lor": 5, "son": 6}
)

_NUMBER_WORDS: dict[str, int] = {
    word: value
    for value, word in enumerate(
        ("en", "tva", "tre", "fyra", "fem", "sex", "sju", "atta", "nio", "tio", "elva", "tolv"),
        start=1,
    )
}
_NUMBER_WORDS["ett"] = 1

# unit word -> (days, months)
_UNIT_WORDS = {
    "dag": (1, 0),
    "dagar": (1, 0),
    "vecka": (7, 0),
    "veckor": (7, 0),
    "manad": (0, 1),
    "manader": (0, 1),
    "ar": (0, 12),
}

_DAY_PHRASES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("idag",), 0),
    (("i", "dag"), 0),
    (("imorgon",), 1),
    (("i", "morgon"), 1),
    (("imorn",), 1),
    (("i", "morn"), 1),
    (("iovermorgon",), 2),
    (("i", "overmorgon"), 2),
    (("igar",), -1),
    (("i", "gar"), -1),
    (("iforrgar",), -2),
    (("i", "forrgar"), -2),
)

_WEEK_PHRASES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("nasta", "vecka"), 1),
    (("nasta", "veckan"), 1),
    (("denna", "vecka"), 0),
    (("denna", "veckan"), 0),
    (("den", "har", "veckan"), 0),
    (("den", "har", "vecka"), 0),
    (("i", "veckan"), 0),
    (("forra", "veckan"), -1),
    (("forra", "vecka"), -1),
)

_RESERVED_WORDS = (
    set(_MONTH_WORDS)
    | set(_WEEKDAY_WORDS)
    | set(_WEEKDAY_PAST_WORDS)
    | set(_NUMBER_WORDS)
    | set(_UNIT_WORDS)
    | {word for phrase, _ in _DAY_PHRASES + _WEEK_PHRASES for word in phrase}
    | {"mote", "motet", "moten", "sammantrade", "sammantradet", "gang", "manaden", "aret"}
    | {"kl", "klockan", "v", "om", "pa", "for", "sedan", "till", "senast", "nasta", "forra"}
    | {"kommande", "slutet", "inom", "infor", "vid", "under", "fore", "innan", "i", "den"}
)

_MEETING_FILLERS = (
    ("mote", "i"),
    ("mote", "med"),
    ("mote", "for"),
    ("motet", "i"),
    ("sammantrade", "i"),
    ("sammantrade", "med"),
    ("mote",),
)
_MEETING_SUFFIXES = ("-motet", "-mote", "-sammantradet", "-sammantrade")

# Words that introduce a due point ("till nästa AU", "senast 4/12", "inför LG 7 oktober").
_INTRODUCERS = frozenset(
    {"till", "senast", "fore", "innan", "infor", "pa", "vid", "under", "inom", "tom", "t.o.m"}
)
# A date right after these belongs to the text ("beslutet från 2 juni").
_NOT_DUE_BEFORE = frozenset({"fran", "ifran", "sedan", "efter", "av"})
# "Skicka underlaget till AU": after these verbs (anywhere before) or right after these nouns, a
# bare organ after "till" is where something goes (the recipient), not when (folded forms).
_SENDING_VERBS = frozenset(
    {
        *("skicka", "skickar", "skickas", "lamna", "lamnar", "lamnas", "overlamna"),
        *("overlamnar", "overlamnas", "sanda", "sander", "oversanda", "oversander", "maila"),
        *("mailar", "mejla", "mejlar", "e-posta", "eposta", "vidarebefordra"),
        *("vidarebefordrar", "delge", "delger", "distribuera", "distribuerar", "ge", "ger"),
    }
)
_SENT_NOUNS = frozenset(
    {
        *("underlag", "underlaget", "beslutsunderlag", "beslutsunderlaget", "forslag"),
        *("forslaget", "material", "materialet", "rapport", "rapporten", "skrivelse"),
        *("skrivelsen", "tjansteskrivelse", "tjansteskrivelsen", "svar", "svaret"),
        *("remissvar", "remissvaret", "yttrande", "yttrandet", "sammanstallning"),
        *("sammanstallningen", "information", "informationen", "inbjudan", "inbjudningar"),
    }
)
# Sessions other than meetings, asked for by name (folded forms → the kind kept for them).
_SESSION_WORDS = {
    **dict.fromkeys(("workshop", "workshopen"), "workshop"),
    **dict.fromkeys(("internat", "internatet"), "internat"),
    **dict.fromkeys(
        ("planeringsdagar", "planeringsdagarna", "planeringsdag", "planeringsdagen"), "internat"
    ),
    **dict.fromkeys(("spridningskonferens", "spridningskonferensen"), "spridningskonferens"),
    **dict.fromkeys(("konferens", "konferensen"), "konferens"),
    **dict.fromkeys(("natverkstraff", "natverkstraffen"), "nätverksträff"),
    **dict.fromkeys(
        ("utbildning", "utbildningen", "utbildningsdag", "utbildningsdagen"), "utbildning"
    ),
}
# A meeting proper: "mötet", "LG-mötet", "oktobermötet", "kommittésammanträdet".
_MEETING_SUFFIX_WORDS = ("sammantradet", "sammantrade", "motet", "mote")
_GENERIC_MEETING_PREFIXES = frozenset({"", "kommitte", "kommittens", "styrelse", "styrelsens"})
# Months as written in running text ("i juni", "i sept."): not "jul" (Christmas) or "mar".
_MONTH_FULL_WORDS = {_fold(name): i + 1 for i, name in enumerate(MONTH_NAMES)}
_MONTH_SIGNAL_WORDS = {
    **_MONTH_FULL_WORDS,
    **{"jan": 1, "feb": 2, "febr": 2, "apr": 4, "aug": 8, "sep": 9, "sept": 9, "okt": 10},
    **{"nov": 11, "dec": 12},
}
_WEEKDAY_FULL = frozenset(
    {_fold(name) for name in WEEKDAY_NAMES} | {_fold(name) + "en" for name in WEEKDAY_NAMES}
)
_START_WORDS = _INTRODUCERS | {
    "nasta",
    "kommande",
    "om",
    "i",
    "idag",
    "imorgon",
    "imorn",
    "iovermorgon",
    "v",
    "vecka",
    "veckan",
    "den",
    "slutet",
    "denna",
}
_MEETING_REF_RE = re.compile(r"(?P<organ>[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*?)-\d{6}(?:-\d+)?", re.IGNORECASE)
_DATE_TOKEN_RE = re.compile(r"\d{1,2}/\d{1,2}(?:[/-]\d{2,4})?|\d{4}-\d{1,2}-\d{1,2}|\d{6}|\d{8}")
# Text in quotation marks is the user's own: never read as a date.
_QUOTED_RE = re.compile(r'"[^"\n]*"|”[^”\n]*”|“[^”“\n]*[”“]|«[^»\n]*»|`[^`\n]*`')
_MASK = "\u2063"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_TRANSLATION = str.maketrans(
    {**{c: "-" for c in _DASHES}, **{c: " " for c in ",;()[]{}"}},
)
_TOKEN_RE = re.compile(r"(?P<num>[0-9]+)|(?P<word>[^\W\d_]+)|(?P<sym>\S)")
_ORGAN_RE = re.compile(r"[^\W\d_][\w-]{0,29}")


# --------------------------------------------------------------------------------------------
# Tokens and syntax
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num", "word" or "sym"
    text: str  # folded text
    start: int
    end: int


@dataclass(frozen=True)
class _DM:
    """Day and month as written, with the year if one was written."""

    day: int
    month: int
    year: int | None
    text: str
    named: bool  # written with a month name (for examples in error messages)


@dataclass(frozen=True)
class _Checked:
    """An explicit day preceded by a weekday name that must match it."""

    weekday: int
    dm: _DM


@dataclass(frozen=True)
class _Range:
    first: _DM
    last: _DM
    text: str


@dataclass(frozen=True)
class _Offset:
    """``idag``, ``om två veckor``: today plus days and months."""

    days: int
    months: int


@dataclass(frozen=True)
class _Weekday:
    """A weekday relative to today. mode: "near" (fredag), "next" (nästa), "prev" (förra),
    "past" (i fredags)."""

    weekday: int
    mode: str


@dataclass(frozen=True)
class _WeekNum:
    week: int
    last_week: int
    year: int | None


@dataclass(frozen=True)
class _RelWeek:
    offset: int


@dataclass(frozen=True)
class _DayInWeek:
    weekday: int
    week: _WeekNum | _RelWeek


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    text: str


@dataclass(frozen=True)
class _Times:
    start: _Clock
    end: _Clock | None


_Node = _DM | _Checked | _Range | _Offset | _Weekday | _WeekNum | _RelWeek | _DayInWeek


def _quote(text: str, limit: int = 60) -> str:
    """User text for an error message: whitespace collapsed and shortened."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tokenise(text: str) -> tuple[list[_Tok], str]:
    """Normalise and tokenise; returns the tokens and the display text their offsets refer to."""
    if len(text) > MAX_LENGTH:
        raise DateError(ERR_TOO_LONG.format(limit=MAX_LENGTH))
    display = unicodedata.normalize("NFKC", text).lower().translate(_TRANSLATION)
    if len(display) > 2 * MAX_LENGTH:
        raise DateError(ERR_TOO_LONG.format(limit=MAX_LENGTH))
    folded = _fold(display)
    raw = [
        _Tok(m.lastgroup or "sym", m.group(), m.start(), m.end())
        for m in _TOKEN_RE.finditer(folded)
    ]
    toks: list[_Tok] = []
    for i, tok in enumerate(raw):
        if tok.kind == "sym" and tok.text == ".":
            # A dot is only meaningful inside a time written 13.00; "kl.", "nov." etc. drop it.
            prev = raw[i - 1] if i > 0 else None
            nxt = raw[i + 1] if i + 1 < len(raw) else None
            if not (
                prev is not None
                and nxt is not None
                and prev.kind == "num"
                and nxt.kind == "num"
                and prev.end == tok.start
                and tok.end == nxt.start
            ):
                continue
        if tok.kind == "sym" and tok.text == "-" and toks and toks[-1].text == "-":
            continue  # "--" is one dash
        toks.append(tok)
    while toks and toks[-1].kind == "sym" and toks[-1].text in ".:-!?":
        toks.pop()
    return toks, display


class _Parser:
    """Recursive-descent parser over tokens; each rule yields every (node, next index)."""

    def __init__(self, toks: list[_Tok], display: str) -> None:
        self.toks = toks
        self.display = display

    # -- token helpers ------------------------------------------------------------------------

    def span(self, i: int, j: int) -> str:
        return self.display[self.toks[i].start : self.toks[j - 1].end].strip()

    def word(self, i: int, *words: str) -> bool:
        return i < len(self.toks) and self.toks[i].kind == "word" and self.toks[i].text in words

    def sym(self, i: int, symbol: str) -> bool:
        return i < len(self.toks) and self.toks[i].kind == "sym" and self.toks[i].text == symbol

    def num(self, i: int, *lengths: int) -> int | None:
        if i < len(self.toks) and self.toks[i].kind == "num" and len(self.toks[i].text) in lengths:
            return int(self.toks[i].text)
        return None

    def lookup(self, i: int, table: Mapping[str, int]) -> int | None:
        if i < len(self.toks) and self.toks[i].kind == "word":
            return table.get(self.toks[i].text)
        return None

    def phrase(self, i: int, words: tuple[str, ...]) -> bool:
        return all(self.word(i + k, w) for k, w in enumerate(words))

    def skip(self, i: int, *words: str) -> int:
        return i + 1 if self.word(i, *words) else i

    # -- days ---------------------------------------------------------------------------------

    def day(self, i: int) -> tuple[int, int] | None:
        value = self.num(i, 1, 2)
        if value is None:
            return None
        if self.sym(i + 1, ":") and self.word(i + 2, "e", "a"):
            return value, i + 3  # 17:e, 1:a
        return value, i + 1

    def dm_named(self, i: int) -> Iterator[tuple[_DM, int]]:
        j = self.skip(i, "den")
        found = self.day(j)
        if found is None:
            return
        day, k = found
        month = self.lookup(k, _MONTH_WORDS)
        if month is None:
            return
        k += 1
        year = self.num(k, 4)
        if year is not None:
            yield _DM(day, month, year, self.span(j, k + 1), True), k + 1
        yield _DM(day, month, None, self.span(j, k), True), k

    def dm_numeric(self, i: int) -> Iterator[tuple[_DM, int]]:
        j = self.skip(i, "den")
        day = self.num(j, 1, 2)
        month = self.num(j + 2, 1, 2)
        if day is None or month is None or not self.sym(j + 1, "/"):
            return
        k = j + 3
        if self.sym(k, "/") or self.sym(k, "-"):
            year = self.num(k + 1, 2, 4)
            if year is not None:
                year = year + 2000 if year < 100 else year
                yield _DM(day, month, year, self.span(j, k + 2), False), k + 2
        year = self.num(k, 4)
        if year is not None:
            yield _DM(day, month, year, self.span(j, k + 1), False), k + 1
        yield _DM(day, month, None, self.span(j, k), False), k

    def dm_iso(self, i: int) -> Iterator[tuple[_DM, int]]:
        j = self.skip(i, "den")
        year = self.num(j, 4)
        month = self.num(j + 2, 1, 2)
        day = self.num(j + 4, 1, 2)
        if year is None or month is None or day is None:
            return
        for sep in "-/":
            if self.sym(j + 1, sep) and self.sym(j + 3, sep):
                yield _DM(day, month, year, self.span(j, j + 5), False), j + 5

    def dm_compact(self, i: int) -> Iterator[tuple[_DM, int]]:
        j = self.skip(i, "den")
        if j >= len(self.toks) or self.toks[j].kind != "num":
            return
        digits = self.toks[j].text
        if len(digits) == 6:
            year = 2000 + int(digits[:2])
        elif len(digits) == 8:
            year = int(digits[:4])
        else:
            return
        yield _DM(int(digits[-2:]), int(digits[-4:-2]), year, digits, False), j + 1

    def explicit(self, i: int) -> Iterator[tuple[_DM, int]]:
        yield from self.dm_named(i)
        yield from self.dm_numeric(i)
        yield from self.dm_iso(i)
        yield from self.dm_compact(i)

    def ranges(self, i: int) -> Iterator[tuple[_Range, int]]:
        # "1-2 februari 2024", "9-10/5": the first day shares month (and year) with the last.
        j = self.skip(i, "den")
        first_day = self.num(j, 1, 2)
        if first_day is not None and self.sym(j + 1, "-"):
            for last, k in (*self.dm_named(j + 2), *self.dm_numeric(j + 2)):
                first = _DM(first_day, last.month, last.year, self.span(j, j + 1), last.named)
                yield _Range(first, last, self.span(j, k)), k
        # "30 januari-2 februari", "9/5-12/5", "2025-05-09--2025-05-10"
        for first, k in self.explicit(i):
            if self.sym(k, "-"):
                for last, m in self.explicit(k + 1):
                    yield _Range(first, last, self.span(i, m)), m

    def weekday(self, i: int) -> tuple[int, int] | None:
        value = self.lookup(i, _WEEKDAY_WORDS)
        return None if value is None else (value, i + 1)

    def weeks(self, i: int) -> Iterator[tuple[_WeekNum | _RelWeek, int]]:
        if self.word(i, "v", "vecka", "veckan"):
            week = self.num(i + 1, 1, 2)
            if week is not None:
                k = i + 2
                last = week
                if self.sym(k, "-") and self.num(k + 1, 1, 2) is not None:
                    last = self.num(k + 1, 1, 2) or 0
                    k += 2
                year = self.num(k, 4)
                if year is not None:
                    yield _WeekNum(week, last, year), k + 1
                yield _WeekNum(week, last, None), k
        for words, offset in _WEEK_PHRASES:
            if self.phrase(i, words):
                yield _RelWeek(offset), i + len(words)

    def relative(self, i: int) -> Iterator[tuple[_Node, int]]:
        for words, offset in _DAY_PHRASES:
            if self.phrase(i, words):
                yield _Offset(offset, 0), i + len(words)
        found = self.weekday(self.skip(i, "pa"))
        if found is not None:
            weekday, k = found
            yield _Weekday(weekday, "near"), k
            for week, m in self.weeks(self.skip(k, "i")):
                if isinstance(week, _RelWeek) or week.week == week.last_week:
                    yield _DayInWeek(weekday, week), m
        if self.word(i, "nasta", "forra"):
            found = self.weekday(i + 1)
            if found is not None:
                mode = "next" if self.toks[i].text == "nasta" else "prev"
                yield _Weekday(found[0], mode), found[1]
        if self.word(i, "i"):
            past = self.lookup(i + 1, _WEEKDAY_PAST_WORDS)
            if past is not None:
                yield _Weekday(past, "past"), i + 2
        if self.word(i, "om", "for"):
            sign = 1 if self.toks[i].text == "om" else -1
            count = self.num(i + 1, 1, 2, 3, 4)
            if count is None:
                count = self.lookup(i + 1, _NUMBER_WORDS)
            unit = self.toks[i + 2].text if self.word(i + 2, *_UNIT_WORDS) else None
            if count is not None and unit is not None:
                end = i + 3
                if sign < 0:
                    if not self.word(end, "sedan"):
                        return
                    end += 1
                days, months = _UNIT_WORDS[unit]
                yield _Offset(sign * count * days, sign * count * months), end

    def date_expr(self, i: int) -> Iterator[tuple[_Node, int]]:
        found = self.weekday(self.skip(i, "pa"))
        if found is not None:
            for dm, k in self.explicit(found[1]):
                yield _Checked(found[0], dm), k
        yield from self.explicit(i)
        yield from self.ranges(i)
        yield from self.relative(i)
        yield from self.weeks(i)

    # -- times --------------------------------------------------------------------------------

    def clock(self, i: int, compact: bool) -> tuple[_Clock, bool, int] | None:
        """One time of day; returns (clock, minutes written, next index)."""
        if compact:
            digits = self.num(i, 3, 4)
            if digits is not None:
                return _Clock(digits // 100, digits % 100, self.span(i, i + 1)), True, i + 1
        hour = self.num(i, 1, 2)
        if hour is None:
            return None
        if self.sym(i + 1, ".") or self.sym(i + 1, ":"):
            minute = self.num(i + 2, 2)
            if minute is None:
                return None
            return _Clock(hour, minute, self.span(i, i + 3)), True, i + 3
        return _Clock(hour, 0, self.span(i, i + 1)), False, i + 1

    def times(self, i: int) -> Iterator[tuple[_Times, int]]:
        kl = self.word(i, "kl", "klockan")
        j = i + 1 if kl else i
        found = self.clock(j, kl)
        if found is None:
            return
        start, minutes, k = found
        if self.sym(k, "-"):
            end = self.clock(k + 1, kl)
            if end is not None:
                yield _Times(start, end[0]), end[2]
        if kl or minutes:
            yield _Times(start, None), k


# --------------------------------------------------------------------------------------------
# Meaning
# --------------------------------------------------------------------------------------------


def _max_day(month: int) -> int:
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def _month_error(dm: _DM, year: int) -> DateError:
    """The error for a day/month that does not exist (in ``year``)."""
    year = min(max(year, 1), 9998)
    if not 1 <= dm.month <= 12:
        month = min(max(dm.month, 1), 12)
        day = min(max(dm.day, 1), calendar.monthrange(year, month)[1])
        example = date(year, month, day).isoformat()
        return DateError(ERR_NO_SUCH_MONTH.format(text=dm.text, example=example))
    last = calendar.monthrange(year, dm.month)[1]
    day = last if dm.day > last else 1
    example = format_date(date(year, dm.month, day), weekday=False, year=dm.year is not None)
    following = date(year, dm.month, last) + timedelta(days=1)
    return DateError(
        ERR_NO_SUCH_DATE.format(text=dm.text, example=example, iso_example=following.isoformat())
    )


def _make_date(year: int, dm: _DM) -> date:
    if not 1000 <= year <= 9999:  # written years have four digits
        raise DateError(ERR_OUT_OF_RANGE)
    if not 1 <= dm.month <= 12 or not 1 <= dm.day <= calendar.monthrange(year, dm.month)[1]:
        raise _month_error(dm, year)
    return date(year, dm.month, dm.day)


def _resolve_dm(dm: _DM, today: date, future: bool) -> date:
    """Apply the year rule to a day/month (or check an explicit date)."""
    if dm.year is not None:
        return _make_date(dm.year, dm)
    if not 1 <= dm.month <= 12 or not 1 <= dm.day <= _max_day(dm.month):
        raise _month_error(dm, today.year)
    step = 1 if future else -1
    for year in range(today.year, today.year + 9 * step, step):
        if not 1 <= year <= 9999 or dm.day > calendar.monthrange(year, dm.month)[1]:
            continue
        candidate = date(year, dm.month, dm.day)
        if (candidate >= today) if future else (candidate <= today):
            return candidate
    raise DateError(ERR_OUT_OF_RANGE)


def _resolve_range(node: _Range, today: date, future: bool) -> tuple[date, date]:
    first, last = node.first, node.last
    if first.year is None and last.year is not None:
        end = _resolve_dm(last, today, future)
        start = _make_date(end.year, first)
        if start > end:
            start = _make_date(end.year - 1, first)
    else:
        start = _resolve_dm(first, today, future)
        if last.year is not None:
            end = _resolve_dm(last, today, future)
        else:
            end = _make_date(start.year, last)
            if end < start:
                end = _make_date(start.year + 1, last)
    if end < start:
        example = format_when(When(end, start))
        raise DateError(
            ERR_RANGE_ORDER.format(
                end=format_date(end, weekday=False),
                start=format_date(start, weekday=False),
                example=example,
            )
        )
    return start, end


def _iso_week(year: int, week: int) -> date:
    """Monday of ISO week ``week`` of ``year``."""
    if not 1 <= week <= 53:
        raise DateError(ERR_BAD_WEEK.format(week=week))
    if not 1 <= year <= 9998:
        raise DateError(ERR_OUT_OF_RANGE)
    if week > date(year, 12, 28).isocalendar().week:
        raise DateError(ERR_NO_SUCH_WEEK.format(week=week, year=year))
    return date.fromisocalendar(year, week, 1)


def _resolve_week(node: _WeekNum | _RelWeek, today: date, future: bool) -> tuple[date, date]:
    """Monday of the first week and Friday of the last week."""
    if isinstance(node, _RelWeek):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=node.offset)
        return monday, monday + timedelta(days=4)
    if node.year is not None:
        first = _iso_week(node.year, node.week)
    else:
        if not 1 <= node.week <= 53:
            raise DateError(ERR_BAD_WEEK.format(week=node.week))
        this_year, this_week, _ = today.isocalendar()
        step = 1 if future else -1
        first_or_none: date | None = None
        for year in range(this_year, this_year + 8 * step, step):
            if not 1 <= year <= 9998 or node.week > date(year, 12, 28).isocalendar().week:
                continue
            if year != this_year or (node.week >= this_week if future else node.week <= this_week):
                first_or_none = date.fromisocalendar(year, node.week, 1)
                break
        if first_or_none is None:
            raise DateError(ERR_OUT_OF_RANGE)
        first = first_or_none
    if not 1 <= node.last_week <= 53:
        raise DateError(ERR_BAD_WEEK.format(week=node.last_week))
    year = first.isocalendar().year
    if node.last_week < node.week:
        if node.year is not None:
            raise DateError(
                ERR_RANGE_ORDER.format(
                    end=f"vecka {node.last_week}",
                    start=f"vecka {node.week}",
                    example=f"v {node.last_week}-{node.week} {node.year}",
                )
            )
        year += 1
    last = _iso_week(year, node.last_week)
    return first, last + timedelta(days=4)


def _shift_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise DateError(ERR_OUT_OF_RANGE)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def _resolve_weekday(node: _Weekday, today: date, future: bool) -> date:
    monday = today - timedelta(days=today.weekday())
    if node.mode == "next":
        return monday + timedelta(days=7 + node.weekday)
    if node.mode == "prev":
        return monday + timedelta(days=node.weekday - 7)
    if node.mode == "near" and future:
        return today + timedelta(days=(node.weekday - today.weekday() - 1) % 7 + 1)
    return today - timedelta(days=(today.weekday() - node.weekday - 1) % 7 + 1)


def _resolve_days(node: _Node, today: date, future: bool) -> tuple[date, date]:
    if isinstance(node, _DM):
        day = _resolve_dm(node, today, future)
        return day, day
    if isinstance(node, _Checked):
        day = _resolve_dm(node.dm, today, future)
        if day.weekday() != node.weekday:
            raise DateError(
                ERR_WRONG_WEEKDAY.format(
                    date=format_date(day, weekday=False),
                    actual=WEEKDAY_NAMES[day.weekday()],
                    given=WEEKDAY_NAMES[node.weekday],
                    example=format_date(day, year=node.dm.year is not None),
                    plain=format_date(day, weekday=False, year=node.dm.year is not None),
                )
            )
        return day, day
    if isinstance(node, _Range):
        return _resolve_range(node, today, future)
    if isinstance(node, _Offset):
        if abs(node.days) > 3_660_000 or abs(node.months) > 120_000:
            raise DateError(ERR_OUT_OF_RANGE)
        day = _shift_months(today, node.months) + timedelta(days=node.days)
        return day, day
    if isinstance(node, _Weekday):
        day = _resolve_weekday(node, today, future)
        return day, day
    if isinstance(node, _DayInWeek):
        monday, _ = _resolve_week(node.week, today, future)
        day = monday + timedelta(days=node.weekday)
        return day, day
    return _resolve_week(node, today, future)


def _resolve_clock(clock: _Clock) -> time:
    if not (0 <= clock.hour <= 23 and 0 <= clock.minute <= 59):
        raise DateError(ERR_NO_SUCH_TIME.format(text=clock.text))
    return time(clock.hour, clock.minute)


def _resolve_times(times: _Times) -> tuple[time, time | None]:
    start = _resolve_clock(times.start)
    if times.end is None:
        return start, None
    end = _resolve_clock(times.end)
    if end <= start:
        example = f"{format_time(end)}–{format_time(start)}" if end < start else "13.00–15.00"
        raise DateError(
            ERR_TIME_ORDER.format(end=format_time(end), start=format_time(start), example=example)
        )
    return start, end


def _evaluate(node: _Node, times: _Times | None, today: date, future: bool) -> When:
    try:
        start, end = _resolve_days(node, today, future)
    except (OverflowError, ValueError) as error:
        if isinstance(error, DateError):
            raise
        raise DateError(ERR_OUT_OF_RANGE) from error
    if times is None:
        return When(start, end)
    start_time, end_time = _resolve_times(times)
    return When(start, end, start_time, end_time)


def _readings(parser: _Parser) -> Iterator[tuple[_Node, _Times | None]]:
    """Every complete reading of the tokens, the preferred first."""
    count = len(parser.toks)
    for node, i in parser.date_expr(0):
        if i == count:
            yield node, None
        elif not isinstance(node, _WeekNum | _RelWeek):
            yield from ((node, times) for times, j in parser.times(i) if j == count)
    # "kl 13 i morgon": a time before the day, only when introduced by "kl"
    if parser.word(0, "kl", "klockan"):
        for times, i in parser.times(0):
            for node, j in parser.date_expr(i):
                if j == count and not isinstance(node, _WeekNum | _RelWeek):
                    yield node, times


def _parse(text: str, today: date, future: bool) -> When:
    toks, display = _tokenise(text)
    if not toks:
        raise DateError(ERR_EMPTY)
    parser = _Parser(toks, display)
    first_error: DateError | None = None
    for node, times in _readings(parser):
        try:
            return _evaluate(node, times, today, future)
        except DateError as error:
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    if any(j == len(toks) for _, j in parser.times(0)):
        raise DateError(ERR_TIME_ONLY.format(text=_quote(display)))
    raise _NotUnderstood(ERR_NOT_UNDERSTOOD.format(text=_quote(text)))


# --------------------------------------------------------------------------------------------
# Meeting references
# --------------------------------------------------------------------------------------------


def _alias_table(organs: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for alias, short in organs.items():
        words = tuple(_fold(unicodedata.normalize("NFKC", alias).lower()).split())
        if words:
            table[words] = short
    return table


def _match_alias(
    words: list[str], i: int, aliases: Mapping[tuple[str, ...], str]
) -> tuple[str, int, bool] | None:
    """The longest alias at ``words[i:]`` (also as "au-mötet"): (short name, next index, whether
    a meeting word was attached)."""
    best: tuple[str, int, bool] | None = None
    for alias, short in aliases.items():
        n = len(alias)
        if i + n > len(words) or tuple(words[i : i + n - 1]) != alias[:-1]:
            continue
        last = words[i + n - 1]
        suffixed = any(last == alias[-1] + s for s in _MEETING_SUFFIXES)
        if (last == alias[-1] or suffixed) and (best is None or i + n > best[1]):
            best = (short, i + n, suffixed)
    return best


def _skip_meeting_filler(words: list[str], i: int) -> int:
    for filler in _MEETING_FILLERS:
        if tuple(words[i : i + len(filler)]) == filler:
            return i + len(filler)
    return i


def _looks_like_organ(word: str) -> bool:
    return bool(_ORGAN_RE.fullmatch(word)) and _fold(word.lower()) not in _RESERVED_WORDS


def _meeting_day(text: str, today: date, organ: str) -> date:
    try:
        when = _parse(text, today, True)
    except _NotUnderstood:
        raise DateError(ERR_MEETING_DATE.format(text=_quote(text), organ=organ)) from None
    if when.multi_day:
        raise DateError(ERR_MEETING_ONE_DAY.format(text=_quote(text), organ=organ))
    return when.start


__all__ = [
    "MAX_LENGTH",
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "DateError",
    "MeetingRef",
    "When",
    "format_date",
    "format_short",
    "format_time",
    "format_when",
    "month_of",
    "parse_due",
    "parse_when",
    "split_due",
    "split_when",
]
