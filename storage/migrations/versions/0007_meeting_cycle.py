"""the meeting cycle: agenda items, attendance, minutes and their versions, justering

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00

Self-contained: new tables, and one new nullable column on meeting (the published agenda,
which the invitation's and the feed's DESCRIPTION carry).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("meeting", sa.Column("agenda", sa.Text(), nullable=True))

    op.create_table(
        "cyclesetting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("minutes_form", sa.String(length=20), nullable=False),
        sa.Column("item_deadline_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organ.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id"),
    )

    op.create_table(
        "agendaitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("proposal_no", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("presenter_user_id", sa.String(length=32), nullable=True),
        sa.Column("presenter_name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("auto", sa.String(length=20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("material", sa.Text(), nullable=True),
        sa.Column("material_reminded", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("moved_to_meeting_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["carried_from_id"], ["agendaitem.id"]),
        sa.ForeignKeyConstraint(["moved_to_meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "proposal_no", name="uq_agendaitem_proposal"),
    )
    op.create_index("ix_agendaitem_meeting", "agendaitem", ["meeting_id", "number"])

    op.create_table(
        "itemassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agendaitem.id"]),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id"),
    )
    op.create_index("ix_itemassignment_agenda_item_id", "itemassignment", ["agenda_item_id"])

    op.create_table(
        "attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        _utc("recorded_at"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attendee_meeting", "attendee", ["meeting_id"])

    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("minutes_form", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("secretary_user_id", sa.String(length=32), nullable=True),
        sa.Column("sent_version", sa.Integer(), nullable=True),
        sa.Column("sent_by", sa.String(length=32), nullable=True),
        sa.Column("locked_version", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("justerad_by", sa.String(length=300), nullable=True),
        _utc("justerad_at", nullable=True),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("approved_at_meeting_id", sa.Integer(), nullable=True),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["approved_at_meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id"),
    )

    op.create_table(
        "minutesadjuster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        _utc("approved_at", nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_minutes_adjuster"),
    )

    op.create_table(
        "minutesversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        _utc("created_at"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "version", "final", name="uq_minutes_version"),
    )
    op.create_index("ix_minutesversion_meeting_id", "minutesversion", ["meeting_id"])

    op.create_table(
        "minutesevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=32), nullable=False),
        _utc("at"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_minutesevent_meeting_id", "minutesevent", ["meeting_id"])

    op.create_table(
        "decisionjustering",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _utc("justerad_at"),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id"),
    )


def downgrade() -> None:
    op.drop_table("decisionjustering")
    op.drop_index("ix_minutesevent_meeting_id", table_name="minutesevent")
    op.drop_table("minutesevent")
    op.drop_index("ix_minutesversion_meeting_id", table_name="minutesversion")
    op.drop_table("minutesversion")
    op.drop_table("minutesadjuster")
    op.drop_table("minutes")
    op.drop_index("ix_attendee_meeting", table_name="attendee")
    op.drop_table("attendee")
    op.drop_index("ix_itemassignment_agenda_item_id", table_name="itemassignment")
    op.drop_table("itemassignment")
    op.drop_index("ix_agendaitem_meeting", table_name="agendaitem")
    op.drop_table("agendaitem")
    op.drop_table("cyclesetting")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("agenda")
