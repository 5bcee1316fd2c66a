"""Announcements to the network (/network announce) and their delivery per association.

- ``associations``: the board's announcements channel and the one role announcements
  may ping (both nullable), and its opt-out (default: not opted out). Added in place,
  never by batch mode's copy of the table: on SQLite, dropping the old ``associations``
  would cascade to every row that names an association (member routes, rules, VCPs).
- ``announcements``: what the coordinator sent (title, Dutch and English text); no
  user id.
- ``announcement_deliveries``: one row per association per announcement: the outbox
  of the leading process, then the delivery report.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("associations", sa.Column("announcements_channel_id", sa.BigInteger()))
    op.add_column("associations", sa.Column("announcements_role_id", sa.BigInteger()))
    op.add_column(
        "associations",
        sa.Column("announcements_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index(op.f("ix_announcements_sent_at"), "announcements", ["sent_at"])
    op.create_table(
        "announcement_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("role_id", sa.BigInteger(), nullable=True),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("delivery_key", sa.String(length=32), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'failed', 'opted_out', 'no_channel')",
            name=op.f("ck_announcement_deliveries_state"),
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_deliveries_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_announcement_deliveries_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_deliveries")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_announcement_deliveries_delivery_key")),
    )
    for column in ("announcement_id", "association_id", "state"):
        op.create_index(
            op.f(f"ix_announcement_deliveries_{column}"), "announcement_deliveries", [column]
        )


def downgrade() -> None:
    """The announcements and their delivery reports are lost, and every board's choice."""
    op.drop_table("announcement_deliveries")
    op.drop_index(op.f("ix_announcements_sent_at"), table_name="announcements")
    op.drop_table("announcements")
    # In place (SQLite 3.35 and later), for the reason given above.
    for column in ("announcements_opt_out", "announcements_role_id", "announcements_channel_id"):
        op.execute(f"ALTER TABLE associations DROP COLUMN {column}")
