"""Intervisie reminders: a claim is a lease, and every reminder DM carries its own token.

``claimed_at`` and ``lease_until`` record who may send a reminder right now; a
claim whose lease ran out without an outcome is in doubt and is settled by
looking for the DM. ``token`` is the opaque part of the reminder's buttons, by
which that DM is recognised. Existing rows get a fresh random token; those
already sent count as claimed when they were sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REMINDERS = sa.table(
    "intervisie_reminders",
    sa.column("id", sa.Integer()),
    sa.column("token", sa.String(32)),
    sa.column("claimed_at", UTCDateTime()),
    sa.column("sent_at", UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("intervisie_reminders") as batch:
        batch.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("token", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(_REMINDERS.c.id)).scalars().all()
    for reminder_id in ids:
        connection.execute(
            sa.update(_REMINDERS)
            .where(_REMINDERS.c.id == reminder_id)
            .values(token=secrets.token_urlsafe(16))
        )
    connection.execute(
        sa.update(_REMINDERS)
        .where(_REMINDERS.c.sent_at.is_not(None))
        .values(claimed_at=_REMINDERS.c.sent_at)
    )
    with op.batch_alter_table("intervisie_reminders") as batch:
        batch.alter_column("token", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(op.f("uq_intervisie_reminders_token"), ["token"])


def downgrade() -> None:
    with op.batch_alter_table("intervisie_reminders") as batch:
        batch.drop_constraint(op.f("uq_intervisie_reminders_token"), type_="unique")
        batch.drop_column("token")
        batch.drop_column("lease_until")
        batch.drop_column("claimed_at")
