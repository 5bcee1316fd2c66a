"""Intervisie invitations sent from an outbox: fan-outs, deliveries and their items.

Three new tables, nothing else changes. No Discord id is stored: a delivery's
person is the one on its invitations, so erasing a person's invitations erases
their deliveries' links too.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intervisie_fanouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["intervisie_series.id"],
            name=op.f("fk_intervisie_fanouts_series_id_intervisie_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervisie_sessions.id"],
            name=op.f("fk_intervisie_fanouts_session_id_intervisie_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_fanouts")),
    )
    op.create_index(op.f("ix_intervisie_fanouts_session_id"), "intervisie_fanouts", ["session_id"])
    op.create_index(op.f("ix_intervisie_fanouts_created_at"), "intervisie_fanouts", ["created_at"])
    op.create_table(
        "intervisie_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fanout_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'unreachable', 'skipped')",
            name=op.f("ck_intervisie_deliveries_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["fanout_id"],
            ["intervisie_fanouts.id"],
            name=op.f("fk_intervisie_deliveries_fanout_id_intervisie_fanouts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_deliveries")),
    )
    op.create_index(
        op.f("ix_intervisie_deliveries_fanout_id"), "intervisie_deliveries", ["fanout_id"]
    )
    op.create_index(op.f("ix_intervisie_deliveries_outcome"), "intervisie_deliveries", ["outcome"])
    op.create_table(
        "intervisie_delivery_items",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["intervisie_deliveries.id"],
            name=op.f("fk_intervisie_delivery_items_delivery_id_intervisie_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["intervisie_invitations.id"],
            name=op.f("fk_intervisie_delivery_items_invitation_id_intervisie_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "delivery_id", "invitation_id", name=op.f("pk_intervisie_delivery_items")
        ),
    )
    op.create_index(
        op.f("ix_intervisie_delivery_items_invitation_id"),
        "intervisie_delivery_items",
        ["invitation_id"],
    )


def downgrade() -> None:
    """Invitations not yet sent stay unsent; the sessions and invitations are untouched."""
    op.drop_index(op.f("ix_intervisie_delivery_items_invitation_id"), "intervisie_delivery_items")
    op.drop_table("intervisie_delivery_items")
    op.drop_index(op.f("ix_intervisie_deliveries_outcome"), "intervisie_deliveries")
    op.drop_index(op.f("ix_intervisie_deliveries_fanout_id"), "intervisie_deliveries")
    op.drop_table("intervisie_deliveries")
    op.drop_index(op.f("ix_intervisie_fanouts_created_at"), "intervisie_fanouts")
    op.drop_index(op.f("ix_intervisie_fanouts_session_id"), "intervisie_fanouts")
    op.drop_table("intervisie_fanouts")
