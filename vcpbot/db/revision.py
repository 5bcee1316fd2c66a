"""Which schema revision this code needs and the database is at, without loading Alembic.

The bot refuses to start on a database that is not at the newest migration. Asking
Alembic that question imports it and parses every migration file: about 11 MiB of
resident memory in every bot process, and time at every start, for one string. The
newest revision is a constant here instead; ``tests/db/test_migrations.py`` holds it
equal to the migrations' head, so a new migration without a change here fails the tests.
The CLI's ``vcpbot db`` commands still use Alembic itself (``vcpbot.db.migrate``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from vcpbot.db.engine import Database

HEAD_REVISIONS: tuple[str, ...] = ("0028",)
VERSION_TABLE = "alembic_version"  # Alembic's own bookkeeping table
_CURRENT = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant


@dataclass(frozen=True)
class MigrationState:
    """Where the database is and where the code needs it (features may branch, so sets)."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def head(self) -> str:
        return ", ".join(self.heads)

    def advice(self) -> str:
        if not self.current:
            return "the database has no tables yet; run `vcpbot db upgrade` to create them"
        return (
            f"the database is at revision {', '.join(self.current)}, the code needs "
            f"{self.head}; run `vcpbot db upgrade` (back up the database first)"
        )


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The revisions recorded in the database; none when it was never migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(_CURRENT)
    return tuple(sorted(row[0] for row in rows))


async def schema_state(db: Database) -> MigrationState:
    """The bot's start-up check: the database's revisions against ``HEAD_REVISIONS``."""
    async with db.engine.connect() as conn:
        current = await conn.run_sync(current_revisions)
    return MigrationState(current=current, heads=HEAD_REVISIONS)
