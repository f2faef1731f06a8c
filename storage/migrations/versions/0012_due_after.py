"""an assignment waiting for the organ's meeting after a date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

One nullable column on assignment: *Flytta till nästa möte* pressed when the organ's meeting
after the one it was due at is not planned yet. With `due_organ_id` it means "the organ's first
meeting after this date"; it resolves when that meeting is planned.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("due_after", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("due_after")
