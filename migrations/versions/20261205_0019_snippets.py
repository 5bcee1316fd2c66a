"""Saved replies, and the reporter's language on a case.

- ``snippets``: a desk's saved replies (the UM team's when ``association_id`` is NULL,
  else that association's VCPs'), a short name and a text in Dutch and in English. Team
  wording, not case data: no case, no person, no Discord id.
- ``escalation_cases.language``: "nl" or "en", the reporter's Discord language at
  submit, so a saved reply starts in it; NULL (every case before this revision) means
  unknown, and the handler chooses. A language, not an identity.

The column is added in place, never by batch mode's copy of the table: on SQLite,
dropping the old ``escalation_cases`` would cascade to every case's messages.

Revision ID: 0019
Revises: 0023
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGE_CHECK = "language IS NULL OR language IN ('nl', 'en')"


def upgrade() -> None:
    op.create_table(
        "snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_snippets_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snippets")),
        sa.UniqueConstraint(
            "association_id", "name_key", name=op.f("uq_snippets_association_id_name_key")
        ),
    )
    op.create_index(op.f("ix_snippets_association_id"), "snippets", ["association_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE escalation_cases ADD COLUMN language VARCHAR(2)"
            f" CONSTRAINT ck_escalation_cases_language CHECK ({LANGUAGE_CHECK})"
        )
    else:
        op.add_column("escalation_cases", sa.Column("language", sa.String(length=2)))
        op.create_check_constraint(
            op.f("ck_escalation_cases_language"), "escalation_cases", LANGUAGE_CHECK
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_cases_language"), "escalation_cases", "check")
    # In place (SQLite 3.35 and later), for the reason given above.
    op.execute("ALTER TABLE escalation_cases DROP COLUMN language")
    op.drop_index(op.f("ix_snippets_association_id"), table_name="snippets")
    op.drop_table("snippets")
