"""The reporter decides: a member's consent before their case goes to the UM team, and
notices that say only "you have a new message" unless the reporter asks for more.

- ``escalation_cases.consent``: the member's say (asked, declined, withdrawn, yes,
  without_words, urgent); ``consent_summary``: the summary a waiting question shows
  them, sealed with the case key.
- ``summary_seq`` and ``reason_seq``: which messages are the forwarding VCP's summary
  and, for acute danger, their reason. ``forward_seq`` keeps saying from which message
  the team reads (1 when the member agreed to share everything). A case forwarded
  before this revision keeps what the team read; its summary is its ``forward_seq``.
- ``notice_detail``: the reporter asked for notices that name the kind of news.

Columns are added in place, never by batch mode's copy of the table: on SQLite,
dropping the old ``escalation_cases`` would cascade to every case's messages.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSENT = ("asked", "declined", "withdrawn", "yes", "without_words", "urgent")
CONSENT_CHECK = "consent IS NULL OR consent IN (" + ", ".join(repr(v) for v in CONSENT) + ")"
PLAIN = (
    ("summary_seq", "INTEGER", sa.Integer()),
    ("reason_seq", "INTEGER", sa.Integer()),
    ("consent_summary", "BLOB", sa.LargeBinary()),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, sqlite_type, column_type in PLAIN:
        if sqlite:
            op.execute(f"ALTER TABLE escalation_cases ADD COLUMN {name} {sqlite_type}")
        else:
            op.add_column("escalation_cases", sa.Column(name, column_type, nullable=True))
    if sqlite:
        op.execute(
            "ALTER TABLE escalation_cases ADD COLUMN consent VARCHAR(16)"
            f" CONSTRAINT ck_escalation_cases_consent CHECK ({CONSENT_CHECK})"
        )
        op.execute(
            "ALTER TABLE escalation_cases ADD COLUMN notice_detail BOOLEAN NOT NULL DEFAULT 0"
        )
    else:
        op.add_column("escalation_cases", sa.Column("consent", sa.String(length=16)))
        op.create_check_constraint(
            op.f("ck_escalation_cases_consent"), "escalation_cases", CONSENT_CHECK
        )
        op.add_column(
            "escalation_cases",
            sa.Column("notice_detail", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
        op.alter_column("escalation_cases", "notice_detail", server_default=None)
    op.execute(
        "UPDATE escalation_cases SET summary_seq = forward_seq WHERE forward_seq IS NOT NULL"
    )


def downgrade() -> None:
    """Before this revision the team read from the summary on: a case the member let go
    whole, or that went for acute danger, is read from the summary on again. Questions
    still waiting are dropped with their summaries."""
    op.execute(
        "UPDATE escalation_cases SET forward_seq = summary_seq WHERE summary_seq IS NOT NULL"
    )
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_cases_consent"), "escalation_cases", "check")
    # In place (SQLite 3.35 and later), for the reason given above.
    for name in ("notice_detail", "consent", "consent_summary", "reason_seq", "summary_seq"):
        op.execute(f"ALTER TABLE escalation_cases DROP COLUMN {name}")
