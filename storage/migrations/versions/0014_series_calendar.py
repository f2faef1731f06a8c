"""a recurring series is one calendar item: each occurrence keeps its place in the series

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:00:00

Four nullable columns on meeting: the occurrence's own date in the series (its RECURRENCE-ID,
kept when the occurrence is moved) and the series' start time, end time and place as planned
(the master event's). Existing series are filled in from what their occurrences hold now, and
their RRULE's UNTIL, stored as a bare date before, becomes the UTC date-time RFC 5545 requires
when DTSTART is a local date-time (the last day at the series' start time, Europe/Stockholm).
"""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_UNTIL_DATE = re.compile(r"UNTIL=(\d{8})(?=;|$)")
_STOCKHOLM = ZoneInfo("Europe/Stockholm")


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("series_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("series_start", sa.Time(), nullable=True))
        batch.add_column(sa.Column("series_end", sa.Time(), nullable=True))
        batch.add_column(sa.Column("series_location", sa.String(length=300), nullable=True))
    meeting = sa.table(
        "meeting",
        sa.column("id", sa.Integer()),
        sa.column("series_uid", sa.String()),
        sa.column("series_rule", sa.String()),
        sa.column("start_date", sa.Date()),
        sa.column("start_time", sa.Time()),
        sa.column("end_time", sa.Time()),
        sa.column("location", sa.String()),
        sa.column("series_date", sa.Date()),
        sa.column("series_start", sa.Time()),
        sa.column("series_end", sa.Time()),
        sa.column("series_location", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            meeting.c.id,
            meeting.c.series_rule,
            meeting.c.start_date,
            meeting.c.start_time,
            meeting.c.end_time,
            meeting.c.location,
        ).where(meeting.c.series_uid.is_not(None))
    ).all()
    for row in rows:
        bind.execute(
            sa.update(meeting)
            .where(meeting.c.id == row.id)
            .values(
                series_date=row.start_date,
                series_start=row.start_time,
                series_end=row.end_time,
                series_location=row.location,
                series_rule=_utc_until(row.series_rule, row.start_time),
            )
        )


def _utc_until(rule: str | None, start: time | None) -> str | None:
    found = _UNTIL_DATE.search(rule or "")
    if rule is None or found is None or start is None:
        return rule
    day = date(int(found[1][:4]), int(found[1][4:6]), int(found[1][6:]))
    until = datetime.combine(day, start, _STOCKHOLM).astimezone(UTC)
    return rule[: found.start()] + f"UNTIL={until:%Y%m%dT%H%M%SZ}" + rule[found.end() :]


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("series_location")
        batch.drop_column("series_end")
        batch.drop_column("series_start")
        batch.drop_column("series_date")
