"""The reporter's choices: who they are, a call, taken back while unread; reopening.

- ``escalation_messages.kind``: NULL for what someone wrote; otherwise which choice of
  the reporter's the (sealed) message is: identity, contact, anonymous, reopened.
- ``escalation_cases.read_seq``: the highest message seq a handler has been shown in
  Open, so a choice after it can still be taken back (and is really deleted).

Columns are added in place, never by batch mode's copy of a table: on SQLite,
dropping the old ``escalation_cases`` would cascade to every case's messages.

Revision ID: 0018
Revises: 0022
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("identity", "contact", "anonymous", "reopened")
KIND_CHECK = "kind IS NULL OR kind IN (" + ", ".join(repr(v) for v in KINDS) + ")"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE escalation_cases ADD COLUMN read_seq INTEGER")
        op.execute(
            "ALTER TABLE escalation_messages ADD COLUMN kind VARCHAR(10)"
            f" CONSTRAINT ck_escalation_messages_kind CHECK ({KIND_CHECK})"
        )
        return
    op.add_column("escalation_cases", sa.Column("read_seq", sa.Integer(), nullable=True))
    op.add_column("escalation_messages", sa.Column("kind", sa.String(length=10), nullable=True))
    op.create_check_constraint(
        op.f("ck_escalation_messages_kind"), "escalation_messages", KIND_CHECK
    )


def downgrade() -> None:
    """The choices become plain messages of the reporter's: their sealed text stays, and
    what was read or not is forgotten."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_messages_kind"), "escalation_messages", "check")
    # In place (SQLite 3.35 and later), for the reason given above.
    op.execute("ALTER TABLE escalation_messages DROP COLUMN kind")
    op.execute("ALTER TABLE escalation_cases DROP COLUMN read_seq")
