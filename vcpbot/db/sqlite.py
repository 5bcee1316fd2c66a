"""SQLite's write-ahead log, emptied on purpose: statements outside a transaction, and a
checkpoint shortly after writes that must not be replayable one by one.

SQLite keeps every commit's page images in the WAL, in commit order, until a
checkpoint copies them into the database file; only a TRUNCATE checkpoint then
empties the log (the automatic one leaves the old frames in place). Anyone with a
copy of the two files can replay the WAL commit by commit. Where only totals may
be kept (KMTM counters) or something was destroyed, ``WalCompactor.soon()`` folds
the log into the file and empties it a moment after the write, in a task of its
own, so the interaction that wrote never waits for it. PostgreSQL has no such
log to empty from here (see docs/privacy.md for what its WAL keeps).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# A moment after the first write since the last checkpoint: contacts logged within it
# share the log for at most this long.
COMPACT_AFTER_S = 2.0
# How long the checkpoint waits for readers and a writer to finish before it tries
# again later; meanwhile new writers wait for it, so keep it short.
CHECKPOINT_BUSY_MS = 250
RETRY_S = 5.0
ATTEMPTS = 12


class _HasEngine(Protocol):
    @property
    def engine(self) -> AsyncEngine: ...


async def sqlite_outside_transaction(
    db: _HasEngine | AsyncEngine, statement: str
) -> list[tuple[Any, ...]]:
    """Run a statement that SQLite refuses inside a transaction (checkpoint, VACUUM).

    The engine begins every transaction with BEGIN IMMEDIATE, so this goes to the
    driver's connection directly, which is in autocommit mode between transactions.
    ``db`` is a ``Database`` or an ``AsyncEngine``.
    """
    engine = db if isinstance(db, AsyncEngine) else db.engine
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        if raw.driver_connection is None:
            raise RuntimeError("the pool handed out a closed connection")
        cursor = await raw.driver_connection.execute(statement)
        try:
            return list(await cursor.fetchall())
        finally:
            await cursor.close()


async def empty_wal(engine: AsyncEngine, *, busy_ms: int = CHECKPOINT_BUSY_MS) -> bool:
    """Fold the WAL into the file and truncate it; False when a reader or writer kept
    it busy for ``busy_ms`` (try again later)."""
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        previous = await _pragma(raw, "PRAGMA busy_timeout")
        await _pragma(raw, f"PRAGMA busy_timeout={busy_ms}")
        try:
            busy = await _pragma(raw, "PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await _pragma(raw, f"PRAGMA busy_timeout={previous}")
    return busy == 0


async def _pragma(raw: Any, statement: str) -> int | None:
    """``raw`` is the driver's (aiosqlite's) connection; every pragma here answers a number."""
    cursor = await raw.execute(statement)
    try:
        row = await cursor.fetchone()
    finally:
        await cursor.close()
    value: int | None = None if row is None else row[0]
    return value


class WalCompactor:
    """Empties SQLite's WAL a moment after writes that ask for it (a no-op elsewhere).

    ``soon()`` after committing: the first call since the last checkpoint schedules
    one ``COMPACT_AFTER_S`` later; calls in between join it, so a busy KMTM evening
    costs one checkpoint per moment, not one per contact.
    """

    def __init__(self, engine: AsyncEngine, *, after: float = COMPACT_AFTER_S) -> None:
        self.engine = engine
        self.after = after
        self.enabled = engine.dialect.name == "sqlite"
        self._task: asyncio.Task[None] | None = None

    def soon(self) -> None:
        if not self.enabled or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sqlite-wal")

    async def _run(self) -> None:
        await asyncio.sleep(self.after)
        for _ in range(ATTEMPTS):
            try:
                if await empty_wal(self.engine):
                    return
            except Exception as exc:  # the next write asks again
                log.warning("could not empty the SQLite WAL (%s)", type(exc).__name__)
                return
            await asyncio.sleep(RETRY_S)
        log.warning("the SQLite WAL stayed busy; it is emptied after the next write")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
