"""Evidence: files a reporter adds to their case, sealed with the case key.

- ``escalation_evidence``: one row per file; name, type and bytes sealed (AES-GCM under
  the case's own key, bound to the case, the conversation line and the file's place), no
  Discord id and no link. Deleted with its case (foreign key ``ON DELETE CASCADE``, and
  explicitly by the retention purge). A new table: nothing existing is rewritten.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_evidence",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_evidence_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", "position", name=op.f("pk_escalation_evidence")),
    )


def downgrade() -> None:
    """The files reporters added are lost; their conversation lines stay."""
    op.drop_table("escalation_evidence")
