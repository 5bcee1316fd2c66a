"""Intervisie capacity: a maximum per session and a waiting list.

Two new tables, nothing else changes. ``intervisie_waitlist`` points at an
invitation (whose ``user_id`` is the person): who waits for which session, in
which order, and to whom a place is offered until when. Both go with their
session or invitation (ON DELETE CASCADE).

Revision ID: 0024
Revises: 0017
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intervisie_places",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.CheckConstraint("places >= 1", name=op.f("ck_intervisie_places_places")),
        sa.CheckConstraint(
            "taken >= 0 AND taken <= places", name=op.f("ck_intervisie_places_taken")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervisie_sessions.id"],
            name=op.f("fk_intervisie_places_session_id_intervisie_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_intervisie_places")),
    )
    op.create_table(
        "intervisie_waitlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("offer_until", UTCDateTime(), nullable=True),
        sa.Column("offer_token", sa.String(length=32), nullable=True),
        sa.Column("offer_sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervisie_sessions.id"],
            name=op.f("fk_intervisie_waitlist_session_id_intervisie_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["intervisie_invitations.id"],
            name=op.f("fk_intervisie_waitlist_invitation_id_intervisie_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_waitlist")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_intervisie_waitlist_invitation_id")),
        sa.UniqueConstraint("offer_token", name=op.f("uq_intervisie_waitlist_offer_token")),
    )
    op.create_index(
        op.f("ix_intervisie_waitlist_session_id"), "intervisie_waitlist", ["session_id"]
    )
    op.create_index(
        op.f("ix_intervisie_waitlist_offer_until"), "intervisie_waitlist", ["offer_until"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_intervisie_waitlist_offer_until"), table_name="intervisie_waitlist")
    op.drop_index(op.f("ix_intervisie_waitlist_session_id"), table_name="intervisie_waitlist")
    op.drop_table("intervisie_waitlist")
    op.drop_table("intervisie_places")
