"""The same minutes as text, Word and PDF give the same proposal; the files are made here
(python-docx; fpdf2 with its core fonts in Windows-1252, which hold å, ä, ö, é, – and ”)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fpdf import FPDF

from bot.core.errors import UserError
from bot.importing import Known, builtin_organs, propose, read_bytes, read_path
from tests.bot.importing.test_proposals import CASES, SAMPLES, TODAY

OWN = ["protokoll-socialnamnden-2024-03-14", "minnesanteckningar-mas-natverket-2024-03-12"]


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its lines."""
    result: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            result[-1].append(line.strip())
        elif result[-1]:
            result.append([])
    return [p for p in result if p]


def to_docx(text: str) -> bytes:
    """One Word paragraph per paragraph, its lines joined by line breaks, as Word keeps them."""
    document = Document()
    for para in paragraphs(text):
        paragraph = document.add_paragraph()
        for k, line in enumerate(para):
            run = paragraph.add_run(line)
            if k < len(para) - 1:
                run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Page(FPDF):
    header_text: str | None = None

    def header(self) -> None:
        if self.header_text:
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, self.header_text, new_x="LMARGIN", new_y="NEXT")
            self.ln(3)

    def footer(self) -> None:
        if self.header_text:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"Sida {self.page_no()} av {{nb}}")


def to_pdf(text: str, *, header: str | None = None) -> bytes:
    """The text line by line (a blank line is a line's height of space); with ``header``, a
    header line and a "Sida N av M" footer on every page."""
    pdf = _Page()
    pdf.header_text = header
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for line in text.splitlines():
        if line.strip():
            pdf.cell(0, 4.5, line.strip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4.5)
    return bytes(pdf.output())


def without_lines(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "warnings": [w["text"] for w in data["warnings"]]}


def nonblank_numbers(text: str) -> list[int]:
    """The txt line number of each non-blank line, in order."""
    return [k + 1 for k, line in enumerate(text.splitlines()) if line.strip()]


@pytest.mark.parametrize("name", OWN)
def test_word_gives_the_same_proposal_with_paragraph_numbers(name: str) -> None:
    path, known = CASES[name]
    text = path.read_text("utf-8")
    want = propose(read_path(path)[0], known, today=TODAY).to_dict()
    got = propose(read_bytes(to_docx(text), "m.docx"), known, today=TODAY).to_dict()
    assert without_lines(got) == without_lines(want)
    # A Word document has no blank lines: its lines are the text's non-blank lines, in order.
    numbers = nonblank_numbers(text)
    assert [numbers[w["line"] - 1] for w in got["warnings"]] == [
        w["line"] for w in want["warnings"]
    ]


@pytest.mark.parametrize("name", OWN)
def test_pdf_gives_the_same_proposal_and_the_same_lines(name: str) -> None:
    path, known = CASES[name]
    want = propose(read_path(path)[0], known, today=TODAY).to_dict()
    got = propose(read_bytes(to_pdf(path.read_text("utf-8")), "m.pdf"), known, today=TODAY)
    assert got.to_dict() == want


@pytest.mark.parametrize("name", ["minnesanteckningar-2023-09-01", "minnesanteckningar-2025-05-09"])
def test_a_sample_as_a_pdf_of_several_pages_with_header_and_footer(name: str) -> None:
    path, known = CASES[name]
    text = path.read_text("utf-8")
    want = propose(read_path(path)[0], known, today=TODAY).to_dict()
    source = read_bytes(
        to_pdf(text, header="Region Kronoberg – Ledningsgrupp för samordning"), "m.pdf"
    )
    assert len([line for line in source.lines if line.startswith("Sida ")]) == 0
    got = propose(source, known, today=TODAY).to_dict()
    assert without_lines(got) == without_lines(want)
    original = text.splitlines()
    for mine, theirs in zip(got["warnings"], want["warnings"], strict=True):
        assert source.lines[mine["line"] - 1] == " ".join(original[theirs["line"] - 1].split())


def test_word_numbering_and_tables_are_read_as_word_shows_them() -> None:
    document = Document()
    document.add_paragraph("Minnesanteckningar AU")
    document.add_paragraph("Tid: 14 oktober 2026 kl. 9-11")
    document.add_paragraph("Närvarande:")
    table = document.add_table(rows=2, cols=2)
    for row, (name, org) in zip(
        table.rows, [("Anna Berg", "Växjö"), ("Per Holm", "Alvesta")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = name, org
    document.add_paragraph("Inledning", style="List Number")
    document.add_paragraph("Anna hälsar välkommen.")
    document.add_paragraph("Ekonomi", style="List Number")
    document.add_paragraph("Beslut: Arbetsutskottet beslutar att godkänna rapporten.")
    out = io.BytesIO()
    document.save(out)
    proposal = propose(read_bytes(out.getvalue(), "au.docx"), Known(), today=TODAY)
    assert [(p.name, p.organisation) for p in proposal.present] == [
        ("Anna Berg", "Växjö"),
        ("Per Holm", "Alvesta"),
    ]
    assert [(i.number, i.title) for i in proposal.items] == [("1", "Inledning"), ("2", "Ekonomi")]
    assert [d.text for d in proposal.items[1].decisions] == [
        "Arbetsutskottet beslutar att godkänna rapporten."
    ]


def test_pdf_text_quirks_hyphens_ligatures_and_page_numbers() -> None:
    text = "\n".join(
        [
            "Tid: 14 oktober 2026",
            "1. Hälso- och sjukvård",
            "Beslut: Ledningsgruppen beslutar att sjuk-",
            "vården och hälso-",
            "och sjukvårdens ﬁnansiering ses över.",
            "Sida 2 av 3",
            "2. Avslut",
        ]
    )
    proposal = propose(
        read_bytes(text.encode(), "m.txt"), Known(organs=builtin_organs()), today=TODAY
    )
    assert proposal.items[0].title == "Hälso- och sjukvård"
    assert [d.text for d in proposal.items[0].decisions] == [
        "Ledningsgruppen beslutar att sjukvården och hälso- och sjukvårdens finansiering ses över."
    ]
    assert [i.title for i in proposal.items] == ["Hälso- och sjukvård", "Avslut"]


def test_files_that_cannot_be_read_say_so_in_swedish(tmp_path: Path) -> None:
    (tmp_path / "a.odt").write_bytes(b"x")
    (tmp_path / "b.docx").write_bytes(b"not a zip")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4 nothing")
    scanned = FPDF()
    scanned.add_page()
    (tmp_path / "d.pdf").write_bytes(bytes(scanned.output()))
    messages = []
    for name in ("a.odt", "b.docx", "c.pdf", "d.pdf", "saknas.txt"):
        with pytest.raises(UserError) as caught:
            read_path(tmp_path / name)
        messages.append(caught.value.message)
    assert "kan läsa" in messages[0] and ".docx" in messages[0]
    assert "gick inte att läsa" in messages[1]
    assert "gick inte att läsa" in messages[2]
    assert "ingen text" in messages[3]
    assert "finns inte" in messages[4]


def test_text_in_windows_1252_is_read_too() -> None:
    data = "Tid: 14 oktober 2026\n1. Övrigt om Växjö\n".encode("cp1252")
    proposal = propose(read_bytes(data, "m.txt"), Known(), today=TODAY, organ="LG")
    assert proposal.items[0].title == "Övrigt om Växjö"


def test_the_samples_are_where_the_tests_read_them() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.txt")) == [
        "minnesanteckningar-2023-09-01.txt",
        "minnesanteckningar-2025-05-09.txt",
    ]
