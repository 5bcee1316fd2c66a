"""A pooled PostgreSQL connection is pinged only after it sat idle (``vcpbot.db.ping``)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import DatabaseFactory
from vcpbot.db import Database, create_database

POSTGRES_ONLY = pytest.mark.parametrize("databases", ["postgres"], indirect=True)


async def _engine(databases: DatabaseFactory, idle_ping_seconds: float) -> Database:
    url, options, _schema = databases.url()
    return create_database(url, idle_ping_seconds=idle_ping_seconds, **options)


@pytest.fixture
async def admin(databases: DatabaseFactory) -> AsyncIterator[Database]:
    url, options, _schema = databases.url()
    made = create_database(url, isolation_level="AUTOCOMMIT", **options)
    yield made
    await made.dispose()


async def _backend(db: Database) -> int:
    async with db.reading.begin() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(admin: Database, pid: int) -> None:
    async with admin.engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _count_pings(db: Database) -> list[int]:
    pings: list[int] = []
    dialect = db.engine.sync_engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(1)
        return real(dbapi_connection)

    dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


@POSTGRES_ONLY
async def test_a_connection_in_use_is_not_pinged(databases: DatabaseFactory) -> None:
    db = await _engine(databases, idle_ping_seconds=60)
    try:
        pings = _count_pings(db)
        first = await _backend(db)
        for _ in range(5):
            assert await _backend(db) == first  # the same pooled connection, reused
        assert pings == []
    finally:
        await db.dispose()


@POSTGRES_ONLY
async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    databases: DatabaseFactory, admin: Database
) -> None:
    db = await _engine(databases, idle_ping_seconds=0)  # every connection counts as idle
    try:
        pings = _count_pings(db)
        dropped = await _backend(db)
        await _terminate(admin, dropped)  # as a server restart or a firewall would
        again = await _backend(db)  # no error: the ping found it dead, the pool reconnected
        assert again != dropped
        assert pings
    finally:
        await db.dispose()


@POSTGRES_ONLY
async def test_a_connection_dropped_while_in_use_costs_one_statement_then_recovers(
    databases: DatabaseFactory, admin: Database
) -> None:
    # What ping_when_idle gives up (its docstring): within the window, the first
    # statement on a dropped connection fails; the pool then starts afresh.
    db = await _engine(databases, idle_ping_seconds=60)
    try:
        dropped = await _backend(db)
        await _terminate(admin, dropped)
        with pytest.raises(DBAPIError):  # "connection is closed", or mid-protocol
            await _backend(db)
        assert await _backend(db) != dropped
    finally:
        await db.dispose()
