"""Read-through cache for what every member reads and hardly anyone changes.

``/help`` and ``/rules`` are the busiest commands of an introduction evening; they
read the same few rows (an association, its listed VCPs, its published rules) for
every member. Those rows are kept here, keyed by guild, with the tables they were
read from. An entry is good while none of its tables has changed since it was
loaded: every table has a generation number that goes up when a commit writes it.

- In this process, ``ChangeFeed`` reports each commit's tables (``vcpbot.db.changes``).
- From other processes (PostgreSQL), commits announce their tables with
  ``pg_notify``; ``Listener`` hears them on a connection of its own. While that
  connection is down, nothing is served from the cache (every read goes to the
  database), and when it is back every entry is dropped, since announcements may
  have been missed in between.

A load that overlaps a commit to one of its tables is returned to its caller but
not kept: its generations are taken before the database is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import make_url

from vcpbot.db import Database
from vcpbot.db.changes import CHANNEL

if TYPE_CHECKING:
    import asyncpg  # imported when used: PostgreSQL only

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ENTRIES = 20_000  # a few per guild; the oldest go first
LISTEN_RETRY_S = 2.0
LISTEN_CHECK_S = 15.0


@dataclass(frozen=True)
class _Entry:
    value: Any
    generations: tuple[int, ...]


class ReadCache:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._generations: dict[str, int] = {}
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        # Serving from memory is safe only while every change can be heard.
        self.enabled = db.is_sqlite
        self.hits = 0
        self.loads = 0
        db.changes.subscribe(self.invalidate)

    def generation(self, table: str) -> int:
        """How many commits to ``table`` this cache has heard of (for tests and logs)."""
        return self._generations.get(table, 0)

    def _now(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._generations.get(table, 0) for table in tables)

    async def get(
        self, key: Hashable, tables: Iterable[str], load: Callable[[], Awaitable[T]]
    ) -> T:
        """The cached value for ``key``, or ``await load()`` (kept if nothing changed meanwhile)."""
        watched = tuple(sorted(tables))
        entry = self._entries.get(key)
        if self.enabled and entry is not None and entry.generations == self._now(watched):
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value  # type: ignore[no-any-return]  # load() for this key made a T
        self._db.changes.watch(watched)
        before, was_enabled = self._now(watched), self.enabled
        value = await load()
        self.loads += 1
        if was_enabled and self.enabled and self._now(watched) == before:
            self._entries[key] = _Entry(value, before)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value

    def invalidate(self, tables: Iterable[str]) -> None:
        for table in tables:
            self._generations[table] = self._generations.get(table, 0) + 1

    def clear(self) -> None:
        """Forget everything (announcements may have been missed)."""
        self._entries.clear()
        for table in self._generations:
            self._generations[table] += 1


class Listener:
    """Hears other processes' commits (PostgreSQL LISTEN) and keeps the cache honest."""

    def __init__(self, cache: ReadCache, url: str) -> None:
        self._cache = cache
        target = make_url(url).set(drivername="postgresql")
        self._dsn = target.render_as_string(hide_password=False)
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="cache-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._cache.enabled = False

    def _heard(
        self, _connection: asyncpg.Connection, _pid: int, _channel: str, payload: str
    ) -> None:
        self._cache.invalidate(name for name in payload.split(",") if name)

    def _closed(self, _connection: asyncpg.Connection) -> None:
        self._cache.enabled = False
        self._lost.set()

    async def _run(self) -> None:
        import asyncpg  # PostgreSQL only

        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn)
                self._lost.clear()
                connection.add_termination_listener(self._closed)
                await connection.add_listener(CHANNEL, self._heard)
                self._cache.clear()
                self._cache.enabled = True
                while not self._lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._lost.wait(), LISTEN_CHECK_S)
                    if not self._lost.is_set():
                        await connection.fetchval("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: read through until it is back
                log.warning("cache listener: %s; reading through meanwhile", type(exc).__name__)
            finally:
                self._cache.enabled = False
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            await asyncio.sleep(LISTEN_RETRY_S)
