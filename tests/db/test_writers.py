"""SQLite's writers take turns in the event loop, in order (``vcpbot.db.writers``)."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from vcpbot.db import Database, create_database
from vcpbot.interactions import _busy


async def _database(tmp_path: Path, **options: object) -> Database:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", **options)
    async with db.sessions.begin() as session:
        await session.execute(text("CREATE TABLE log (who TEXT)"))
    return db


async def _write(db: Database, who: str, *, hold: asyncio.Event | None = None) -> None:
    async with db.sessions.begin() as session:
        await session.execute(text("INSERT INTO log VALUES (:who)"), {"who": who})
        if hold is not None:
            await hold.wait()


async def _order(db: Database) -> list[str]:
    async with db.reading.begin() as session:
        return list((await session.execute(text("SELECT who FROM log ORDER BY rowid"))).scalars())


async def _until_waiting(tasks: list[asyncio.Task[None]]) -> None:
    # Let each started writer reach its BEGIN before the next one starts.
    for _ in range(50):
        await asyncio.sleep(0.01)
    assert not any(t.done() for t in tasks)


async def test_writers_that_find_the_lock_taken_write_in_the_order_they_came(
    tmp_path: Path,
) -> None:
    db = await _database(tmp_path)
    try:
        release = asyncio.Event()
        first = asyncio.create_task(_write(db, "first", hold=release))
        waiting: list[asyncio.Task[None]] = [first]
        for who in ("second", "third", "fourth", "fifth"):
            waiting.append(asyncio.create_task(_write(db, who)))
            await _until_waiting(waiting)
        release.set()
        await asyncio.gather(*waiting)
        assert await _order(db) == ["first", "second", "third", "fourth", "fifth"]
    finally:
        await db.dispose()


async def test_a_reader_does_not_wait_for_the_writers_queue(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    try:
        release = asyncio.Event()
        writers = [asyncio.create_task(_write(db, "holding", hold=release))]
        writers.append(asyncio.create_task(_write(db, "queued")))
        await _until_waiting(writers)
        assert await asyncio.wait_for(_order(db), 2) == []  # WAL: the committed state
        release.set()
        await asyncio.gather(*writers)
    finally:
        await db.dispose()


async def test_a_writer_that_waits_too_long_is_told_it_is_busy_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    db = await _database(tmp_path, write_wait_seconds=0.2)
    try:
        release = asyncio.Event()
        holder = asyncio.create_task(_write(db, "holding", hold=release))
        await _until_waiting([holder])
        with pytest.raises(OperationalError) as refused:
            await _write(db, "too late")
        assert _busy(refused.value)  # the person reads "it is very busy", not a bug report
        release.set()
        await holder
        await _write(db, "later")  # the turn was given back: the queue still works
        assert await _order(db) == ["holding", "later"]
    finally:
        await db.dispose()


async def test_a_failed_write_gives_its_turn_back(tmp_path: Path) -> None:
    db = await _database(tmp_path, write_wait_seconds=1)
    try:
        with pytest.raises(OperationalError):
            async with db.sessions.begin() as session:
                await session.execute(text("INSERT INTO missing VALUES (1)"))
        await asyncio.wait_for(_write(db, "next"), 2)
        assert await _order(db) == ["next"]
    finally:
        await db.dispose()
