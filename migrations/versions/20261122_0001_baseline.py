"""Baseline: an empty schema under version control.

Every later revision builds on this one, so a database created by any version
of vcpbot can be upgraded in order.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to create: the feature revisions add their tables."""


def downgrade() -> None:
    """Nothing to drop."""
