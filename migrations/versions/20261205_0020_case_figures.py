"""The team's yearly figures: durations that outlive a case, and their release ledger.

- ``escalation_durations``: how many closed cases took so many whole days to be
  acknowledged (``ack``) and to be closed (``close``), per quarter the case was
  reported in and route. No case id, no association: like ``escalation_counts``, it
  stays after retention deletes the case. Backfilled here from the closed cases still
  in the database (the ones already purged are gone; their counts remain, their
  durations were never kept).
- ``escalation_releases``: what ``/cases report`` showed for a year, one row per
  breakdown, so a figure released once is released the same way again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    durations = op.create_table(
        "escalation_durations",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("route", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("days", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "measure IN ('ack', 'close')", name=op.f("ck_escalation_durations_measure")
        ),
        sa.CheckConstraint("days >= 0", name=op.f("ck_escalation_durations_days_not_negative")),
        sa.PrimaryKeyConstraint(
            "period", "route", "measure", "days", name=op.f("pk_escalation_durations")
        ),
    )
    op.create_table(
        "escalation_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("breakdown", sa.String(length=16), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("min_contributors", sa.Integer(), nullable=False),
        sa.Column("rounded", sa.Boolean(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_releases")),
        sa.UniqueConstraint(
            "year", "breakdown", name=op.f("uq_escalation_releases_year_breakdown")
        ),
    )
    rows = [
        {"period": p, "route": r, "measure": m, "days": d, "count": n}
        for (p, r, m, d), n in sorted(_closed_durations().items())
    ]
    if rows:
        op.bulk_insert(durations, rows)


def _closed_durations() -> Counter[tuple[str, str, str, int]]:
    """The durations of the closed cases still stored, as the close would have counted them."""
    cases = sa.table(
        "escalation_cases",
        sa.column("route", sa.String()),
        sa.column("created_on", sa.Date()),
        sa.column("acknowledged_on", sa.Date()),
        sa.column("closed_on", sa.Date()),
    )
    found: Counter[tuple[str, str, str, int]] = Counter()
    result = op.get_bind().execute(
        sa.select(
            cases.c.route, cases.c.created_on, cases.c.acknowledged_on, cases.c.closed_on
        ).where(cases.c.closed_on.is_not(None))
    )
    for route, created, acknowledged, closed in result:
        period = _quarter(created)
        if acknowledged is not None and acknowledged >= created:
            found[(period, route, "ack", (acknowledged - created).days)] += 1
        if closed >= created:
            found[(period, route, "close", (closed - created).days)] += 1
    return found


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def downgrade() -> None:
    """The durations and the ledger of yearly figures are lost; the counts stay."""
    op.drop_table("escalation_releases")
    op.drop_table("escalation_durations")
