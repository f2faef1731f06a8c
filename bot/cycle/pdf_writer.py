"""PDF: the minutes and extracts as the file that is posted, sent and archived.

fpdf2 with its built-in Helvetica, written in Windows-1252 (the PDF's WinAnsiEncoding): that
covers å ä ö é ü and the typographic marks Swedish text uses (– — ” “ ’ • … €), needs no font
file on the machine and gives the same bytes everywhere. A character outside it is replaced by
a visible stand-in (its base letter, or "?"), never dropped; the Markdown and DOCX keep the
exact text."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from bot.cycle.model import Block

ENCODING = "windows-1252"
_STAND_INS = {
    "\u2212": "-",  # minus
    "\u2010": "-",
    "\u2011": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2713": "v",
    "\u2714": "v",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def printable(text: str) -> str:
    """Text the PDF's font can show: each character that Windows-1252 lacks becomes its base
    letter (ł → l is not one, so: "?"), or a stand-in like "->" for →."""
    out: list[str] = []
    for ch in text:
        try:
            ch.encode(ENCODING)
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _STAND_INS:
            out.append(_STAND_INS[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode(ENCODING)
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def _pdf(footer_text: str) -> Any:
    """fpdf2 is imported when the first document is written, not when the bot starts: it and
    its imports (Pillow, fontTools) take tens of MB that an idle bot does not need."""
    from fpdf import FPDF

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            page = f"{footer_text}  ·  Sida {self.page_no()} av {{nb}}"
            self.cell(0, 6, printable(page), align="C")

    return Pdf(format="A4")


def write(blocks: list[Block], *, title: str, when: datetime | None = None) -> bytes:
    pdf = _pdf(title)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(printable(title))
    pdf.set_author("ledningsbot")
    pdf.set_creator("ledningsbot")
    pdf.set_lang("sv-SE")
    pdf.set_creation_date(when or _EPOCH)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    for block in blocks:
        text = printable(block.text)
        if block.kind == "title":
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif block.kind == "heading":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "subtitle":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "bullet":
            pdf.set_font("Helvetica", "", 11)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5.5, "\u2022 " + text, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "small":
            pdf.set_font("Helvetica", "I", 8.5)
            pdf.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "gap":
            pdf.ln(5)
        else:
            pdf.set_font("Helvetica", "", 11)
            if block.label:
                pdf.set_font("Helvetica", "B", 11)
                pdf.write(5.5, printable(block.label) + " ")
                pdf.set_font("Helvetica", "", 11)
            pdf.write(5.5, text)
            pdf.ln(7)
    return bytes(pdf.output())
