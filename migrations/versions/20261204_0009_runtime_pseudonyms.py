"""Escalation: pseudonyms and DM links move to the runtime key; drop what the stored keys open.

Before, the rate-limit counters and the block list held pseudonyms keyed by the
index key, each case's reporter tag held them sealed with the case key, and an
opt-in DM link held the reporter's user id sealed with the case key: whoever had
the database and the stored keys could recompute or open all of them and name
reporters. From now on these are keyed by the runtime key, which is never stored
(``vcpbot.runtime_key``), and the old values cannot be converted (that would
need the user ids they hide). So, once:

- counters: deleted (today's limits start again);
- blocks: deleted (a blocked sender can start cases again; the team can block
  them anew from their next case);
- reporter tags: emptied (older cases count as another reporter's for pattern
  notices and can no longer be blocked from);
- DM links, on cases and on waiting notices: emptied, not removed, so ``/case``
  tells the reporter their notices stopped and they can turn them on again.

The schema does not change. Old values stay in backups, SQLite's WAL until the
next checkpoint, and PostgreSQL's dead tuples until VACUUM (docs/operator.md,
"Upgrading").

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMPTY = sa.bindparam("empty", b"", type_=sa.LargeBinary())


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM escalation_counters"))
    op.execute(sa.text("DELETE FROM escalation_blocks"))
    op.execute(sa.text("UPDATE escalation_cases SET reporter_tag = :empty").bindparams(_EMPTY))
    for table in ("escalation_cases", "escalation_outbox"):
        op.execute(
            sa.text(
                f"UPDATE {table} SET dm_link = :empty WHERE dm_link IS NOT NULL"  # noqa: S608
            ).bindparams(_EMPTY)
        )


def downgrade() -> None:
    # Nothing to restore: the old values are gone by design, and empty ones are valid.
    pass
