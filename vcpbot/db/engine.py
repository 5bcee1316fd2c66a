"""Engine and session factory.

One ``AsyncSession`` per interaction or job, opened with ``db.sessions.begin()``;
services take the session and never commit, the caller's ``begin()`` block does.
``db.reading.begin()`` is the same for a transaction that only reads: on SQLite it
starts a deferred transaction, so readers never queue for the write lock (WAL lets
them read beside the writer); on PostgreSQL the two are alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from vcpbot.db.changes import ChangeFeed
from vcpbot.db.ping import IDLE_PING_S, ping_when_idle
from vcpbot.db.sqlite import WalCompactor
from vcpbot.db.writers import READ_ONLY, WriterQueue

SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_SIZE, POOL_OVERFLOW = 10, 5  # PostgreSQL connections per process: kept, extra


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    reading: async_sessionmaker[AsyncSession]
    changes: ChangeFeed
    # ``db.wal.soon()`` after a commit whose pages must not stay in SQLite's WAL.
    wal: WalCompactor

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        await self.wal.stop()
        await self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions start (vcpbot.db.writers).
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the one writer; FULL makes a commit durable
    # before we show anyone a receipt; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted case content is overwritten, not left in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def create_database(url: str, *, echo: bool = False, **engine_options: Any) -> Database:
    """Create the engine for ``url`` (already normalised by the settings).

    Every engine hides its bound parameters: they hold user ids and hashes, and
    SQLAlchemy puts them in the message of every database error, which is logged.
    """
    engine_options["hide_parameters"] = True
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine_options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        write_wait = engine_options.pop("write_wait_seconds", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_async_engine(url, echo=echo, **engine_options)
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        # BEGIN IMMEDIATE takes the write lock up front, so two writers wait instead of
        # failing; they wait their turn in this process (vcpbot.db.writers).
        writers = WriterQueue(write_wait)
        event.listen(engine.sync_engine, "begin", writers.begin)
        event.listen(engine.sync_engine.pool, "checkin", writers.checkin)
    else:
        idle_ping = engine_options.pop("idle_ping_seconds", IDLE_PING_S)
        # At most 15 connections per process, as SQLAlchemy's default (5 kept, 10 more
        # opened and closed again under load); keeping 10 stops that churn in a busy
        # evening (3% of the CPU in a profile, issue 21) without raising the maximum.
        engine_options.setdefault("pool_size", POOL_SIZE)
        engine_options.setdefault("max_overflow", POOL_OVERFLOW)
        engine = create_async_engine(url, echo=echo, **engine_options)
        if not engine_options.get("pool_pre_ping"):
            ping_when_idle(engine, idle_ping)
    changes = ChangeFeed()
    tracked = changes.session_class()
    sessions = async_sessionmaker(
        engine, expire_on_commit=False, autoflush=True, sync_session_class=tracked
    )
    reading = async_sessionmaker(
        engine.execution_options(**{READ_ONLY: True}),
        expire_on_commit=False,
        autoflush=True,
        sync_session_class=tracked,
    )
    return Database(
        engine=engine,
        sessions=sessions,
        reading=reading,
        changes=changes,
        wal=WalCompactor(engine),
    )
