"""Alembic, driven from code: the CLI, the bot's start-up check and the tests share it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from vcpbot.db.engine import Database

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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


def alembic_config() -> Config:
    if not (MIGRATIONS_DIR / "env.py").exists():
        raise RuntimeError(
            f"migrations not found at {MIGRATIONS_DIR}; install vcpbot with `pip install -e .`"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def head_revisions() -> tuple[str, ...]:
    heads = tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))
    if not heads:
        raise RuntimeError("no migration revisions found")
    return heads


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    # env.py uses this connection instead of opening its own.
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def upgrade(db: Database, revision: str = "heads") -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(db: Database, revision: str = "base") -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)


async def state(db: Database) -> MigrationState:
    async with db.engine.connect() as conn:
        current = await conn.run_sync(_current)
    return MigrationState(current=current, heads=head_revisions())


def _schema_diff(connection: Connection) -> list[object]:
    from vcpbot.db import models  # noqa: F401 - registers every table on the metadata
    from vcpbot.db.base import Base

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def schema_diff(db: Database) -> list[object]:
    """What autogenerate would still write: empty when models and migrations agree."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_schema_diff)
