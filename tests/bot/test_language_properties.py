"""Property tests (issue 10): for any text made of the minutes' words, a command either stores
what its answer says it stored, or stores nothing and quotes what it did not understand."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot import commands
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx
from bot.core.dates import format_date
from storage.models import Assignment, Decision, Meeting
from tests.harness import said

MakeCtx = Callable[..., Ctx]

# Due points as the minutes and the secretary write them.
DATE_PHRASES = [
    "om två veckor",
    "om 3 dagar",
    "inom en månad",
    "nästa fredag",
    "fredag nästa vecka",
    "i juni",
    "i oktober",
    "i slutet av november",
    "kommande AU",
    "nästa AU",
    "nästa LG",
    "nästa ledningsgrupp",
    "LG-mötet i oktober",
    "ledningsgruppens möte i oktober",
    "oktobermötet",
    "LG-231006",
    "AU-230914",
    "LG-230901",
    "nästa kommittésammanträde den 28 maj",
    "nätverksträff i juni",
    "workshopen",
    "internatet",
    "17 november",
    "7 oktober",
    "LG 7 oktober",
    "v 42",
    "i morgon",
    "2023-12-01",
    "4/12",
    "31 februari",
    "nästa LGG",
]
INTRODUCERS = ["", "", "till", "senast", "på", "vid", "inför"]
FREE_WORDS = [
    *("Lyfta", "projektdirektivet", "Ta", "fram", "underlag", "om", "LINK", "för", "avtal"),
    *("och", "processgrupp", "Kronobarnsmodellen", "kommunerna", "statistik", "dagordning"),
    *("respektive", "till", "på", "AU", "LG", "ledningsgruppen", "Skolcheferna"),
    *("fortsätter", "dialogen", "med", "sammanställning", "Skicka", "underlaget"),
]
# A session word alone ("Lyfta workshopen") is text; after "till" it is a due point.
SESSIONS = {"workshopen", "internatet"}
PHRASE_RE = [
    re.compile(
        rf"(?<![\wåäö-]){'(?:till|senast|på|vid|inför) ' if p in SESSIONS else ''}{re.escape(p)}"
        rf"(?![\wåäö-])",
        re.IGNORECASE,
    )
    for p in DATE_PHRASES
]
OWNERS = {"och", "samt", "AU", "LG"}  # joiners and organs: read as owners

due_phrase = st.builds(
    lambda intro, phrase: f"{intro} {phrase}".strip(),
    st.sampled_from(INTRODUCERS),
    st.sampled_from(DATE_PHRASES),
)
free_text = st.lists(st.sampled_from(FREE_WORDS), min_size=1, max_size=6).map(" ".join)
# Mostly "text due", sometimes a due point in the middle, two of them, or none.
assignment_text = st.one_of(
    st.builds(lambda a, d: f"{a} {d}", free_text, due_phrase),
    st.builds(lambda a, d, b: f"{a} {d} {b}", free_text, due_phrase, free_text),
    st.builds(lambda a, d, e: f"{a} {d} {e}", free_text, due_phrase, due_phrase),
    free_text,
    # a bare organ after "till": a due point, or (after sending) where it goes, said so
    st.builds(
        lambda a, o: f"{a} till {o}", free_text, st.sampled_from(["AU", "LG", "ledningsgruppen"])
    ),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def quotes_the_input(answer: str, typed: str) -> bool:
    """The answer quotes (”…”) a piece of what was typed."""
    flat = " ".join(typed.split()).casefold()
    return any(
        " ".join(q.split()).casefold().strip("…") in flat for q in re.findall(r"”([^”]+)”", answer)
    )


def setup_autumn(ctx: MakeCtx, clock: FixedClock) -> None:
    """LG 1 September 2023 (over: it is 16.00 that day), AU, a workshop, LG in October and an
    internat."""
    clock.set(at("2023-08-25T09:00"))
    for channel, line in [
        ("C0LG", "ny LG 1 september 11-15"),
        ("C0AU", "ny AU 14 september 13-15"),
        ("C0LG", "ny workshop 28 september 9-16"),
        ("C0LG", "ny LG 6 oktober 9-12"),
        ("C0AU", "ny AU 12 oktober 13-15"),
        ("C0LG", "ny internat 1-2 februari 2024"),
    ]:
        assert "Planerat" in said(commands.run(ctx(channel=channel), "/mote", line))
    clock.set(at("2023-09-01T16:00"))


def test_an_assignment_is_stored_as_answered_or_not_at_all(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    setup_autumn(ctx, clock)

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(assignment_text)
    def check(text: str) -> None:
        with ctx().db.transaction() as session:
            before = session.exec(
                select(col(Assignment.id)).order_by(col(Assignment.id).desc())
            ).first()
        answer = said(commands.run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {text}"))
        assert "Något gick fel" not in answer, answer
        with ctx().db.transaction() as session:
            new = session.exec(select(Assignment).where(col(Assignment.id) > (before or 0))).all()
            meetings = {m.id: m for m in session.exec(select(Meeting)).all()}
        if not new:
            if answer.startswith("Vad ska göras?") and set(text.split()) <= OWNERS:
                return  # only more owners ("och AU"): nothing to do, nothing to quote
            if answer.startswith("⚠️ Innan jag sparar:"):
                assert "ingen arbetsdag" in answer or "utan år" in answer, (text, answer)
                return  # understood, and asked about before it is stored
            assert quotes_the_input(answer, text), (text, answer)
            return
        [stored] = new
        assert f"📌 Uppdrag `{stored.ref}`" in answer
        # The due point in the answer is the one stored…
        if stored.due_meeting_id is not None:
            meeting = meetings[stored.due_meeting_id]
            assert f"till {meeting.ref} (" in answer and format_date(meeting.start_date) in answer
        elif stored.due_date is not None:
            assert format_date(stored.due_date) in answer, (text, answer)
        elif stored.due_organ_id is not None:
            assert "(inte planerat än)" in answer
        else:
            assert "ingen tidpunkt" in answer
            # "Skicka underlaget till AU": an organ after "till" left in the text is explained
            if re.search(r"\btill (?:AU|LG|ledningsgruppen)$", stored.what, re.IGNORECASE):
                assert "läste jag som mottagaren" in answer, (text, answer)
        # … and none is left in the text, unread.
        for pattern in PHRASE_RE:
            assert not pattern.search(stored.what), (text, stored.what, answer)

    check()


PARAGRAPHS = [
    ("§ {n}", "{n}"),
    ("§{n}", "{n}"),
    ("punkt {n}", "{n}"),
    ("p. {n}", "{n}"),
    ("{n}.{m}", "{n}.{m}"),
    ("§{n}.{m}", "{n}.{m}"),
    ("{n})", "{n}"),
    ("{n} Beslutspunkt", "{n}"),
]
HEADS = [
    "",
    "LG",
    "LG 2023-09-01",
    "LG 1/9",
    "LG 230901",
    "LG-230901",
    "2023-09-01",
    "AU LG-230901",
]
BODY_WORDS = [
    *("Ledningsgruppen", "beslutar", "enligt", "förslag", "att", "anta", "överenskommelsen"),
    *("processgrupp", "Kronobarnsmodellen", "fortsätter", "sitt", "arbete", "i", "nuvarande"),
    *("form", "under", "2024"),
]


@st.composite
def decision_text(draw: st.DrawFn) -> tuple[str, str | None, str]:
    """(what is typed, the paragraph it names, the decision text)."""
    body = " ".join(draw(st.lists(st.sampled_from(BODY_WORDS), min_size=1, max_size=8)))
    body = body[0].upper() + body[1:]
    n, m = draw(st.integers(1, 30)), draw(st.integers(1, 9))
    form, item = draw(st.sampled_from(PARAGRAPHS))
    form, item = form.format(n=n, m=m), item.format(n=n, m=m)
    head = draw(st.sampled_from(HEADS))
    shape = draw(st.sampled_from(["colon", "leading", "plain"]))
    if shape == "plain":
        return body, None, body
    if shape == "leading" and form.startswith("§"):
        return f"{form} {body}", item, body
    return f"{head} {form}: {body}".strip(), item, body


def test_a_decision_is_stored_with_its_paragraph_or_not_at_all(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    setup_autumn(ctx, clock)

    @settings(max_examples=250, deadline=None, database=None)
    @given(decision_text())
    def check(case: tuple[str, str | None, str]) -> None:
        typed, item, body = case
        with ctx().db.transaction() as session:
            before = session.exec(
                select(col(Decision.id)).order_by(col(Decision.id).desc())
            ).first()
        answer = said(commands.run(ctx(), "/beslut", typed))
        assert "Något gick fel" not in answer, answer
        with ctx().db.transaction() as session:
            new = session.exec(select(Decision).where(col(Decision.id) > (before or 0))).all()
        if not new:
            assert quotes_the_input(answer, typed), (typed, answer)
            return
        [stored] = new
        assert (stored.item, stored.text) == (item, body), (typed, answer)
        assert f"*{stored.ref}* loggat" in answer
        if item is not None:
            assert f"§ {item})" in answer

    check()


ORGANS = {"lg": "LG", "ledningsgruppen": "LG", "au": "AU", "arbetsutskottet": "AU"}
WORDS = st.sampled_from(
    [*FREE_WORDS, *" ".join(DATE_PHRASES).split(), *INTRODUCERS, "från", '"', "”", "i", "den"]
)
ANY_TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(WORDS, max_size=14).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT, st.sampled_from(["LG", None]))
def test_split_due_keeps_every_word_or_quotes_one(text: str, here: str | None) -> None:
    """Whatever is typed: the text is split into a task and a due point at its end (no word
    lost), or refused with a quote of what could not be placed."""
    from bot.core.dates import DateError, split_due

    try:
        title, due = split_due(text, datetime(2023, 9, 1).date(), ORGANS, here=here)
    except DateError as error:
        assert "”" in str(error) and "till exempel" in str(error).lower()
        return
    if due is None:
        assert title == text.strip().rstrip(",;:–-").strip()
        return
    assert text.rstrip().endswith(due)
    rest = text.rstrip()[: -len(due)]
    assert title == rest.strip().rstrip(",;:–-").strip()
