"""invitations are delivered through the delivery ledger: one row per DM and per e-mail

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 09:00:00

An invitation kept the state of its last DM and e-mail itself (``dm_status``, ``mail_status``,
``claimed_at``, ``error``); now every DM and every e-mail of every version is a row in
``delivery`` (kinds "inbjudan" and "inbjudan-epost"), and the invitation points at the row of
the version last claimed on each channel (``dm_delivery_id``, ``mail_delivery_id``). The DM's
row has the key the DM carries in Slack (bot.calendar.invites.Job.key), so a DM sent before
the upgrade is found after it; the e-mail's has that key with ":epost" after it.

Existing state is moved: "claimed" becomes "skickas" (taken over after the lease, as before),
"sent" "skickad", "failed" "misslyckad"; the claim's time (or the invitation's) and its error
go with it. An occurrence of a series other than its first keeps no claims since 0014; any it
still has from before are kept under the key they were sent with then (the occurrence's own).
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

DM, MAIL = "inbjudan", "inbjudan-epost"
_TO_LEDGER = {"claimed": "skickas", "sent": "skickad", "failed": "misslyckad", "unknown": "okänd"}
_FROM_LEDGER = {"skickad": "sent", "misslyckad": "failed", "ersatt": "failed"}  # else claimed
_MIGRATED = "migration 0018"  # holds the claims moved here: anyone takes them after the lease

_invitation = sa.table(
    "invitation",
    sa.column("id", sa.Integer()),
    sa.column("meeting_id", sa.Integer()),
    sa.column("user_id", sa.String()),
    sa.column("invited_by", sa.String()),
    sa.column("invited_at", sa.DateTime(timezone=True)),
    sa.column("dm_sequence", sa.Integer()),
    sa.column("dm_status", sa.String()),
    sa.column("mail_sequence", sa.Integer()),
    sa.column("mail_status", sa.String()),
    sa.column("claimed_at", sa.DateTime(timezone=True)),
    sa.column("error", sa.String()),
    sa.column("dm_delivery_id", sa.Integer()),
    sa.column("mail_delivery_id", sa.Integer()),
)
_meeting = sa.table("meeting", sa.column("id", sa.Integer()), sa.column("series_uid", sa.String()))
_delivery = sa.table(
    "delivery",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("recipient", sa.String()),
    sa.column("asker", sa.String()),
    sa.column("message", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("claimed_by", sa.String()),
    sa.column("claimed_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("error", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("dm_delivery_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mail_delivery_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invitation_dm_delivery", "delivery", ["dm_delivery_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_invitation_mail_delivery", "delivery", ["mail_delivery_id"], ["id"]
        )
        batch.create_index("ix_invitation_dm_delivery_id", ["dm_delivery_id"])
        batch.create_index("ix_invitation_mail_delivery_id", ["mail_delivery_id"])
    _move_to_ledger(op.get_bind())
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("error")
        batch.drop_column("claimed_at")
        batch.drop_column("mail_status")
        batch.drop_column("dm_status")


def _move_to_ledger(bind: sa.Connection) -> None:
    """A delivery row for every channel an invitation has claimed a version on."""
    meetings = bind.execute(sa.select(_meeting.c.id, _meeting.c.series_uid)).all()
    series_of = {m.id: m.series_uid for m in meetings if m.series_uid}
    anchors: dict[str, int] = {}  # series uid -> its first occurrence (bot.calendar.series.anchor)
    for meeting_id, uid in sorted(series_of.items()):
        anchors.setdefault(uid, meeting_id)
    taken = {
        key: row_id
        for row_id, key in bind.execute(
            sa.select(_delivery.c.id, _delivery.c.key).where(_delivery.c.key.like("inbjudan:%"))
        ).all()
    }
    rows = bind.execute(sa.select(_invitation).order_by(_invitation.c.id)).all()
    for row in rows:
        uid = series_of.get(row.meeting_id)
        ids = {}
        for channel, sequence, status in (
            ("dm", row.dm_sequence, row.dm_status),
            ("mail", row.mail_sequence, row.mail_status),
        ):
            if sequence is None:
                continue
            if uid is not None and anchors[uid] == row.meeting_id:
                key = f"inbjudan:serie:{uid}:{row.user_id}:{sequence}"
            else:
                key = f"inbjudan:{row.meeting_id}:{row.user_id}:{sequence}"
            if channel == "mail":
                key += ":epost"
            if key not in taken:
                taken[key] = _insert(bind, row, key, DM if channel == "dm" else MAIL, status)
            ids[f"{channel}_delivery_id"] = taken[key]
        if ids:
            bind.execute(sa.update(_invitation).where(_invitation.c.id == row.id).values(**ids))


def _insert(bind: sa.Connection, row: sa.Row, key: str, kind: str, status: str | None) -> int:
    at: datetime = row.claimed_at or row.invited_at
    ledger_status = _TO_LEDGER.get(status or "", "okänd")
    bind.execute(
        sa.insert(_delivery).values(
            key=key,
            kind=kind,
            recipient=row.user_id,
            asker=row.invited_by,
            message=None,
            status=ledger_status,
            attempts=1,
            created_at=at,
            claimed_by=_MIGRATED,
            claimed_at=at,
            sent_at=at if ledger_status == "skickad" else None,
            error=row.error,
        )
    )
    return int(bind.execute(sa.select(_delivery.c.id).where(_delivery.c.key == key)).scalar_one())


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("dm_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("mail_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("error", sa.String(length=500), nullable=True))
    bind = op.get_bind()
    deliveries = {
        d.id: d
        for d in bind.execute(
            sa.select(
                _delivery.c.id, _delivery.c.status, _delivery.c.claimed_at, _delivery.c.error
            ).where(_delivery.c.kind.in_((DM, MAIL)))
        ).all()
    }
    rows = bind.execute(
        sa.select(_invitation.c.id, _invitation.c.dm_delivery_id, _invitation.c.mail_delivery_id)
    ).all()
    for row in rows:
        dm = deliveries.get(row.dm_delivery_id)
        mail = deliveries.get(row.mail_delivery_id)
        if dm is None and mail is None:
            continue
        both = [d for d in (dm, mail) if d is not None]
        bind.execute(
            sa.update(_invitation)
            .where(_invitation.c.id == row.id)
            .values(
                dm_status=_FROM_LEDGER.get(dm.status, "claimed") if dm is not None else None,
                mail_status=_FROM_LEDGER.get(mail.status, "claimed") if mail is not None else None,
                claimed_at=max(d.claimed_at for d in both),
                error=next((d.error for d in both if d.error), None),
            )
        )
    with op.batch_alter_table("invitation") as batch:
        batch.drop_index("ix_invitation_mail_delivery_id")
        batch.drop_index("ix_invitation_dm_delivery_id")
        batch.drop_constraint("fk_invitation_mail_delivery", type_="foreignkey")
        batch.drop_constraint("fk_invitation_dm_delivery", type_="foreignkey")
        batch.drop_column("mail_delivery_id")
        batch.drop_column("dm_delivery_id")
    bind.execute(sa.delete(_delivery).where(_delivery.c.kind.in_((DM, MAIL))))
