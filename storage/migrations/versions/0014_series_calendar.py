"""a recurring series is one calendar item: each occurrence keeps its place in the series

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 04:00:00

Four nullable columns on meeting: the occurrence's own date in the series (its RECURRENCE-ID,
kept when the occurrence is moved) and the series' start time, end time and place as planned
(the master event's). Existing series are filled in: the time and place most of their
occurrences have (an occurrence moved before is not the series), each occurrence's date in the
rule the rule's date in its week (or the nearest one left), and their RRULE's UNTIL, stored as a
bare date before, becomes the UTC date-time RFC 5545 requires when DTSTART is a local date-time
(the last day at the series' start time, Europe/Stockholm).

Invitations were per occurrence before (each its own calendar item and UID); now a series is
one item whose invitations are kept on its first occurrence. Everyone invited to an occurrence
of a series is invited to the series there, as a version never sent, so the next invitation or
change sends them the whole series (the old items, one per occurrence, are not withdrawn).
"""

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_UNTIL_DATE = re.compile(r"UNTIL=(\d{8})(?=;|$)")
_STOCKHOLM = ZoneInfo("Europe/Stockholm")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FAILED = "failed"
_T = TypeVar("_T")


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
        sa.column("sequence", sa.Integer()),
        sa.column("series_date", sa.Date()),
        sa.column("series_start", sa.Time()),
        sa.column("series_end", sa.Time()),
        sa.column("series_location", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            meeting.c.id,
            meeting.c.series_uid,
            meeting.c.series_rule,
            meeting.c.start_date,
            meeting.c.start_time,
            meeting.c.end_time,
            meeting.c.location,
            meeting.c.sequence,
        )
        .where(meeting.c.series_uid.is_not(None))
        .order_by(meeting.c.id)
    ).all()
    series: dict[str, list[sa.Row]] = {}
    for row in rows:
        series.setdefault(row.series_uid, []).append(row)
    for occurrences in series.values():
        _fill_series(bind, meeting, occurrences)
        _series_invitations(bind, [row.id for row in occurrences])


def _fill_series(bind: sa.Connection, meeting: sa.TableClause, occurrences: list[sa.Row]) -> None:
    """The series as planned: its time and place those of most of its occurrences (of those
    never changed, when there are any), and each occurrence's date in the rule the rule's date
    in its week (an occurrence moved before this migration keeps its place in the series), or
    failing that the nearest date of the rule no other occurrence has."""
    unchanged = [o for o in occurrences if not o.sequence] or occurrences
    start, end = _most(unchanged, lambda o: (o.start_time, o.end_time))
    location = _most(unchanged, lambda o: o.location)
    rule = occurrences[0].series_rule or ""
    weekdays = _weekdays(rule) or [_most(unchanged, lambda o: o.start_date.weekday())]
    in_week = {o.id: _in_week(o.start_date, weekdays) for o in occurrences}
    pool = _dates(rule, [in_week[o.id] for o in unchanged], weekdays, occurrences)
    taken: set[date] = set()
    planned: dict[int, date] = {}
    # Those never changed first: they are where the rule put them.
    for o in sorted(occurrences, key=lambda o: (bool(o.sequence), o.start_date, o.id)):
        day = in_week[o.id]
        if day in taken or (pool and day not in pool):
            free = [d for d in pool if d not in taken]
            if free:
                day = min(free, key=lambda d: (abs((d - o.start_date).days), d))
        taken.add(day)
        planned[o.id] = day
    for o in occurrences:
        bind.execute(
            sa.update(meeting)
            .where(meeting.c.id == o.id)
            .values(
                series_date=planned[o.id],
                series_start=start,
                series_end=end,
                series_location=location,
                series_rule=_utc_until(o.series_rule, start),
            )
        )


def _series_invitations(bind: sa.Connection, ids: list[int]) -> None:
    """Before this migration an occurrence was a calendar item of its own (its own UID), and
    its invitees were invited to it alone; now the series is one item, whose claims are kept on
    its first occurrence (the lowest id). Everyone invited to any occurrence is invited to the
    series, on the first occurrence, as a version never sent (-1, failed): the next invitation
    or change sends them the whole series, and nobody counts as having it already."""
    invitation = sa.table(
        "invitation",
        sa.column("id", sa.Integer()),
        sa.column("meeting_id", sa.Integer()),
        sa.column("user_id", sa.String()),
        sa.column("email", sa.String()),
        sa.column("invited_by", sa.String()),
        sa.column("invited_at", sa.DateTime()),
        sa.column("dm_sequence", sa.Integer()),
        sa.column("dm_status", sa.String()),
        sa.column("mail_sequence", sa.Integer()),
        sa.column("mail_status", sa.String()),
    )
    anchor = min(ids)
    found = bind.execute(
        sa.select(invitation)
        .where(invitation.c.meeting_id.in_(ids))
        .order_by(invitation.c.meeting_id != anchor, invitation.c.id)
    ).all()
    done: set[str] = set()
    for row in found:
        if row.user_id in done:
            continue
        done.add(row.user_id)
        mailed = row.mail_sequence is not None or row.email is not None
        state = {
            "dm_sequence": -1 if row.dm_sequence is not None else None,
            "dm_status": _FAILED if row.dm_sequence is not None else None,
            "mail_sequence": -1 if mailed else None,
            "mail_status": _FAILED if mailed else None,
        }
        if row.meeting_id == anchor:
            bind.execute(sa.update(invitation).where(invitation.c.id == row.id).values(**state))
        else:
            bind.execute(
                sa.insert(invitation).values(
                    meeting_id=anchor,
                    user_id=row.user_id,
                    email=row.email,
                    invited_by=row.invited_by,
                    invited_at=row.invited_at,
                    **state,
                )
            )


def _most(rows: list[sa.Row], key: Callable[[sa.Row], _T]) -> _T:
    """The value most rows have (the earliest row's, of equally many)."""
    counts = Counter(key(row) for row in rows)
    best = max(counts.values())
    return next(key(row) for row in rows if counts[key(row)] == best)


def _weekdays(rule: str) -> list[int]:
    found = re.search(r"BYDAY=([A-Z0-9,+-]+)", rule.upper())
    if found is None:
        return []
    return sorted({_DAYS.index(day[-2:]) for day in found[1].split(",") if day[-2:] in _DAYS})


def _in_week(day: date, weekdays: list[int]) -> date:
    """The day of the rule in `day`'s ISO week nearest to it."""
    monday = day - timedelta(days=day.weekday())
    return min(
        (monday + timedelta(days=w) for w in weekdays), key=lambda d: (abs((d - day).days), d)
    )


def _dates(
    rule: str, fixed: list[date], weekdays: list[int], occurrences: list[sa.Row]
) -> list[date]:
    """The dates a weekly rule may have given these occurrences: its weekdays, in the weeks of
    its INTERVAL counted from the occurrences never changed (`fixed`), from a while before the
    first occurrence to UNTIL (or a while after the last); empty for a rule of another kind."""
    if "FREQ=WEEKLY" not in rule.upper() or not fixed:
        return []
    interval = re.search(r"INTERVAL=(\d+)", rule)
    step = timedelta(weeks=int(interval[1]) if interval else 1)
    until = _UNTIL_DATE.search(rule)
    days = [o.start_date for o in occurrences]
    first = min(days) - step
    last = max(days) + step
    if until is not None:
        last = date(int(until[1][:4]), int(until[1][4:6]), int(until[1][6:]))
    reference = min(fixed)
    week = reference - timedelta(days=reference.weekday())
    while week > first - timedelta(days=first.weekday()):
        week -= step
    found: list[date] = []
    while week <= last:
        found += [
            day for day in (week + timedelta(days=w) for w in weekdays) if first <= day <= last
        ]
        week += step
    return found


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
