"""SQLite's writers take turns in this process's event loop, in the order they came.

SQLite has one write lock, and every write transaction here takes it up front
(``BEGIN IMMEDIATE``). A writer that finds it taken does not queue: SQLite's busy
handler puts its thread to sleep for 1, 2, 5, 10 ... up to 100 ms between tries, so
under a steady stream of writes a waiter sleeps past the moment the lock came free,
newcomers overtake it, and the slowest writes wait for seconds (KMTM logs and RSVPs at
100 a second: a p99 of 1.6-2.3 s, benchmarks/README.md). One process owns a SQLite
database (``vcpbot.leadership``'s file lock), so its writers can queue in its own event
loop instead: an ``asyncio.Lock`` taken before ``BEGIN IMMEDIATE`` and given back when
the connection returns to the pool, after its commit or rollback. SQLite's own lock
still guards against anything else that opens the file (``vcpbot purge``, a backup).

A transaction that only reads (``db.reading``) starts with a plain ``BEGIN`` and takes
no turn: in WAL mode readers run beside the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import exc
from sqlalchemy.util import await_only

READ_ONLY = "vcpbot_read_only"  # the execution option db.reading sets
_HOLDS = "vcpbot_holds_write_turn"


class WriterQueue:
    """The "begin" and pool "checkin" events of one SQLite engine."""

    def __init__(self, timeout_s: float) -> None:
        self._lock = asyncio.Lock()
        self._timeout_s = timeout_s

    def begin(self, conn: Any) -> None:
        """Runs inside SQLAlchemy's greenlet, so it may wait on the event loop."""
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        if conn.info.get(_HOLDS):  # a second transaction on a connection still out
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), self._timeout_s))
        except TimeoutError:
            # As SQLite says it after its busy timeout: the reply tells the person it is busy.
            busy = sqlite3.OperationalError("database is locked (other writes went first)")
            raise exc.OperationalError("BEGIN IMMEDIATE", None, busy) from None
        conn.info[_HOLDS] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back(conn.info)
            raise

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        """The transaction is over (committed, rolled back, or its connection lost)."""
        self._give_back(record.info)

    def _give_back(self, info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            self._lock.release()
