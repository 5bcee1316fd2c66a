"""No call to Discord while the caller holds a write transaction (issue 15, item 9).

On SQLite a write transaction (``db.sessions.begin()``) is ``BEGIN IMMEDIATE``: it
holds the database's one write lock until it ends. A request to Discord inside it
(a message, a role, even the answer to the interaction) keeps every other
interaction and job of the bot waiting for Discord's round trip, its rate limits and
its retries; on PostgreSQL it holds row locks as long. And a transaction that
commits after Discord said yes can still fail, leaving the two sides disagreeing.

The guard watches the real thing at both ends, in the bot's own process:

- SQLAlchemy's ``begin``/``commit``/``rollback`` events on every engine say which
  connection is inside a write transaction (``db.reading`` ones are left out: on
  SQLite they take no lock), and for which asyncio task (one interaction, one job)
  it was opened. SQLAlchemy's async layer runs these events in a greenlet inside
  the awaiting task's step, so ``asyncio.current_task()`` there is that task.
- discord.py's two REST clients (``HTTPClient.request`` for the bot's calls,
  ``AsyncWebhookAdapter.request`` for interaction answers and follow-ups), its
  downloads from Discord's CDN (``HTTPClient.get_from_cdn``: an uploaded file) and
  its gateway sends (``DiscordWebSocket.send``: presence, member requests) are
  wrapped to ask: does the task sending this request hold a write transaction now?
- So is the event loop's ``run_in_executor`` (and so ``asyncio.to_thread``): work
  handed to a thread is the slow kind (Argon2, a chart), and must not hold the lock
  either.

Only the task's own transactions count, so another interaction's or job's write
running at the same moment is never blamed on this request.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import discord.webhook.async_
from sqlalchemy import event
from sqlalchemy.engine import Engine

from vcpbot.db.engine import READ_ONLY

ROOT = Path(__file__).resolve().parents[3]
OWN_CODE = (ROOT / "cogs", ROOT / "vcpbot")


def _task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: not the bot's work
        return None


def _where() -> str:
    """The bot's own frames that led to the request, innermost last."""
    frames = []
    for frame in traceback.extract_stack()[:-3]:
        path = Path(frame.filename).resolve()
        # The emulator and the harness live in harness/, outside the bot's own code.
        if any(path.is_relative_to(own) for own in OWN_CODE):
            frames.append(f"{path.relative_to(ROOT)}:{frame.lineno} {frame.name}")
    return " <- ".join(reversed(frames[-4:])) or "(no frame of the bot's own code)"


@dataclass
class WriteGuard:
    """The requests sent to Discord while their own task held a write transaction."""

    # id(connection) -> the task that began its write transaction
    open: dict[int, asyncio.Task[Any] | None] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    # Told of each violation at once (a bot in a process of its own that may be killed).
    report: Callable[[str], None] | None = None

    def begin(self, conn: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY):
            self.open[id(conn)] = _task()

    def end(self, conn: Any) -> None:
        self.open.pop(id(conn), None)

    def in_write(self) -> bool:
        task = _task()
        return task is not None and task in self.open.values()

    def check(self, method: str, path: str) -> None:
        if self.in_write():
            violation = f"{method} {path} at {_where()}"
            self.violations.append(violation)
            if self.report is not None:
                self.report(violation)

    def take(self) -> list[str]:
        """The violations so far, forgotten (for a test that provokes one on purpose)."""
        taken, self.violations = self.violations, []
        return taken


def _watch_executor(guard: WriteGuard, real: Callable[..., Any]) -> Callable[..., Any]:
    def run_in_executor(self: Any, executor: Any, func: Any, *args: Any) -> Any:
        guard.check("thread", getattr(func, "__qualname__", repr(func)))
        return real(self, executor, func, *args)

    return run_in_executor


def _watch(guard: WriteGuard, real: Callable[..., Any]) -> Callable[..., Any]:
    async def request(self: Any, route: Any, *args: Any, **kwargs: Any) -> Any:
        guard.check(route.method, route.path)
        return await real(self, route, *args, **kwargs)

    return request


def _watch_download(guard: WriteGuard, real: Callable[..., Any]) -> Callable[..., Any]:
    async def get_from_cdn(self: Any, url: str) -> Any:
        guard.check("GET", "(Discord's CDN)")
        return await real(self, url)

    return get_from_cdn


def _watch_gateway(guard: WriteGuard, real: Callable[..., Any]) -> Callable[..., Any]:
    async def send(self: Any, data: str, /) -> Any:
        guard.check("gateway", "send")
        return await real(self, data)

    return send


def _wrapped() -> list[tuple[type, str, Callable[..., Any]]]:
    """(class, method name, wrapper maker) for everything that reaches Discord or a thread."""
    websocket = discord.gateway.DiscordWebSocket
    return [
        (discord.http.HTTPClient, "request", _watch),
        (discord.webhook.async_.AsyncWebhookAdapter, "request", _watch),
        (discord.http.HTTPClient, "get_from_cdn", _watch_download),
        # ``debug_send`` replaces ``send`` when the bot listens to its own raw events.
        (websocket, "send", _watch_gateway),
        (websocket, "debug_send", _watch_gateway),
        (asyncio.BaseEventLoop, "run_in_executor", _watch_executor),
    ]


@contextmanager
def write_guard(report: Callable[[str], None] | None = None) -> Iterator[WriteGuard]:
    """Watch every engine, and everything of discord.py that reaches Discord, and the
    executor, while the block runs."""
    guard = WriteGuard(report=report)
    listeners = [("begin", guard.begin), ("commit", guard.end), ("rollback", guard.end)]
    for name, listener in listeners:
        event.listen(Engine, name, listener)
    real = [(owner, name, getattr(owner, name), wrap) for owner, name, wrap in _wrapped()]
    for owner, name, original, wrap in real:
        setattr(owner, name, wrap(guard, original))
    try:
        yield guard
    finally:
        for owner, name, original, _ in real:
            setattr(owner, name, original)
        for name, listener in listeners:
            event.remove(Engine, name, listener)
