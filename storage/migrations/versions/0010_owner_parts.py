"""owners as the minutes name them, and each owner's own part done

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

Three nullable columns on assignmentowner: a name for an owner who is not in Slack, and when
(and by whom) this owner's part was marked done. Two on meeting: the recurring series an
occurrence belongs to, and its RRULE. One table: the confirmations (*Spara ändå*) used, so a
second press stores nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignmentowner") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_by", sa.String(length=32), nullable=True))
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("series_uid", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("series_rule", sa.String(length=200), nullable=True))
        batch.create_index("ix_meeting_series_uid", ["series_uid"], unique=False)
    op.create_table(
        "confirmation",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("used_by", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )


def downgrade() -> None:
    op.drop_table("confirmation")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_index("ix_meeting_series_uid")
        batch.drop_column("series_rule")
        batch.drop_column("series_uid")
    with op.batch_alter_table("assignmentowner") as batch:
        batch.drop_column("done_by")
        batch.drop_column("done_at")
        batch.drop_column("name")
