"""reminders in the one delivery ledger: a reminder row keeps its plan, its delivery row the rest

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 07:30:00

Each reminder gets a row in `delivery` under the key its DM carries as metadata in Slack
(meeting uid : recipient : kind : round), with the status, attempts, claim, ts and error it had;
the reminder keeps what it was planned for (meeting date, send time, round, late) and points at
that row. A claim left by a crash before the upgrade is settled as before: after the lease, by
asking Slack whether the DM with that key arrived.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_KEY = (
    "meeting.uid || ':' || reminder.recipient || ':' || reminder.kind || ':' || "
    "CAST(reminder.round AS VARCHAR(12))"
)
# What moves to the ledger: (column, type, nullable) as migration 0002 made them.
_COLUMNS: list[tuple[str, sa.types.TypeEngine, bool]] = [
    ("status", sa.String(length=20), False),
    ("attempts", sa.Integer(), False),
    ("claimed_by", sa.String(length=64), False),
    ("claimed_at", sa.DateTime(timezone=True), False),
    ("sent_at", sa.DateTime(timezone=True), True),
    ("message_ts", sa.String(length=40), True),
    ("error", sa.String(length=500), True),
]
_DELIVERED = [name for name, _, _ in _COLUMNS]


def upgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("delivery_id", sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO delivery (key, kind, recipient, asker, message, status, attempts, "
        "created_at, claimed_by, claimed_at, sent_at, message_ts, error) "
        f"SELECT {_KEY}, CASE WHEN reminder.kind = 'sammanfattning' THEN 'sammanfattning' "
        "ELSE 'påminnelse' END, reminder.recipient, NULL, NULL, reminder.status, "
        "reminder.attempts, reminder.planned_at, reminder.claimed_by, reminder.claimed_at, "
        "reminder.sent_at, reminder.message_ts, reminder.error "
        "FROM reminder JOIN meeting ON meeting.id = reminder.meeting_id "
        "ORDER BY reminder.id"
    )
    op.execute(
        "UPDATE reminder SET delivery_id = (SELECT delivery.id FROM delivery, meeting "
        f"WHERE meeting.id = reminder.meeting_id AND delivery.key = {_KEY})"
    )
    with op.batch_alter_table("reminder") as batch:
        batch.alter_column("delivery_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_reminder_delivery", ["delivery_id"])
        batch.create_foreign_key("fk_reminder_delivery", "delivery", ["delivery_id"], ["id"])
        batch.drop_index("ix_reminder_status")
        for column in _DELIVERED:
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        for name, type_, _ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    for column in _DELIVERED:
        source = f"delivery.{column}"
        if column == "claimed_by":
            source = f"coalesce({source}, '')"
        op.execute(
            f"UPDATE reminder SET {column} = (SELECT {source} FROM delivery "
            "WHERE delivery.id = reminder.delivery_id)"
        )
    with op.batch_alter_table("reminder") as batch:
        for name, type_, nullable in _COLUMNS:
            if not nullable:
                batch.alter_column(name, existing_type=type_, nullable=False)
        batch.create_index("ix_reminder_status", ["status"], unique=False)
        batch.drop_constraint("fk_reminder_delivery", type_="foreignkey")
        batch.drop_constraint("uq_reminder_delivery", type_="unique")
        batch.drop_column("delivery_id")
    op.execute(
        "DELETE FROM delivery WHERE message IS NULL AND kind IN ('påminnelse', 'sammanfattning')"
    )
