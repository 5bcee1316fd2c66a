"""One leader among the bot's processes, for the work that must not run twice.

Timed work (intervisie reminders, the escalation outbox, overdue nudges, the
retention purge) runs only in the process that leads. Any process may send
through Discord's REST API, so the leader needs no particular shard.

- PostgreSQL: leading means holding a session-level advisory lock on a
  connection kept for that purpose. A process that does not lead tries to take
  the lock every ``leadership.retry_seconds``; the leader checks its connection
  as often and steps down at once when the check fails, because the lock went
  with the session. A killed process's socket is closed by its kernel, so
  PostgreSQL frees the lock at once; a leader whose machine vanishes is noticed
  by PostgreSQL's TCP keepalives within ``leadership.lost_after_seconds``. The
  leader also LISTENs for wake-ups: another process that committed work for
  the leader (reminder rows, outbox rows) calls ``wake``.
- SQLite: one process only. It holds an exclusive lock on ``<database>.lock``
  for its lifetime and always leads; a second process is refused.
- ``scheduler.enabled = false``: the process never leads.

The key of the lock and the name of the wake-up channel are derived from
"vcpbot:leader" and the schema the bot's tables live in, so deployments (or
test runs) that share a PostgreSQL database in separate schemas do not share
a leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import hashlib
import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from vcpbot.db import Database
from vcpbot.logs import safe_traceback
from vcpbot.settings import LeadershipSettings, Settings

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
WakeHook = Callable[[str], Awaitable[None]]

KEY_PREFIX = "vcpbot:leader"
CHANNEL_PREFIX = "vcpbot_wake_"
# TCP keepalive probes PostgreSQL sends before it gives up on a silent leader.
KEEPALIVE_PROBES = 3
CONNECT_TIMEOUT_S = 10.0


@runtime_checkable
class LeadershipHooks(Protocol):
    """What a cog with timed work offers the bot, which awaits these in every cog that
    has all three (``VCPBot``); a cog without timed work has none of them. A cog loaded
    while the process leads does in ``cog_load`` what ``lead_taken`` does."""

    async def lead_taken(self) -> None:
        """This process now leads: rebuild the timed work from the rows."""

    async def lead_lost(self) -> None:
        """It no longer does: stop what runs outside the scheduler's jobs."""

    async def leader_woken(self, topic: str) -> None:
        """The leader: another process committed work under ``topic`` for it."""


HOOKS = tuple(name for name in vars(LeadershipHooks) if not name.startswith("_"))
# How like a hook's name a method's must be to be taken for a misspelling (difflib's ratio).
HOOK_LIKENESS = 0.8


def check_hooks(cog: object) -> None:
    """A cog has all of ``LeadershipHooks``, async, or none: a misspelt or missing hook
    would never be called, and timed work would run on in a process that lost the lead.

    Raises TypeError naming what is wrong.
    """
    present = [name for name in HOOKS if callable(getattr(cog, name, None))]
    near = {
        name: like
        for name in dir(type(cog))
        if not name.startswith("_") and name not in HOOKS
        for like in difflib.get_close_matches(name, HOOKS, n=1, cutoff=HOOK_LIKENESS)
    }
    if not present and not near:
        return
    wrong = [f"{name} looks like {like}" for name, like in near.items()]
    if missing := [name for name in HOOKS if name not in present]:
        wrong.append(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing")
    wrong += [
        f"{name} is not async"
        for name in present
        if not inspect.iscoroutinefunction(getattr(cog, name))
    ]
    if wrong:
        raise TypeError(
            f"{type(cog).__name__}: {'; '.join(wrong)} "
            "(a cog with timed work has all of vcpbot.leadership.LeadershipHooks)"
        )


class AlreadyRunning(RuntimeError):
    """Another process uses this SQLite database; the message says what to do."""


def lock_key(schema: str) -> int:
    """The advisory lock's key: a signed 64-bit number, the same in every process."""
    digest = hashlib.blake2b(f"{KEY_PREFIX}:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def wake_channel(schema: str) -> str:
    return CHANNEL_PREFIX + f"{lock_key(schema) & 0xFFFFFFFF:08x}"


class Leadership:
    """Never leads; the base of the others. ``start`` makes the first attempt before it
    returns, so a process that can lead at once does so before its cogs load."""

    def __init__(self) -> None:
        self.is_leader = False
        self.on_elected: Hook | None = None
        self.on_deposed: Hook | None = None
        self.on_wake: WakeHook | None = None

    def reserve(self) -> None:
        """Refuse at once what can never work (a second process on SQLite), before the
        bot connects anywhere; ``start`` does it too."""
        return

    async def start(self) -> None:
        return

    async def stop(self) -> None:
        self.is_leader = False

    async def wake(self, topic: str) -> None:
        """Tell the leader that work for it was committed (only other processes need to)."""
        return

    async def _elected(self, how: str) -> None:
        self.is_leader = True
        log.info("this process now leads (%s): timed work runs here", how)
        if self.on_elected is not None:
            await self.on_elected()

    async def _deposed(self, why: str) -> None:
        self.is_leader = False
        log.warning("lost leadership (%s): timed work stops here until it leads again", why)
        if self.on_deposed is not None:
            await self.on_deposed()


class SoleProcess(Leadership):
    """SQLite: this process is the only one, and leads unless told never to. ``database``
    is the SQLite file (None in memory, which no other process can open anyway)."""

    def __init__(self, database: Path | None, *, lead: bool) -> None:
        super().__init__()
        self.database = database
        self._lead = lead
        self._fd: int | None = None

    @property
    def lock_file(self) -> Path | None:
        return (
            None if self.database is None else self.database.with_name(self.database.name + ".lock")
        )

    def reserve(self) -> None:
        if self.database is not None and self._fd is None:
            self._fd = _lock_exclusively(self.database)

    async def start(self) -> None:
        self.reserve()
        if self._lead and not self.is_leader:
            await self._elected("the only process on SQLite")

    async def stop(self) -> None:
        await super().stop()
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None


def _lock_exclusively(database: Path) -> int:
    """An flock on ``<database>.lock``, held until the descriptor is closed (or the
    process dies, however it dies)."""
    import fcntl

    fd = os.open(database.with_name(database.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(
            f"another vcpbot process is using {database}; SQLite serves one process "
            "— use PostgreSQL for several"
        ) from None
    return fd


class PostgresLeadership(Leadership):
    """The advisory lock on a connection of its own; see the module's description."""

    def __init__(
        self, engine: AsyncEngine, settings: LeadershipSettings, *, candidate: bool = True
    ) -> None:
        super().__init__()
        self._engine = engine
        self._settings = settings
        self._candidate = candidate
        self._held: AsyncConnection | None = None
        self._conn: asyncpg.Connection | None = None  # the connection inside _held
        self._schema: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._broken = asyncio.Event()
        self._unreachable = False
        self._topics: set[str] = set()
        self._waking: asyncio.Task[None] | None = None

    @property
    def key(self) -> int | None:
        return None if self._schema is None else lock_key(self._schema)

    async def start(self) -> None:
        if not self._candidate or self._task is not None:
            return
        await self._round()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="vcpbot-leadership")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        waking, self._waking = self._waking, None
        if waking is not None:
            waking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waking
        leading = self.is_leader
        if leading and self._conn is not None:
            # Unlocked before the connection closes, so a process that starts right
            # after this one stopped finds the lock free, not still held by a backend
            # that has yet to notice the closed socket.
            with contextlib.suppress(Exception):
                await self._conn.fetchval(
                    "SELECT pg_advisory_unlock($1)", self.key, timeout=self._timeout
                )
        await self._disconnect()
        await super().stop()
        if leading:
            log.info("this process stopped leading (shutting down)")

    async def wake(self, topic: str) -> None:
        try:
            async with self._engine.connect() as conn:
                schema = self._schema or await conn.scalar(text("SELECT current_schema()"))
                self._schema = str(schema)
                await conn.execute(
                    text("SELECT pg_notify(:channel, :topic)"),
                    {"channel": wake_channel(self._schema), "topic": topic},
                )
                await conn.commit()
        except (OSError, SQLAlchemyError) as exc:
            # The leader's periodic look at the rows finds the work a little later.
            log.warning(
                "could not wake the leader (%s); it will find the work later", _describe(exc)
            )

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._broken.wait(), self._settings.retry_seconds)
            self._broken.clear()
            try:
                await self._round()
            except Exception as exc:  # never lose the loop: without it no process may lead
                log.error("leadership: a round failed; trying again\n%s", safe_traceback(exc))

    async def _round(self) -> None:
        """Take the lock if free; if held, check that the session that holds it lives."""
        try:
            conn = self._conn if self._conn is not None else await self._connect()
            if self.is_leader:
                await conn.fetchval("SELECT 1", timeout=self._timeout)
                return
            taken = await conn.fetchval(
                "SELECT pg_try_advisory_lock($1)", self.key, timeout=self._timeout
            )
            if taken:
                # Listen before rebuilding, so no wake-up falls between the two.
                await conn.add_listener(wake_channel(self._schema or ""), self._heard)
                await self._elected("PostgreSQL advisory lock taken")
        except Exception as exc:
            if not _connection_trouble(exc):
                raise
            await self._fail(exc)

    async def _fail(self, exc: BaseException) -> None:
        why = _describe(exc)
        await self._disconnect()
        if self.is_leader:
            await self._deposed(f"connection to PostgreSQL failed: {why}")
        elif not self._unreachable:
            log.warning("cannot reach PostgreSQL to take the lead (%s); will keep trying", why)
        self._unreachable = True

    @property
    def _timeout(self) -> float:
        return self._settings.retry_seconds

    async def _connect(self) -> asyncpg.Connection:
        # Through the bot's engine, so the connection has the same credentials, TLS and
        # search_path; detached from the pool, because it is held for good.
        async with asyncio.timeout(max(self._timeout, CONNECT_TIMEOUT_S)):
            held = await self._engine.connect()
        try:
            raw = await held.get_raw_connection()
            conn: asyncpg.Connection = raw.driver_connection
            raw.detach()
            await self._keepalives(conn)
            self._schema = str(
                await conn.fetchval("SELECT current_schema()", timeout=self._timeout)
            )
            conn.add_termination_listener(lambda _conn: self._broken.set())
        except BaseException:
            with contextlib.suppress(Exception):
                await held.invalidate()
            raise
        self._held, self._conn = held, conn
        if self._unreachable:
            log.info("reached PostgreSQL again")
            self._unreachable = False
        return conn

    async def _keepalives(self, conn: asyncpg.Connection) -> None:
        """PostgreSQL ends the session of a leader that went silent, and with it the
        lock, after idle + probes x interval seconds, at most ``lost_after_seconds``."""
        lost = self._settings.lost_after_seconds
        idle = max(1, lost // 2)
        interval = max(1, (lost - idle) // KEEPALIVE_PROBES)
        await conn.execute(
            f"SET tcp_keepalives_idle = {idle}; "
            f"SET tcp_keepalives_interval = {interval}; "
            f"SET tcp_keepalives_count = {KEEPALIVE_PROBES}",
            timeout=self._timeout,
        )
        # Also when the server is the one waiting for an answer (PostgreSQL 12 and later).
        with contextlib.suppress(asyncpg.PostgresError):
            await conn.execute(f"SET tcp_user_timeout = {lost * 1000}", timeout=self._timeout)

    async def _disconnect(self) -> None:
        held, conn = self._held, self._conn
        self._held = self._conn = None
        if conn is not None:
            conn.terminate()  # no goodbye: it may hang on a broken network
        if held is not None:
            with contextlib.suppress(Exception):
                await held.invalidate()
            with contextlib.suppress(Exception):
                await held.close()

    # --- wake-ups --------------------------------------------------------------------------

    def _heard(self, _conn: asyncpg.Connection, _pid: int, _channel: str, topic: str) -> None:
        """NOTIFY arrived; wake-ups that come while one is handled are handled together."""
        if not self.is_leader or self.on_wake is None:
            return
        self._topics.add(topic)
        if self._waking is None or self._waking.done():
            self._waking = asyncio.get_running_loop().create_task(
                self._handle_wakes(), name="vcpbot-leader-wake"
            )

    async def _handle_wakes(self) -> None:
        while self._topics and self.on_wake is not None:
            topic = self._topics.pop()
            try:
                await self.on_wake(topic)
            except Exception as exc:  # the periodic look at the rows still runs
                log.error("handling a wake-up (%s) failed\n%s", topic, safe_traceback(exc))


def _connection_trouble(exc: BaseException) -> bool:
    return isinstance(
        exc,
        OSError | TimeoutError | SQLAlchemyError | asyncpg.PostgresError | asyncpg.InterfaceError,
    )


def _describe(exc: BaseException) -> str:
    # The class only: a driver's message can carry connection details.
    return type(exc).__name__


def sqlite_file(url: str) -> Path | None:
    """The SQLite database file of ``url``; None for an in-memory database."""
    parsed = make_url(url)
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(database).resolve()


def leadership_for(settings: Settings, db: Database) -> Leadership:
    """What decides whether this process leads, for the database it uses."""
    lead = settings.scheduler.enabled
    if db.is_sqlite:
        url = db.engine.url.render_as_string(hide_password=False)
        return SoleProcess(sqlite_file(url), lead=lead)
    return PostgresLeadership(db.engine, settings.leadership, candidate=lead)
