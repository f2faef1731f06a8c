"""`import`: reading and storing minutes (`ledningsbot import`), on a fresh SQLite database.

Minutes are made here in the samples' style: attendance of 25, items with föredragande, running
text, a proposal, a decision, an assignment with due date and report-back, and a later session.
A "10-page" set is what fpdf2 lays out on ten A4 pages (9 pt).

* one set: read + propose (no storing) for .txt, .docx and .pdf; and the whole import (read,
  propose, store in one transaction) of the PDF. Target: < 1 s.
* 100 sets (a third each .txt, .docx, .pdf, different meetings): each read, proposed and stored,
  one after the other. Target: < 60 s in all.
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.common import Environment, Options, summary_ms, table, verdict, write_result
from bot import commands, importing
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product, StaticDirectory
from storage.db import Database

ONE_TARGET_S = 1.0
HUNDRED_TARGET_S = 60.0
USER = "U0BENCH"
ORGS = ["Alvesta", "Lessebo", "Ljungby", "Markaryd", "Tingsryd", "Uppvidinge", "Växjö", "Älmhult"]
FIRST = ["Anna", "Per", "Karin", "Lars", "Eva", "Johan", "Maria", "Erik", "Sara", "Nils", "Lena"]
LAST = ["Berg", "Holm", "Lund", "Ek", "Strand", "Alm", "Sund", "Ström", "Dahl", "Lind", "Falk"]


def people() -> list[tuple[str, str]]:
    return [
        (f"{FIRST[k % len(FIRST)]} {LAST[(k * 7) % len(LAST)]}son", ORGS[k % len(ORGS)])
        for k in range(25)
    ]


def minutes(day: date, items: int = 41) -> str:
    """One set of minutes for ``day``, ten pages with the default number of items: each item
    an assignment due at the next meeting, every fourth a workshop announced."""
    members = people()
    lines = [
        "Minnesanteckningar Ledningsgrupp för samordning",
        f"Tid: {day.isoformat()}, kl 13-16",
        "Plats: Regionhuset, sal Kreativa rummet",
        "",
        "Närvarande: " + members[0][0] + ", " + members[0][1],
    ]
    lines += [f"{name}, {org}" for name, org in members[1:]]
    lines += ["", "Justerare: " + members[1][0], ""]
    following = day + timedelta(days=28)
    for n in range(1, items + 1):
        owner = members[n % len(members)][0]
        later = day + timedelta(days=21 + 7 * n)
        lines += [
            f"{n}. Ärende {n}: uppföljning av samverkan inom område {n}",
            f"Föredragande: {owner}",
            "",
            f"{owner.split()[0]} redogör för nuläget i arbetet. Arbetsgruppen har träffats tre "
            "gånger sedan förra mötet",
            "och har sammanställt synpunkter från kommunerna och regionen. Flera goda exempel "
            "lyfts fram,",
            "bland annat gemensamma rutiner för samordnad individuell plan och "
            "informationsöverföring.",
            "Dialog kring hur arbetet kan spridas i länet och vilka resurser som behövs.",
            "",
            "Förslag till beslut: Ledningsgruppen ställer sig bakom arbetsgruppens förslag.",
            "",
            f"Beslut: Ledningsgruppen beslutar enligt förslag. {owner} ansvarar för att ta fram "
            f"en plan till kommande sammanträde den {following.day} {_month(following)}.",
            "Återkoppling sker till AU och ledningsgrupp.",
            "",
        ]
        if n % 4 == 0:
            lines += [f"En workshop om området hålls {later.day} {_month(later)} {later.year}.", ""]
    return "\n".join(lines)


def _month(d: date) -> str:
    from bot.core.dates import MONTH_NAMES

    return MONTH_NAMES[d.month - 1]


def to_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            paragraph = document.add_paragraph()
            for k, part in enumerate(block):
                run = paragraph.add_run(part)
                if k < len(block) - 1:
                    run.add_break()
            block = []
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(text: str) -> tuple[bytes, int]:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for line in text.splitlines():
        if line.strip():
            pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4.5)
    return bytes(pdf.output()), pdf.page_no()


def product_on(path: str, today: date) -> Product:
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    clock = FixedClock(datetime(today.year, today.month, today.day, 9, tzinfo=STOCKHOLM))
    return Product(db=db, clock=clock, tz=STOCKHOLM, admins=frozenset({USER}))


def run(env: Environment, options: Options) -> None:
    print("== import: minutes read, proposed and stored (fresh SQLite database)")
    today = date(2026, 11, 23)
    product = product_on(str(env.tmp / "import.db"), today)
    directory = {name: f"U{k:04d}" for k, (name, _) in enumerate(people())}
    ctx = Ctx(product, USER, None, StaticDirectory(admins={USER}))
    commands.run(ctx, "/organ", "ny LG Ledningsgrupp för samordning")
    commands.run(ctx, "/organ", "ny AU Arbetsutskottet")
    known = importing.known_for(ctx, directory)

    text = minutes(date(2024, 3, 8))
    pdf, pages = to_pdf(text)
    files = {"txt": text.encode(), "docx": to_docx(text), "pdf": pdf}
    rounds = 3 if options.quick else 10
    rows: list[list[Any]] = []
    result: dict[str, Any] = {"pages": pages, "lines": len(text.splitlines())}
    for kind, data in files.items():
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            importing.propose(importing.read_bytes(data, f"m.{kind}"), known, today=today)
            times.append(time.perf_counter() - began)
        result[f"propose_{kind}"] = summary_ms(times)
        rows.append([f"read + propose .{kind}", pages, f"{statistics.median(times):.3f}"])
    # The whole import of one set: the first in the process (cold: SQLAlchemy compiles its
    # statements), then the median of five more (warm, as in a running bot or a batch).
    wholes = []
    for k in range(6):
        data, _ = to_pdf(minutes(date(2024, 3, 8) + timedelta(weeks=2 * k)))
        began = time.perf_counter()
        proposal = importing.propose(importing.read_bytes(data, "m.pdf"), known, today=today)
        stored = importing.store(ctx, proposal, data, f"m{k}.pdf", directory)
        wholes.append(time.perf_counter() - began)
    whole = statistics.median(wholes[1:])
    result["import_pdf_cold_s"] = wholes[0]
    result["import_pdf_warm"] = summary_ms(wholes[1:])
    result["stored"] = {"decisions": stored.decisions, "assignments": stored.assignments}
    rows.append(["read + propose + store .pdf, first", pages, f"{wholes[0]:.3f}"])
    rows.append(["read + propose + store .pdf, median", pages, f"{whole:.3f}"])
    worst = max(whole, *(result[f"propose_{k}"]["p50"] / 1000 for k in files))
    one_ok = worst < ONE_TARGET_S
    print(table(["one set of minutes", "pages", "seconds"], rows))
    print(f"  target < {ONE_TARGET_S:.0f} s for a 10-page set: {verdict(one_ok)}")

    count = 30 if options.quick else 100
    kinds = ["txt", "docx", "pdf"]
    made = []
    for k in range(count):
        day = date(2021, 1, 8) + timedelta(weeks=2 * k)
        body = minutes(day)
        kind = kinds[k % 3]
        data = (
            body.encode() if kind == "txt" else to_docx(body) if kind == "docx" else to_pdf(body)[0]
        )
        made.append((f"m{k}.{kind}", data))
    began = time.perf_counter()
    per_file = []
    for name, data in made:
        start = time.perf_counter()
        proposal = importing.propose(importing.read_bytes(data, name), known, today=today)
        importing.store(ctx, proposal, data, name, directory)
        per_file.append(time.perf_counter() - start)
    total = time.perf_counter() - began
    hundred_ok = total < HUNDRED_TARGET_S * count / 100
    print(
        table(
            ["sets imported", "total s", "p50 ms", "max ms"],
            [
                [
                    count,
                    f"{total:.1f}",
                    f"{statistics.median(per_file) * 1000:.0f}",
                    f"{max(per_file) * 1000:.0f}",
                ]
            ],
        )
    )
    print(f"  target < {HUNDRED_TARGET_S:.0f} s for 100 sets: {verdict(hundred_ok)}")
    result.update(
        {
            "files": count,
            "total_s": total,
            "per_file": summary_ms(per_file),
            "one_target_met": one_ok,
            "hundred_target_met": hundred_ok,
        }
    )
    product.db.dispose()
    write_result("import", options, result)
