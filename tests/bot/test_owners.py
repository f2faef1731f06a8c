"""Owners as the minutes name them, and each owner of a shared assignment marking their own
part done (issue 10, part 2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlmodel import col, select

from bot import commands, reminders
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, StaticDirectory
from storage.models import Assignment, AssignmentOwner, Meeting, Organ
from tests.harness import PEOPLE, as_slack_sends, said

MakeCtx = Callable[..., Ctx]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    return answer


def owners_of(ctx: Ctx, ref: str) -> list[tuple[str | None, str | None, str | None, bool]]:
    """(user, organ, name, part done) for each owner of an assignment."""
    with ctx.db.transaction() as session:
        a = session.exec(select(Assignment).where(Assignment.ref == ref)).one()
        rows = session.exec(
            select(AssignmentOwner)
            .where(AssignmentOwner.assignment_id == a.id)
            .order_by(col(AssignmentOwner.id))
        ).all()
        result = []
        for row in rows:
            organ = session.get(Organ, row.organ_id) if row.organ_id else None
            short = organ.short_name if organ else None
            result.append((row.user_id, short, row.name, row.done_at is not None))
        return result


def status_of(ctx: Ctx, ref: str) -> str:
    with ctx.db.transaction() as session:
        return session.exec(select(Assignment).where(Assignment.ref == ref)).one().status


@pytest.fixture
def directory() -> StaticDirectory:
    """The workspace as Slack has it: display names, two called Magnus."""
    names = {
        PEOPLE["sara"]: "Sara Ek",
        PEOPLE["magnus"]: "Magnus Frithiof",
        PEOPLE["anna"]: "Anna Berg",
        PEOPLE["roger"]: "Roger Johansson",
        PEOPLE["jenny"]: "Jenny Smedberg",
        "U0ERIKA": "Erika Lagergren",
        "U0MAGNUS2": "Magnus Svensson",
    }
    return StaticDirectory(names=names)


@pytest.fixture
def autumn(ctx: MakeCtx, organs: None, clock: FixedClock) -> Iterator[None]:
    clock.set(at("2023-08-25T09:00"))
    run(ctx(channel="C0LG"), "/mote", "ny LG 1 september 11-15")
    run(ctx(channel="C0LG"), "/mote", "ny LG 6 oktober 9-12")
    run(ctx(), "/organ", "ny MAS MAS-nätverket")
    yield


def test_names_as_the_minutes_write_them_are_members_of_the_workspace(
    ctx: MakeCtx, autumn: None
) -> None:
    answer = run(
        ctx(),
        "/uppdrag",
        "Magnus Frithiof, Roger och Jenny ansvarar för att föra in det på respektive dagordning",
    )
    assert "Föra in det på respektive dagordning" in answer
    assert "<@U0MAGNUS>, <@U0ROGER>, <@U0JENNY>" in answer
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0MAGNUS", "U0ROGER", "U0JENNY"]


def test_a_name_that_is_several_people_is_asked_about(ctx: MakeCtx, autumn: None) -> None:
    answer = run(ctx(), "/uppdrag", "Magnus och Roger ansvarar för dagordningen till nästa LG")
    assert "”Magnus” kan vara flera personer: <@U0MAGNUS>, <@U0MAGNUS2>" in answer
    example = "/uppdrag @Magnus och Roger ansvarar för dagordningen till nästa LG"
    assert f"`{example}`" in answer  # the user's own words, only Magnus written with @
    with ctx().db.transaction() as session:
        assert session.exec(select(Assignment)).first() is None
    # the example, with Magnus picked from the list, keeps Roger
    run(ctx(), "/uppdrag", as_slack_sends(example.removeprefix("/uppdrag ")))
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0MAGNUS", "U0ROGER"]
    with ctx().db.transaction() as session:
        assignment = session.exec(select(Assignment)).one()
        meeting = session.get(Meeting, assignment.due_meeting_id)
    assert assignment.what == "Dagordningen" and meeting is not None
    assert meeting.ref == "LG-230901"


def test_changing_the_owners_reads_names_as_giving_does(ctx: MakeCtx, autumn: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Föra in det på dagordningen till nästa LG")
    answer = run(ctx(), "/uppdrag", "ändra U-1 Magnus Frithiof, Roger och Jenny")
    assert "<@U0MAGNUS>, <@U0ROGER>, <@U0JENNY>" in answer
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0MAGNUS", "U0ROGER", "U0JENNY"]
    # names with an owner verb and a new text; an organ and somebody outside Slack
    run(ctx(), "/uppdrag", "ändra U-1 MAS-nätverket och regionen ansvarar för att bevaka LINK")
    assert [(o[1], o[2]) for o in owners_of(ctx(), "U-1")] == [("MAS", None), (None, "regionen")]
    with ctx().db.transaction() as session:
        assert session.exec(select(Assignment)).one().what == "Bevaka LINK"
    # one name alone that is a member of the workspace
    run(ctx(), "/uppdrag", "ändra U-1 Jenny")
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0JENNY"]


def test_changing_to_a_name_that_is_several_people_is_asked_about(
    ctx: MakeCtx, autumn: None
) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Föra in det på dagordningen till nästa LG")
    answer = run(ctx(), "/uppdrag", "ändra U-1 Magnus och Roger")
    assert "”Magnus” kan vara flera personer: <@U0MAGNUS>, <@U0MAGNUS2>" in answer
    assert "`/uppdrag ändra U-1 @Magnus och Roger`" in answer
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA"]
    # the example, with Magnus picked from the list, keeps Roger
    run(ctx(), "/uppdrag", as_slack_sends("ändra U-1 @Magnus och Roger"))
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0MAGNUS", "U0ROGER"]
    run(ctx(), "/uppdrag", "ändra U-1 <@U0ANNA|anna>")
    # a single word that is nobody is the new text, as before
    run(ctx(), "/uppdrag", "ändra U-1 Dagordningen")
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA"]
    with ctx().db.transaction() as session:
        assert session.exec(select(Assignment)).one().what == "Dagordningen"


def what_of(ctx: Ctx, ref: str) -> tuple[str, str | None, str | None]:
    """What an assignment says, the meeting it is due at, and whom it reports back to."""
    with ctx.db.transaction() as session:
        a = session.exec(select(Assignment).where(Assignment.ref == ref)).one()
        meeting = session.get(Meeting, a.due_meeting_id) if a.due_meeting_id else None
        return a.what, meeting.ref if meeting else None, a.report_to


@pytest.mark.parametrize(
    "text",
    ["Budgeten och verksamhetsplanen", "Protokollet och dagordningen", "Lokaler och Ekonomi"],
)
def test_words_alone_that_are_nobody_in_slack_are_the_new_text(
    ctx: MakeCtx, autumn: None, text: str
) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Föra in det på dagordningen till nästa LG")
    answer = run(ctx(), "/uppdrag", f"ändra U-1 {text}")
    assert f"ny text: ”{text}”" in answer
    assert owners_of(ctx(), "U-1") == [("U0ANNA", None, None, False)]
    assert what_of(ctx(), "U-1") == (text, "LG-230901", None)


@pytest.mark.parametrize(
    ("text", "due", "report_to"),
    [
        ("Anna och Roger till LG i oktober", "LG-231006", None),
        ("Anna, Roger till LG i oktober", "LG-231006", None),
        ("Anna och Roger återkoppling till MAS", "LG-230901", "MAS"),
    ],
)
def test_names_alone_before_a_due_point_or_reporting_back_are_the_owners(
    ctx: MakeCtx, autumn: None, text: str, due: str, report_to: str | None
) -> None:
    run(ctx(), "/uppdrag", "<@U0JENNY> Föra in det på dagordningen till nästa LG")
    run(ctx(), "/uppdrag", f"ändra U-1 {text}")
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA", "U0ROGER"]
    what, meeting, reported = what_of(ctx(), "U-1")
    assert what == "Föra in det på dagordningen"
    assert (meeting, reported) == (due, report_to)


def test_names_alone_of_which_only_some_are_in_slack_are_asked(ctx: MakeCtx, autumn: None) -> None:
    for _ in range(2):
        run(ctx(), "/uppdrag", "<@U0JENNY> Föra in det på dagordningen till nästa LG")
    answer = run(ctx(), "/uppdrag", "ändra U-1 Anna och Lokaler till nästa LG")
    assert "”Lokaler” är varken någon i Slack eller ett organ" in answer
    as_text = '/uppdrag ändra U-1 "Anna och Lokaler" till nästa LG'
    as_owners = "/uppdrag ändra U-1 Anna till nästa LG"
    assert f"`{as_text}`" in answer and f"`{as_owners}`" in answer
    assert owners_of(ctx(), "U-1") == [("U0JENNY", None, None, False)]
    assert what_of(ctx(), "U-1")[0] == "Föra in det på dagordningen"
    # either example does what it says
    run(ctx(), "/uppdrag", as_slack_sends(as_text.removeprefix("/uppdrag ")))
    assert owners_of(ctx(), "U-1") == [("U0JENNY", None, None, False)]
    assert what_of(ctx(), "U-1")[0] == "Anna och Lokaler"
    run(ctx(), "/uppdrag", as_slack_sends(as_owners.replace("U-1", "U-2").split(" ", 1)[1]))
    assert owners_of(ctx(), "U-2") == [("U0ANNA", None, None, False)]
    assert what_of(ctx(), "U-2")[0] == "Föra in det på dagordningen"


def test_organs_by_name_are_owners(ctx: MakeCtx, autumn: None) -> None:
    run(
        ctx(),
        "/uppdrag",
        "MAS-nätverket och processgrupp för avtal fyller i vilka informationsmängder som ska "
        "delas till nästa LG",
    )
    assert [o[1] for o in owners_of(ctx(), "U-1")] == ["MAS", "PG-AVTAL"]


def test_people_outside_slack_are_kept_by_name_and_the_convenor_answers(
    ctx: MakeCtx, autumn: None
) -> None:
    answer = run(
        ctx(channel="C0LG"),
        "/uppdrag",
        "Regionen har i uppdrag att ge förslag på kompetensutveckling kring heder till nästa LG",
    )
    assert "Ge förslag på kompetensutveckling" in answer
    assert "”Regionen” finns inte i Slack: påminnelserna går till <@U0MAGNUS>" in answer
    assert owners_of(ctx(), "U-1") == [(None, None, "Regionen", False)]
    run(
        ctx(channel="C0LG"),
        "/uppdrag",
        "Marcus (Växjö kommun) och kommunerna återkommer i juni 2024",
    )
    assert [o[2] for o in owners_of(ctx(), "U-2")] == ["Marcus (Växjö kommun)", "kommunerna"]
    mine = run(ctx("magnus"), "/uppdrag", "")
    assert "`U-1`" in mine and "`U-2`" in mine  # the LG convenor answers for them


def test_the_convenor_of_a_new_organ_by_name(ctx: MakeCtx, autumn: None) -> None:
    answer = run(
        ctx(), "/organ", "ny KRO Processgrupp Kronobarnsmodellen sammankallande Erika Lagergren"
    )
    assert "skapat" in answer
    with ctx().db.transaction() as session:
        organ = session.exec(select(Organ).where(Organ.short_name == "KRO")).one()
        assert organ.convenor_user_id == "U0ERIKA"
    nobody = run(ctx(), "/organ", "ny KRX Processgrupp X sammankallande Pelle Nilsson")
    assert "”Pelle Nilsson”" in nobody and "@Pelle" in nobody
    several = run(ctx(), "/organ", "sammankallande KRO Magnus")
    assert "kan vara flera personer" in several


def test_each_owner_marks_their_own_part_done(ctx: MakeCtx, autumn: None) -> None:
    run(
        ctx(),
        "/uppdrag",
        "<@U0ROGER> <@U0JENNY> <@U0ANNA> Utse representanter till nästa LG",
    )
    first = run(ctx("roger"), "/uppdrag", "klart U-1")
    assert "din del är klar; väntar på <@U0JENNY>, <@U0ANNA>" in first
    assert status_of(ctx(), "U-1") == "öppen"
    assert "<@U0ROGER> ✓" in run(ctx(), "/uppdrag", "visa U-1")
    assert "`U-1`" not in run(ctx("roger"), "/uppdrag", "")
    # the planner no longer reminds Roger
    plan = reminders.plan(ctx().app, at("2023-08-28T00:00"), at("2023-10-07T00:00"))
    recipients = {p.recipient for p in plan if p.kind != "sammanfattning"}
    assert "U0ROGER" not in recipients and "U0JENNY" in recipients
    run(ctx("jenny"), "/uppdrag", "U-1 är klart")
    assert status_of(ctx(), "U-1") == "öppen"
    last = run(ctx("anna"), "/uppdrag", "klar U-1")
    assert "Uppdrag `U-1` är klart" in last
    assert status_of(ctx(), "U-1") == "klar"


def test_the_convenor_closes_a_shared_assignment_for_everyone(ctx: MakeCtx, autumn: None) -> None:
    run(ctx(channel="C0LG"), "/uppdrag", "<@U0ROGER> <@U0JENNY> Utse representanter")
    answer = run(ctx("magnus", channel="C0LG"), "/uppdrag", "klart U-1")
    assert "Uppdrag `U-1` är klart" in answer
    assert status_of(ctx(), "U-1") == "klar"


# ------------------------------------------------------------ warnings that ask before storing


def asked(ctx: Ctx, text: str) -> tuple[str, str]:
    reply = commands.run(ctx, "/mote", text)
    return said(reply), reply.message.parts[-1].buttons[0].value


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("ny LG 7 oktober 9-12", "7 oktober 2023 är en lördag, ingen arbetsdag"),
        ("ny LG 1 september 13-14", "LG har redan ett möte den dagen: `LG-230901`"),
        ("ny LG 2 juni 9-12", "”2 juni 9-12” utan år blir söndag 2 juni 2024"),
        ("ny AU 28 mars 2027 kl 2.30-3.30", "Klockan 02.30 finns inte söndag 28 mars 2027"),
        ("ny AU 31 oktober 2027 kl 2.30-3.30", "Klockan 02.30 inträffar två gånger"),
    ],
)
def test_what_looks_like_a_mistake_is_asked_before_it_is_stored(
    ctx: MakeCtx, autumn: None, text: str, warning: str
) -> None:
    with ctx().db.transaction() as session:
        before = len(session.exec(select(Meeting)).all())
    question, value = asked(ctx(), text)
    assert warning in question and "Spara ändå" in question
    with ctx().db.transaction() as session:
        assert len(session.exec(select(Meeting)).all()) == before  # nothing stored yet
    stored = said(commands.confirm(ctx(), value))
    assert "Planerat" in stored or "planerat" in stored.lower(), stored
    assert "redan sparat" in said(commands.confirm(ctx(), value))
    with ctx().db.transaction() as session:
        assert len(session.exec(select(Meeting)).all()) == before + 1


def test_a_person_then_an_organ_with_no_till_is_asked_with_the_organ_as_due_point(
    ctx: MakeCtx, autumn: None
) -> None:
    """`Anna och Roger LG i oktober`: LG reads as part of a name nobody has ("Roger LG"). Asked,
    with the example that reads LG as the due point; that example does what it says."""
    run(ctx(), "/uppdrag", "<@U0JENNY> Föra in det på dagordningen till nästa LG")
    answer = run(ctx(), "/uppdrag", "ändra U-1 Anna och Roger LG i oktober")
    assert "”Roger LG” är varken någon i Slack eller ett organ" in answer
    as_text = '/uppdrag ändra U-1 "Anna och Roger LG" i oktober'
    as_owners = "/uppdrag ändra U-1 Anna och Roger till LG i oktober"
    assert f"`{as_text}`" in answer and f"`{as_owners}`" in answer
    assert owners_of(ctx(), "U-1") == [("U0JENNY", None, None, False)]
    run(ctx(), "/uppdrag", as_slack_sends(as_owners.removeprefix("/uppdrag ")))
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA", "U0ROGER"]
    assert what_of(ctx(), "U-1") == ("Föra in det på dagordningen", "LG-231006", None)


def test_names_left_once_a_due_point_without_till_is_read_are_the_owners_not_the_text(
    ctx: MakeCtx, autumn: None
) -> None:
    """`Anna och Roger Ledningsgrupp för samordning i oktober`: the due point is read from the
    organ's full name; what is left is names of people, so they are the new owners – the
    assignment's text is not replaced by "Anna och Roger". With a name nobody has, asked, the
    due point kept in both examples."""
    run(ctx(), "/uppdrag", "<@U0JENNY> Föra in det på dagordningen till nästa LG")
    run(ctx(), "/uppdrag", "ändra U-1 Anna och Roger Ledningsgrupp för samordning i oktober")
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA", "U0ROGER"]
    assert what_of(ctx(), "U-1") == ("Föra in det på dagordningen", "LG-231006", None)
    words = "Ledningsgrupp för samordning i oktober"
    answer = run(ctx(), "/uppdrag", f"ändra U-1 Anna och Lokaler {words}")
    assert "”Lokaler” är varken någon i Slack eller ett organ" in answer
    assert f'`/uppdrag ändra U-1 "Anna och Lokaler" {words}`' in answer
    assert f"`/uppdrag ändra U-1 Anna {words}`" in answer
    assert what_of(ctx(), "U-1")[0] == "Föra in det på dagordningen"
    # either example does what it says
    run(ctx(), "/uppdrag", f"ändra U-1 Anna {words}")
    assert [o[0] for o in owners_of(ctx(), "U-1")] == ["U0ANNA"]
    run(ctx(), "/uppdrag", as_slack_sends(f'ändra U-1 "Anna och Lokaler" {words}'))
    assert what_of(ctx(), "U-1") == ("Anna och Lokaler", "LG-231006", None)
