"""justerare by name: minutes read in from files name justerare who may not be in Slack

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00

One new nullable column on minutesadjuster (the name, when there is no Slack user), and its
user_id nullable.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("minutesadjuster") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch.alter_column("user_id", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM minutesadjuster WHERE user_id IS NULL")
    with op.batch_alter_table("minutesadjuster") as batch:
        batch.alter_column("user_id", existing_type=sa.String(length=32), nullable=False)
        batch.drop_column("name")
