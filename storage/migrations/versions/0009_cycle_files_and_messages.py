"""the meeting cycle: files as material, and the justering DMs' claims

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00

Self-contained: two new tables, nothing changed in the old ones.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "materialfile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("permalink", sa.String(length=1000), nullable=True),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agendaitem.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agenda_item_id", "file_id", name="uq_materialfile_item_file"),
    )
    op.create_index(
        "ix_materialfile_agenda_item_id", "materialfile", ["agenda_item_id"], unique=False
    )
    op.create_table(
        "cyclemessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("cyclemessage")
    op.drop_index("ix_materialfile_agenda_item_id", table_name="materialfile")
    op.drop_table("materialfile")
