"""The handlers' desk: internal notes, a read log, and who has taken a case.

- ``escalation_desk_entries``: a desk's (the UM team's, or an association's VCPs')
  internal notes and read log on a case; everything in ``body`` is sealed with the
  case key. Deleted with the case (FK cascade).
- ``escalation_cases.claim_desk``: which desk has taken the case (NULL: nobody);
  ``claim``: who, sealed with the case key.
- ``escalation_cases.undelivered`` may also say ``no_vcps``: the association has no
  registered VCP left, and the member chooses whether the UM team gets the case.

The case columns are added in place, never by batch mode's copy of the table: on
SQLite, dropping the old ``escalation_cases`` would cascade to every case's messages.

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DESKS = ("team", "vcps")
KINDS = ("note", "read")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CLAIM_CHECK = f"claim_desk IS NULL OR {_one_of('claim_desk', DESKS)}"
OLD_UNDELIVERED = ("route_off", "channel_gone")
NEW_UNDELIVERED = (*OLD_UNDELIVERED, "no_vcps")


def _undelivered_check(values: tuple[str, ...]) -> str:
    return f"undelivered IS NULL OR {_one_of('undelivered', values)}"


def _set_undelivered(values: tuple[str, ...]) -> None:
    """A new CHECK for ``undelivered``. On SQLite the column is dropped and added again
    with its values kept in a spare column: in place, never by a copy of the table."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_cases_undelivered"), "escalation_cases", "check")
        op.create_check_constraint(
            op.f("ck_escalation_cases_undelivered"), "escalation_cases", _undelivered_check(values)
        )
        return
    op.execute("ALTER TABLE escalation_cases ADD COLUMN undelivered_kept VARCHAR(16)")
    op.execute("UPDATE escalation_cases SET undelivered_kept = undelivered")
    op.execute("ALTER TABLE escalation_cases DROP COLUMN undelivered")
    op.execute(
        "ALTER TABLE escalation_cases ADD COLUMN undelivered VARCHAR(16)"
        f" CONSTRAINT ck_escalation_cases_undelivered CHECK ({_undelivered_check(values)})"
    )
    op.execute("UPDATE escalation_cases SET undelivered = undelivered_kept")
    op.execute("ALTER TABLE escalation_cases DROP COLUMN undelivered_kept")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE escalation_cases ADD COLUMN claim_desk VARCHAR(8)"
            f" CONSTRAINT ck_escalation_cases_claim_desk CHECK ({CLAIM_CHECK})"
        )
        op.execute("ALTER TABLE escalation_cases ADD COLUMN claim BLOB")
    else:
        op.add_column("escalation_cases", sa.Column("claim_desk", sa.String(length=8)))
        op.create_check_constraint(
            op.f("ck_escalation_cases_claim_desk"), "escalation_cases", CLAIM_CHECK
        )
        op.add_column("escalation_cases", sa.Column("claim", sa.LargeBinary()))
    _set_undelivered(NEW_UNDELIVERED)
    op.create_table(
        "escalation_desk_entries",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("desk", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(_one_of("desk", DESKS), name=op.f("ck_escalation_desk_entries_desk")),
        sa.CheckConstraint(_one_of("kind", KINDS), name=op.f("ck_escalation_desk_entries_kind")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_desk_entries_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "desk", "kind", "seq", name=op.f("pk_escalation_desk_entries")
        ),
    )


def downgrade() -> None:
    """A case waiting because its association had no VCP left waits as if the route
    had been switched off (the nearest reason the older code knows)."""
    op.drop_table("escalation_desk_entries")
    op.execute(
        "UPDATE escalation_cases SET undelivered = 'route_off' WHERE undelivered = 'no_vcps'"
    )
    _set_undelivered(OLD_UNDELIVERED)
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_cases_claim_desk"), "escalation_cases", "check")
    # In place (SQLite 3.35 and later), for the reason given above.
    for name in ("claim", "claim_desk"):
        op.execute(f"ALTER TABLE escalation_cases DROP COLUMN {name}")
