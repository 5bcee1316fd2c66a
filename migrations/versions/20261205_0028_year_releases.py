"""The year pack's release ledger: ``year_releases``.

One new table, nothing else changes. It holds what ``/network year`` first showed of
a year's intervisie attendance (numbers and markers), so every later pack shows the
same; no Discord id, no association, no person.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "year_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("min_contributors", sa.Integer(), nullable=False),
        sa.Column("rounded", sa.Boolean(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_releases")),
        sa.UniqueConstraint("year", "part", name=op.f("uq_year_releases_year_part")),
    )


def downgrade() -> None:
    op.drop_table("year_releases")
