"""seen signed requests: a replay within its five minutes does nothing twice

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seenrequest",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_seenrequest_seen_at", "seenrequest", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_seenrequest_seen_at", table_name="seenrequest")
    op.drop_table("seenrequest")
