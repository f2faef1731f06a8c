"""when an organ's channel members were last read whole from Slack

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 04:00:00

One nullable column on organ. `/kalender` reads the asker's own channels (users.conversations)
and refreshes the snapshot of only a few organs whose snapshot is missing or old, instead of
every organ's channel on every call; member_joined/left events keep snapshots current between.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organ") as batch:
        batch.add_column(
            sa.Column("members_refreshed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # A snapshot taken before: known, of unknown age; its oldest row stands for it, so it is
    # read again soon (it is older than the maximum age) and the Home tab keeps filtering by it.
    op.execute(
        "UPDATE organ SET members_refreshed_at = "
        "(SELECT min(seen_at) FROM organmember WHERE organmember.organ_id = organ.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("organ") as batch:
        batch.drop_column("members_refreshed_at")
