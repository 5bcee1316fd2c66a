"""Escalation delivery: no instants in the outbox, sealed message references, undelivered cases.

- ``escalation_outbox`` loses ``available_at`` and ``lease_until`` (instants next to
  a case id); a lease is the leading worker's token and a retry waits in its memory.
  ``held`` marks a card that goes with the next batch. A new kind,
  ``message_delete``, removes a destroyed case's messages from Discord.
- ``escalation_cards`` becomes ``escalation_posts``: every message the bot posted
  about a case (cards, nudges, pattern notices), its reference sealed with the case
  key because a message id tells the millisecond it was posted. A migration has no
  keys, so existing card references are copied marked as not yet sealed
  (``LEGACY_PREFIX``); the bot seals them at its next daily upkeep.
- ``escalation_cases.undelivered``: why a member case's card could not reach the
  association's VCPs, so its reporter can be told and choose.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_PREFIX = b"unsealed:"
OLD_KINDS = (
    "case_card_create",
    "case_card_update",
    "reply_notice",
    "pattern_signal",
    "overdue_nudge",
)
KINDS = (*OLD_KINDS, "message_delete")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


UNDELIVERED_CHECK = "undelivered IS NULL OR " + _one_of(
    "undelivered", ("route_off", "channel_gone")
)


def upgrade() -> None:
    _add_undelivered()
    op.drop_index(op.f("ix_escalation_outbox_available_at"), table_name="escalation_outbox")
    with op.batch_alter_table("escalation_outbox") as batch:
        batch.drop_column("available_at")
        batch.drop_column("lease_until")
        batch.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(op.f("ck_escalation_outbox_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_escalation_outbox_kind"), _one_of("kind", KINDS))
    with op.batch_alter_table("escalation_outbox") as batch:
        batch.alter_column("held", server_default=None)
    _create_posts()
    cards = sa.table(
        "escalation_cards",
        sa.column("case_id", sa.Integer()),
        sa.column("place", sa.String()),
        sa.column("channel_id", sa.BigInteger()),
        sa.column("message_id", sa.BigInteger()),
    )
    posts = _posts_table()
    connection = op.get_bind()
    for row in connection.execute(sa.select(cards)).all():
        ref = LEGACY_PREFIX + f"{row.channel_id}:{row.message_id}".encode()
        connection.execute(
            sa.insert(posts).values(case_id=row.case_id, kind="card", place=row.place, ref=ref)
        )
    op.drop_table("escalation_cards")


def _add_undelivered() -> None:
    """Added in place, never by batch mode's copy of the table: on SQLite, dropping the old
    ``escalation_cases`` would cascade to every case's messages, outbox rows and cards."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE escalation_cases ADD COLUMN undelivered VARCHAR(16)"
            f" CONSTRAINT ck_escalation_cases_undelivered CHECK ({UNDELIVERED_CHECK})"
        )
        return
    op.add_column("escalation_cases", sa.Column("undelivered", sa.String(length=16)))
    op.create_check_constraint(
        op.f("ck_escalation_cases_undelivered"), "escalation_cases", UNDELIVERED_CHECK
    )


def _create_posts() -> None:
    op.create_table(
        "escalation_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=12), nullable=False),
        sa.Column("ref", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            _one_of("kind", ("card", "nudge", "notice")), name=op.f("ck_escalation_posts_kind")
        ),
        sa.CheckConstraint(
            _one_of("place", ("hub", "association")), name=op.f("ck_escalation_posts_place")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["escalation_cases.id"],
            name=op.f("fk_escalation_posts_case_id_escalation_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_posts")),
    )
    op.create_index(op.f("ix_escalation_posts_case_id"), "escalation_posts", ["case_id"])


def _posts_table() -> sa.TableClause:
    return sa.table(
        "escalation_posts",
        sa.column("id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("place", sa.String()),
        sa.column("ref", sa.LargeBinary()),
    )


def downgrade() -> None:
    """Card references the bot has sealed cannot be read back without the keys: those
    cards are no longer edited after a downgrade. Waiting deletions are dropped."""
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
    cards = sa.table(
        "escalation_cards",
        sa.column("case_id", sa.Integer()),
        sa.column("place", sa.String()),
        sa.column("channel_id", sa.BigInteger()),
        sa.column("message_id", sa.BigInteger()),
    )
    posts = _posts_table()
    connection = op.get_bind()
    for row in connection.execute(sa.select(posts).where(posts.c.kind == "card")).all():
        if row.ref.startswith(LEGACY_PREFIX):
            channel, message = row.ref[len(LEGACY_PREFIX) :].decode().split(":")
            connection.execute(
                sa.insert(cards).values(
                    case_id=row.case_id,
                    place=row.place,
                    channel_id=int(channel),
                    message_id=int(message),
                )
            )
    op.drop_index(op.f("ix_escalation_posts_case_id"), table_name="escalation_posts")
    op.drop_table("escalation_posts")
    op.execute(sa.text("DELETE FROM escalation_outbox WHERE kind = 'message_delete'"))
    with op.batch_alter_table("escalation_outbox") as batch:
        batch.drop_constraint(op.f("ck_escalation_outbox_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_escalation_outbox_kind"), _one_of("kind", OLD_KINDS))
        batch.drop_column("held")
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "available_at",
                UTCDateTime(),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
    op.create_index(
        op.f("ix_escalation_outbox_available_at"), "escalation_outbox", ["available_at"]
    )
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_escalation_cases_undelivered"), "escalation_cases", "check")
    # In place (SQLite 3.35 and later), for the reason given in _add_undelivered.
    op.execute("ALTER TABLE escalation_cases DROP COLUMN undelivered")
