"""calendar: invitations, organ members, feed tokens, the feeds' change stamp

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("invited_by", sa.String(length=32), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dm_sequence", sa.Integer(), nullable=True),
        sa.Column("dm_status", sa.String(length=20), nullable=True),
        sa.Column("mail_sequence", sa.Integer(), nullable=True),
        sa.Column("mail_status", sa.String(length=20), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("rsvp", sa.String(length=20), nullable=True),
        sa.Column("rsvp_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_invitation"),
    )
    op.create_index("ix_invitation_meeting_id", "invitation", ["meeting_id"], unique=False)
    op.create_index("ix_invitation_user", "invitation", ["user_id"], unique=False)

    op.create_table(
        "organmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organ.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "user_id", name="uq_organ_member"),
    )
    op.create_index("ix_organ_member_user", "organmember", ["user_id"], unique=False)

    op.create_table(
        "feedtoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.String(length=80), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organ_id"], ["organ.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_feedtoken_user_id", "feedtoken", ["user_id"], unique=False)

    stamp = op.create_table(
        "calendarstamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(stamp, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("calendarstamp")
    op.drop_index("ix_feedtoken_user_id", table_name="feedtoken")
    op.drop_table("feedtoken")
    op.drop_index("ix_organ_member_user", table_name="organmember")
    op.drop_table("organmember")
    op.drop_index("ix_invitation_user", table_name="invitation")
    op.drop_index("ix_invitation_meeting_id", table_name="invitation")
    op.drop_table("invitation")
