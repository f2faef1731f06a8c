"""the delivery ledger keeps rows whose message is built when sent (reminders, invitations)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.alter_column("message", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE message IS NULL")
    with op.batch_alter_table("delivery") as batch:
        batch.alter_column("message", existing_type=sa.Text(), nullable=False)
