"""Fill a migrated database with a realistic, deterministic data set, quickly.

Organs (LG, AU and three processgrupper) bound to channels, ~200 meetings over two years (and a
few months ahead), N decisions with varied Swedish text assembled from the vocabulary of the
sample minutes in /work/shared/samples, one revision per decision, and M assignments with
owners (users U0001..U1000) and events. Rows go in with SQLAlchemy Core bulk inserts in batches;
``search_terms`` comes from ``bot.core.search.terms`` exactly as the app computes it, and on SQLite
the FTS5 triggers fill ``decision_fts`` on insert.

The same seed and the same day give the same rows on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, text

from bot.core import search
from storage.db import Database
from storage.models import (
    Assignment,
    AssignmentEvent,
    AssignmentOwner,
    Decision,
    DecisionRevision,
    Meeting,
    Organ,
)

SAMPLES = Path("/work/shared/samples")
BATCH = 5_000
SEED = 20_261_123
USERS = 1_000
SEED_VERSION = 1  # bump when the shape of the data changes (the file hash is part of the key too)

# short name, name, channel, convenor, meeting interval in days, share of decisions
ORGANS = [
    ("LG", "Ledningsgrupp för samordning", "C0LG", "U0001", 21, 0.40),
    ("AU", "Arbetsutskottet", "C0AU", "U0002", 14, 0.30),
    ("PG-AVTAL", "Processgrupp för avtal och överenskommelser", "C0PGAVTAL", "U0003", 21, 0.10),
    ("PG-BARN", "Processgrupp barn och unga", "C0PGBARN", "U0004", 21, 0.10),
    ("PG-DIGITAL", "Processgrupp digitalisering", "C0PGDIGITAL", "U0005", 21, 0.10),
]
CHANNELS = {channel: short.lower() for short, _, channel, *_ in ORGANS}

# Rare, real-sounding words, each put into roughly 1 decision in 1,300 (so ~75 of 100,000).
RARE_WORDS = [
    "trygghetsboende",
    "läkemedelsgenomgång",
    "korttidsplats",
    "hjälpmedelscentralen",
    "ungdomsmottagning",
    "missbruksvård",
    "demensteam",
    "vårdplanering",
    "anhörigstöd",
    "elevhälsoplan",
    "suicidprevention",
    "nattfasta",
    "fallprevention",
    "distansmöte",
    "tolktjänst",
    "krisberedskap",
    "uppföljningsmodell",
    "journalsystem",
    "e-tjänster",
    "familjecentral",
    "barnahus",
    "personcentrerad",
    "egenvårdsbedömning",
    "palliativ",
    "munhälsa",
    "nutrition",
    "kvalitetsregister",
    "avvikelsehantering",
    "digitalisering",
    "kompetensförsörjning",
    "förebyggande",
    "rehabilitering",
    "utskrivningsklar",
    "sammanhållen",
    "tillitsbaserad",
    "verksamhetsnära",
    "läkarmedverkan",
    "hemsjukvårdsavtalet",
    "samverkansrutin",
    "folkhälsostrategi",
]
OPENINGS = [
    "Ledningsgruppen beslutar att",
    "Ledningsgruppen beslutar enligt förslag:",
    "AU beslutar att",
    "Processgruppen får i uppdrag att",
    "Beslut:",
    "Ledningsgruppen ger i uppdrag åt processgruppen att",
    "Beslutas att",
    "",
    "",
    "",
]
LOCATIONS = ["Regionhuset, Nygatan 20", "Teams", "Kommunhuset Växjö", "Ljungby stadshus", None]


@dataclass(frozen=True)
class Size:
    decisions: int
    assignments: int

    @property
    def label(self) -> str:
        return f"{self.decisions}d-{self.assignments}a"


FULL = Size(100_000, 20_000)
QUICK = Size(10_000, 2_000)


# ---------------------------------------------------------------------------- text


class Vocabulary:
    """A word-bigram model of the sample minutes: text that reads like the real thing."""

    def __init__(self, corpus: str) -> None:
        words = re.findall(r"[\wÅÄÖåäöé-]+[.,:;]?|[–]", corpus)
        self.next: dict[str, list[str]] = {}
        self.starts: list[str] = []
        previous = "."
        for word in words:
            if previous.endswith((".", ":")) and word[:1].isupper():
                self.starts.append(word)
            self.next.setdefault(previous, []).append(word)
            previous = word
        if not self.starts:
            self.starts = ["Ledningsgruppen"]

    def sentence(self, rng: random.Random, low: int = 8, high: int = 40) -> str:
        length = rng.randint(low, high)
        word = rng.choice(self.starts)
        out = [word]
        while len(out) < length:
            choices = self.next.get(word)
            word = rng.choice(choices or self.starts)
            out.append(word)
            if len(out) >= low and word.endswith("."):
                break
        result = " ".join(out).rstrip(",:;–- ")
        return result if result.endswith(".") else result + "."


def corpus() -> str:
    files = sorted(SAMPLES.glob("*.txt"))
    if not files:
        raise SystemExit(f"seed: no sample minutes in {SAMPLES}")
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _decision_text(vocab: Vocabulary, rng: random.Random) -> str:
    opening = rng.choice(OPENINGS)
    body = vocab.sentence(rng)
    if opening:
        body = body[0].lower() + body[1:]
    parts = [f"{opening} {body}".strip()]
    if rng.random() < 0.5:
        parts.append(vocab.sentence(rng, 6, 25))
    if rng.random() < 0.03:
        words = parts[0].split()
        words.insert(rng.randint(1, len(words)), rng.choice(RARE_WORDS))
        parts[0] = " ".join(words)
    return " ".join(parts)


# ---------------------------------------------------------------------------- rows


def _user(rng: random.Random) -> str:
    """A user id, skewed: a few people own many assignments, most own a handful."""
    return f"U{1 + int(USERS * rng.random() ** 2):04d}"


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock_time(8), UTC) + timedelta(minutes=rng.randint(0, 540))


def rows(size: Size, today: date) -> Iterator[tuple[Table, list[dict[str, Any]]]]:
    """(table, batch of rows) in insertion order; ids are explicit and start at 1."""
    rng = random.Random(SEED)
    vocab = Vocabulary(corpus())
    start = today - timedelta(days=730)
    created = datetime.combine(start - timedelta(days=30), clock_time(9), UTC)

    organs = [
        {
            "id": i,
            "short_name": short,
            "name": name,
            "channel_id": channel,
            "convenor_user_id": convenor,
            "reminders_enabled": short in ("LG", "AU"),
            "reminder_lead_days": 3,
            "created_by": "U0001",
            "created_at": created,
        }
        for i, (short, name, channel, convenor, _, _) in enumerate(ORGANS, start=1)
    ]
    yield _table(Organ), organs

    # Meetings: every organ at its own rhythm, from two years back to three months ahead.
    meetings: list[dict[str, Any]] = []
    for organ_id, (short, _, _, convenor, interval, _) in enumerate(ORGANS, start=1):
        day = start + timedelta(days=rng.randint(0, interval - 1))
        n = 0
        while day <= today + timedelta(days=90):
            day = _weekday(day)
            n += 1
            internat = short == "LG" and n % 6 == 0
            morning = rng.random() < 0.5
            meetings.append(
                {
                    "id": len(meetings) + 1,
                    "ref": f"{short}-{day:%y%m%d}",
                    "organ_id": organ_id,
                    "kind": "internat" if internat else "möte",
                    "title": None,
                    "start_date": day,
                    "end_date": day + timedelta(days=1) if internat else day,
                    "start_time": None if internat else clock_time(9 if morning else 13),
                    "end_time": None if internat else clock_time(12 if morning else 15),
                    "location": rng.choice(LOCATIONS),
                    "status": "inställt" if day < today and rng.random() < 0.03 else "planerat",
                    "uid": f"{uuid.UUID(int=rng.getrandbits(128))}@ledningsbot",
                    "sequence": 0,
                    "cancel_reason": None,
                    "created_by": convenor,
                    "created_at": _at(day - timedelta(days=40), rng),
                    "updated_at": _at(day - timedelta(days=40), rng),
                }
            )
            day += timedelta(days=interval)
    yield _table(Meeting), meetings
    past = {
        organ_id: [m for m in meetings if m["organ_id"] == organ_id and m["start_date"] <= today]
        for organ_id in range(1, len(ORGANS) + 1)
    }

    # Decisions: dated first, then numbered per organ and year in date order.
    weights = [share for *_, share in ORGANS]
    drafts: list[tuple[date, int, int | None, float]] = []
    for _ in range(size.decisions):
        organ_id = rng.choices(range(1, len(ORGANS) + 1), weights)[0]
        meeting = rng.choice(past[organ_id]) if rng.random() < 0.6 and past[organ_id] else None
        day = meeting["start_date"] if meeting else start + timedelta(rng.randint(0, 730))
        drafts.append((day, organ_id, meeting["id"] if meeting else None, rng.random()))
    drafts.sort(key=lambda d: (d[0], d[3]))
    serials: dict[tuple[int, int], int] = {}
    decisions: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    for decision_id, (day, organ_id, meeting_id, _) in enumerate(drafts, start=1):
        key = (organ_id, day.year)
        serials[key] = serials.get(key, 0) + 1
        decision_text = _decision_text(vocab, rng)
        proposal = "Förslag till beslut: " + vocab.sentence(rng) if rng.random() < 0.4 else None
        revoked = rng.random() < 0.03
        at = _at(day, rng)
        by = f"U{rng.randint(1, 50):04d}"
        decisions.append(
            {
                "id": decision_id,
                "ref": f"{ORGANS[organ_id - 1][0]}-{day.year}-{serials[key]}",
                "organ_id": organ_id,
                "year": day.year,
                "serial": serials[key],
                "meeting_id": meeting_id,
                "item": str(rng.randint(1, 14)) if meeting_id and rng.random() < 0.7 else None,
                "proposal": proposal,
                "text": decision_text,
                "status": "upphävd" if revoked else "gällande",
                "decided_on": day,
                "search_terms": search.terms(decision_text, proposal),
                "created_by": by,
                "created_at": at,
                "updated_at": at,
            }
        )
        for version, action in enumerate(["skapad", "upphävd"] if revoked else ["skapad"], 1):
            revisions.append(
                {
                    "decision_id": decision_id,
                    "version": version,
                    "action": action,
                    "text": decision_text,
                    "proposal": proposal,
                    "item": decisions[-1]["item"],
                    "status": "gällande" if version == 1 else "upphävd",
                    "reason": None if version == 1 else "Ersatt av nytt beslut.",
                    "changed_by": by,
                    "changed_at": at,
                }
            )
        if len(decisions) >= BATCH:
            yield _table(Decision), decisions
            yield _table(DecisionRevision), revisions
            decisions, revisions = [], []
    if decisions:
        yield _table(Decision), decisions
        yield _table(DecisionRevision), revisions

    # Assignments, their owners and events.
    assignments: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    owner_id = 0
    for assignment_id in range(1, size.assignments + 1):
        made = start + timedelta(days=rng.randint(0, 730))
        due: date | None = None
        due_meeting_id = None
        roll = rng.random()
        if roll < 0.1:
            future = [m for m in meetings if m["start_date"] >= made]
            if future:
                meeting = future[min(len(future) - 1, rng.randint(0, 6))]
                due, due_meeting_id = meeting["start_date"], meeting["id"]
        elif roll < 0.8:
            due = made + timedelta(days=rng.randint(7, 120))
        status = "öppen"
        if (due or made + timedelta(days=60)) < today - timedelta(days=14):
            status = rng.choices(["klar", "struken", "öppen"], [70, 10, 20])[0]
        closed = _at(min(today, (due or made) + timedelta(days=rng.randint(-5, 20))), rng)
        by = f"U{rng.randint(1, 50):04d}"
        at = _at(made, rng)
        assignments.append(
            {
                "id": assignment_id,
                "ref": f"U-{assignment_id}",
                "organ_id": rng.randint(1, len(ORGANS)),
                "decision_id": rng.randint(1, size.decisions)
                if size.decisions and rng.random() < 0.5
                else None,
                "what": vocab.sentence(rng, 6, 30)[:2000],
                "due_date": due,
                "due_meeting_id": due_meeting_id,
                "due_organ_id": None,
                "report_to": rng.choice(["AU", "LG", "ledningsgruppen", None, None, None]),
                "status": status,
                "last_status": vocab.sentence(rng, 5, 15) if rng.random() < 0.2 else None,
                "closed_at": closed if status != "öppen" else None,
                "closed_by": by if status != "öppen" else None,
                "created_by": by,
                "created_at": at,
                "updated_at": at,
            }
        )
        seen: set[tuple[str | None, int | None]] = set()
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            owner: tuple[str | None, int | None] = (
                (None, rng.randint(1, len(ORGANS))) if rng.random() < 0.1 else (_user(rng), None)
            )
            if owner in seen:
                continue
            seen.add(owner)
            owner_id += 1
            owners.append(
                {
                    "id": owner_id,
                    "assignment_id": assignment_id,
                    "user_id": owner[0],
                    "organ_id": owner[1],
                }
            )
        events.append(
            {"assignment_id": assignment_id, "kind": "skapad", "text": None, "by": by, "at": at}
        )
        if status != "öppen":
            events.append(
                {
                    "assignment_id": assignment_id,
                    "kind": status,
                    "text": None,
                    "by": by,
                    "at": closed,
                }
            )
        if len(assignments) >= BATCH:
            yield _table(Assignment), assignments
            yield _table(AssignmentOwner), owners
            yield _table(AssignmentEvent), events
            assignments, owners, events = [], [], []
    if assignments:
        yield _table(Assignment), assignments
        yield _table(AssignmentOwner), owners
        yield _table(AssignmentEvent), events


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def seed(db: Database, size: Size, today: date | None = None) -> dict[str, int]:
    """Insert the data set into an (upgraded, empty) database. Returns rows per table."""
    today = today or date.today()
    counts: dict[str, int] = {}
    with db.engine.begin() as connection:
        for table, batch in rows(size, today):
            connection.execute(insert(table), batch)
            counts[table.name] = counts.get(table.name, 0) + len(batch)
        if db.dialect == "postgresql":
            for name in counts:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )
    if db.dialect == "postgresql":
        # What autovacuum would do a minute later; the planner needs it for the GIN index.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    else:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


# ---------------------------------------------------------------------------- SQLite cache


def _cache_key(size: Size, today: date) -> str:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    heads = "-".join(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    return f"seed-{size.label}-v{SEED_VERSION}-{digest}-m{heads}-{today:%Y%m%d}"


def sqlite_seeded(size: Size, cache_dir: Path, *, log: Any = print) -> Path:
    """The path of a seeded SQLite file for `size` (built once per day and schema, cached)."""
    today = date.today()
    key = _cache_key(size, today)
    path = cache_dir / f"{key}.db"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob(f"seed-{size.label}-*.db*"):
        stale.unlink()
    building = cache_dir / f"{key}.building.db"
    for leftover in cache_dir.glob(f"{key}.building.db*"):
        leftover.unlink()
    log(f"Seeding SQLite ({size.decisions:,} decisions, {size.assignments:,} assignments) …")
    began = time.perf_counter()
    db = Database(f"sqlite:///{building}")
    db.upgrade()
    counts = seed(db, size, today)
    db.dispose()
    shutil.move(building, path)
    log(f"  seeded in {time.perf_counter() - began:.1f} s: {_describe(counts)}")
    return path


def working_copy(seeded: Path, directory: Path, name: str = "bench.db") -> Path:
    """A private copy to run against (benchmarks write to it)."""
    target = directory / name
    shutil.copyfile(seeded, target)
    return target


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items())


def seed_postgres(db: Database, size: Size, *, log: Any = print) -> dict[str, int]:
    log(f"Seeding PostgreSQL ({size.decisions:,} decisions, {size.assignments:,} assignments) …")
    began = time.perf_counter()
    db.upgrade()
    counts = seed(db, size)
    log(f"  seeded in {time.perf_counter() - began:.1f} s: {_describe(counts)}")
    return counts
