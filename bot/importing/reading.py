"""Minutes files to plain lines: ``.txt``, ``.md``, ``.docx`` (python-docx) and text ``.pdf``
(pypdf).

Line numbers in warnings refer to these lines: the file's own lines for text and Markdown (cleaning
never removes a line there, it blanks it), the document's lines (paragraphs, line breaks and
table rows) for Word, and for PDF the text's lines as extracted, pages joined, page headers,
footers and numbers left out.

What is cleaned, in every format: Unicode NFKC (ligatures such as "ﬁ" become "fi"), soft
hyphens, zero-width characters and non-breaking spaces. In text and PDF: words hyphenated at a
line end are joined ("sjuk-" + "vården"), not a suspended hyphen ("hälso- och"); page numbers
("Sida 5 av 7", "5 (7)", "- 5 -") and the short footer line above one are blanked; in PDF
lines repeated at the top or bottom of most pages (headers and footers) are left out.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.errors import UserError
from bot.importing import texts
from bot.importing.model import SUFFIXES

#: The largest file the importer reads (bytes).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A file's text as lines. ``paragraphs[i]`` is the paragraph of line ``i + 1`` where the
    format says it (Word); None where the parser must tell paragraphs from blank lines."""

    name: str
    kind: str
    lines: list[str]
    paragraphs: list[int] | None = None


def read_path(path: str | Path) -> tuple[Source, bytes]:
    """Read a file; returns its text and its bytes (kept with the meeting)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise UserError(texts.file_missing(str(path))) from None
    if size > MAX_BYTES:
        raise UserError(texts.file_too_large(path.name, MAX_BYTES))
    data = path.read_bytes()
    return read_bytes(data, path.name), data


def read_bytes(data: bytes, name: str) -> Source:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(texts.unsupported_format(name))
    if len(data) > MAX_BYTES:
        raise UserError(texts.file_too_large(name, MAX_BYTES))
    if suffix == ".docx":
        lines, paragraphs = _docx_lines(data, name)
        return Source(name, "docx", [_clean(line) for line in lines], paragraphs)
    if suffix == ".pdf":
        return Source(name, "pdf", _pdf_lines(data, name))
    text = _decode(data)
    raw = text.splitlines()
    lines = [_clean(line) for line in raw]
    if suffix == ".md":
        lines = [_markdown(line) for line in lines]
        return Source(name, "md", _tidy(lines), _markdown_paragraphs(raw, lines))
    return Source(name, suffix[1:], _tidy(lines))


# --------------------------------------------------------------------------- text and Markdown


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(line: str) -> str:
    line = unicodedata.normalize("NFKC", line.translate(_INVISIBLE))
    line = _CONTROL.sub(" ", line)
    return _SPACES.sub(" ", line).strip()


_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_BULLET = re.compile(r"^[*+]\s+")


_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&"}
#: Stand-ins for escaped characters while the markup is taken off (private use, never text).
_STAND_IN = 0xF0000


def _markdown_paragraphs(raw: list[str], lines: list[str]) -> list[int]:
    """Paragraphs as Markdown has them: a blank line ends one, and so does a hard line break
    (a line ending in two spaces or a backslash: a new line in the same block, as the bot's
    minutes write a proposal of several paragraphs)."""
    paragraphs: list[int] = []
    para, gap = 0, True
    for original, line in zip(raw, lines, strict=True):
        if not line:
            gap = True
        elif gap:
            para, gap = para + 1, False
        paragraphs.append(para)
        if line and (original.endswith("  ") or original.rstrip(" ").endswith("\\")):
            gap = True
    return paragraphs


def _markdown(line: str) -> str:
    line = _MD_ESCAPED.sub(lambda m: chr(_STAND_IN + ord(m.group(1))), line)
    line = _MD_HEADING.sub("", line)
    line = re.sub(r"^>\s?", "", line)
    line = _MD_BULLET.sub("• ", line)
    line = _MD_LINK.sub(r"\1", line)
    if line.startswith("|") and line.endswith("|"):
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            return ""
        line = ", ".join(c for c in cells if c)
    line = _MD_EMPHASIS.sub("", line)
    if re.fullmatch(r"[-*_]{3,}", line):
        return ""
    line = "".join(chr(ord(ch) - _STAND_IN) if ord(ch) >= _STAND_IN else ch for ch in line)
    for entity, char in _MD_ENTITIES.items():
        line = line.replace(entity, char)
    return line.strip()


# ---------------------------------------------------------------------------------- tidying

_PAGE_NUMBER = re.compile(
    r"^(?:sida\s+\d+(?:\s*(?:av|/|\()\s*\d+\)?)?|\d+\s*\(\d+\)|\d+\s*/\s*\d+|-\s*\d+\s*-)$",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"(?<=[a-zåäöéü])-$")
_NOT_JOINED = {"och", "eller", "samt", "respektive", "resp", "till", "som", "men"}


def _tidy(lines: list[str]) -> list[str]:
    """Blank page numbers and the footer above them; join words hyphenated at a line end."""
    lines = list(lines)
    for i, line in enumerate(lines):
        if not _PAGE_NUMBER.match(line):
            continue
        lines[i] = ""
        above = _previous_text(lines, i)
        if above is not None and _footer_like(lines[above]):
            lines[above] = ""
    for i, line in enumerate(lines):
        if not _HYPHENATED.search(line):
            continue
        below = _next_text(lines, i)
        if below is None or below - i > 2:
            continue
        first, _, rest = lines[below].partition(" ")
        if not first[:1].islower() or first.rstrip(".,;:") in _NOT_JOINED:
            continue
        lines[i] = line[:-1] + first
        lines[below] = rest
    return lines


def _previous_text(lines: list[str], i: int) -> int | None:
    for j in range(i - 1, max(i - 4, -1), -1):
        if lines[j]:
            return j
    return None


def _next_text(lines: list[str], i: int) -> int | None:
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j]:
            return j
    return None


def _footer_like(line: str) -> bool:
    return (
        len(line) <= 40
        and line[-1:] not in ".:;,!?"
        and not any(ch.isdigit() for ch in line)
        and ":" not in line
    )


# --------------------------------------------------------------------------------------- PDF


def _pdf_lines(data: bytes, name: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UserError(texts.pdf_encrypted(name))
        pages = [
            (page.extract_text(extraction_mode="layout") or "").splitlines()
            for page in reader.pages
        ]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UserError(texts.unreadable(name)) from error
    cleaned = [_blank_runs([_clean(line) for line in page]) for page in pages]
    _drop_repeated_edges(cleaned)
    lines: list[str] = []
    for page in cleaned:
        while page and (not page[-1] or _PAGE_NUMBER.match(page[-1])):
            page.pop()
        while page and (not page[0] or _PAGE_NUMBER.match(page[0])):
            page.pop(0)
        lines.extend(page)  # a paragraph may run on over the page break
    if not any(lines):
        raise UserError(texts.pdf_without_text(name))
    return _tidy(lines)


def _blank_runs(lines: list[str]) -> list[str]:
    """pypdf's layout mode marks one empty line with one blank line, two with three, three
    with four: a run of k > 1 blank lines becomes k - 1, so the gaps keep their proportions."""
    result: list[str] = []
    run = 0
    for line in [*lines, None]:
        if line == "":
            run += 1
            continue
        result.extend([""] * (run if run <= 1 else run - 1))
        run = 0
        if line is not None:
            result.append(line)
    while result and not result[0]:
        result.pop(0)
    return result


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _drop_repeated_edges(pages: list[list[str]]) -> None:
    """Headers and footers: the same line (numbers aside) among the first or last two lines of
    at least half the pages (and at least two) is left out."""
    if len(pages) < 2:
        return
    counts: Counter[str] = Counter()
    for page in pages:
        text = [line for line in page if line]
        counts.update({_edge_key(line) for line in text[:2] + text[-2:]})
    repeated = {key for key, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
    for page in pages:
        positions = [i for i, line in enumerate(page) if line]
        edges = set(positions[:2] + positions[-2:])
        page[:] = [
            line for i, line in enumerate(page) if i not in edges or _edge_key(line) not in repeated
        ]


# -------------------------------------------------------------------------------------- Word


def _docx_lines(data: bytes, name: str) -> tuple[list[str], list[int]]:
    """Body paragraphs and table rows in document order; list numbering written out ("5.",
    "5.2", "•"), as Word shows it but does not store it in the text."""
    import zipfile

    from docx import Document
    from docx.oxml.ns import qn

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UserError(texts.unreadable(name)) from error
    numbering = _Numbering(document)
    lines: list[str] = []
    paragraphs: list[int] = []
    para = 0
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            para += 1
            text = _paragraph_text(child, qn)
            label = numbering.label(child, qn) if text.strip() else ""
            for k, part in enumerate(text.split("\n") or [""]):
                lines.append((label + " " + part if label and k == 0 else part).strip())
                paragraphs.append(para if part.strip() else 0)
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                para += 1
                cells = []
                for cell in row.iter(qn("w:tc")):
                    cell_text = " ".join(
                        _paragraph_text(p, qn).replace("\n", " ") for p in cell.iter(qn("w:p"))
                    ).strip()
                    if cell_text and cell_text not in cells:
                        cells.append(cell_text)
                lines.append(", ".join(cells))
                paragraphs.append(para if cells else 0)
    return lines, paragraphs


def _paragraph_text(element: Any, qn: Any) -> str:
    parts: list[str] = []
    for node in element.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


class _Numbering:
    """Word's automatic list numbers, counted as Word counts them (decimal and bullets)."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self.formats: dict[tuple[str, int], str] = {}
        self.counters: dict[str, list[int]] = {}
        # Styles that number their paragraphs ("List Number"): styleId → (numId, level).
        self.styles: dict[str, tuple[str, int]] = {}
        for style in document.styles.element.iter(qn("w:style")):
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            num_id = num_pr.find(qn("w:numId")) if num_pr is not None else None
            if num_id is not None:
                level = num_pr.find(qn("w:ilvl"))
                self.styles[style.get(qn("w:styleId"))] = (
                    num_id.get(qn("w:val")),
                    int(level.get(qn("w:val"))) if level is not None else 0,
                )
        try:
            part = document.part.numbering_part
        except (NotImplementedError, KeyError, AttributeError):
            return

        root = part.element
        abstract: dict[str, dict[int, str]] = {}
        for node in root.iter(qn("w:abstractNum")):
            levels = {}
            for lvl in node.iter(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal"
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for node in root.iter(qn("w:num")):
            ref = node.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            for level, fmt in abstract.get(ref.get(qn("w:val")), {}).items():
                self.formats[(node.get(qn("w:numId")), level)] = fmt

    def label(self, paragraph: Any, qn: Any) -> str:
        props = paragraph.find(qn("w:pPr"))
        num_pr = props.find(qn("w:numPr")) if props is not None else None
        num_id_node = num_pr.find(qn("w:numId")) if num_pr is not None else None
        if num_pr is not None and num_id_node is not None:
            level_node = num_pr.find(qn("w:ilvl"))
            num_id = num_id_node.get(qn("w:val"))
            level = int(level_node.get(qn("w:val"))) if level_node is not None else 0
        else:
            style = props.find(qn("w:pStyle")) if props is not None else None
            by_style = self.styles.get(style.get(qn("w:val"))) if style is not None else None
            if by_style is None:
                return ""
            num_id, level = by_style
        fmt = self.formats.get((num_id, level), "decimal")
        if fmt == "bullet":
            return "•"
        if fmt != "decimal" or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        numbers = [str(max(counters[k], 1)) for k in range(level + 1)]
        return ".".join(numbers) + ("." if level == 0 else "")
