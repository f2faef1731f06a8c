"""The two shared sets of minutes (../shared/samples/, the lines copied here) replayed through
the command language item by item, the way they are written; then what the register holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from sqlmodel import col, select

from bot import commands
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, StaticDirectory
from storage.models import Assignment, AssignmentOwner, Decision, Meeting, Organ
from tests.harness import PEOPLE, said

MakeCtx = Callable[..., Ctx]


def run(ctx: Ctx, command: str, text: str) -> str:
    answer = said(commands.run(ctx, command, text))
    assert "Något gick fel" not in answer, answer
    assert "Jag förstod inte" not in answer, answer
    return answer


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def register(ctx: Ctx) -> dict[str, object]:
    with ctx.db.transaction() as session:
        meetings = {
            m.ref: (m.kind, m.start_date, m.end_date, m.start_time, m.end_time, m.status)
            for m in session.exec(select(Meeting)).all()
        }
        decisions = {
            d.ref: (
                d.item,
                d.text[:40],
                session.get(Meeting, d.meeting_id).ref if d.meeting_id else None,
            )
            for d in session.exec(select(Decision)).all()
        }
        assignments = {}
        for a in session.exec(select(Assignment).order_by(col(Assignment.id))).all():
            owners = []
            for o in session.exec(
                select(AssignmentOwner).where(AssignmentOwner.assignment_id == a.id)
            ).all():
                organ = session.get(Organ, o.organ_id) if o.organ_id else None
                owners.append(o.user_id or (organ.short_name if organ else None) or o.name)
            due = session.get(Meeting, a.due_meeting_id).ref if a.due_meeting_id else a.due_date
            assignments[a.ref] = (owners, due, a.report_to)
        return {"meetings": meetings, "decisions": decisions, "assignments": assignments}


def directory() -> StaticDirectory:
    return StaticDirectory(
        names={
            PEOPLE["sara"]: "Sara Ek",
            PEOPLE["magnus"]: "Magnus Frithiof",
            PEOPLE["roger"]: "Roger Johansson",
            PEOPLE["jenny"]: "Jenny Smedberg",
            "U0ERIKA": "Erika Lagergren",
            "U0MARCUS": "Marcus Johansson",
            "U0SANDOR": "Sandor Eriksson",
        }
    )


def test_the_minutes_of_1_september_2023(ctx: MakeCtx, organs: None, clock: FixedClock) -> None:
    # entered the afternoon of the meeting, by the secretary (Marcus), from the minutes
    clock.set(at("2023-09-01T16:00"))
    lg = Ctx(ctx().app, PEOPLE["sara"], "C0LG", directory())
    # " Tid:  Fredagen den 1 september 2023, kl 11-15"
    assert "LG-230901" in run(lg, "/mote", "ny LG Fredagen den 1 september 2023, kl 11-15")
    # "skickats ut efter AU (230814)"
    run(lg, "/mote", "ny AU 230814")
    # "5. … Beslut: Ledningsgruppen beslutar att processgrupp Kronobarnsmodellen fortsätter …"
    run(
        lg,
        "/beslut",
        "LG-230901 §5: Ledningsgruppen beslutar att processgrupp Kronobarnsmodellen fortsätter "
        "sitt arbete i nuvarande form med Erika Lagergren som sammankallande under 2024.",
    )
    run(lg, "/organ", "ny KRO Processgrupp Kronobarnsmodellen sammankallande Erika Lagergren")
    # "6. … Förslag till beslut: … Beslut: Ledningsgruppen beslutar enligt förslag"
    run(
        lg,
        "/beslut",
        "LG-230901 §6: Förslag till beslut: Respektive chefsnätverk ges i uppdrag att utse "
        "representanter i enlighet med förslagen bemanning. Beslut: Ledningsgruppen beslutar "
        "enligt förslag",
    )
    # "– Magnus, Roger och Jenny ansvarar för att föra in det på respektive dagordning.
    #  Återkoppling sker till AU och ledningsgrupp."
    run(lg, "/mote", "ny LG 6 oktober 2023 9-12")
    run(
        lg,
        "/uppdrag",
        "Magnus, Roger och Jenny ansvarar för att föra in det på respektive dagordning "
        "till nästa LG. Återkoppling sker till AU och ledningsgrupp",
    )
    # "… föreslås den planerade workshopen 15 september skjutas fram. Nytt datum för workshop
    #  17 november."
    run(lg, "/mote", "ny workshop 17 november 2023")
    # "8. Beslut: Ledningsgruppen uppdrar åt processgrupp för avtal och överenskommelser att …"
    run(
        lg,
        "/beslut",
        "LG-230901 §8: Ledningsgruppen uppdrar åt processgrupp för avtal och överenskommelser "
        "att ta fram enhetliga avtal för berörda verksamheter",
    )
    run(
        lg,
        "/uppdrag",
        "processgrupp för avtal tar fram enhetliga avtal för berörda verksamheter "
        "till LG i oktober",
    )
    # "9. Gemensam spridningskonferens 1-2 november"; "10. Internat planeras till 1-2 februari 2024"
    run(lg, "/mote", "ny Gemensam spridningskonferens 1-2 november 2023")
    run(lg, "/mote", "ny internat 1-2 februari 2024")
    # "12. Projektdirektiv … Lyfts på ledningsgrupp 7 oktober." (the LG meets 6 October)
    run(lg, "/uppdrag", "<@U0ROGER|roger> Lyfta projektdirektivet vårdkedjan till nästa LG")

    held = register(lg)
    assert held["meetings"] == {
        "LG-230901": ("möte", date(2023, 9, 1), date(2023, 9, 1), time(11), time(15), "hållet"),
        "AU-230814": ("möte", date(2023, 8, 14), date(2023, 8, 14), None, None, "hållet"),
        "LG-231006": ("möte", date(2023, 10, 6), date(2023, 10, 6), time(9), time(12), "planerat"),
        "LG-231117": ("workshop", date(2023, 11, 17), date(2023, 11, 17), None, None, "planerat"),
        "LG-231101": (
            "spridningskonferens",
            date(2023, 11, 1),
            date(2023, 11, 2),
            None,
            None,
            "planerat",
        ),
        "LG-240201": ("internat", date(2024, 2, 1), date(2024, 2, 2), None, None, "planerat"),
    }
    decisions = held["decisions"]
    assert isinstance(decisions, dict)
    assert [(item, meeting) for item, _, meeting in decisions.values()] == [
        ("5", "LG-230901"),
        ("6", "LG-230901"),
        ("8", "LG-230901"),
    ]
    assert held["assignments"] == {
        "U-1": (["U0MAGNUS", "U0ROGER", "U0JENNY"], "LG-231006", "AU och ledningsgrupp"),
        "U-2": (["PG-AVTAL"], "LG-231006", None),
        "U-3": (["U0ROGER"], "LG-231006", None),
    }


def test_the_minutes_of_9_may_2025(ctx: MakeCtx, organs: None, clock: FixedClock) -> None:
    clock.set(at("2025-05-12T09:00"))  # the Monday after
    lg = Ctx(ctx().app, PEOPLE["sara"], "C0LG", directory())
    run(lg, "/organ", "ny MAS MAS-nätverket")
    run(lg, "/organ", "ny EHC Elevhälsochefsnätverket")
    run(lg, "/mote", "ny LG 2025-05-09")
    run(lg, "/mote", "ny LG 12 september 2025 9-12")
    # "2. EHDS … (11:10–11:30) … Kommunerna behöver bevaka frågan"
    run(lg, "/uppdrag", "Kommunerna behöver bevaka frågan om EHDS till nästa LG")
    # "3. … vilka säkerställer att MAS-nätverket och elevhälsochefsnätverket fyller i vilka
    #  informationsmängder som ska delas"
    run(
        lg,
        "/uppdrag",
        "MAS-nätverket och elevhälsochefsnätverket fyller i vilka informationsmängder som ska "
        "delas till nästa LG",
    )
    # "5. LINK … Skolcheferna fortsätter dialogen på nätverksträff i juni och återkopplar"
    run(
        lg,
        "/uppdrag",
        "Skolcheferna fortsätter dialogen om LINK och återkopplar till ledningsgruppen "
        "senast 30 juni",
    )
    # "… och återkopplar sedan förslag på hantering till ledningsgruppen."
    run(
        lg,
        "/uppdrag",
        "Skolcheferna återkopplar sedan förslag på hantering av LINK till ledningsgruppen",
    )
    # "8 Beslutspunkt: … Ledningsgruppen beslutar att anta överenskommelsen"
    run(
        lg,
        "/beslut",
        "LG 2025-05-09 8 Beslutspunkt: Förslag till beslut: Att ledningsgruppen antar den "
        "reviderade överenskommelsen. Beslut: Ledningsgruppen beslutar att anta överenskommelsen",
    )
    # "10 … Under tiden har regionen i uppdrag att ge förslag på hur kompetensutvecklingen …"
    run(lg, "/beslut", "LG-250509 §10: Ledningsgruppen beslutar enligt förslaget.")
    run(
        lg,
        "/uppdrag",
        "Regionen har i uppdrag att ge förslag på hur kompetensutvecklingen kring heder kan "
        "genomföras till LG i september",
    )
    held = register(lg)
    with lg.db.transaction() as session:
        texts = [a.what for a in session.exec(select(Assignment).order_by(col(Assignment.id)))]
    assert texts[2:4] == [
        "Fortsätter dialogen om LINK",
        "Återkopplar sedan förslag på hantering av LINK",
    ]
    meetings = held["meetings"]
    assert isinstance(meetings, dict)
    assert meetings["LG-250509"][1] == date(2025, 5, 9) and meetings["LG-250509"][5] == "hållet"
    decisions = held["decisions"]
    assert isinstance(decisions, dict)
    assert [(item, meeting) for item, _, meeting in decisions.values()] == [
        ("8", "LG-250509"),
        ("10", "LG-250509"),
    ]
    assert held["assignments"] == {
        "U-1": (["Kommunerna"], "LG-250912", None),
        "U-2": (["MAS", "EHC"], "LG-250912", None),
        # "återkopplar till" is reporting back, as "återkoppling till" is
        "U-3": (["Skolcheferna"], date(2025, 6, 30), "ledningsgruppen"),
        "U-4": (["Skolcheferna"], None, "ledningsgruppen"),
        "U-5": (["Regionen"], "LG-250912", None),
    }
