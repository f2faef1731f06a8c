"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:01:16.278396
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organ",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_name", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("convenor_user_id", sa.String(length=32), nullable=True),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("reminder_lead_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id"),
        sa.UniqueConstraint("short_name"),
    )
    op.create_table(
        "processedevent",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organ_id"],
            ["organ.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_organ_start", ["organ_id", "start_date"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=20), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("search_terms", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"],
            ["organ.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "year", "serial", name="uq_decision_serial"),
        sa.UniqueConstraint("ref"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index("ix_decision_decided", ["decided_on"], unique=False)
        batch_op.create_index("ix_decision_organ_decided", ["organ_id", "decided_on"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_meeting_id", sa.Integer(), nullable=True),
        sa.Column("due_organ_id", sa.Integer(), nullable=True),
        sa.Column("report_to", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_status", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
        ),
        sa.ForeignKeyConstraint(
            ["due_meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["due_organ_id"],
            ["organ.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"],
            ["organ.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index("ix_assignment_status_due", ["status", "due_date"], unique=False)

    op.create_table(
        "decisionrevision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("item", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", "version", name="uq_revision_version"),
    )
    with op.batch_alter_table("decisionrevision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisionrevision_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "assignmentevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assignmentevent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignmentevent_assignment_id"), ["assignment_id"], unique=False
        )

    op.create_table(
        "assignmentowner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"],
            ["organ.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "user_id", "organ_id", name="uq_owner"),
    )
    with op.batch_alter_table("assignmentowner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignmentowner_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index("ix_owner_user", ["user_id"], unique=False)

    _create_search_index()


def _create_search_index() -> None:
    """Full-text search over decision.search_terms (Swedish stems, see bot/search.py)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_decision_search ON decision "
            "USING gin (to_tsvector('simple', search_terms))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE decision_fts USING fts5("
        "search_terms, content='decision', content_rowid='id', tokenize='unicode61')"
    )
    op.execute(
        "CREATE TRIGGER decision_fts_insert AFTER INSERT ON decision BEGIN "
        "INSERT INTO decision_fts(rowid, search_terms) VALUES (new.id, new.search_terms); END"
    )
    op.execute(
        "CREATE TRIGGER decision_fts_delete AFTER DELETE ON decision BEGIN "
        "INSERT INTO decision_fts(decision_fts, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms); END"
    )
    op.execute(
        "CREATE TRIGGER decision_fts_update AFTER UPDATE OF search_terms ON decision BEGIN "
        "INSERT INTO decision_fts(decision_fts, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms); "
        "INSERT INTO decision_fts(rowid, search_terms) VALUES (new.id, new.search_terms); END"
    )


def _drop_search_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_decision_search")
        return
    for trigger in ("decision_fts_insert", "decision_fts_delete", "decision_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS decision_fts")


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table("assignmentowner", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_user")
        batch_op.drop_index(batch_op.f("ix_assignmentowner_assignment_id"))

    op.drop_table("assignmentowner")
    with op.batch_alter_table("assignmentevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignmentevent_assignment_id"))

    op.drop_table("assignmentevent")
    with op.batch_alter_table("decisionrevision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisionrevision_decision_id"))

    op.drop_table("decisionrevision")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_status_due")
        batch_op.drop_index(batch_op.f("ix_assignment_decision_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_organ_decided")
        batch_op.drop_index("ix_decision_decided")

    op.drop_table("decision")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_organ_start")

    op.drop_table("meeting")
    op.drop_table("processedevent")
    op.drop_table("organ")
