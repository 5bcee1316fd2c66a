"""APScheduler wiring.

The database is the source of truth for everything scheduled: features keep
their planned jobs as rows and re-add them here at start-up with deterministic
ids and ``replace_existing``, so a restart never loses or doubles a job. The job
store is in memory on purpose: a persistent APScheduler store would be a second
truth that can disagree with the rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

# How long stopping waits for jobs that are running to finish before ending them.
STOP_GRACE_S = 10.0


class Scheduler:
    """A thin, typed face over ``AsyncIOScheduler``."""

    def __init__(self, *, timezone: str = "UTC") -> None:
        # misfire_grace_time=None: a late job still runs; each feature decides from
        # its own rows whether late is still useful (never APScheduler's 1 s default).
        self._scheduler = AsyncIOScheduler(
            timezone=timezone,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> bool:
        """Started (jobs can be added and listed), whether paused or not."""
        return bool(self._scheduler.running)  # APScheduler has no types

    @property
    def paused(self) -> bool:
        return bool(self._scheduler.state == STATE_PAUSED)

    def start(self, *, paused: bool = False) -> None:
        """Paused: jobs are kept but none fires until ``resume`` (a process that does
        not lead keeps its jobs this way)."""
        if not self._scheduler.running:
            self._scheduler.start(paused=paused)

    def pause(self) -> None:
        if self._scheduler.running:
            self._scheduler.pause()

    def resume(self) -> None:
        """Fire what fell due while paused (late jobs still run, see above), then go on."""
        if self._scheduler.running:
            self._scheduler.resume()

    def shutdown(self) -> None:
        """At once: a job that is running is cancelled where it stands (see ``stop``)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def stop(self, *, grace: float = STOP_GRACE_S) -> None:
        """Fire nothing new, let running jobs finish (up to ``grace`` seconds), then stop.

        APScheduler's own shutdown cancels a running job wherever it is: inside a
        database transaction that leaves the connection, and on SQLite the write lock,
        behind until garbage collection, and the next start waits on it.
        """
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        running = [task for task in self._running if not task.done()]
        late: set[asyncio.Task[Any]] = set()
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            if late:
                log.warning("%d timed job(s) still running after %g s; ended", len(late), grace)
        # AsyncIOScheduler runs its shutdown (which cancels what is left) on the loop's
        # next turn: give it that turn, so the bot closes only after it.
        self._scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        if late:
            await asyncio.wait(late, timeout=1)  # their cancellation, delivered

    def _tracked(self, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def run(*args: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                return await func(*args)
            finally:
                self._running.discard(task)

        run.__qualname__ = getattr(func, "__qualname__", run.__qualname__)
        return run

    def at(
        self, job_id: str, when: datetime, func: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        """Run ``func(*args)`` once at ``when`` (aware); replaces a job with the same id."""
        if when.tzinfo is None:
            raise ValueError("scheduler times must be timezone-aware")
        self._scheduler.add_job(
            self._tracked(func),
            DateTrigger(run_date=when),
            args=args,
            id=job_id,
            replace_existing=True,
        )

    def every(
        self, job_id: str, seconds: float, func: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        self._scheduler.add_job(
            self._tracked(func),
            "interval",
            seconds=seconds,
            args=args,
            id=job_id,
            replace_existing=True,
        )

    def cancel(self, job_id: str) -> bool:
        job = self._scheduler.get_job(job_id)
        if job is None:
            return False
        job.remove()
        return True

    def job_ids(self, prefix: str = "") -> list[str]:
        return sorted(j.id for j in self._scheduler.get_jobs() if j.id.startswith(prefix))

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        # A job added before the scheduler starts has no next_run_time attribute yet.
        return None if job is None else getattr(job, "next_run_time", None)
