"""DOCX: the minutes and extracts as a Word document the secretary can open and edit.

Built with python-docx from its default template; the core properties carry fixed dates, so the
same document gives the same bytes."""

from __future__ import annotations

import io
from datetime import datetime

from bot.cycle.model import Block

_EPOCH = datetime(2000, 1, 1)


def write(blocks: list[Block], *, title: str, when: datetime | None = None) -> bytes:
    # Imported here, when the first document is written: an idle bot does not need it.
    from docx import Document
    from docx.shared import Pt

    document = Document()
    props = document.core_properties
    props.title = title
    props.author = "ledningsbot"
    props.last_modified_by = "ledningsbot"
    props.language = "sv-SE"
    stamp = (when or _EPOCH).replace(tzinfo=None, microsecond=0)
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "subtitle":
            paragraph = document.add_paragraph()
            paragraph.add_run(block.text).bold = True
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "small":
            run = document.add_paragraph().add_run(block.text)
            run.italic = True
            run.font.size = Pt(9)
        elif block.kind == "gap":
            document.add_paragraph()
        else:
            paragraph = document.add_paragraph()
            if block.label:
                paragraph.add_run(block.label + " ").bold = True
            lines = block.text.split("\n")
            for i, line in enumerate(lines):
                run = paragraph.add_run(line)
                if i < len(lines) - 1:
                    run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
