"""Runs intervisie reminders on the in-memory scheduler; knows nothing of Discord.

The cog builds one ``ReminderRunner`` when it loads, with two callables: ``send``
delivers one reminder as a DM and says whether it arrived; ``report`` tells the
coordinator about reminders that were missed or could not be delivered. Then:

- ``await runner.start()`` once: catch up on what fell due while the bot was
  down, then add one job per pending reminder;
- ``await runner.refresh()`` after every committed change (plan, move, cancel,
  answer, preference), so the jobs match the rows again.

Each job opens its own transaction to settle its reminder (claim or record as
missed) and commits before ``send`` runs, so a reminder is delivered at most
once, also when two bot processes run the same jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vcpbot.db.intervisie import ReminderOutcome
from vcpbot.scheduler import Scheduler
from vcpbot.services.intervisie._reminders import (
    catch_up,
    pending_due_at,
    pending_reminders,
    record_unreachable,
    settle_reminder,
)
from vcpbot.services.intervisie._types import (
    JOB_PREFIX,
    CatchUp,
    MissedReminder,
    Policy,
    ReminderToSend,
    job_id,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoordinatorReport:
    """What the coordinator should hear about: never a silent failure."""

    missed: tuple[MissedReminder, ...] = ()
    unreachable: tuple[ReminderToSend, ...] = ()


# True when the DM was delivered; False when the person cannot be reached.
SendReminder = Callable[[ReminderToSend], Awaitable[bool]]
Report = Callable[[CoordinatorReport], Awaitable[None]]
Clock = Callable[[], datetime]


class ReminderRunner:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        scheduler: Scheduler,
        policy: Policy,
        send: SendReminder,
        report: Report,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._scheduler = scheduler
        self._policy = policy
        self._send = send
        self._report = report
        self._clock = clock
        # The due time each of our jobs was added with: a job id can come back
        # with another time only if a row id were reused, and then it is re-added.
        self._scheduled: dict[str, datetime] = {}

    async def start(self) -> CatchUp:
        """Start-up: settle what fell due while the bot was down, then rebuild every job."""
        async with self._sessions.begin() as session:
            result = await catch_up(session, now=self._clock(), grace=self._policy.grace)
        if result.missed:
            log.warning(
                "intervisie: %d reminder(s) missed while the bot was down", len(result.missed)
            )
            await self._report(CoordinatorReport(missed=result.missed))
        await self.refresh()
        return result

    async def refresh(self) -> list[str]:
        """Make the scheduler's intervisie jobs match the pending rows; returns their ids.

        A pending row's due time never changes (a move makes new rows), so a job
        that exists with that time is right; jobs without a pending row are removed.
        """
        async with self._sessions.begin() as session:
            pending = await pending_reminders(session)
        wanted = {job_id(r.id): r for r in pending}
        present = set(self._scheduler.job_ids(JOB_PREFIX))
        for existing in present - set(wanted):
            self._scheduler.cancel(existing)
        self._scheduled = {j: t for j, t in self._scheduled.items() if j in present}
        for job, reminder in wanted.items():
            if job not in present or self._scheduled.get(job) != reminder.due_at:
                self._schedule(job, reminder.due_at, reminder.id)
        return sorted(wanted)

    def _schedule(self, job: str, when: datetime, reminder_id: int) -> None:
        # A time in the past runs at once (misfire_grace_time is None); ``run``
        # decides from the row whether it is still useful.
        self._scheduler.at(job, when, self.run, reminder_id)
        self._scheduled[job] = when

    async def run(self, reminder_id: int) -> ReminderOutcome | None:
        """The job: settle the reminder, deliver it if this process claimed it."""
        now = self._clock()
        async with self._sessions.begin() as session:
            decision = await settle_reminder(
                session, reminder_id=reminder_id, now=now, grace=self._policy.grace
            )
        if decision is None:
            await self._reschedule_if_early(reminder_id, now)
            return None
        self._forget(reminder_id)
        if isinstance(decision, MissedReminder):
            await self._report(CoordinatorReport(missed=(decision,)))
            return ReminderOutcome.MISSED
        delivered = False
        try:
            delivered = await self._send(decision)
        except Exception:
            # Claimed already: it is not retried (at most once), but it is not silent either.
            log.exception("intervisie: reminder %d could not be sent", reminder_id)
        if delivered:
            return ReminderOutcome.SENT
        async with self._sessions.begin() as session:
            await record_unreachable(session, reminder_id=reminder_id)
        await self._report(CoordinatorReport(unreachable=(decision,)))
        return ReminderOutcome.UNREACHABLE

    def _forget(self, reminder_id: int) -> None:
        # Settled: a job still waiting for this reminder (because run_due ran it early)
        # has nothing left to do. Running as that job, it is already gone.
        job = job_id(reminder_id)
        self._scheduler.cancel(job)
        self._scheduled.pop(job, None)

    async def _reschedule_if_early(self, reminder_id: int, now: datetime) -> None:
        # A job that fired before its row's time (clock skew) must not lose the reminder.
        async with self._sessions.begin() as session:
            due = await pending_due_at(session, reminder_id=reminder_id)
        if due is not None and due > now:
            self._schedule(job_id(reminder_id), due, reminder_id)

    async def run_due(self) -> Sequence[ReminderOutcome | None]:
        """Run every pending reminder that is due now (for a periodic safety sweep)."""
        now = self._clock()
        async with self._sessions.begin() as session:
            due = [r.id for r in await pending_reminders(session) if r.due_at <= now]
        return [await self.run(reminder_id) for reminder_id in due]
