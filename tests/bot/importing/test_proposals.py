"""What the importer proposes for whole sets of minutes: the two real ones in shared/samples and
minutes of other bodies written here, each compared with the whole proposal expected from
reading it (data/*.expected.json, written by hand from the text)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.importing import Known, builtin_organs, propose, read_bytes, read_path

DATA = Path(__file__).parent / "data"


def _samples() -> Path:
    """``shared/samples`` beside the repository (or beside a folder holding its worktree)."""
    for folder in Path(__file__).resolve().parents[4:]:
        if (folder / "shared" / "samples").is_dir():
            return folder / "shared" / "samples"
    raise FileNotFoundError("shared/samples/ (the two real sets of minutes) is not beside the repo")


SAMPLES = _samples()
TODAY = date(2026, 11, 23)

# The organs as the tests' database holds them (tests/conftest.py: LG, AU, PG-AVTAL).
ORGANS = builtin_organs() | {
    "lg": "LG",
    "ledningsgrupp för samordning": "LG",
    "au": "AU",
    "arbetsutskottet": "AU",
    "pg-avtal": "PG-AVTAL",
    "processgrupp för avtal och överenskommelser": "PG-AVTAL",
}
# The group's members as a directory knows them: those present at the two sample meetings.
MEMBERS = [
    "Angelika Thelin",
    "Anneli Loberg",
    "Annie-Lie Jarhult",
    "Camilla Denker",
    "Catherine Persson Lundgren",
    "Erika Lagergren",
    "Ewa Ekman",
    "Jenny Smedberg",
    "Jessika Andersén",
    "Johan Rutgersmark",
    "Marit Persson",
    "Martin Hansson",
    "Magnus Frithiof",
    "Nils-Göran Jonasson",
    "Peter Magnusson",
    "Rizana Mustedanagic",
    "Roger Johansson",
    "Sofia Kumlin Rylow",
    "Susanne Appelberg",
    "Ulrika Boström",
    "Marcus Johansson",
    "Anders Elingfors",
    "Anna-Karin Pålsson",
    "Annelie Källström",
    "Bodil Gustafsson",
    "Katja Schönbeck",
    "Linda Björk",
    "Maria Blom",
    "Monika Skowronski-Amaral",
    "Rizana Talic",
    "Sandor Eriksson",
    "Susanne Magnusson",
    "Therese Linnér",
]


def people(names: list[str]) -> dict[str, str]:
    return {name: f"U{k:04d}" for k, name in enumerate(names)}


CASES: dict[str, tuple[Path, Known]] = {
    "minnesanteckningar-2023-09-01": (
        SAMPLES / "minnesanteckningar-2023-09-01.txt",
        Known(people(MEMBERS), ORGANS),
    ),
    "minnesanteckningar-2025-05-09": (
        SAMPLES / "minnesanteckningar-2025-05-09.txt",
        Known(people(MEMBERS), ORGANS),
    ),
    "protokoll-socialnamnden-2024-03-14": (
        DATA / "protokoll-socialnamnden-2024-03-14.txt",
        Known(
            people(["Anna Berg", "Per Holm", "Lisa Ek", "Omar Said", "Karl Nyström", "Johan Alm"]),
            builtin_organs() | {"sn": "SN", "socialnämnden": "SN"},
        ),
    ),
    "minnesanteckningar-mas-natverket-2024-03-12": (
        DATA / "minnesanteckningar-mas-natverket-2024-03-12.txt",
        Known(None, builtin_organs() | {"mas": "MAS", "mas-nätverket": "MAS"}),
    ),
    "minnesanteckningar-lg-2024-09-02": (
        DATA / "minnesanteckningar-lg-2024-09-02.md",
        Known(
            people(
                [
                    "Magnus Frithiof",
                    "Anna Svensson",
                    "Anna Lind",
                    "Roger Johansson",
                    "Jenny Smedberg",
                ]
            ),
            ORGANS,
        ),
    ),
}


def expected(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DATA / f"{name}.expected.json").read_text("utf-8"))
    return result


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_whole_proposal(name: str) -> None:
    path, known = CASES[name]
    source, _ = read_path(path)
    assert propose(source, known, today=TODAY).to_dict() == expected(name)


def test_an_organ_given_wins_and_is_not_a_guess() -> None:
    path, known = CASES["minnesanteckningar-2023-09-01"]
    source, _ = read_path(path)
    proposal = propose(source, known, today=TODAY, organ="lg")
    want = expected("minnesanteckningar-2023-09-01")
    assert proposal.organ == "LG"
    assert [w.text for w in proposal.warnings] == [w["text"] for w in want["warnings"][1:]]


def test_without_a_directory_first_names_are_read_from_the_attendance() -> None:
    path, _ = CASES["minnesanteckningar-2023-09-01"]
    source, _ = read_path(path)
    proposal = propose(source, Known(None, ORGANS), today=TODAY).to_dict()
    assert proposal == expected("minnesanteckningar-2023-09-01")


def test_a_directory_without_the_owner_is_flagged() -> None:
    path, _ = CASES["minnesanteckningar-2023-09-01"]
    source, _ = read_path(path)
    directory = people([n for n in MEMBERS if n != "Roger Johansson"])
    proposal = propose(source, Known(directory, ORGANS), today=TODAY)
    assert proposal.warnings[2].line == 215
    assert proposal.warnings[2].text == (
        "”Roger Johansson” matchar ingen känd person eller något organ."
    )


def test_the_same_words_in_other_forms() -> None:
    text = "\n".join(
        [
            "Minnesanteckningar AU",
            "Tid: 7 oktober 2026 kl. 13-15",
            "Närvarande: Anna Berg, Växjö; Per Holm, Alvesta",
            "",
            "§ 5 Uppföljning",
            "Beslut: Arbetsutskottet beslutar att Per ansvarar för uppföljningen till nästa AU.",
            "",
            "§ 6 Kommunikation",
            "Per Holm ges i uppdrag att ta fram en kommunikationsplan till LG 12 november.",
            "",
            "Punkt 7 Övrigt",
            "Kommittén godkände planen.",
        ]
    )
    proposal = propose(read_bytes(text.encode(), "au.txt"), Known(None, ORGANS), today=TODAY)
    data = proposal.to_dict()
    assert data["organ"] == "AU"
    assert [(i["number"], i["title"]) for i in data["items"]] == [
        ("5", "Uppföljning"),
        ("6", "Kommunikation"),
        ("7", "Övrigt"),
    ]
    assert data["items"][0]["assignments"] == [
        {
            "owners": ["Per Holm"],
            "text": "Uppföljningen",
            "due": {"meeting": None},
            "report_to": [],
        }
    ]
    assert data["items"][1]["assignments"][0]["due"] == {"meeting": "2026-11-12"}
    assert data["items"][2]["decisions"] == [
        {"text": "Kommittén godkände planen.", "proposal": None}
    ]
    assert data["sessions"] == [
        {
            "kind": "möte",
            "start_date": "2026-11-12",
            "end_date": "2026-11-12",
            "start": None,
            "end": None,
            "note": "Per Holm ges i uppdrag att ta fram en kommunikationsplan till LG 12 november.",
        }
    ]


def test_five_and_five_point_two_and_five_parenthesis_are_items_a_list_inside_is_not() -> None:
    text = "\n".join(
        [
            "Tid: 2026-10-07",
            "1. Inledning",
            "2) Läget",
            "Tre saker:",
            "1. Ekonomi",
            "2. Personal",
            "2.1 Bemanning",
            "2.2 Rekrytering",
            "3 Avslutning",
            "7 oktober är ett datum, ingen punkt.",
        ]
    )
    proposal = propose(read_bytes(text.encode(), "x.txt"), Known(), today=TODAY, organ="LG")
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Inledning"),
        ("2", "Läget"),
        ("2.1", "Bemanning"),
        ("2.2", "Rekrytering"),
        ("3", "Avslutning"),
    ]


@pytest.mark.parametrize(
    "written",
    [
        *(
            f"sammanställa läget och {verb} till AU."
            for verb in ("återrapporterar", "återrapportera", "återkoppla")
        ),
        "sammanställa läget;återrapporterar till AU.",
        "sammanställa läget, återkopplar till AU.",
        "sammanställa läget. Återrapporterar till AU.",
    ],
)
def test_reporting_back_reads_the_same_verbs_as_the_command(written: str) -> None:
    """The verb forms `/uppdrag` reads as reporting back (bot.core.reporting) are reporting
    back in minutes too, not a due point at the organ's meeting with the verb left in: also
    right after a semicolon or a comma, or opening a sentence of its own; and no warning."""
    text = "\n".join(
        [
            "Minnesanteckningar AU",
            "Tid: 7 oktober 2026 kl. 13-15",
            "Närvarande: Per Holm, Alvesta",
            "",
            "§ 6 Kommunikation",
            f"Per Holm ges i uppdrag att {written}",
        ]
    )
    proposal = propose(read_bytes(text.encode(), "au.txt"), Known(None, ORGANS), today=TODAY)
    assert proposal.to_dict()["items"][0]["assignments"] == [
        {"owners": ["Per Holm"], "text": "Sammanställa läget", "due": None, "report_to": ["AU"]}
    ]
    assert not proposal.warnings
