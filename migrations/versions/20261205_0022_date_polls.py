"""Intervisie date polls: options, invitees with their one reminder, and answers.

Four new tables, nothing else changes. ``intervisie_poll_invitees.user_id`` is a
Discord id next to a person's answers (confidential like attendance): the privacy
eraser deletes a person's rows, and a poll is deleted whole when it becomes a
session or 30 days after its deadline.

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intervisie_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location_kind", sa.String(length=8), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("remind_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_intervisie_polls_duration")),
        sa.CheckConstraint(
            "location_kind IN ('room', 'online')", name=op.f("ck_intervisie_polls_location_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_polls")),
    )
    op.create_index(op.f("ix_intervisie_polls_deadline"), "intervisie_polls", ["deadline"])
    op.create_table(
        "intervisie_poll_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["intervisie_polls.id"],
            name=op.f("fk_intervisie_poll_options_poll_id_intervisie_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_poll_options")),
    )
    op.create_index(
        op.f("ix_intervisie_poll_options_poll_id"), "intervisie_poll_options", ["poll_id"]
    )
    op.create_table(
        "intervisie_poll_invitees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("dm_failed", sa.Boolean(), nullable=False),
        sa.Column("reminder_claimed_at", UTCDateTime(), nullable=True),
        sa.Column("reminder_lease_until", UTCDateTime(), nullable=True),
        sa.Column("reminder_outcome", sa.String(length=12), nullable=True),
        sa.CheckConstraint(
            "reminder_outcome IS NULL OR reminder_outcome IN ('sent', 'skipped', 'unreachable')",
            name=op.f("ck_intervisie_poll_invitees_reminder_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_intervisie_poll_invitees_association_id_associations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["intervisie_polls.id"],
            name=op.f("fk_intervisie_poll_invitees_poll_id_intervisie_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_poll_invitees")),
        sa.UniqueConstraint("token", name=op.f("uq_intervisie_poll_invitees_token")),
    )
    op.create_index(
        op.f("ix_intervisie_poll_invitees_poll_id"), "intervisie_poll_invitees", ["poll_id"]
    )
    op.create_index(
        op.f("ix_intervisie_poll_invitees_user_id"), "intervisie_poll_invitees", ["user_id"]
    )
    op.create_table(
        "intervisie_poll_answers",
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "answer IN ('yes', 'maybe', 'no')", name=op.f("ck_intervisie_poll_answers_answer")
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["intervisie_poll_invitees.id"],
            name=op.f("fk_intervisie_poll_answers_invitee_id_intervisie_poll_invitees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["intervisie_poll_options.id"],
            name=op.f("fk_intervisie_poll_answers_option_id_intervisie_poll_options"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitee_id", "option_id", name=op.f("pk_intervisie_poll_answers")),
    )


def downgrade() -> None:
    """Open polls and their answers are lost; planned sessions are untouched."""
    op.drop_table("intervisie_poll_answers")
    op.drop_index(op.f("ix_intervisie_poll_invitees_user_id"), "intervisie_poll_invitees")
    op.drop_index(op.f("ix_intervisie_poll_invitees_poll_id"), "intervisie_poll_invitees")
    op.drop_table("intervisie_poll_invitees")
    op.drop_index(op.f("ix_intervisie_poll_options_poll_id"), "intervisie_poll_options")
    op.drop_table("intervisie_poll_options")
    op.drop_index(op.f("ix_intervisie_polls_deadline"), "intervisie_polls")
    op.drop_table("intervisie_polls")
