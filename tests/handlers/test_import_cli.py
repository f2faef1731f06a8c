"""`ledningsbot import`: shown, asked once, stored in one transaction as if entered by hand,
never twice; `--dry-run` and "nej" store nothing."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot import commands
from bot.core.context import Ctx, Product
from handlers import import_cli
from handlers.settings import load_settings
from storage.models import (
    Assignment,
    AssignmentOwner,
    Decision,
    Meeting,
    MinutesImport,
    Organ,
)
from tests.bot.importing.test_proposals import SAMPLES

SAMPLE = SAMPLES / "minnesanteckningar-2023-09-01.txt"
MakeCtx = Callable[..., Ctx]


def run(
    product: Product,
    *argv: str,
    answer: str = "ja\n",
    people: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    import_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["import", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = import_cli.run(
        load_settings({}),
        args,
        stdin=io.StringIO(answer),
        stdout=out,
        stderr=err,
        product=product,
        people=lambda _settings: people,
    )
    return code, out.getvalue(), err.getvalue()


def counts(product: Product) -> dict[str, int]:
    with product.db.transaction() as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Meeting, Decision, Assignment, MinutesImport)
        }


DIRECTORY = {
    "Magnus Frithiof": "U0MAGNUS",
    "Roger Johansson": "U0ROGER",
    "Jenny Smedberg": "U0JENNY",
}


def test_dry_run_shows_the_proposal_and_stores_nothing(product: Product, organs: None) -> None:
    before = counts(product)
    code, out, _ = run(product, str(SAMPLE), "--dry-run")
    assert code == 0
    assert "Möte: LG, fredag 1 september 2023 kl. 11.00–15.00" in out
    assert "Närvarande (21): Angelika Thelin (Linnéuniversitetet)" in out
    assert "Justerare: Jenny Smedberg" in out
    assert (
        "  Uppdrag: Magnus Frithiof, Roger Johansson, Jenny Smedberg – Föra in det på respektive "
        "dagordning, återkoppling till AU, LG" in out
    )
    assert "  Internat 1–2 februari 2024" in out
    assert "  rad 385: Möte 7 oktober 2023 infaller en lördag – stämmer datumet?" in out
    assert "Spara" not in out
    assert counts(product) == before


def test_json_is_the_stable_form(product: Product, organs: None) -> None:
    code, out, _ = run(product, str(SAMPLE), "--dry-run", "--json", people=DIRECTORY)
    assert code == 0
    data = json.loads(out)
    assert list(data) == [
        "organ",
        "meeting",
        "present",
        "absent",
        "guests",
        "justerare",
        "items",
        "sessions",
        "warnings",
    ]
    assert data["items"][5]["assignments"][1]["owners"] == [
        "Magnus Frithiof",
        "Roger Johansson",
        "Jenny Smedberg",
    ]


def test_no_stores_nothing(product: Product, organs: None) -> None:
    before = counts(product)
    code, out, _ = run(product, str(SAMPLE), answer="nej\n")
    assert code == 1
    assert out.rstrip().endswith("Spara detta? (ja/nej) Ingenting sparades.")
    assert counts(product) == before


def test_yes_stores_everything_once_linked_as_if_entered_by_hand(
    product: Product, organs: None
) -> None:
    before = counts(product)
    code, out, _ = run(product, str(SAMPLE), people=DIRECTORY)
    assert code == 0, out
    assert out.rstrip().endswith(
        "Sparat: mötet LG-230901, 4 beslut, 3 uppdrag och 4 kommande sammankomster. "
        "Originalfilen är sparad med mötet."
    )
    after = counts(product)
    assert {k: after[k] - before[k] for k in after} == {
        "Meeting": 5,
        "Decision": 4,
        "Assignment": 3,
        "MinutesImport": 1,
    }
    with product.db.transaction() as session:
        meeting = session.exec(select(Meeting).where(Meeting.ref == "LG-230901")).one()
        assert (meeting.kind, meeting.status, str(meeting.start_time), str(meeting.end_time)) == (
            "möte",
            "hållet",
            "11:00:00",
            "15:00:00",
        )
        sessions = session.exec(
            select(Meeting).where(Meeting.id != meeting.id).order_by(col(Meeting.start_date))
        ).all()
        assert [
            (m.ref, m.kind, m.status, str(m.start_date), str(m.end_date)) for m in sessions
        ] == [
            ("LG-231007", "möte", "hållet", "2023-10-07", "2023-10-07"),
            ("LG-231101", "spridningskonferens", "hållet", "2023-11-01", "2023-11-02"),
            ("LG-231117", "workshop", "hållet", "2023-11-17", "2023-11-17"),
            ("LG-240201", "internat", "hållet", "2024-02-01", "2024-02-02"),
        ]
        decisions = session.exec(select(Decision).order_by(col(Decision.serial))).all()
        assert [(d.ref, d.item, d.decided_on.isoformat(), d.meeting_id) for d in decisions] == [
            ("LG-2023-1", "5", "2023-09-01", meeting.id),
            ("LG-2023-2", "6", "2023-09-01", meeting.id),
            ("LG-2023-3", "6", "2023-09-01", meeting.id),
            ("LG-2023-4", "8", "2023-09-01", meeting.id),
        ]
        assert decisions[2].proposal == (
            "För att kunna ha framåtsyftande dialog och tydlighet kring riktning och upplägg "
            "framåt föreslås den planerade workshopen 15 september skjutas fram. Nytt datum för "
            "workshop 17 november."
        )
        rows = session.exec(select(Assignment).order_by(col(Assignment.id))).all()
        owners = {
            a.id: [
                o.user_id or session.get(Organ, o.organ_id).short_name  # type: ignore[union-attr]
                for o in session.exec(
                    select(AssignmentOwner)
                    .where(AssignmentOwner.assignment_id == a.id)
                    .order_by(col(AssignmentOwner.id))
                )
            ]
            for a in rows
        }
        assert [(owners[a.id], a.what, a.report_to, a.decision_id) for a in rows] == [
            (
                ["LG"],
                "Utse representanter i enlighet med förslagen bemanning (ansvariga enligt "
                "anteckningarna: Respektive chefsnätverk)",
                "AU, LG",
                decisions[1].id,
            ),
            (
                ["U0MAGNUS", "U0ROGER", "U0JENNY"],
                "Föra in det på respektive dagordning",
                "AU, LG",
                decisions[1].id,
            ),
            (
                ["PG-AVTAL"],
                "Ta fram enhetliga avtal för berörda verksamheter i enlighet med utredningens "
                "förslag på ny styrmodell",
                None,
                decisions[3].id,
            ),
        ]
        kept = session.exec(select(MinutesImport)).one()
        assert kept.meeting_id == meeting.id
        assert kept.content == SAMPLE.read_bytes()
        assert (kept.filename, kept.content_type) == (SAMPLE.name, "text/plain; charset=utf-8")
        assert json.loads(kept.proposal)["justerare"] == ["Jenny Smedberg"]


def test_twice_stores_nothing_twice(product: Product, organs: None) -> None:
    assert run(product, str(SAMPLE), people=DIRECTORY)[0] == 0
    before = counts(product)
    code, out, _ = run(product, str(SAMPLE), people=DIRECTORY)
    assert code == 0
    assert (
        "”minnesanteckningar-2023-09-01.txt” är redan inläst (mötet LG-230901); ingenting "
        "sparades en gång till." in out
    )
    assert "Spara detta" not in out
    assert counts(product) == before


def test_a_meeting_already_planned_is_the_one_the_minutes_go_with(
    product: Product, organs: None, ctx: MakeCtx, tmp_path: Path
) -> None:
    commands.run(ctx("magnus"), "/mote", "ny LG 23 november 13-15 Regionhuset")
    minutes = tmp_path / "lg.txt"
    minutes.write_text(
        "Minnesanteckningar Ledningsgrupp för samordning\n"
        "Tid: måndag 23 november 2026 kl 13-15\n"
        "1. Ekonomi\n"
        "Beslut: Ledningsgruppen beslutar att godkänna rapporten.\n"
        "Roger ansvarar för att sprida den till kommande sammanträde den 17 december.\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        product, str(minutes), people={"Roger Johansson": "U0ROGER", "Anna Berg": "U0ANNA"}
    )
    assert code == 0, out
    with product.db.transaction() as session:
        meetings = session.exec(select(Meeting).order_by(col(Meeting.start_date))).all()
        assert [(m.ref, m.status) for m in meetings] == [
            ("LG-261123", "planerat"),
            ("LG-261217", "planerat"),
        ]
        decision = session.exec(select(Decision)).one()
        assert decision.meeting_id == meetings[0].id
        assignment = session.exec(select(Assignment)).one()
        assert (assignment.what, assignment.due_meeting_id, str(assignment.due_date)) == (
            "Sprida den",
            meetings[1].id,
            "2026-12-17",
        )


def test_an_unknown_organ_stores_nothing_and_says_which_exist(
    product: Product, organs: None
) -> None:
    before = counts(product)
    code, _, err = run(product, str(SAMPLE), "--organ", "XYZ")
    assert code == 1
    assert "XYZ" in err and "LG" in err
    assert counts(product) == before


@pytest.mark.parametrize("line", ["Magnus Frithiof, U0MAGNUS", "Magnus Frithiof;U0MAGNUS"])
def test_people_from_a_file(product: Product, organs: None, tmp_path: Path, line: str) -> None:
    directory = tmp_path / "personer.txt"
    directory.write_text(f"# namn, Slack-id\n{line}\n", encoding="utf-8")
    code, out, _ = run(product, str(SAMPLE), "--dry-run", "--personer", str(directory))
    assert code == 0
    assert "ingen personkatalog" not in out
    assert "”Roger Johansson” matchar ingen känd person eller något organ." in out
