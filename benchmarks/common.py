"""What the benchmarks share: options, databases to run against, statistics, tables, results."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import seed
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_ADMIN = os.environ.get(
    "LEDNINGSBOT_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Options:
    quick: bool = False
    postgres_url: str | None = None
    no_postgres: bool = False
    profile: bool = False

    @property
    def size(self) -> seed.Size:
        return seed.QUICK if self.quick else seed.FULL


# ---------------------------------------------------------------------------- databases


@dataclass
class Target:
    """One database a benchmark runs against: its label, URL and what it holds."""

    name: str  # "sqlite" | "postgresql"
    url: str
    note: str = ""


@dataclass
class Environment:
    """The databases of one run: a seeded SQLite file (cached), a seeded PostgreSQL database
    (throwaway unless --postgres is given). Created lazily, removed at the end."""

    options: Options
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ledningsbot-bench-")))
    _seeded_sqlite: Path | None = None
    _pg_url: str | None = None
    _pg_created: str | None = None
    _pg_tried: bool = False
    pg_skip_reason: str = ""

    def sqlite_seeded(self) -> Path:
        if self._seeded_sqlite is None:
            self._seeded_sqlite = seed.sqlite_seeded(self.options.size, RESULTS)
        return self._seeded_sqlite

    def sqlite(self, name: str) -> Target:
        """A private, writable copy of the seeded SQLite database."""
        path = seed.working_copy(self.sqlite_seeded(), self.tmp, f"{name}.db")
        return Target("sqlite", f"sqlite:///{path}", f"{self.options.size.label} (copy of cache)")

    def postgres(self) -> Target | None:
        """The seeded PostgreSQL database, or None (with pg_skip_reason) when there is none."""
        if not self._pg_tried:
            self._pg_tried = True
            self._pg_url = self._prepare_postgres()
        if self._pg_url is None:
            return None
        return Target("postgresql", self._pg_url, self.options.size.label)

    def targets(self, name: str) -> list[Target]:
        found = [self.sqlite(name)]
        pg = self.postgres()
        if pg is None:
            print(f"  PostgreSQL skipped: {self.pg_skip_reason}")
        else:
            found.append(pg)
        return found

    def _prepare_postgres(self) -> str | None:
        if self.options.no_postgres:
            self.pg_skip_reason = "--no-postgres"
            return None
        if self.options.postgres_url:
            db = Database(self.options.postgres_url)
            try:
                db.upgrade()
                with db.engine.connect() as connection:
                    from sqlalchemy import text

                    count = connection.execute(text("SELECT count(*) FROM decision")).scalar_one()
                if count == 0:
                    seed.seed_postgres(db, self.options.size)
                else:
                    print(f"  --postgres: using the {count:,} decisions already there")
            finally:
                db.dispose()
            return self.options.postgres_url
        try:
            import psycopg
            from psycopg import sql

            name = f"ledningsbot_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(
                _libpq(POSTGRES_ADMIN), autocommit=True, connect_timeout=3
            ) as connection:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except Exception as error:
            self.pg_skip_reason = (
                f"no PostgreSQL server at {POSTGRES_ADMIN} ({type(error).__name__}: "
                f"{str(error).strip().splitlines()[0] if str(error).strip() else ''}); "
                "give one with --postgres URL"
            )
            return None
        self._pg_created = name
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
        db = Database(url)
        try:
            seed.seed_postgres(db, self.options.size)
        except BaseException:
            db.dispose()
            self.close()
            raise
        db.dispose()
        return url

    def close(self) -> None:
        if self._pg_created:
            import psycopg
            from psycopg import sql

            with (
                contextlib.suppress(Exception),
                psycopg.connect(
                    _libpq(POSTGRES_ADMIN), autocommit=True, connect_timeout=3
                ) as connection,
            ):
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self._pg_created)
                    )
                )
            self._pg_created = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# ---------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of unsorted values; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95, p99, max and mean in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 3),
        "p95": round(percentile(ms, 95), 3),
        "p99": round(percentile(ms, 99), 3),
        "max": round(max(ms), 3) if ms else float("nan"),
        "mean": round(sum(ms) / len(ms), 3) if ms else float("nan"),
    }


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


# ---------------------------------------------------------------------------- output


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    numeric = [all(_is_number(row[i]) for row in rows) and bool(rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # nan
            return "–"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def metadata(options: Options) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": options.quick,
        "size": {"decisions": options.size.decisions, "assignments": options.size.assignments},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "git": _git(),
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        with contextlib.suppress(Exception):
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5
            ).stdout.strip()
        return ""

    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(run("status", "--porcelain"))}


def write_result(name: str, options: Options, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {"benchmark": name, **metadata(options), **data}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    began = time.perf_counter()
    yield
    print(f"  ({label}: {time.perf_counter() - began:.1f} s)")
