"""Alembic environment for vcpbot (async engines, URL from vcpbot's settings).

When called from vcpbot (CLI, tests) a live connection is passed in
``config.attributes["connection"]`` and used as is; from the plain ``alembic``
command the URL is read from the same settings the bot uses.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from vcpbot.db import models  # noqa: F401 - registers every table on the metadata
from vcpbot.db.base import Base
from vcpbot.db.engine import create_database
from vcpbot.settings import Settings

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    db = create_database(Settings.load().database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_configure)
    finally:
        await db.dispose()


def run_offline() -> None:
    context.configure(
        url=Settings.load().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
