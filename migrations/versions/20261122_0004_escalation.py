"""Anonymous escalation: sealed cases and messages, cards, outbox, blocks, counters, counts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
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
OUTCOMES = (
    "advice_given",
    "referred_internally",
    "referred_externally",
    "complaint_supported",
    "no_further_action",
    "out_of_scope",
    "closed_by_reporter",
)
OUTBOX_KINDS = (
    "case_card_create",
    "case_card_update",
    "reply_notice",
    "pattern_signal",
    "overdue_nudge",
)


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "escalation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("card_token", sa.String(length=24), nullable=False),
        sa.Column("route", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("association_shown", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("forwarded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("ack_due", UTCDateTime(), nullable=True),
        sa.Column("nudged", sa.Boolean(), nullable=False),
        sa.Column("pattern_signalled", sa.Boolean(), nullable=False),
        sa.Column("forward_seq", sa.Integer(), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=128), nullable=False),
        sa.Column("receipt_index", sa.String(length=64), nullable=False),
        sa.Column("reporter_tag", sa.LargeBinary(), nullable=False),
        sa.Column("dm_link", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            _one_of("route", ("vcp", "member")), name=op.f("ck_escalation_cases_route")
        ),
        sa.CheckConstraint(
            _one_of("category", CATEGORIES), name=op.f("ck_escalation_cases_category")
        ),
        sa.CheckConstraint(
            _one_of("urgency", ("routine", "soon", "urgent")),
            name=op.f("ck_escalation_cases_urgency"),
        ),
        sa.CheckConstraint(
            _one_of("status", ("new", "acknowledged", "forwarded", "closed")),
            name=op.f("ck_escalation_cases_status"),
        ),
        sa.CheckConstraint(
            f"outcome IS NULL OR {_one_of('outcome', OUTCOMES)}",
            name=op.f("ck_escalation_cases_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_escalation_cases_association_id_associations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_cases")),
        sa.UniqueConstraint("code", name=op.f("uq_escalation_cases_code")),
        sa.UniqueConstraint("card_token", name=op.f("uq_escalation_cases_card_token")),
        sa.UniqueConstraint("receipt_index", name=op.f("uq_escalation_cases_receipt_index")),
    )
    op.create_index(
        op.f("ix_escalation_cases_association_id"), "escalation_cases", ["association_id"]
    )
    op.create_index(op.f("ix_escalation_cases_status"), "escalation_cases", ["status"])
    op.create_index(op.f("ix_escalation_cases_closed_on"), "escalation_cases", ["closed_on"])

    op.create_table(
        "escalation_messages",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            _one_of("author", ("reporter", "vcp", "team")),
            name=op.f("ck_escalation_messages_author"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_messages_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_escalation_messages")),
    )

    op.create_table(
        "escalation_cards",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=12), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            _one_of("place", ("hub", "association")), name=op.f("ck_escalation_cards_place")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_cards_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "place", name=op.f("pk_escalation_cards")),
    )

    op.create_table(
        "escalation_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("place", sa.String(length=12), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("delivery_key", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("dm_link", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(_one_of("kind", OUTBOX_KINDS), name=op.f("ck_escalation_outbox_kind")),
        sa.CheckConstraint(
            _one_of("place", ("hub", "association", "dm")), name=op.f("ck_escalation_outbox_place")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_outbox_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_outbox")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_escalation_outbox_delivery_key")),
    )
    op.create_index(op.f("ix_escalation_outbox_case_id"), "escalation_outbox", ["case_id"])
    op.create_index(
        op.f("ix_escalation_outbox_available_at"), "escalation_outbox", ["available_at"]
    )

    op.create_table(
        "escalation_blocks",
        sa.Column("pseudonym", sa.String(length=32), nullable=False),
        sa.Column("semester", sa.String(length=8), nullable=False),
        sa.Column("blocked_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_escalation_blocks")),
    )
    op.create_index(op.f("ix_escalation_blocks_semester"), "escalation_blocks", ["semester"])

    op.create_table(
        "escalation_counters",
        sa.Column("pseudonym", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('submit', 'miss')", name=op.f("ck_escalation_counters_kind")),
        sa.PrimaryKeyConstraint("pseudonym", "kind", "day", name=op.f("pk_escalation_counters")),
    )

    op.create_table(
        "escalation_counts",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("route", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "route", "category", "urgency", "outcome", name=op.f("pk_escalation_counts")
        ),
    )

    op.create_table(
        "escalation_member_routes",
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_escalation_member_routes_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("association_id", name=op.f("pk_escalation_member_routes")),
    )


def downgrade() -> None:
    op.drop_table("escalation_member_routes")
    op.drop_table("escalation_counts")
    op.drop_table("escalation_counters")
    op.drop_index(op.f("ix_escalation_blocks_semester"), table_name="escalation_blocks")
    op.drop_table("escalation_blocks")
    op.drop_index(op.f("ix_escalation_outbox_available_at"), table_name="escalation_outbox")
    op.drop_index(op.f("ix_escalation_outbox_case_id"), table_name="escalation_outbox")
    op.drop_table("escalation_outbox")
    op.drop_table("escalation_cards")
    op.drop_table("escalation_messages")
    op.drop_index(op.f("ix_escalation_cases_closed_on"), table_name="escalation_cases")
    op.drop_index(op.f("ix_escalation_cases_status"), table_name="escalation_cases")
    op.drop_index(op.f("ix_escalation_cases_association_id"), table_name="escalation_cases")
    op.drop_table("escalation_cases")
