"""Runs intervisie reminders on the in-memory scheduler; knows nothing of Discord.

The cog builds one ``ReminderRunner`` when it loads, with three callables:
``send`` delivers one reminder as a DM and says whether it arrived; ``find``
says whether an earlier attempt's DM is already in the person's DMs; ``report``
tells the coordinator about reminders that were missed or could not be
delivered. Then:

- ``await runner.start()`` once: catch up on what fell due while the bot was
  down, then add one job per reminder still to be settled;
- ``await runner.refresh()`` after every committed change (plan, move, cancel,
  answer, preference), so the jobs match the rows again.

Each job claims its reminder for a lease in its own committed transaction,
sends it, and marks it sent in another, so a reminder is delivered exactly
once, also when two bot processes run the same jobs or one dies halfway: a
claim that runs out unsettled is taken over by the next run, which looks for
the DM before sending (see ``_sending``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vcpbot.db.intervisie import ReminderOutcome
from vcpbot.logs import safe_traceback
from vcpbot.scheduler import Scheduler
from vcpbot.services.intervisie._sending import (
    REMINDER_LEASE,
    catch_up,
    mark_sent,
    next_run_at,
    pending_reminders,
    record_unreachable,
    reminder_ids_of,
    settle_reminder,
    settle_unsent,
)
from vcpbot.services.intervisie._types import (
    JOB_PREFIX,
    CatchUp,
    CoordinatorReport,
    MissedReminder,
    Policy,
    ReminderToSend,
    job_id,
)

log = logging.getLogger(__name__)

# A send (or a look for an earlier one) that takes longer is abandoned and left in
# doubt. Half the lease: whatever was on its way has landed long before another
# process may take the reminder over and look for it.
SEND_TIMEOUT_S = REMINDER_LEASE.total_seconds() / 2
# Reminders one process claims and sends at a time. A fan-out to hundreds due at
# the same instant queues here, unclaimed, instead of holding hundreds of leases
# while discord.py waits out rate limits for each in turn. Ten sends of two
# requests each stay within Discord's 50 requests a second, so a 429 wait is short.
CONCURRENT_SENDS = 10
# A reminder sent more than this after its time counts as late (``observe``).
LATE_AFTER = timedelta(minutes=1)


# True when the DM was delivered; False when the person cannot be reached. Raises
# when that is not known (a server error, the network): the reminder stays in doubt.
SendReminder = Callable[[ReminderToSend], Awaitable[bool]]
# True when a DM carrying the reminder's token is in the person's DMs already.
FindReminder = Callable[[ReminderToSend], Awaitable[bool]]
Report = Callable[[CoordinatorReport], Awaitable[None]]
Clock = Callable[[], datetime]
# Told each outcome as it happens, for the metrics: "due" (a reminder fell due and was
# taken up), "sent", "late" (sent, but more than LATE_AFTER after its time), "missed",
# "unreachable". Plain words, nothing about whom.
Observe = Callable[[str], None]


class ReminderRunner:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        scheduler: Scheduler,
        policy: Policy,
        send: SendReminder,
        find: FindReminder,
        report: Report,
        clock: Clock,
        observe: Observe | None = None,
        reading: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessions = sessions
        # For refresh, which only reads and runs after every answer: on SQLite it then
        # takes no write lock.
        self._reading = reading or sessions
        self._observe = observe or (lambda _outcome: None)
        self._scheduler = scheduler
        self._policy = policy
        self._send = send
        self._find = find
        self._report = report
        self._clock = clock
        self._sending = asyncio.Semaphore(CONCURRENT_SENDS)
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
            for _ in result.missed:
                self._observe("due")
                self._observe("missed")
            await self._report(CoordinatorReport(missed=result.missed))
        await self.refresh()
        return result

    async def refresh(self, *, invitation_ids: Collection[int] | None = None) -> list[str]:
        """Make the scheduler's intervisie jobs match the open rows; returns their ids.

        A job runs when its reminder is due or, while another claim holds it, when
        that claim runs out; a job that exists with that time is right, and jobs
        without an open row are removed. With ``invitation_ids`` (one answer changed
        them), only those invitations' jobs are looked at.
        """
        async with self._reading.begin() as session:
            pending = await pending_reminders(session, invitation_ids=invitation_ids)
            scope = (
                None
                if invitation_ids is None
                else {
                    job_id(i) for i in await reminder_ids_of(session, invitation_ids=invitation_ids)
                }
            )
        wanted = {job_id(r.id): r for r in pending}
        present = set(self._scheduler.job_ids(JOB_PREFIX))
        if scope is not None:
            present &= scope
        for existing in present - set(wanted):
            self._scheduler.cancel(existing)
            self._scheduled.pop(existing, None)
        if scope is None:
            self._scheduled = {j: t for j, t in self._scheduled.items() if j in present}
        for job, reminder in wanted.items():
            if job not in present or self._scheduled.get(job) != reminder.runs_at:
                self._schedule(job, reminder.runs_at, reminder.id)
        return sorted(wanted)

    def _schedule(self, job: str, when: datetime, reminder_id: int) -> None:
        # A time in the past runs at once (misfire_grace_time is None); ``run``
        # decides from the row whether it is still useful.
        self._scheduler.at(job, when, self.run, reminder_id)
        self._scheduled[job] = when

    async def run(self, reminder_id: int) -> ReminderOutcome | None:
        """The job: settle the reminder, deliver it if this process claimed it.

        None when nothing was settled: not due, held by another process, settled
        elsewhere, or left in doubt by a send that failed in an unknown way.
        """
        async with self._sending:
            now = self._clock()
            async with self._sessions.begin() as session:
                decision = await settle_reminder(
                    session, reminder_id=reminder_id, now=now, grace=self._policy.grace
                )
            if decision is None:
                await self._reschedule_if_early(reminder_id, now)
                return None
            self._forget(reminder_id)
            if isinstance(decision, MissedReminder) or not decision.in_doubt:
                self._observe("due")  # an in-doubt one was taken up by an earlier claim
            if isinstance(decision, MissedReminder):
                return await self._missed(decision)
            if decision.in_doubt:
                return await self._settle_in_doubt(decision)
            return await self._deliver(decision)

    async def _settle_in_doubt(self, reminder: ReminderToSend) -> ReminderOutcome | None:
        """An earlier claim ran out unsettled, so its DM may be out: look before sending."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                found = await self._find(reminder)
        except Exception as exc:
            log.error(
                "intervisie: could not look for reminder %d\n%s",
                reminder.reminder_id,
                safe_traceback(exc),
            )
            self._retry_later(reminder)
            return None
        if found:
            log.info("intervisie: reminder %d was sent by an earlier attempt", reminder.reminder_id)
            async with self._sessions.begin() as session:
                marked = await mark_sent(
                    session, reminder_id=reminder.reminder_id, now=self._clock()
                )
            if marked:
                self._observe("sent")
            return ReminderOutcome.SENT if marked else None
        async with self._sessions.begin() as session:
            decision = await settle_unsent(
                session,
                reminder=reminder,
                now=self._clock(),
                grace=self._policy.grace,
                policy=self._policy,
            )
        if decision is None:
            return None
        if isinstance(decision, MissedReminder):
            return await self._missed(decision)
        return await self._deliver(decision)

    async def _missed(self, missed: MissedReminder) -> ReminderOutcome:
        self._observe("missed")
        await self._report(CoordinatorReport(missed=(missed,)))
        return ReminderOutcome.MISSED

    async def _deliver(self, reminder: ReminderToSend) -> ReminderOutcome | None:
        reminder_id = reminder.reminder_id
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                delivered = await self._send(reminder)
        except Exception as exc:
            # It may or may not have arrived: the claim stays, and once its lease has
            # run out the next run looks for the DM before sending it again.
            log.error(
                "intervisie: reminder %d may not have been sent\n%s",
                reminder_id,
                safe_traceback(exc),
            )
            self._retry_later(reminder)
            return None
        if delivered:
            now = self._clock()
            async with self._sessions.begin() as session:
                await mark_sent(session, reminder_id=reminder_id, now=now)
            self._observe("sent")
            if now - reminder.due_at > LATE_AFTER:
                self._observe("late")
            return ReminderOutcome.SENT
        async with self._sessions.begin() as session:
            await record_unreachable(session, reminder_id=reminder_id)
        self._observe("unreachable")
        await self._report(CoordinatorReport(unreachable=(reminder,)))
        return ReminderOutcome.UNREACHABLE

    def _retry_later(self, reminder: ReminderToSend) -> None:
        self._schedule(job_id(reminder.reminder_id), reminder.lease_until, reminder.reminder_id)

    def _forget(self, reminder_id: int) -> None:
        # Claimed or settled: a job still waiting for this reminder (because run_due
        # ran it early) has nothing left to do. Running as that job, it is already gone.
        job = job_id(reminder_id)
        self._scheduler.cancel(job)
        self._scheduled.pop(job, None)

    async def _reschedule_if_early(self, reminder_id: int, now: datetime) -> None:
        # A job that fired before its row's time (clock skew), or while another
        # process held the reminder, must come back rather than lose it.
        async with self._sessions.begin() as session:
            when = await next_run_at(session, reminder_id=reminder_id)
        if when is not None and when > now:
            self._schedule(job_id(reminder_id), when, reminder_id)

    async def run_due(self) -> Sequence[ReminderOutcome | None]:
        """Run every reminder that can be acted on now (for a periodic safety sweep)."""
        now = self._clock()
        async with self._sessions.begin() as session:
            due = [r.id for r in await pending_reminders(session) if r.runs_at <= now]
        return [await self.run(reminder_id) for reminder_id in due]
