"""Personal reminder lead times: each VCP may choose which reminders they get.

- ``intervisie_preferences.reminder_leads``: the lead times the person chose, as ISO
  8601 codes separated by commas ("PT24H,PT1H"), "" for none; NULL until they choose,
  and then they get the configured ``reminder_leads`` as before. Nothing else refers
  to this table, so SQLite's batch mode may rebuild it safely. The row is the
  person's (keyed by their Discord id) and the privacy eraser deletes it whole.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intervisie_preferences") as batch:
        batch.add_column(sa.Column("reminder_leads", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """A personal choice is lost; everyone gets the configured reminders again."""
    with op.batch_alter_table("intervisie_preferences") as batch:
        batch.drop_column("reminder_leads")
