"""A person's language, kept once per person instead of per intervisie invitation.

``user_languages`` holds the language the bot last saw each person it may write
to use (nl or en), with no time. The language intervisie kept in its
preferences (from the last button press) moves there; the per-invitation
language goes: direct messages now follow the person, not the invitation.

On SQLite, batch mode rebuilds ``intervisie_invitations`` by dropping the old
table, and with foreign keys on that drop cascades to ``intervisie_reminders``;
the reminders are kept aside in a temporary table and put back.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREFERENCES = sa.table(
    "intervisie_preferences",
    sa.column("user_id", sa.BigInteger()),
    sa.column("locale", sa.String(2)),
)
_LANGUAGES = sa.table(
    "user_languages",
    sa.column("user_id", sa.BigInteger()),
    sa.column("locale", sa.String(2)),
)
_INVITATIONS = sa.table(
    "intervisie_invitations",
    sa.column("user_id", sa.BigInteger()),
    sa.column("locale", sa.String(2)),
)


def _keep_reminders() -> bool:
    if op.get_bind().dialect.name != "sqlite":
        return False
    op.execute("CREATE TEMP TABLE _kept_reminders AS SELECT * FROM intervisie_reminders")
    return True


def _restore_reminders(kept: bool) -> None:
    if kept:
        op.execute("DELETE FROM intervisie_reminders")
        op.execute("INSERT INTO intervisie_reminders SELECT * FROM _kept_reminders")
        op.execute("DROP TABLE _kept_reminders")


def upgrade() -> None:
    op.create_table(
        "user_languages",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.CheckConstraint("locale IN ('nl', 'en')", name=op.f("ck_user_languages_locale")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_languages")),
    )
    op.execute(
        _LANGUAGES.insert().from_select(
            ["user_id", "locale"],
            sa.select(_PREFERENCES.c.user_id, _PREFERENCES.c.locale).where(
                _PREFERENCES.c.locale.is_not(None)
            ),
        )
    )
    with op.batch_alter_table("intervisie_preferences") as batch:
        batch.drop_constraint(op.f("ck_intervisie_preferences_locale"), type_="check")
        batch.drop_column("locale")
    kept = _keep_reminders()
    with op.batch_alter_table("intervisie_invitations") as batch:
        batch.drop_constraint(op.f("ck_intervisie_invitations_locale"), type_="check")
        batch.drop_column("locale")
    _restore_reminders(kept)


def downgrade() -> None:
    kept = _keep_reminders()
    with op.batch_alter_table("intervisie_invitations") as batch:
        batch.add_column(
            sa.Column("locale", sa.String(length=2), nullable=False, server_default="nl")
        )
        batch.create_check_constraint(
            op.f("ck_intervisie_invitations_locale"), "locale IN ('nl', 'en')"
        )
    with op.batch_alter_table("intervisie_invitations") as batch:
        batch.alter_column("locale", existing_type=sa.String(length=2), server_default=None)
    _restore_reminders(kept)
    with op.batch_alter_table("intervisie_preferences") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=2), nullable=True))
        batch.create_check_constraint(
            op.f("ck_intervisie_preferences_locale"), "locale IS NULL OR locale IN ('nl', 'en')"
        )
    known = sa.select(_LANGUAGES.c.locale).where(_LANGUAGES.c.user_id == _PREFERENCES.c.user_id)
    op.execute(_PREFERENCES.update().values(locale=known.scalar_subquery()))
    op.execute(
        _INVITATIONS.update()
        .where(
            sa.exists().where(
                (_LANGUAGES.c.user_id == _INVITATIONS.c.user_id) & (_LANGUAGES.c.locale == "en")
            )
        )
        .values(locale="en")
    )
    op.drop_table("user_languages")
