"""A test's database at head without running alembic for every test.

Alembic takes most of a second to bring an empty database to head (it reads every
revision file, and SQLite's batch mode rebuilds tables), more than starting the bot
does, and nearly every test wants such a database. So the suite migrates once per
process and backend, with the real ``upgrade``, and gives each test a copy:

- SQLite: the migrated file, copied byte for byte to the test's own path;
- PostgreSQL: each test has its own schema (``search_path``); the statements alembic
  sent while it migrated an empty schema are sent again, in order and in one
  transaction, into the test's schema.

tests/db/test_migrated_copies.py holds every copy to what alembic makes. Tests about
migrations themselves keep calling ``upgrade``.
"""

from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from vcpbot.db import Database, create_database
from vcpbot.db.migrate import upgrade


@dataclass(frozen=True)
class _Statement:
    """One statement alembic sent, as the driver got it."""

    sql: str
    parameters: Any
    many: bool


# What was migrated once in this process: the SQLite file, and per PostgreSQL server
# the statements that took an empty schema to head.
_sqlite_head: list[Path] = []
_postgres_heads: dict[str, list[_Statement]] = {}


async def to_head(db: Database) -> None:
    """Bring ``db``, empty and not yet opened, to head as ``upgrade`` would."""
    if db.is_sqlite:
        await _copy_sqlite_head(db)
    else:
        await _replay_postgres_head(db)


async def _copy_sqlite_head(db: Database) -> None:
    target = db.engine.url.database
    if not target or target == ":memory:":
        await upgrade(db)
        return
    if not _sqlite_head:
        _sqlite_head.append(await _migrate_sqlite_once())
    _copy_new(_sqlite_head[0], Path(target))


def _copy_new(source: Path, target: Path) -> None:
    if target.exists():
        raise RuntimeError(f"{target} exists already: a copy at head needs a new file")
    shutil.copyfile(source, target)


async def _migrate_sqlite_once() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="vcpbot-head-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "head.db"
    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    _check_alone(path)
    return path


def _check_alone(path: Path) -> None:
    """The last connection's close checkpoints the WAL: the file alone is the database."""
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    if leftovers:
        raise RuntimeError(f"migrating the SQLite copy left {leftovers} beside the file")


async def _replay_postgres_head(db: Database) -> None:
    # Statements name no schema or database: one recording serves every database of a
    # server, whether a test has a schema of its own or a whole database.
    server = db.engine.url.set(database="").render_as_string(hide_password=False)
    if server not in _postgres_heads:
        url = db.engine.url.render_as_string(hide_password=False)
        _postgres_heads[server] = await _record_postgres_upgrade(url)
    async with db.engine.connect() as conn:
        # asyncpg prepares every statement it is given with parameters; the DDL has none,
        # and as one script it is one round trip instead of two for each statement.
        driver = (await conn.get_raw_connection()).driver_connection
        async with driver.transaction():
            for step in _steps(_postgres_heads[server]):
                if isinstance(step, str):
                    await driver.execute(step)
                elif step.many:
                    await driver.executemany(step.sql, step.parameters)
                else:
                    await driver.execute(step.sql, *step.parameters)


def _steps(statements: list[_Statement]) -> Iterator[str | _Statement]:
    """Each run of statements without parameters as one script; the others one by one."""
    script: list[str] = []
    for statement in statements:
        if not statement.parameters:
            script.append(statement.sql)
            continue
        if script:
            yield ";\n".join(script)
            script = []
        yield statement
    if script:
        yield ";\n".join(script)


async def _record_postgres_upgrade(server: str) -> list[_Statement]:
    """The statements ``upgrade`` sends to take an empty schema to head."""
    schema = f"t_head_{secrets.token_hex(6)}"
    admin = create_database(server)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = create_database(server, connect_args={"server_settings": {"search_path": schema}})
    recorded: list[_Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, _c: Any, many: bool) -> None:
        recorded.append(_Statement(sql, parameters, many))

    try:
        async with db.engine.connect():  # the dialect's own first queries stay out
            pass
        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        await upgrade(db)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
    named = [s.sql for s in recorded if schema in s.sql or schema in repr(s.parameters)]
    if named:
        raise RuntimeError(f"a migration names its schema, so it cannot be replayed: {named[0]}")
    return recorded
