"""The database fails to save, after Discord already said yes.

A real database can fail at COMMIT: a full disk, a connection lost half-way, a
PostgreSQL serialization failure. ``failing_commit`` makes the bot's own database fail
the next commit of a transaction that changed a given table. SQLAlchemy's ``commit``
event on the bot's engine rolls the driver's transaction back and raises instead of
committing, so nothing of that transaction is kept, and the bot sees an
``OperationalError`` exactly where it would see a real one. The bot's code is not
touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from vcpbot.db import Database


class DiskFull(Exception):
    """What the driver would have said."""


@dataclass
class CommitFault:
    table: str
    remaining: int
    failed: int = 0
    _changed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        name = re.escape(self.table)
        self._write = re.compile(
            rf'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?{name}"?(\s|\()', re.IGNORECASE
        )

    def executed(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._write.match(statement):
            self._changed.add(id(conn))

    def commit(self, conn: Any) -> None:
        if id(conn) not in self._changed:
            return
        self._changed.discard(id(conn))
        if self.remaining > 0:
            self.remaining -= 1
            self.failed += 1
            # As a database does when a commit fails: the transaction is gone.
            conn.connection.dbapi_connection.rollback()
            raise OperationalError("COMMIT", None, DiskFull("database or disk is full"))

    def rollback(self, conn: Any) -> None:
        self._changed.discard(id(conn))


@contextmanager
def failing_commit(db: Database, table: str, *, times: int = 1) -> Iterator[CommitFault]:
    """The next ``times`` commits that changed ``table`` fail while the block runs."""
    fault = CommitFault(table, times)
    engine = db.engine.sync_engine
    listeners = [
        ("after_cursor_execute", fault.executed),
        ("commit", fault.commit),
        ("rollback", fault.rollback),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield fault
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
