"""Intervisie templates: a session's title, length, place and agenda under a name.

One new table, nothing else changes. It holds the coordinator's own text and no
Discord id, date or answer.

Revision ID: 0025
Revises: 0027
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intervisie_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location_kind", sa.String(length=8), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_intervisie_templates_duration")),
        sa.CheckConstraint(
            "location_kind IN ('room', 'online')",
            name=op.f("ck_intervisie_templates_location_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervisie_templates")),
        sa.UniqueConstraint("name_key", name=op.f("uq_intervisie_templates_name_key")),
    )


def downgrade() -> None:
    """Saved templates are lost; sessions planned from them are untouched."""
    op.drop_table("intervisie_templates")
