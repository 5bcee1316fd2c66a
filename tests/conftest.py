"""Fixtures shared by the whole suite.

Database tests run on SQLite always and on PostgreSQL when
``VCPBOT_TEST_DATABASE_URL`` names a server (CI sets it and also
``VCPBOT_TEST_REQUIRE_POSTGRES``, which turns a missing server into an error
instead of a skip). Each PostgreSQL test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.helpers.bytecode import keep_bytecode_outside_the_tree
from tests.helpers.migrated import to_head
from vcpbot.db import Database, create_database

keep_bytecode_outside_the_tree()

POSTGRES_URL = os.environ.get("VCPBOT_TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("VCPBOT_TEST_REQUIRE_POSTGRES") == "1"


def _postgres_url() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if REQUIRE_POSTGRES:
        pytest.fail("VCPBOT_TEST_REQUIRE_POSTGRES is set but VCPBOT_TEST_DATABASE_URL is not")
    pytest.skip("PostgreSQL not configured: set VCPBOT_TEST_DATABASE_URL (see .ci/postgres.sh)")
    raise AssertionError("unreachable")


class DatabaseFactory:
    """Creates empty databases of one kind; tests that restart or migrate need several."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self._created: list[tuple[Database, str | None]] = []
        self._databases: list[str] = []

    def url(self, name: str = "vcpbot") -> tuple[str, dict[str, object], str | None]:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp_path / name}.db", {}, None
        schema = f"t_{secrets.token_hex(6)}"
        options = {"connect_args": {"server_settings": {"search_path": schema}}}
        return _postgres_url(), options, schema

    async def create(self, name: str = "vcpbot") -> Database:
        url, options, schema = self.url(name)
        if schema is not None:
            admin = create_database(url)
            async with admin.engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
        db = create_database(url, **options)
        self._created.append((db, schema))
        return db

    async def create_migrated(self, name: str = "vcpbot") -> Database:
        """A database at head, as ``vcpbot db upgrade`` leaves it: a copy of one migrated
        once per process (tests/helpers/migrated.py), for tests that are not about
        migrating."""
        db = await self.create(name)
        await to_head(db)
        return db

    async def create_url(self) -> str:
        """A URL for a whole empty database, for code that opens its own engine (the CLI)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp_path / secrets.token_hex(4)}.db"
        name = f"vcpbot_t_{secrets.token_hex(6)}"
        admin = create_database(_postgres_url(), isolation_level="AUTOCOMMIT")
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        self._databases.append(name)
        return str(make_url(_postgres_url()).set(database=name).render_as_string(False))

    async def close(self) -> None:
        if self._databases:
            admin = create_database(_postgres_url(), isolation_level="AUTOCOMMIT")
            async with admin.engine.connect() as conn:
                for name in self._databases:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
        for db, schema in self._created:
            await db.dispose()
            if schema is not None:
                admin = create_database(str(db.engine.url.render_as_string(hide_password=False)))
                async with admin.engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(request.param, tmp_path)
    if request.param == "postgres":
        _postgres_url()
    yield factory
    await factory.close()


@pytest.fixture
async def empty_db(databases: DatabaseFactory) -> Database:
    """A database with no tables, on each backend."""
    return await databases.create()


@pytest.fixture
async def db(empty_db: Database) -> Database:
    """A database migrated to head, on each backend."""
    await to_head(empty_db)
    return empty_db


@pytest.fixture(autouse=True)
def collectable() -> Iterator[None]:
    """A ready bot freezes what exists (``vcpbot.collector``); in this one long process
    every test's bot would stay frozen, so each test gives it back to the collector."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """A command that configures logging (`vcpbot run`, `vcpbot check`) points the root
    logger at the test's captured stderr; put it back, so that the next test does not
    write to a closed capture."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
