"""The secretary's language (issue 10): what the minutes say is understood, and nothing is
dropped silently. Each test drives the command language the way a secretary types it, and checks
what the user reads and what is stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from sqlmodel import func, select

from bot import commands
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx
from storage.models import Assignment, AssignmentOwner, Meeting
from tests.harness import said

MakeCtx = Callable[..., Ctx]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    return answer


def asked_then_saved(ctx: Ctx, command: str, text: str, warning: str) -> str:
    """A question first (nothing stored), then *Spara ändå*: the answer."""
    before = count(ctx, Assignment)
    reply = commands.run(ctx, command, text)
    question = said(reply)
    assert warning in question and "Spara ändå" in question, question
    assert count(ctx, Assignment) == before  # nothing stored yet
    return run_confirmed(ctx, reply.message.parts[-1].buttons[0].value)


def run_confirmed(ctx: Ctx, value: str) -> str:
    return said(commands.confirm(ctx, value))


def count(ctx: Ctx, model: type) -> int:
    with ctx.db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def stored(ctx: Ctx, ref: str) -> tuple[Assignment, str | None]:
    """An assignment and the reference of the meeting it is due at."""
    with ctx.db.transaction() as session:
        a = session.exec(select(Assignment).where(Assignment.ref == ref)).one()
        meeting = session.get(Meeting, a.due_meeting_id) if a.due_meeting_id else None
        return a, meeting.ref if meeting else None


@pytest.fixture
def autumn_2023(ctx: MakeCtx, organs: None, clock: FixedClock) -> Iterator[None]:
    """The samples' autumn: LG 1 September 11–15 and 6 October, AU in between, a workshop, an
    internat; the clock on Friday 25 August 2023."""
    clock.set(at("2023-08-25T09:00"))
    lg, au = ctx(channel="C0LG"), ctx(channel="C0AU")
    run(lg, "/mote", "ny LG 1 september 11-15 Regionhuset")
    run(au, "/mote", "ny AU 14 september 13-15")
    run(lg, "/mote", "ny workshop 28 september 9-16")
    run(lg, "/mote", "ny LG 6 oktober 9-12")
    run(au, "/mote", "ny AU 12 oktober 13-15")
    run(lg, "/mote", "ny internat 1-2 februari 2024")
    yield


# ------------------------------------------------------------ 1–2: dates as the minutes have them


@pytest.mark.parametrize(
    ("text", "due", "shown"),
    [
        ("om två veckor", date(2023, 9, 8), "senast fredag 8 september 2023"),
        ("nästa fredag", date(2023, 9, 1), "senast fredag 1 september 2023"),
        ("fredag nästa vecka", date(2023, 9, 1), "senast fredag 1 september 2023"),
        ("senast 15 september", date(2023, 9, 15), "senast fredag 15 september 2023"),
        ("inom en månad", date(2023, 9, 25), "senast måndag 25 september 2023"),
        ("till och med 29 september", date(2023, 9, 29), "senast fredag 29 september 2023"),
    ],
)
def test_a_date_without_till_is_the_due_date_not_part_of_the_text(
    ctx: MakeCtx, autumn_2023: None, text: str, due: date, shown: str
) -> None:
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> Lyfta projektdirektivet {text}")
    assert f"`U-1` Lyfta projektdirektivet – <@U0ROGER>, {shown}" in answer
    assignment, meeting = stored(ctx(), "U-1")
    assert (assignment.what, assignment.due_date, meeting) == ("Lyfta projektdirektivet", due, None)


@pytest.mark.parametrize(
    ("text", "meeting"),
    [
        ("till nästa LG", "LG-230901"),
        ("nästa ledningsgrupp", "LG-230901"),
        ("till kommande AU", "AU-230914"),
        ("kommande AU", "AU-230914"),
        ("till LG-231006", "LG-231006"),
        ("LG-231006", "LG-231006"),
        ("till LG i oktober", "LG-231006"),
        ("till LG-mötet i oktober", "LG-231006"),
        ("vid ledningsgruppens möte i oktober", "LG-231006"),
        ("till oktobermötet", "LG-231006"),  # the channel's organ: LG
        ("på ledningsgrupp 6 oktober", "LG-231006"),
        ("till workshopen", "LG-230928"),
        ("till internatet", "LG-240201"),
        ("till AU-mötet i oktober", "AU-231012"),
    ],
)
def test_meetings_as_the_minutes_name_them(
    ctx: MakeCtx, autumn_2023: None, text: str, meeting: str
) -> None:
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> Lyfta projektdirektivet {text}")
    assert f"`U-1` Lyfta projektdirektivet – <@U0ROGER>, till {meeting} (" in answer
    assignment, due_at = stored(ctx(), "U-1")
    assert (assignment.what, due_at) == ("Lyfta projektdirektivet", meeting)


def test_a_month_for_a_date_is_its_last_working_day_and_the_answer_says_so(
    ctx: MakeCtx, autumn_2023: None
) -> None:
    answer = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag i september")
    assert "senast fredag 29 september 2023" in answer
    assert "”i september” blev sista arbetsdagen i månaden: fredag 29 september 2023" in answer
    assert stored(ctx(), "U-1")[0].due_date == date(2023, 9, 29)  # the 30th is a Saturday


def test_a_meeting_word_with_a_date(ctx: MakeCtx, autumn_2023: None) -> None:
    """ "Till nästa kommittésammanträde den 28 maj" (the third set of minutes): the channel's
    organ on that day."""
    answer = asked_then_saved(
        ctx(),
        "/uppdrag",
        "<@U0ANNA|anna> Återkomma till nästa kommittésammanträde den 28 maj",
        "utan år blir tisdag 28 maj 2024, mer än ett halvår fram",
    )
    assert "`U-1` Återkomma – <@U0ANNA>, till LG tisdag 28 maj 2024" in answer
    assignment, _ = stored(ctx(), "U-1")
    assert (assignment.what, assignment.due_date) == ("Återkomma", date(2024, 5, 28))


def test_a_session_named_in_a_month(ctx: MakeCtx, autumn_2023: None) -> None:
    """ "Skolcheferna fortsätter dialogen på nätverksträff i juni": the one planned, or a
    refusal that quotes it."""
    refused = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Fortsätta dialogen på nätverksträff i juni")
    assert "”på nätverksträff i juni”" in refused and "juni 2024" in refused
    assert count(ctx(), Assignment) == 0
    run(ctx(), "/mote", "ny nätverksträff 12 juni 2024 9-12")
    answer = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Fortsätta dialogen på nätverksträff i juni")
    assert "till LG-240612 (nätverksträff, onsdag 12 juni 2024)" in answer
    assert stored(ctx(), "U-1")[1] == "LG-240612"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Lyfta projektdirektivet till nästa LGG", "”LGG”"),
        ("Lyfta projektdirektivet till 31 februari", "”31 februari”"),
        ("Rapportera utfallet i juni till nästa AU", "”i juni”"),
        ("Processgrupperna har sina sammankomster v 36 och 37", "”v 36”"),
        ("Lyfta projektdirektivet till LG-230915", "”LG-230915”"),
        ("Lyfta projektdirektivet till AU i november", "”till AU i november”"),
    ],
)
def test_what_is_not_understood_is_quoted_and_nothing_is_stored(
    ctx: MakeCtx, autumn_2023: None, text: str, quoted: str
) -> None:
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {text}")
    assert quoted in answer, answer
    assert "`/uppdrag" in answer  # and how it is written
    assert count(ctx(), Assignment) == 0 and count(ctx(), AssignmentOwner) == 0


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Skicka underlaget till AU två veckor innan mötet", "”två veckor innan mötet”"),
        ("Skicka underlaget senast en vecka före mötet", "”senast en vecka före mötet”"),
        ("Skicka underlaget 3 dagar före AU", "”3 dagar före AU”"),
    ],
)
def test_a_count_before_a_meeting_is_quoted_not_read_as_the_meeting(
    ctx: MakeCtx, autumn_2023: None, text: str, quoted: str
) -> None:
    """In LG's channel "två veckor innan mötet" is not LG's next meeting with the count left in
    the text: it is quoted back, nothing is stored, and the way suggested works."""
    answer = run(ctx(channel="C0LG"), "/uppdrag", f"<@U0ROGER|roger> {text}")
    assert f"{quoted} kan jag inte läsa som en tidpunkt" in answer, answer
    assert "”senast 4/12”" in answer and "”till nästa AU”" in answer
    assert count(ctx(), Assignment) == 0 and count(ctx(), AssignmentOwner) == 0
    run(ctx(channel="C0LG"), "/uppdrag", "<@U0ROGER|roger> Skicka underlaget senast 4/12")
    assert stored(ctx(), "U-1")[0].due_date == date(2023, 12, 4)
    run(ctx(channel="C0LG"), "/uppdrag", "<@U0ROGER|roger> Skicka underlaget till nästa AU")
    assert stored(ctx(), "U-2")[1] == "AU-230914"


def test_a_date_in_quotes_or_after_fran_belongs_to_the_text(
    ctx: MakeCtx, autumn_2023: None
) -> None:
    run(ctx(), "/uppdrag", '<@U0ANNA|anna> Rapportera "utfallet i juni" till nästa AU')
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Följa upp beslutet från 2 juni till nästa AU")
    assert stored(ctx(), "U-1")[0].what == 'Rapportera "utfallet i juni"'
    assert stored(ctx(), "U-2")[0].what == "Följa upp beslutet från 2 juni"
    assert stored(ctx(), "U-2")[1] == "AU-230914"


def test_a_due_date_on_a_weekend_or_holiday_is_asked(ctx: MakeCtx, autumn_2023: None) -> None:
    saturday = asked_then_saved(
        ctx(),
        "/uppdrag",
        "<@U0ANNA|anna> Ta fram underlag till LG 7 oktober",
        "Obs: 7 oktober 2023 är en lördag, ingen arbetsdag",
    )
    assert "till LG lördag 7 oktober 2023" in saturday
    assert "Obs: 7 oktober 2023 är en lördag, ingen arbetsdag" in saturday
    holiday = asked_then_saved(
        ctx(),
        "/uppdrag",
        "<@U0ANNA|anna> Boka lokal till 24 december",
        "Obs: 24 december 2023 är julafton, ingen arbetsdag",
    )
    assert "senast söndag 24 december 2023" in holiday
    relative = asked_then_saved(  # Friday 25 August + 8 days: relative dates are asked too
        ctx(), "/uppdrag", "<@U0ANNA|anna> Boka mat om 8 dagar", "2 september 2023 är en lördag"
    )
    assert "`U-3` Boka mat" in relative
    plain = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Boka lokal till 22 december")
    assert "Obs" not in plain and "Spara ändå" not in plain
    assert stored(ctx(), "U-1")[0].due_date == date(2023, 10, 7)  # stored as asked
    assert stored(ctx(), "U-2")[0].due_date == date(2023, 12, 24)


def test_a_due_date_without_a_year_far_ahead_is_asked(ctx: MakeCtx, autumn_2023: None) -> None:
    """`/uppdrag @anna Gör X till 2 juni` typed in September: June next year, asked first."""
    saved = asked_then_saved(
        ctx(),
        "/uppdrag",
        "<@U0ANNA|anna> Gör X till 2 juni",
        "”till 2 juni” utan år blir söndag 2 juni 2024, mer än ett halvår fram",
    )
    assert "`U-1` Gör X" in saved
    assert stored(ctx(), "U-1")[0].due_date == date(2024, 6, 2)
    with_year = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Gör Y till 3 juni 2024")
    assert "Spara ändå" not in with_year and "`U-2` Gör Y" in with_year
    soon = run(ctx(), "/uppdrag", "<@U0ANNA|anna> Gör Z till 2 november")
    assert "Spara ändå" not in soon and "`U-3` Gör Z" in soon


# ---------------------------------------------------------------- 3: the next meeting


def test_next_lg_is_the_next_meeting_that_has_not_ended(
    ctx: MakeCtx, autumn_2023: None, clock: FixedClock
) -> None:
    clock.set(at("2023-09-01T14:00"))  # LG-230901 is running (11–15): it still counts
    assert "till LG-230901" in run(ctx(), "/uppdrag", "<@U0ROGER|roger> A till nästa LG")
    clock.set(at("2023-09-01T16:00"))  # over, and its summary posted: the next one
    assert "till LG-231006" in run(ctx(), "/uppdrag", "<@U0ROGER|roger> B till nästa LG")
    assert "till LG-231006" in run(ctx(), "/uppdrag", "<@U0ROGER|roger> C nästa ledningsgrupp")
    assert [stored(ctx(), f"U-{n}")[1] for n in (1, 2, 3)] == [
        "LG-230901",
        "LG-231006",
        "LG-231006",
    ]
    over = run(ctx(), "/uppdrag", "<@U0ROGER|roger> D till LG-230901")
    assert "”till LG-230901”" in over and "redan över" in over
    assert count(ctx(), Assignment) == 3


def test_a_workshop_or_internat_is_not_the_next_meeting(
    ctx: MakeCtx, autumn_2023: None, clock: FixedClock
) -> None:
    clock.set(at("2023-10-07T09:00"))  # ahead: the internat, before any LG meeting
    assert "till nästa LG-möte (inte planerat än)" in run(
        ctx(), "/uppdrag", "<@U0ROGER|roger> A till nästa LG"
    )
    assert stored(ctx(), "U-1")[1] is None
    assert "till LG-240201 (internat" in run(
        ctx(), "/uppdrag", "<@U0ROGER|roger> B till internatet"
    )


def test_the_meeting_list_does_not_show_a_meeting_that_has_ended(
    ctx: MakeCtx, autumn_2023: None, clock: FixedClock
) -> None:
    clock.set(at("2023-09-01T14:59"))
    assert "LG-230901" in run(ctx(), "/mote", "lista")
    clock.set(at("2023-09-01T15:00"))
    listing = run(ctx(), "/mote", "lista")
    assert "LG-230901" not in listing and "AU-230914" in listing


# ---------------------------------------------------------------- 5: /uppdrag klart, ändra, sök


@pytest.mark.parametrize(
    "text", ["klart U-1", "klar U-1", "U-1 är klart", "U-1 klar", "U-1 är klar"]
)
def test_done_as_people_say_it(ctx: MakeCtx, autumn_2023: None, text: str) -> None:
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Lyfta projektdirektivet till nästa LG")
    answer = run(ctx("roger"), "/uppdrag", text)
    assert "✅ Uppdrag `U-1` är klart" in answer
    assert stored(ctx(), "U-1")[0].status == "klar"


def test_done_with_a_comment(ctx: MakeCtx, autumn_2023: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Lyfta projektdirektivet till nästa LG")
    run(ctx("roger"), "/uppdrag", "U-1 är klart – skickat till AU")
    assert stored(ctx(), "U-1")[0].last_status == "skickat till AU"


def test_change_owners_text_and_due(ctx: MakeCtx, autumn_2023: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Lyfta projektdirektivet till nästa LG")
    reply = commands.run(ctx(), "/uppdrag", "ändra U-1 <@U0ANNA|anna> <@U0ROGER|roger>")
    assert "ansvariga: <@U0ANNA>, <@U0ROGER>" in said(reply)
    assert [user for user, _ in reply.dms] == ["U0ANNA"]  # the new owner hears of it
    answer = run(ctx(), "/uppdrag", "ändra U-1 till kommande AU")
    assert "till AU-230914" in answer
    answer = run(ctx(), "/uppdrag", "ändra U-1 Lyfta det reviderade direktivet")
    assert "ny text: ”Lyfta det reviderade direktivet”" in answer
    assignment, meeting = stored(ctx(), "U-1")
    assert (assignment.what, meeting) == ("Lyfta det reviderade direktivet", "AU-230914")
    with ctx().db.transaction() as session:
        owners = session.exec(
            select(AssignmentOwner.user_id).where(AssignmentOwner.assignment_id == assignment.id)
        ).all()
    assert sorted(o for o in owners if o) == ["U0ANNA", "U0ROGER"]
    shown = run(ctx(), "/uppdrag", "visa U-1")
    assert shown.count("ändrad av") == 3
    unchanged = run(ctx(), "/uppdrag", "ändra U-1 till kommande AU")
    assert "inget ändrades" in unchanged


@pytest.mark.parametrize(
    ("text", "what", "report_to", "due"),
    [
        (
            "Fortsätta dialogen om LINK och återkopplar till ledningsgruppen",
            "Fortsätta dialogen om LINK",
            "ledningsgruppen",
            None,
        ),
        (
            "Sammanställa läget och återrapporterar till AU till nästa LG",
            "Sammanställa läget",
            "AU",
            "LG-230901",
        ),
        (
            "Följa upp statistiken, rapporterar till LG senast 15 september",
            "Följa upp statistiken",
            "LG",
            date(2023, 9, 15),
        ),
        (  # what is reported stays in the text; to whom is read
            "Fortsätta dialogen och återkopplar sedan förslag på hantering till ledningsgruppen",
            "Fortsätta dialogen och återkopplar sedan förslag på hantering",
            "ledningsgruppen",
            None,
        ),
        ("Återrapportera till AU", "Återrapportera", "AU", None),
        # a meeting after the verb: reported to its organ and due at it
        (
            "Fortsätta dialogen och återkopplar till LG i oktober",
            "Fortsätta dialogen",
            "LG",
            "LG-231006",
        ),
        # "till" with only a date after it is the due date, not whom it is reported to
        ("Rapportera läget till 15 september", "Rapportera läget", None, date(2023, 9, 15)),
    ],
)
def test_reporting_back_written_with_a_verb(
    ctx: MakeCtx, autumn_2023: None, text: str, what: str, report_to: str | None, due: object
) -> None:
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {text}")
    assignment, meeting = stored(ctx(), "U-1")
    assert (assignment.what, assignment.report_to) == (what, report_to), answer
    assert (meeting if isinstance(due, str) else assignment.due_date) == due
    if report_to:
        assert f"återkoppling till {report_to}" in answer


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        ("Skicka underlaget till AU", "AU"),
        ("Ta fram underlag till AU", "AU"),
        ("Lämna förslaget till ledningsgruppen", "LG"),
        ("Mejla sammanställningen om LINK till arbetsutskottet", "AU"),
    ],
)
def test_a_bare_organ_after_sending_is_the_recipient_not_a_due_point(
    ctx: MakeCtx, autumn_2023: None, text: str, organ: str
) -> None:
    """ "Skicka underlaget till AU": where it goes. It stays in the text, no due point is
    stored, and the answer says so, with the way to write a due point – which works."""
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {text}")
    assignment, meeting = stored(ctx(), "U-1")
    assert (assignment.what, assignment.due_date, meeting) == (text, None, None)
    assert assignment.due_organ_id is None and "ingen tidpunkt" in answer
    suggested = f"”till nästa {organ}”"
    recipient = text.rsplit(" till ", 1)[1]
    assert f"”till {recipient}” läste jag som mottagaren, inte som en tidpunkt" in answer
    assert suggested in answer
    # written as suggested: a due point at the organ's next meeting
    sending = text.rsplit(" till ", 1)[0]
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {sending} {suggested.strip('”')}")
    assignment, meeting = stored(ctx(), "U-2")
    assert assignment.what == sending and "mottagaren" not in answer
    assert meeting is not None or assignment.due_organ_id is not None, answer


@pytest.mark.parametrize(
    ("text", "meeting"),
    [
        ("Skicka underlaget till nästa AU", "AU-230914"),
        ("Skicka underlaget till AU-mötet", "AU-230914"),
        ("Skicka underlaget till AU 12 oktober", "AU-231012"),
        ("Skicka underlaget till AU i oktober", "AU-231012"),
        ("Skicka underlaget senast AU", "AU-230914"),
        ("Lyfta projektdirektivet till AU", "AU-230914"),  # no sending: at the meeting
    ],
)
def test_a_meeting_after_till_is_still_a_due_point(
    ctx: MakeCtx, autumn_2023: None, text: str, meeting: str
) -> None:
    answer = run(ctx(), "/uppdrag", f"<@U0ROGER|roger> {text}")
    _assignment, due_at = stored(ctx(), "U-1")
    assert due_at == meeting and f"till {meeting} (" in answer
    assert "mottagaren" not in answer


def test_search_finds_assignments_and_decisions(ctx: MakeCtx, autumn_2023: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Utreda hur LINK används i skolorna till nästa AU")
    run(ctx(), "/uppdrag", "<@U0ROGER|roger> Boka lokal till nästa AU")
    run(ctx(), "/beslut", "Ledningsgruppen beslutar att LINK-frågan lyfts till AU")
    run(ctx("anna"), "/uppdrag", "klart U-1")
    answer = run(ctx(), "/uppdrag", "sök link")
    assert "Uppdrag som matchar ”link”: 1" in answer
    assert "`U-1` Utreda hur LINK används" in answer and "_(klar)_" in answer
    assert "`U-2`" not in answer
    assert "`LG-2023-1`" in answer  # the decisions the same word finds
    assert "Uppdrag som matchar ”skola”: 1" in run(ctx(), "/uppdrag", "sök skola")  # by stem


def test_names_without_at_are_the_members_called_so(ctx: MakeCtx, autumn_2023: None) -> None:
    answer = run(
        ctx(),
        "/uppdrag",
        "Magnus, Roger och Jenny ansvarar för att föra in det på respektive dagordning",
    )
    assert "Vem ska göra det?" not in answer
    assert "Föra in det på respektive dagordning – <@U0MAGNUS>, <@U0ROGER>, <@U0JENNY>" in answer
    assert count(ctx(), Assignment) == 1
    one = run(ctx(), "/uppdrag", "Erika ansvarar för uppföljningen till nästa LG")
    assert "”Erika” finns inte i Slack: påminnelserna går till <@U0MAGNUS>" in one


def test_a_move_to_a_weekend_is_told_too(ctx: MakeCtx, autumn_2023: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
    answer = asked_then_saved(
        ctx(), "/uppdrag", "flytta U-1 till 7 oktober", "7 oktober 2023 är en lördag"
    )
    assert "flyttat senast lördag 7 oktober 2023" in answer
    assert "Obs: 7 oktober 2023 är en lördag" in answer
    assert "blev sista arbetsdagen" in run(ctx(), "/uppdrag", "flytta U-1 i november")
