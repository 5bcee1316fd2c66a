"""Which tables a committed transaction wrote, for caches that must not go stale.

Every session made by ``Database.sessions`` records the tables it writes: ORM
flushes (``after_flush``) and ``insert``/``update``/``delete`` statements run
through the session (``do_orm_execute``), upserts included, unless the statement
changed no row. After the commit,
``ChangeFeed`` tells its local subscribers; on PostgreSQL it also sends the names
with ``pg_notify`` inside the transaction, so other processes hear of the change
exactly when it becomes visible (PostgreSQL delivers a notification on commit and
drops it on rollback). Only tables someone ``watch``es are sent, so the hot write
paths (acknowledgements, KMTM counters) add no notification.

What is not seen: SQL run on a connection outside these sessions (migrations,
``vcpbot purge``'s own engine). None of those run beside a serving bot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Result, event, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from vcpbot.logs import safe_traceback

log = logging.getLogger(__name__)

CHANNEL = "vcpbot_changes"
_KEY = "vcpbot_changed_tables"

Subscriber = Callable[[frozenset[str]], None]


class ChangeFeed:
    """Collects the tables each transaction writes and announces them after commit."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._watched: set[str] = set()

    def watch(self, tables: Iterable[str]) -> None:
        """Announce these tables to other processes too (PostgreSQL ``NOTIFY``).

        Every process must watch what any process caches, from start-up on: a cog that
        keeps a read model watches its tables in ``cog_load``."""
        self._watched.update(tables)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber(tables)`` after each commit that wrote tables; returns the undo."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def session_class(self) -> type[Session]:
        """A ``Session`` subclass whose events feed this object (one class per database)."""
        cls: type[Session] = type("TrackedSession", (Session,), {})
        event.listen(cls, "after_flush", self._after_flush)
        event.listen(cls, "do_orm_execute", self._do_orm_execute)
        event.listen(cls, "before_commit", self._before_commit)
        event.listen(cls, "after_commit", self._after_commit)
        event.listen(cls, "after_rollback", self._forget)
        return cls

    # -- session events ------------------------------------------------------------------

    @staticmethod
    def _changed(session: Session) -> set[str]:
        changed: set[str] = session.info.setdefault(_KEY, set())
        return changed

    def _after_flush(self, session: Session, _flush: UOWTransaction) -> None:
        changed = self._changed(session)
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(type(obj), "__table__", None)
            if table is not None:
                changed.add(table.name)

    def _do_orm_execute(self, state: ORMExecuteState) -> Result[Any] | None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return None
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if not name:
            return None
        # Run it here to see its row count: a statement that changed no row (an upsert
        # of what is already there) changed nothing a cache holds. -1 is "not known".
        result = state.invoke_statement()
        if getattr(result, "rowcount", -1) != 0:
            self._changed(state.session).add(name)
        return result

    def _before_commit(self, session: Session) -> None:
        # The commit flushes after this hook; flush now so its tables are known here.
        session.flush()
        announced = self._changed(session) & self._watched
        bind = session.get_bind()
        if announced and bind.dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_notify(:channel, :tables)"),
                {"channel": CHANNEL, "tables": ",".join(sorted(announced))},
            )

    def _after_commit(self, session: Session) -> None:
        changed = frozenset(session.info.pop(_KEY, ()))
        if changed:
            self.announce(changed)

    def _forget(self, session: Session, *_: Any) -> None:
        session.info.pop(_KEY, None)

    def announce(self, tables: frozenset[str]) -> None:
        """Tell local subscribers (also used for what other processes announced)."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(tables)
            except Exception as exc:  # a broken subscriber must not break the commit's caller
                log.error("a change subscriber failed\n%s", safe_traceback(exc))
