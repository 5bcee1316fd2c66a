"""Upkeep that many callers share: one run covers every change made before it began.

After each answer to an invitation the leader makes its reminder jobs and waiting
lists match the rows again. Run once per answer, that upkeep was the costliest part of
an answer (issue 21); when answers arrive together, one run can serve them all.
``Coalesced`` keeps that promise exactly: a caller's keys go to the first run that
starts after the call, and the caller returns when that run has finished (or raises
what it raised), so after ``await`` the upkeep has seen the caller's committed change,
as it did when each caller ran it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Generic, TypeVar

K = TypeVar("K")

# ``None`` as the keys: everything, not only some keys.
Work = Callable[[frozenset[K] | None], Awaitable[None]]


class Coalesced(Generic[K]):
    """Runs ``work`` one at a time, each run for the keys of every caller waiting."""

    def __init__(self, work: Work[K]) -> None:
        self._work = work
        self._keys: set[K] | None = set()
        self._next: asyncio.Future[None] | None = None
        self._running: asyncio.Task[None] | None = None

    async def __call__(self, keys: Collection[K] | None = None) -> None:
        """Have ``keys`` (``None``: all) seen by a run that starts after this call."""
        if keys is None or self._keys is None:
            self._keys = None
        else:
            self._keys.update(keys)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        done = self._next
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._drain(), name="vcpbot-coalesced")
        # The run goes on for the others even when this caller is cancelled.
        await asyncio.shield(done)

    async def _drain(self) -> None:
        while self._next is not None:
            done, keys = self._next, self._keys
            self._next, self._keys = None, set()
            try:
                await self._work(None if keys is None else frozenset(keys))
            except asyncio.CancelledError:  # shutting down: nobody waits for nothing
                done.cancel()
                if self._next is not None:
                    self._next.cancel()
                self._next, self._keys = None, set()
                raise
            except Exception as exc:  # every caller of this run hears it
                done.set_exception(exc)
                # Retrieved here, so a caller that was cancelled leaves no warning.
                done.exception()
            else:
                done.set_result(None)
