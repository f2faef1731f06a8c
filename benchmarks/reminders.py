"""`reminders`: planning over the seeded group, and sending through Slack's rate limits.

1. Planning: `bot.reminders.make_plan` (what every wake-up of the scheduler runs) over every
   meeting in the seeded database (about 200 meetings over two years, the seeded open
   assignments and their owners), on SQLite and PostgreSQL; p50 of several runs and the SQL
   statements it takes (`db.queries`). Also the time to expand the plan to one entry per DM
   with its ledger state (`reminders.plan`, what `ledningsbot reminders plan` prints).
   Target (issue): under 1 s with 10,000 open assignments, 1,000 owners and 200 meetings, and a
   constant number of queries.
2. Sending: 2,000 reminder DMs (one per owner) in one tick, through the Slack stand-in enforcing
   a workspace limit (and 1 message/s per channel with bursts), answering 429 with Retry-After.
   Target (issue): at least 90 % of the allowed rate, zero lost, zero duplicated.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, insert, select

from benchmarks.common import Environment, Options, Target, table, verdict, write_result
from bot import reminders
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Product
from bot.reminders import Reminders
from handlers.notify import SlackNotifier
from handlers.slack_standin import LocalSlack, RateLimits
from storage.db import Database
from storage.models import Assignment, AssignmentOwner, Meeting, Organ

PLAN_TARGET_S = 1.0
OPEN_ASSIGNMENTS = 10_000
RATE_TARGET = 0.9


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== reminders: planning, and sending through Slack's rate limits")
    planning = [_plan(target, options) for target in env.targets("reminders")]
    print(
        table(
            [
                "database",
                "meetings",
                "open",
                "owners",
                "DMs planned",
                "p50 s",
                "max s",
                "SQL",
                "< 1 s",
                "expand s",
            ],
            [
                [
                    p["database"],
                    p["meetings"],
                    p["open_assignments"],
                    p["owners"],
                    p["planned"],
                    p["p50_s"],
                    p["max_s"],
                    p["sql_statements"],
                    verdict(p["p50_s"] < PLAN_TARGET_S),
                    p["expand_p50_s"],
                ]
                for p in planning
            ],
        )
    )
    sending = _send(options)
    print(
        table(
            ["DMs", "limit/min", "seconds", "allowed s", "rate share", "429s", "lost", "twice"],
            [
                [
                    sending["dms"],
                    sending["workspace_per_minute"],
                    sending["elapsed_s"],
                    sending["minimum_s"],
                    f"{sending['rate_share']:.0%} {verdict(sending['rate_share'] >= RATE_TARGET)}",
                    sending["rejected_429"],
                    sending["lost"],
                    sending["duplicated"],
                ]
            ],
        )
    )
    result = {"planning": planning, "sending": sending}
    write_result("reminders", options, result)
    return result


def _plan(target: Target, options: Options) -> dict[str, Any]:
    db = Database(target.url)
    try:
        with db.engine.begin() as connection:
            connection.execute(Organ.__table__.update().values(reminders_enabled=True))  # type: ignore[attr-defined]
            # The size: 10,000 open assignments (the seed leaves about 30 % open).
            table = Assignment.__table__  # type: ignore[attr-defined]
            first_ids = select(table.c.id).order_by(table.c.id).limit(OPEN_ASSIGNMENTS)
            connection.execute(table.update().values(status="klar"))
            connection.execute(
                table.update()
                .where(table.c.id.in_(first_ids.scalar_subquery()))
                .values(status="öppen")
            )
            first, last, meetings = connection.execute(
                select(
                    func.min(Meeting.start_date), func.max(Meeting.start_date), func.count()
                ).where(Meeting.status == "planerat")
            ).one()
            open_count = connection.execute(
                select(func.count()).select_from(Assignment).where(Assignment.status == "öppen")
            ).scalar_one()
            owners = connection.execute(
                select(func.count(func.distinct(AssignmentOwner.user_id)))
            ).scalar_one()
        app = Product(db=db, clock=FixedClock(datetime.now(UTC)), tz=STOCKHOLM)
        start = datetime.combine(first - timedelta(days=30), clock_time(0), STOCKHOLM)
        end = datetime.combine(last + timedelta(days=1), clock_time(0), STOCKHOLM)
        times, expanding, statements, planned = [], [], [], 0
        for _ in range(3 if options.quick else 5):
            before = db.queries.total
            began = time.perf_counter()
            whole = reminders.make_plan(app, start, end)
            times.append(time.perf_counter() - began)
            statements.append(db.queries.total - before)
            began = time.perf_counter()
            planned = len(whole.expand(whole.batches))
            expanding.append(time.perf_counter() - began)
        return {
            "database": target.name,
            "meetings": meetings,
            "open_assignments": open_count,
            "owners": owners,
            "planned": planned,
            "p50_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "sql_statements": max(statements),
            "expand_p50_s": round(statistics.median(expanding), 3),
        }
    finally:
        db.dispose()


def _send(options: Options) -> dict[str, Any]:
    """One AU meeting, N owners with one assignment each: one tick sends N DMs."""
    count = 200 if options.quick else 2000
    per_minute = 600.0 if options.quick else 1200.0
    limits = RateLimits(per_channel_per_second=1.0, burst=3, workspace_per_minute=per_minute)
    with tempfile.TemporaryDirectory() as tmp, LocalSlack(rate_limits=limits) as slack:
        db = Database(f"sqlite:///{Path(tmp) / 'send.db'}")
        db.upgrade()
        meeting_day = date(2026, 12, 7)
        sent_at = datetime(2026, 12, 2, 9, 0, tzinfo=STOCKHOLM)
        _seed_one_meeting(db, meeting_day, count, sent_at)
        app = Product(db=db, clock=FixedClock(sent_at), tz=STOCKHOLM)
        client = WebClient(token="xoxb-bench", base_url=slack.url)
        service = Reminders(app, SlackNotifier(client))
        began = time.perf_counter()
        report = service.tick()
        elapsed = time.perf_counter() - began
        delivered = [str(c.args["channel"]) for c in slack.calls("chat.postMessage")]
        db.dispose()
    # Capacity is a minute's worth (the stand-in's bucket); beyond it, per_minute / 60 a second.
    minimum = max(0.0, (count - per_minute) / (per_minute / 60.0))
    return {
        "dms": count,
        "workspace_per_minute": per_minute,
        "elapsed_s": round(elapsed, 2),
        "minimum_s": round(minimum, 2),
        "rate_share": round(min(1.0, minimum / elapsed) if minimum else 1.0, 3),
        "rejected_429": len(slack.rejected("chat.postMessage")),
        "reported_sent": len(report.sent),
        "reported_failed": len(report.failed),
        "lost": count - len(set(delivered)),
        "duplicated": len(delivered) - len(set(delivered)),
    }


def _seed_one_meeting(db: Database, day: date, owners: int, now: datetime) -> None:
    with db.engine.begin() as connection:
        organ_id = connection.execute(
            insert(Organ).values(
                short_name="AU",
                name="Arbetsutskottet",
                reminders_enabled=True,
                reminder_lead_days=3,
                created_by="U0BENCH",
                created_at=now,
            )
        ).inserted_primary_key[0]
        meeting_id = connection.execute(
            insert(Meeting).values(
                ref="AU-261207",
                organ_id=organ_id,
                kind="möte",
                start_date=day,
                end_date=day,
                start_time=clock_time(13),
                end_time=clock_time(15),
                status="planerat",
                uid="bench@ledningsbot",
                sequence=0,
                created_by="U0BENCH",
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(Assignment),
            [
                {
                    "ref": f"U-{n}",
                    "organ_id": organ_id,
                    "what": f"Förbered punkt {n} till AU",
                    "due_date": day,
                    "due_meeting_id": meeting_id,
                    "status": "öppen",
                    "created_by": "U0BENCH",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, owners + 1)
            ],
        )
        connection.execute(
            insert(AssignmentOwner),
            [{"assignment_id": n, "user_id": f"U{n:06d}"} for n in range(1, owners + 1)],
        )
