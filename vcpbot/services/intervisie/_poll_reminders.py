"""The one reminder of a date poll, to those who have not answered every date yet:
sent exactly once, by the process that leads, also across restarts.

It follows the session reminders' rules (``_sending``): each person's reminder is
claimed with a lease in a committed transaction, sent, then marked. A claim whose
lease ran out without an outcome is *in doubt*: the next run looks for the DM (by
the invitee's token) before sending again. ``PollReminderRunner`` keeps one
scheduler job per poll whose reminder still has work, rebuilt from the rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vcpbot.db.dml import execute_dml
from vcpbot.db.polls import (
    IntervisiePoll,
    IntervisiePollAnswer,
    IntervisiePollInvitee,
    IntervisiePollOption,
)
from vcpbot.logs import safe_traceback
from vcpbot.scheduler import Scheduler
from vcpbot.services import languages
from vcpbot.services.intervisie._polls import poll_view, purge_polls
from vcpbot.services.intervisie._sending import REMINDER_LEASE
from vcpbot.services.intervisie._types import (
    POLL_JOB_PREFIX,
    PendingPollReminder,
    PollReminderToSend,
    poll_job_id,
)

log = logging.getLogger(__name__)

_OPEN = IntervisiePollInvitee.reminder_outcome.is_(None)


def _complete() -> ColumnElement[bool]:
    """True for an invitee who answered every date of their poll."""
    answered = (
        select(func.count())
        .select_from(IntervisiePollAnswer)
        .where(IntervisiePollAnswer.invitee_id == IntervisiePollInvitee.id)
        .scalar_subquery()
    )
    offered = (
        select(func.count())
        .select_from(IntervisiePollOption)
        .where(IntervisiePollOption.poll_id == IntervisiePollInvitee.poll_id)
        .scalar_subquery()
    )
    return answered >= offered


async def pending_poll_reminders(session: AsyncSession) -> list[PendingPollReminder]:
    """Each poll whose reminder still has someone to settle, and when its job runs: the
    soonest of its people's times, each the reminder's time or, while a claim holds
    that person, when the claim runs out."""
    rows = await session.execute(
        select(
            IntervisiePoll.id,
            IntervisiePoll.remind_at,
            IntervisiePollInvitee.reminder_lease_until,
        )
        .join(IntervisiePollInvitee, IntervisiePollInvitee.poll_id == IntervisiePoll.id)
        .where(_OPEN)
    )
    soonest: dict[int, datetime] = {}
    for poll_id, remind_at, lease in rows:
        runs_at = remind_at if lease is None else max(remind_at, lease)
        soonest[poll_id] = min(runs_at, soonest.get(poll_id, runs_at))
    return [PendingPollReminder(p, at) for p, at in sorted(soonest.items())]


async def due_poll_reminders(session: AsyncSession, *, poll_id: int, now: datetime) -> list[int]:
    """The invitees (ids) whose reminder can be acted on now, each to be claimed in its
    own transaction (``claim_poll_reminder``); those no longer wanted (everything
    answered, or the deadline passed) are settled as skipped here. Commit after."""
    row = await session.get(IntervisiePoll, poll_id)
    if row is None or row.remind_at > now:
        return []
    mine = IntervisiePollInvitee.poll_id == poll_id
    wanted = now < row.deadline
    await execute_dml(
        session,
        update(IntervisiePollInvitee)
        .where(mine, _OPEN, IntervisiePollInvitee.reminder_claimed_at.is_(None))
        .where(_complete() if wanted else true())
        .values(reminder_outcome="skipped")
        .execution_options(synchronize_session=False),
    )
    ids = await session.scalars(
        select(IntervisiePollInvitee.id)
        .where(mine, _OPEN, _takeable(now))
        .order_by(IntervisiePollInvitee.id)
    )
    return list(ids.all())


async def claim_poll_reminder(
    session: AsyncSession, *, invitee_id: int, now: datetime
) -> PollReminderToSend | None:
    """Take the right to send this person's poll reminder until ``now + REMINDER_LEASE``;
    None when another process holds it or it is settled. Commit before sending."""
    invitee = await session.get(IntervisiePollInvitee, invitee_id, populate_existing=True)
    if invitee is None:
        return None
    in_doubt = invitee.reminder_claimed_at is not None
    if not await _claim(session, invitee_id, now):
        return None
    row = await session.get(IntervisiePoll, invitee.poll_id)
    if row is None:
        return None
    return PollReminderToSend(
        invitee_id=invitee.id,
        user_id=invitee.user_id,
        token=invitee.token,
        locale=await languages.remembered(session, user_id=invitee.user_id),
        poll=await poll_view(session, row),
        lease_until=now + REMINDER_LEASE,
        in_doubt=in_doubt,
    )


def _takeable(now: datetime) -> ColumnElement[bool]:
    return or_(
        IntervisiePollInvitee.reminder_claimed_at.is_(None),
        IntervisiePollInvitee.reminder_lease_until <= now,
    )


async def _claim(session: AsyncSession, invitee_id: int, now: datetime) -> bool:
    result = await execute_dml(
        session,
        update(IntervisiePollInvitee)
        .where(
            IntervisiePollInvitee.id == invitee_id,
            _OPEN,
            _takeable(now),
        )
        .values(reminder_claimed_at=now, reminder_lease_until=now + REMINDER_LEASE)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


async def settle_poll_reminder(session: AsyncSession, *, invitee_id: int, outcome: str) -> None:
    """The claimed reminder's outcome: ``sent``, ``skipped`` or ``unreachable``."""
    values: dict[str, object] = {"reminder_outcome": outcome}
    if outcome == "unreachable":
        values["dm_failed"] = True
    await session.execute(
        update(IntervisiePollInvitee)
        .where(IntervisiePollInvitee.id == invitee_id, _OPEN)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def still_unanswered(session: AsyncSession, *, invitee_id: int) -> bool:
    """Whether this invitee still has a date without an answer (checked before an
    in-doubt reminder is sent again)."""
    found = await session.scalar(
        select(exists().where(IntervisiePollInvitee.id == invitee_id, ~_complete()))
    )
    return bool(found)


SendPollReminder = Callable[[PollReminderToSend], Awaitable[bool]]
FindPollReminder = Callable[[PollReminderToSend], Awaitable[bool]]


class PollReminderRunner:
    """One scheduler job per poll whose reminder still has work; only while leading."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        scheduler: Scheduler,
        send: SendPollReminder,
        find: FindPollReminder,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._scheduler = scheduler
        self._send = send
        self._find = find
        self._clock = clock
        # The time each of our jobs was added with.
        self._scheduled: dict[str, datetime] = {}

    async def refresh(self) -> list[str]:
        """Delete polls past their keeping time; make the jobs match the rows."""
        async with self._sessions.begin() as session:
            await purge_polls(session, now=self._clock())
            pending = await pending_poll_reminders(session)
        wanted = {poll_job_id(p.poll_id): p for p in pending}
        present = set(self._scheduler.job_ids(POLL_JOB_PREFIX))
        for job in present - set(wanted):
            self._scheduler.cancel(job)
            self._scheduled.pop(job, None)
        for job, item in wanted.items():
            if job not in present or self._scheduled.get(job) != item.runs_at:
                self._scheduler.at(job, item.runs_at, self.run, item.poll_id)
                self._scheduled[job] = item.runs_at
        return sorted(wanted)

    def stop(self) -> None:
        for job in self._scheduler.job_ids(POLL_JOB_PREFIX):
            self._scheduler.cancel(job)
        self._scheduled.clear()

    async def run(self, poll_id: int) -> list[str]:
        """The job: for each person due, claim, deliver and settle, one at a time, so a
        death halfway leaves at most one claim in doubt; the outcomes."""
        async with self._sessions.begin() as session:
            due = await due_poll_reminders(session, poll_id=poll_id, now=self._clock())
        outcomes = []
        for invitee_id in due:
            async with self._sessions.begin() as session:
                item = await claim_poll_reminder(session, invitee_id=invitee_id, now=self._clock())
            if item is not None:
                outcomes.append(await self._settle(item))
        await self.refresh()
        return [o for o in outcomes if o is not None]

    async def run_due(self) -> list[str]:
        """Every poll reminder that can be acted on now (tests, and a safety sweep)."""
        now = self._clock()
        async with self._sessions.begin() as session:
            due = [p.poll_id for p in await pending_poll_reminders(session) if p.runs_at <= now]
        return [o for poll_id in due for o in await self.run(poll_id)]

    async def _settle(self, item: PollReminderToSend) -> str | None:
        try:
            async with asyncio.timeout(REMINDER_LEASE.total_seconds() / 2):
                outcome = await self._deliver(item)
        except Exception as exc:
            # It may or may not have arrived: the claim stays and its lease runs out.
            log.error("intervisie: a poll reminder may not have been sent\n%s", safe_traceback(exc))
            return None
        async with self._sessions.begin() as session:
            await settle_poll_reminder(session, invitee_id=item.invitee_id, outcome=outcome)
        return outcome

    async def _deliver(self, item: PollReminderToSend) -> str:
        if item.in_doubt:
            if await self._find(item):
                return "sent"
            async with self._sessions.begin() as session:
                unanswered = await still_unanswered(session, invitee_id=item.invitee_id)
            if not unanswered or self._clock() >= item.poll.deadline:
                return "skipped"
        return "sent" if await self._send(item) else "unreachable"
