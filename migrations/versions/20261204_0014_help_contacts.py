"""An association's own contact for /help, set by its board: a short text in Dutch and
English and an optional link. The association's, not a person's: no user id.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vcpbot.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "help_contacts",
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("text_nl", sa.String(length=400), nullable=False),
        sa.Column("text_en", sa.String(length=400), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["associations.id"],
            name=op.f("fk_help_contacts_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("association_id", name=op.f("pk_help_contacts")),
    )


def downgrade() -> None:
    op.drop_table("help_contacts")
