"""The end of a place offered from a waiting list: one scheduler job per open offer,
run by the process that leads, rebuilt from the rows on every refresh and when a
process takes the lead (so an offer that ran out while the bot was down is settled
at start-up). Knows nothing of Discord: ``send`` delivers an offer's DM, and
``tell_lapsed`` tells someone their offer ran out (once, after the lapse's commit;
lost if the process dies in between).

The leader also sends the DM of every new offer, wherever it was made (an answer in
any process, a lapse, an erasure): each is claimed by a conditional update and
committed before it is sent, so nobody gets it twice. A job lapses its offer
(``lapse_offer``, conditional on the offer still being open and due) in its own
committed transaction; a second run, or a second process, finds nothing to lapse.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vcpbot.logs import safe_traceback
from vcpbot.scheduler import Scheduler
from vcpbot.services.intervisie._types import PlaceOffer, Policy
from vcpbot.services.intervisie._waitlist import (
    claim_offer_dm,
    lapse_offer,
    open_offers,
    unsent_offers,
)
from vcpbot.services.intervisie._waitlist_upkeep import any_free_places, fill_free_places

log = logging.getLogger(__name__)

OFFER_JOB_PREFIX = "intervisie:offer:"

# True when the offer's DM was delivered.
SendOffer = Callable[[PlaceOffer], Awaitable[bool]]


async def _nobody(_offer: PlaceOffer) -> bool:
    return False


def offer_job_id(entry_id: int) -> str:
    """The scheduler job of one open offer: the same id in every process."""
    return f"{OFFER_JOB_PREFIX}{entry_id}"


async def _open_offer_jobs(session: AsyncSession) -> dict[str, datetime]:
    """Each open offer's job id, and when the offer runs out."""
    return {offer_job_id(e): until for e, until in await open_offers(session)}


class OfferRunner:
    """One job per open offer, at the time it runs out; only while leading."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        scheduler: Scheduler,
        policy: Policy,
        send: SendOffer,
        clock: Callable[[], datetime],
        tell_lapsed: SendOffer | None = None,
        reading: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessions = sessions
        # For the steps that only read: on SQLite they then take no write lock (the
        # refresh runs after every answer).
        self._reading = reading or sessions
        self._scheduler = scheduler
        self._policy = policy
        self._send = send
        self._clock = clock
        self._tell_lapsed = tell_lapsed or _nobody
        self._scheduled: dict[str, datetime] = {}

    async def refresh(self) -> list[str]:
        """Offer free places to those waiting, send the DMs of new offers, and make the
        jobs match the open offers (their ids)."""
        # Usually nothing came free and every offer's DM is out: then one read does.
        async with self._reading.begin() as session:
            free = await any_free_places(session, now=self._clock())
            unsent = () if free else await unsent_offers(session)
            wanted = None if free or unsent else await _open_offer_jobs(session)
        if free:
            async with self._sessions.begin() as session:
                await fill_free_places(session, now=self._clock(), policy=self._policy)
        if wanted is None:
            await self._send_new()
            async with self._reading.begin() as session:
                wanted = await _open_offer_jobs(session)
        present = set(self._scheduler.job_ids(OFFER_JOB_PREFIX))
        for job in present - set(wanted):
            self._scheduler.cancel(job)
            self._scheduled.pop(job, None)
        for job, until in wanted.items():
            if job not in present or self._scheduled.get(job) != until:
                # A time in the past runs at once: an offer that ran out while no
                # process led is settled now.
                entry_id = int(job.removeprefix(OFFER_JOB_PREFIX))
                self._scheduler.at(job, until, self.run, entry_id)
                self._scheduled[job] = until
        return sorted(wanted)

    async def _send_new(self) -> None:
        """Each new offer's DM, once: claimed (committed) before it is sent. One that
        cannot reach the person is passed on to the next at once."""
        async with self._reading.begin() as session:
            unsent = await unsent_offers(session)
        for entry_id in unsent:
            async with self._sessions.begin() as session:
                offer = await claim_offer_dm(session, entry_id=entry_id, now=self._clock())
            if offer is None:
                continue
            try:
                delivered = await self._send(offer)
            except Exception as exc:
                # Perhaps delivered, perhaps not: never sent twice; it runs out in time.
                log.error(
                    "intervisie: a place offer may not have been sent\n%s", safe_traceback(exc)
                )
                continue
            if not delivered:
                async with self._sessions.begin() as session:
                    await lapse_offer(
                        session,
                        entry_id=entry_id,
                        now=self._clock(),
                        policy=self._policy,
                        undeliverable=True,
                    )

    def stop(self) -> None:
        for job in self._scheduler.job_ids(OFFER_JOB_PREFIX):
            self._scheduler.cancel(job)
        self._scheduled.clear()

    async def run(self, entry_id: int) -> tuple[PlaceOffer, ...]:
        """The job: lapse the offer if it ran out, and tell its person; the place is
        offered to the next (their DM goes out with the refresh that follows).
        Returns the new offers."""
        async with self._sessions.begin() as session:
            lapsed = await lapse_offer(
                session, entry_id=entry_id, now=self._clock(), policy=self._policy
            )
        if lapsed is not None:
            # Only the run that lapsed it gets here, once the lapse is committed.
            try:
                await self._tell_lapsed(lapsed.offer)
            except Exception as exc:
                log.error("intervisie: a lapsed offer's note failed\n%s", safe_traceback(exc))
        await self.refresh()
        return () if lapsed is None else lapsed.offers

    async def run_due(self) -> list[PlaceOffer]:
        """Every offer that has run out now (tests, and a safety sweep)."""
        now = self._clock()
        async with self._sessions.begin() as session:
            due = [e for e, until in await open_offers(session) if until <= now]
        return [o for entry_id in due for o in await self.run(entry_id)]
