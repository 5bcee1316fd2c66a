"""KMTM reporting: periods, member counts, three counter tables, the release ledger.

Aggregate only: no row per contact and no timestamp in any of these tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "sexual_physical",
    "sexual_nonphysical",
    "stalking",
    "unfair_treatment",
    "unprofessional",
    "aggression_physical",
    "aggression_nonphysical",
    "bullying",
    "discrimination",
    "intimidation",
    "improper",
    "advice",
)
RELATIONS = ("student", "staff_academic", "staff_support", "staff_unknown", "civilian", "unknown")
FOLLOW_UPS = (
    "listening_ear",
    "referred_um_team",
    "referred_inside_um",
    "referred_outside_um",
    "nothing_yet",
)
DIMENSIONS = ("category", "relation", "follow_up", "association", "year")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _counter_table(name: str, values: Sequence[str]) -> None:
    op.create_table(
        name,
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f(f"ck_{name}_count_not_negative")),
        sa.CheckConstraint(_one_of("value", values), name=op.f(f"ck_{name}_value")),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f(f"fk_{name}_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["kmtm_periods.id"],
            name=op.f(f"fk_{name}_period_id_kmtm_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period_id", "association_id", "value", name=op.f(f"pk_{name}")),
        # No rowid on SQLite: it would keep the order in which counters were first used.
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    op.create_table(
        "kmtm_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_kmtm_periods_dates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kmtm_periods")),
        sa.UniqueConstraint("name", name=op.f("uq_kmtm_periods_name")),
    )
    op.create_table(
        "kmtm_members",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.CheckConstraint("members > 0", name=op.f("ck_kmtm_members_members_positive")),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_kmtm_members_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["kmtm_periods.id"],
            name=op.f("fk_kmtm_members_period_id_kmtm_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period_id", "association_id", name=op.f("pk_kmtm_members")),
    )
    _counter_table("kmtm_by_category", CATEGORIES)
    _counter_table("kmtm_by_relation", RELATIONS)
    _counter_table("kmtm_by_follow_up", FOLLOW_UPS)
    op.create_table(
        "kmtm_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("min_contributors", sa.Integer(), nullable=False),
        sa.Column("rounded", sa.Boolean(), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            _one_of("dimension", DIMENSIONS), name=op.f("ck_kmtm_releases_dimension")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["kmtm_periods.id"],
            name=op.f("fk_kmtm_releases_period_id_kmtm_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kmtm_releases")),
        sa.UniqueConstraint(
            "period_id", "dimension", name=op.f("uq_kmtm_releases_period_id_dimension")
        ),
    )


def downgrade() -> None:
    op.drop_table("kmtm_releases")
    op.drop_table("kmtm_by_follow_up")
    op.drop_table("kmtm_by_relation")
    op.drop_table("kmtm_by_category")
    op.drop_table("kmtm_members")
    op.drop_table("kmtm_periods")
