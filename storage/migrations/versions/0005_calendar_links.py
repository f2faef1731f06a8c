"""calendar: stable feed links, deadline sequences, an installation id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00

* `installation`: one row with a random id (in deadline UIDs, so two installations never share
  a UID) and a random secret that feed links are derived from, made here once for every process
  on this database.
* `feedtoken.generation`: links are now derived from the secret, the owner, the feed and this
  generation, so `/kalender` hands out the same links each time. Rows from before keep NULL:
  their random tokens go on working until `/kalender ny-länk` (or the owner's deactivation)
  revokes them, so no calendar that subscribed to one stops updating because of the upgrade.
* `assignment.sequence`: the SEQUENCE of the assignment's deadline in feeds.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    installation = op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=32), nullable=False),
        sa.Column("feed_secret", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(
        installation,
        [{"id": 1, "instance_id": secrets.token_hex(8), "feed_secret": secrets.token_hex(32)}],
    )
    op.add_column("feedtoken", sa.Column("generation", sa.Integer(), nullable=True))
    op.add_column(
        "assignment",
        sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("sequence")
    with op.batch_alter_table("feedtoken") as batch:
        batch.drop_column("generation")
    op.drop_table("installation")
