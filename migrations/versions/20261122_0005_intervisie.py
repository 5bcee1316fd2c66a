"""Intervisie: series, sessions, invitations, planned reminders and VCP preferences.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0005"
# Needs the network's associations table (invitations name the VCP's association).
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intervisie_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("interval_weeks", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "interval_weeks BETWEEN 1 AND 52", name=op.f("ck_intervisie_series_interval_weeks")
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_intervisie_series_weekday")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_series")),
    )
    op.create_table(
        "intervisie_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location_kind", sa.String(length=8), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.Column("discord_event_id", sa.BigInteger(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_intervisie_sessions_duration")),
        sa.CheckConstraint(
            "location_kind IN ('room', 'online')", name=op.f("ck_intervisie_sessions_location_kind")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'cancelled')", name=op.f("ck_intervisie_sessions_status")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["intervisie_series.id"],
            name=op.f("fk_intervisie_sessions_series_id_intervisie_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_sessions")),
        sa.UniqueConstraint(
            "series_id", "position", name=op.f("uq_intervisie_sessions_series_id_position")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_intervisie_sessions_token")),
    )
    op.create_index(op.f("ix_intervisie_sessions_series_id"), "intervisie_sessions", ["series_id"])
    op.create_index(op.f("ix_intervisie_sessions_starts_at"), "intervisie_sessions", ["starts_at"])
    op.create_table(
        "intervisie_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("rsvp", sa.String(length=8), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("dm_failed", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("locale IN ('nl', 'en')", name=op.f("ck_intervisie_invitations_locale")),
        sa.CheckConstraint(
            "rsvp IN ('none', 'yes', 'no', 'maybe')", name=op.f("ck_intervisie_invitations_rsvp")
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_intervisie_invitations_association_id_associations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intervisie_sessions.id"],
            name=op.f("fk_intervisie_invitations_session_id_intervisie_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_invitations")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_intervisie_invitations_session_id_user_id")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_intervisie_invitations_token")),
    )
    op.create_index(
        op.f("ix_intervisie_invitations_association_id"),
        "intervisie_invitations",
        ["association_id"],
    )
    op.create_index(
        op.f("ix_intervisie_invitations_session_id"), "intervisie_invitations", ["session_id"]
    )
    op.create_index(
        op.f("ix_intervisie_invitations_user_id"), "intervisie_invitations", ["user_id"]
    )
    op.create_table(
        "intervisie_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'missed', 'skipped', 'unreachable')",
            name=op.f("ck_intervisie_reminders_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["intervisie_invitations.id"],
            name=op.f("fk_intervisie_reminders_invitation_id_intervisie_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_reminders")),
        sa.UniqueConstraint(
            "invitation_id",
            "lead",
            "sequence",
            name=op.f("uq_intervisie_reminders_invitation_id_lead_sequence"),
        ),
    )
    op.create_index(op.f("ix_intervisie_reminders_due_at"), "intervisie_reminders", ["due_at"])
    op.create_index(
        op.f("ix_intervisie_reminders_invitation_id"), "intervisie_reminders", ["invitation_id"]
    )
    op.create_table(
        "intervisie_preferences",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "locale IS NULL OR locale IN ('nl', 'en')",
            name=op.f("ck_intervisie_preferences_locale"),
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_intervisie_preferences")),
    )


def downgrade() -> None:
    op.drop_table("intervisie_preferences")
    op.drop_table("intervisie_reminders")
    op.drop_table("intervisie_invitations")
    op.drop_table("intervisie_sessions")
    op.drop_table("intervisie_series")
