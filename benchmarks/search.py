"""`search`: `/beslut sök` over the seeded decisions, on SQLite (FTS5) and PostgreSQL (GIN).

Times the service call `bot.decisions.search_page(ctx, query, limit=40)` (the bounded count and
the first page: what `/beslut sök` asks), the deepest page it lets one reach (hits 961–1 000),
the bounded count alone, an exact count for comparison (why the count stops), and the whole
command `bot.commands.run(ctx, "/beslut", "sök …")` (parsing, queries, rendering the reply);
counts SQL statements per command with `db.queries`, and, for comparison, times the other
commands the `ack` mix uses and `/uppdrag sök`. The plan of the search query is kept in the JSON
as evidence.

Target (issue): p50 < 50 ms.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event, text

from benchmarks.common import (
    RESULTS,
    Environment,
    Options,
    Target,
    summary_ms,
    table,
    verdict,
    write_result,
)
from bot import commands, decisions
from bot.core import search
from bot.core.clock import STOCKHOLM, SystemClock
from bot.core.context import Ctx, Product, StaticDirectory
from bot.decisions.service import COUNTED
from storage.db import Database

P50_TARGET_MS = 50.0
QUERIES = [
    ("single word", "avtal"),
    ("single word", "samverkan"),
    ("two words", "hemsjukvård avtal"),
    ("two words", "ledningsgruppen beslutar"),
    ("prefix", "hemsjukv"),
    ("prefix", "kommun"),
    ("rare word", "trygghetsboende"),
    ("common word", "att"),
    ("common word", "ledningsgruppen"),
    ("no match", "xylofonorkester"),
]
OTHER_COMMANDS = [
    ("/beslut lista", "/beslut", "lista"),
    ("/beslut lista AU 2025", "/beslut", "lista AU 2025"),
    ("/uppdrag (mine)", "/uppdrag", ""),
    ("/mote lista", "/mote", "lista"),
    ("/beslut visa", "/beslut", "visa LG-2025-10"),
    ("/beslut <text> (logs)", "/beslut", "Ledningsgruppen beslutar att anta handlingsplanen."),
    ("/uppdrag sök avtal", "/uppdrag", "sök avtal"),
    ("/uppdrag sök ledningsgruppen", "/uppdrag", "sök ledningsgruppen"),
    ("/uppdrag sök xylofonorkester", "/uppdrag", "sök xylofonorkester"),
]
PAGE = 40  # hits per page, as the command shows them (bot.core.replies.PAGE_SIZE)


def _measure(
    db: Database, fn: Callable[[], Any], n: int, budget: float = 2.0
) -> tuple[list[float], float]:
    """Time up to `n` calls of `fn` (at least 3; fewer than `n` once `budget` seconds are
    spent), after a warm-up call (two if fast). Returns the timings and SQL statements per call."""
    began = time.perf_counter()
    fn()
    if time.perf_counter() - began < 0.2:
        fn()
    out: list[float] = []
    before = db.queries.here
    while len(out) < n and (len(out) < 3 or sum(out) < budget):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out, (db.queries.here - before) / len(out)


def _counts(db: Database, ctx: Ctx, query: str) -> tuple[int, dict[str, float]]:
    """How many decisions match, and the median of 5 timings (alternating) of: the app's
    full-text statement as it runs it (the ids of up to COUNTED + 1 hits: the count, and the
    page sliced from them); the same statement for the newest PAGE only (what a search
    without a count would run: the difference is what counting costs); and an exact
    `count(*)` with the same full-text condition (what counting every match would cost)."""
    stems = search.query_terms(query)
    if db.dialect == "postgresql":
        exact = (
            "SELECT count(*) FROM decision WHERE search_vector @@ to_tsquery('simple', :q)",
            {"q": search.tsquery(stems)},
        )
    else:
        exact = (
            "SELECT count(*) FROM decision_fts WHERE decision_fts MATCH :q",
            {"q": search.fts5_match(stems)},
        )
    found = _captured_find(db, ctx, query)
    assert found is not None
    statement, parameters = found
    if isinstance(parameters, dict):
        top = {k: PAGE if v == COUNTED + 1 else v for k, v in parameters.items()}
    else:
        top = tuple(PAGE if v == COUNTED + 1 else v for v in parameters)
    runs: dict[str, list[float]] = {"ids": [], "top": [], "exact": []}
    count = 0
    with db.engine.connect() as connection:
        for n in range(6):
            for name in runs:
                began = time.perf_counter()
                if name == "exact":
                    count = int(connection.execute(text(exact[0]), exact[1]).scalar_one())
                else:
                    connection.exec_driver_sql(statement, top if name == "top" else parameters)
                if n:  # the first round warms up
                    runs[name].append(time.perf_counter() - began)
    return count, {name: sorted(t)[len(t) // 2] for name, t in runs.items()}


def _captured_find(db: Database, ctx: Ctx, query: str) -> tuple[str, Any] | None:
    """The full-text SELECT (and its parameters) that decisions.search_page runs for `query`:
    the ids of up to COUNTED + 1 hits (the count, and the page sliced from them)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "decision_fts" in statement or "to_tsquery" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        decisions.search_page(ctx, query, limit=PAGE)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return captured[-1] if captured else None


def _plans(db: Database, ctx: Ctx, query: str) -> dict[str, list[str]]:
    """The plan of decisions.search_page's SELECT for `query`. On PostgreSQL with EXPLAIN
    ANALYZE, both as the app runs it (parameters known, so a custom plan) and as a generic plan
    (parameters unknown), which shows what the other choice of plan would have cost."""
    found = _captured_find(db, ctx, query)
    if found is None:
        return {}
    statement, parameters = found
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.dialect != "postgresql":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return {"sqlite": [" ".join(str(v) for v in r) for r in cursor.fetchall()]}
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plans = {"as the app runs it": [str(r[0]) for r in cursor.fetchall()]}
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"${len(names)}"

        prepared = re.sub(r"%\((\w+)\)s", number, statement)
        values = [parameters[n] for n in names]
        types = ", ".join("integer" if isinstance(v, int) else "text" for v in values)
        cursor.execute(f"PREPARE bench_find({types}) AS " + prepared)
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        from psycopg import sql

        arguments = sql.SQL(", ").join(sql.Literal(v) for v in values)
        cursor.execute(
            sql.SQL("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_find({})").format(arguments)
        )
        plans["generic plan, for comparison"] = [str(r[0]) for r in cursor.fetchall()]
        cursor.execute("DEALLOCATE bench_find")
        raw.rollback()
        return plans
    finally:
        raw.close()


def _one_database(target: Target, options: Options) -> dict[str, Any]:
    n_find = 15 if options.quick else 40
    n_command = 8 if options.quick else 20
    db = Database(target.url)
    product = Product(db=db, clock=SystemClock(), tz=STOCKHOLM, admins=frozenset({"U0001"}))
    ctx = Ctx(product, "U0001", "C0LG", StaticDirectory())
    rows: list[dict[str, Any]] = []
    try:
        for label, query in QUERIES:
            first = partial(decisions.search_page, ctx, query, limit=PAGE)
            shown = len(first().rows)
            find_s, _ = _measure(db, first, n_find)
            deepest = partial(
                decisions.search_page,
                ctx,
                query,
                limit=PAGE,
                offset=COUNTED - PAGE,
            )
            deep_s, _ = _measure(db, deepest, n_command)
            command_s, statements = _measure(
                db, partial(commands.run, ctx, "/beslut", f"sök {query}"), n_command
            )
            matches, timed = _counts(db, ctx, query)
            rows.append(
                {
                    "kind": label,
                    "query": query,
                    "stems": search.query_terms(query),
                    "matches": matches,
                    "shown": shown,
                    "hits_query_ms": round(timed["ids"] * 1000, 3),
                    "top_page_only_ms": round(timed["top"] * 1000, 3),
                    "exact_count_ms": round(timed["exact"] * 1000, 3),
                    "find_ms": summary_ms(find_s),
                    "deepest_page_ms": summary_ms(deep_s),
                    "command_ms": summary_ms(command_s),
                    "sql_per_command": round(statements, 2),
                }
            )
        slowest = max(rows, key=lambda r: r["find_ms"]["p50"])
        plans = {r["query"]: _plans(db, ctx, r["query"]) for r in (slowest, rows[0])}
        others: list[dict[str, Any]] = []
        for label, command, args in OTHER_COMMANDS:
            timings, statements = _measure(
                db,
                partial(commands.run, ctx, command, args),
                5 if "logs" in label else n_command,
            )
            others.append(
                {
                    "command": label,
                    "ms": summary_ms(timings),
                    "sql_per_command": round(statements, 2),
                }
            )
    finally:
        db.dispose()
    p50s = [r["find_ms"]["p50"] for r in rows]
    return {
        "database": target.name,
        "data": target.note,
        "queries": rows,
        "plans": plans,
        "other_commands": others,
        "targets": {
            "find_p50_lt_50ms_all_queries": max(p50s) < P50_TARGET_MS,
            "worst_find_p50_ms": max(p50s),
            "worst_query": slowest["query"],
        },
    }


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== search: /beslut sök (decisions.search_page and the whole command)")
    per_db = []
    for target in env.targets("search"):
        began = time.perf_counter()
        per_db.append(_one_database(target, options))
        print(f"  ({target.name}: {time.perf_counter() - began:.1f} s)")
    rows = []
    for r in per_db:
        for q in r["queries"]:
            rows.append(
                [
                    r["database"],
                    q["kind"],
                    q["query"],
                    q["matches"],
                    q["hits_query_ms"],
                    q["top_page_only_ms"],
                    q["exact_count_ms"],
                    q["find_ms"]["p50"],
                    q["find_ms"]["p95"],
                    q["deepest_page_ms"]["p50"],
                    q["command_ms"]["p50"],
                    q["sql_per_command"],
                    "ok" if q["find_ms"]["p50"] < P50_TARGET_MS else "SLOW",
                ]
            )
    print(
        table(
            [
                "database",
                "kind",
                "query",
                "matches",
                "ids ms",
                "top40 ms",
                "exact ms",
                "find p50",
                "find p95",
                "p.25 p50",
                "cmd p50",
                "SQL/cmd",
                "< 50 ms",
            ],
            rows,
        )
    )
    print()
    rows = []
    for r in per_db:
        for o in r["other_commands"]:
            rows.append(
                [r["database"], o["command"], o["ms"]["p50"], o["ms"]["p95"], o["sql_per_command"]]
            )
    print("Other commands through bot.commands.run (for comparison):")
    print(table(["database", "command", "p50 ms", "p95 ms", "SQL/cmd"], rows))
    print()
    for r in per_db:
        t = r["targets"]
        print(
            f"  {r['database']}: find p50 < 50 ms for every query: "
            f"{verdict(t['find_p50_lt_50ms_all_queries'])} "
            f"(worst {t['worst_find_p50_ms']:.1f} ms, {t['worst_query']!r})"
        )
    path = write_result("search", options, {"results": per_db})
    print(f"  → {path.relative_to(RESULTS.parent.parent)}")
    return {"results": per_db}
