"""Training: sessions of kind "training", completion records per person, due reminders.

- ``intervisie_sessions`` gets ``kind`` ("intervisie" for every existing row, by
  server default), ``topic`` and ``valid_months`` (NULL for intervisie).
- ``training_records``: who completed which training when, and when it expires. A
  Discord id next to a training (not next to any report); the privacy eraser
  deletes a person's records whole.
- ``training_notices``: the "due soon" and "expired" reminders, claimed once per
  record and stage.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, not SQLite's batch rebuild: dropping the old copy of a table that
    # invitations and records refer to would cascade-delete them.
    op.add_column(
        "intervisie_sessions",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="intervisie"),
    )
    op.add_column("intervisie_sessions", sa.Column("topic", sa.String(length=100), nullable=True))
    op.add_column("intervisie_sessions", sa.Column("valid_months", sa.Integer(), nullable=True))
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervisie_sessions.id"],
            name=op.f("fk_training_records_session_id_intervisie_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_training_records_session_id_user_id")
        ),
    )
    op.create_index(op.f("ix_training_records_user_id"), "training_records", ["user_id"])
    op.create_index(op.f("ix_training_records_session_id"), "training_records", ["session_id"])
    op.create_index(op.f("ix_training_records_expires_at"), "training_records", ["expires_at"])
    op.create_table(
        "training_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.CheckConstraint("stage IN ('soon', 'expired')", name=op.f("ck_training_notices_stage")),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'skipped', 'unreachable')",
            name=op.f("ck_training_notices_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["training_records.id"],
            name=op.f("fk_training_notices_record_id_training_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_notices")),
        sa.UniqueConstraint("record_id", "stage", name=op.f("uq_training_notices_record_id_stage")),
    )
    op.create_index(op.f("ix_training_notices_record_id"), "training_notices", ["record_id"])


def downgrade() -> None:
    """Training records and their reminders are lost; sessions stay, as intervisie."""
    op.drop_index(op.f("ix_training_notices_record_id"), table_name="training_notices")
    op.drop_table("training_notices")
    op.drop_index(op.f("ix_training_records_expires_at"), table_name="training_records")
    op.drop_index(op.f("ix_training_records_session_id"), table_name="training_records")
    op.drop_index(op.f("ix_training_records_user_id"), table_name="training_records")
    op.drop_table("training_records")
    # In place (SQLite 3.35 and later), for the reason given in upgrade().
    for name in ("valid_months", "topic", "kind"):
        op.execute(f"ALTER TABLE intervisie_sessions DROP COLUMN {name}")
