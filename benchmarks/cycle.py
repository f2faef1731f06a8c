"""`cycle`: the meeting cycle's documents on SQLite.

* The draft of one large meeting — 20 items, 40 decisions, 60 assignments, 30 attendees — in
  all three formats (`bot.cycle.draft`: the document built from the register, laid out, and
  written as Markdown, DOCX and PDF, then stored as a new version). Target: < 2 s.
* The year's archive of an organ — 50 meetings with justerade minutes, 1,000 decisions,
  2,000 assignments (`bot.cycle.archive` into a file). Target: < 10 s and peak memory
  < 150 MB, measured in a fresh process (its peak RSS, VmHWM, interpreter and libraries
  included) and as Python's own peak allocation during the call (tracemalloc).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import Environment, Options, table, verdict, write_result
from bot import assignments, commands, cycle, decisions
from bot.assignments import OwnerSpec
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product, StaticDirectory
from bot.cycle import agenda, minutes
from storage.db import Database

DRAFT_TARGET_S = 2.0
ARCHIVE_TARGET_S = 10.0
MEMORY_TARGET_MB = 150.0
PEOPLE = [f"U{n:04d}" for n in range(40)]
ORGS = ["Alvesta", "Lessebo", "Ljungby", "Markaryd", "Tingsryd", "Uppvidinge", "Växjö", "Älmhult"]
TEXT = (
    "Ledningsgruppen beslutar att processgrupp för avtal och överenskommelser tar fram enhetliga "
    "avtal för berörda verksamheter i enlighet med utredningens förslag på ny styrmodell."
)


def _setup(path: Path) -> tuple[Product, StaticDirectory, FixedClock]:
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    clock = FixedClock(datetime(2026, 1, 2, 9, 0, tzinfo=STOCKHOLM))
    names = {u: f"Person {n} Efternamnsson" for n, u in enumerate(PEOPLE)}
    names["U0SEC"] = "Marcus Johansson"
    directory = StaticDirectory(names=names, admins={"U0SEC"}, members={"C0LG": PEOPLE})
    product = Product(db=db, clock=clock, tz=STOCKHOLM, admins=frozenset({"U0SEC"}))
    ctx = Ctx(product, "U0SEC", "C0LG", directory)
    commands.run(ctx, "/organ", "ny LG Ledningsgrupp för samordning <#C0LG|lg>")
    return product, directory, clock


def _meeting(ctx: Ctx, ref: str, items: int, n_decisions: int, n_tasks: int, people: int) -> None:
    """One meeting's agenda, attendance, decisions and assignments, as the secretary logs them."""
    for i in range(items):
        spec = cycle.ItemSpec(
            f"Punkt {i + 1}: strategi för psykisk hälsa och suicidprevention",
            presenter_user_id=PEOPLE[i % len(PEOPLE)],
            kind="beslut",
            proposal="Att ledningsgruppen antar den reviderade överenskommelsen.",
        )
        cycle.propose(ctx, ref, spec)
    numbers = list(range(4, 4 + items))
    for i, number in enumerate(numbers):
        agenda.add_note(ctx, ref, f"§{number}", f"Dialog kring förslaget, runda {i}. " * 6)
    spec = cycle.AttendanceSpec(
        {
            "närvarande": [
                cycle.AttendanceEntry(user_id=u, organisation=ORGS[n % len(ORGS)])
                for n, u in enumerate(PEOPLE[: people - 2])
            ],
            "gäst": [
                cycle.AttendanceEntry(name="Lina Nyberg", organisation="Statskontoret"),
                cycle.AttendanceEntry(name="Björn Olausson", organisation="Region Kronoberg"),
            ],
        }
    )
    cycle.record_attendance(ctx, ref, spec)
    for d in range(n_decisions):
        logged = decisions.log(
            ctx,
            organ_name=None,
            decision_text=f"{TEXT} ({d})",
            item=str(numbers[d % len(numbers)]),
            meeting_ref=ref,
        )
        for t in range(n_tasks * (d + 1) // n_decisions - n_tasks * d // n_decisions):
            assignments.create(
                ctx,
                [OwnerSpec(user_id=PEOPLE[(d + t) % len(PEOPLE)]), OwnerSpec(user_id=PEOPLE[t])],
                f"Ta fram underlag om LINK och återkoppla ({d}.{t})",
                "nästa LG",
                "AU och ledningsgrupp",
                decision_id=logged.decision.id,
            )


def _bench_draft(env: Environment, quick: bool) -> dict[str, Any]:
    product, directory, clock = _setup(env.tmp / "cycle-draft.db")
    ctx = Ctx(product, "U0SEC", "C0LG", directory)
    commands.run(ctx, "/mote", "ny LG 20 januari 9-15 Regionhuset, sal Kreativa rummet")
    commands.run(ctx, "/mote", "ny LG 17 februari 9-15 Regionhuset")
    clock.set(datetime(2026, 1, 20, 16, 0, tzinfo=STOCKHOLM))
    _meeting(ctx, "LG-260120", items=17, n_decisions=40, n_tasks=60, people=30)
    rounds = 3 if quick else 7
    times, render_times = [], []
    for r in range(rounds):
        agenda.add_note(ctx, "LG-260120", "§4", f"Ändring {r}.")  # a new version every round
        began = time.perf_counter()
        draft = cycle.draft(ctx, "LG-260120")
        times.append(time.perf_counter() - began)
        began = time.perf_counter()
        minutes.render(draft.doc)
        render_times.append(time.perf_counter() - began)
    doc = draft.doc
    shape = {
        "items": len(doc.items),
        "decisions": len(doc.decision_refs()),
        "assignments": sum(len(i.assignments) for i in doc.items) + len(doc.other_assignments),
        "attendees": len(doc.present) + len(doc.absent) + len(doc.guests),
        "pdf_pages": draft.files.pdf.count(b"/Type /Page\n"),
        "bytes": {
            "md": len(draft.files.markdown.encode()),
            "docx": len(draft.files.docx),
            "pdf": len(draft.files.pdf),
        },
    }
    product.db.dispose()
    return {
        "shape": shape,
        "draft_s": {"median": statistics.median(times), "max": max(times)},
        "render_s": {"median": statistics.median(render_times), "max": max(render_times)},
    }


_CHILD = """
import json, sys, time, tracemalloc

def hwm():  # the peak RSS of this process (VmHWM: ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from datetime import datetime
from bot import cycle
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product, StaticDirectory
from storage.db import Database
db = Database(sys.argv[1])
product = Product(db=db, clock=FixedClock(datetime(2027, 1, 10, 9, tzinfo=STOCKHOLM)),
                  tz=STOCKHOLM, admins=frozenset({"U0SEC"}))
ctx = Ctx(product, "U0SEC", None, StaticDirectory(admins={"U0SEC"}))
before = hwm()
tracemalloc.start()
began = time.perf_counter()
with open(sys.argv[2], "wb") as out:
    made = cycle.archive(ctx, "LG", 2026, out)
seconds = time.perf_counter() - began
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"seconds": seconds, "files": made.count,
    "rss_mb": hwm(), "rss_before_mb": before, "traced_peak_mb": peak / 1e6}))
"""


def _bench_archive(env: Environment, quick: bool) -> dict[str, Any]:
    path = env.tmp / "cycle-archive.db"
    product, directory, clock = _setup(path)
    ctx = Ctx(product, "U0SEC", "C0LG", directory)
    count = 10 if quick else 50
    refs = []
    for week in range(count):
        day = datetime(2026, 1, 7, tzinfo=STOCKHOLM) + timedelta(days=7 * week)
        reply = commands.run(ctx, "/mote", f"ny LG {day:%Y-%m-%d} 9-12 Regionhuset")
        refs.append(f"LG-{day:%y%m%d}")
        assert refs[-1] in reply.message.fallback, reply.message.fallback
    clock.set(datetime(2026, 12, 31, 12, 0, tzinfo=STOCKHOLM))
    began = time.perf_counter()
    for ref in refs:
        _meeting(ctx, ref, items=8, n_decisions=20, n_tasks=40, people=25)
        cycle.set_adjusters(ctx, ref, [PEOPLE[1]])
        cycle.send_for_justering(ctx, ref)
        cycle.justera(Ctx(product, PEOPLE[1], None, directory), ref, 1)
    seeded = time.perf_counter() - began
    product.db.dispose()
    out = env.tmp / "lg-2026.zip"
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, f"sqlite:///{path}", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(child.stdout)
    measured.update(
        meetings=count,
        decisions=count * 20,
        assignments=count * 40,
        zip_bytes=out.stat().st_size,
        seed_s=seeded,
    )
    return measured


def run(env: Environment, options: Options) -> None:
    print("== cycle: the draft of a large meeting, and a year's archive (SQLite)")
    draft = _bench_draft(env, options.quick)
    archive = _bench_archive(env, options.quick)
    draft_ok = draft["draft_s"]["max"] < DRAFT_TARGET_S
    archive_ok = archive["seconds"] < ARCHIVE_TARGET_S and archive["rss_mb"] < MEMORY_TARGET_MB
    shape = draft["shape"]
    print(
        table(
            ["measurement", "figure", "target"],
            [
                [
                    f"draft, 3 formats ({shape['items']} items, {shape['decisions']} decisions, "
                    f"{shape['assignments']} assignments, {shape['attendees']} attendees)",
                    f"median {draft['draft_s']['median']:.2f} s, "
                    f"max {draft['draft_s']['max']:.2f} s "
                    f"(writing alone {draft['render_s']['median']:.2f} s)",
                    f"< {DRAFT_TARGET_S:.0f} s {verdict(draft_ok)}",
                ],
                [
                    f"archive: {archive['meetings']} meetings, {archive['decisions']} decisions, "
                    f"{archive['assignments']} assignments, {archive['files']} files",
                    f"{archive['seconds']:.2f} s, peak RSS {archive['rss_mb']:.0f} MB "
                    f"(at start {archive['rss_before_mb']:.0f} MB), Python peak "
                    f"{archive['traced_peak_mb']:.0f} MB",
                    f"< {ARCHIVE_TARGET_S:.0f} s, < {MEMORY_TARGET_MB:.0f} MB "
                    f"{verdict(archive_ok)}",
                ],
            ],
        )
    )
    path = write_result("cycle", options, {"draft": draft, "archive": archive})
    print(f"  → {path}")
