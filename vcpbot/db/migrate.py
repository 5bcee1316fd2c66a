"""Alembic, driven from code: the CLI, backups and the tests share it.

The bot's own start-up check does not load Alembic (``vcpbot.db.revision``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from vcpbot.db.engine import Database
from vcpbot.db.revision import MigrationState

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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
