"""Sends queued invitation DMs from the leading process; knows nothing of Discord.

The cog builds one ``InvitationRunner`` with two callables: ``send`` delivers one
person's invitation DM and says whether it arrived (False: DMs closed; raises when
it is not known, a server error or a 429 discord.py gave up on); ``find`` says
whether an earlier attempt's DM is in the person's DMs already. ``kick()`` starts
a background pass over everything queued (after a plan, when this process takes the
lead, on the leader's periodic sweep); ``run_pending()`` is that pass, for tests.

A pass claims ``CONCURRENT_SENDS`` deliveries at a time in one committed
transaction, sends them side by side, and marks each in its own transaction as
soon as its DM is out (``_fanout``): a crash leaves at most the deliveries of one
batch in doubt, and each of those is looked for before it is sent again.
Discord's rate limits are discord.py's: it waits for a route's bucket to refill
and honours a 429's ``retry_after``, so the pass runs at the rate Discord allows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vcpbot.logs import safe_traceback
from vcpbot.services.intervisie._fanout import (
    INVITATION_LEASE,
    claim_invitations,
    mark_invitation,
    takeable_invitations,
)
from vcpbot.services.intervisie._types import InvitationToSend

log = logging.getLogger(__name__)

# A DM (or a look for an earlier one) that takes longer is abandoned and left in doubt:
# half the lease, so it has landed long before anyone may take the delivery over.
SEND_TIMEOUT_S = INVITATION_LEASE.total_seconds() / 2
# Invitations one process claims and sends at a time. Two requests each (open the DM
# channel, send): ten side by side stay within Discord's 50 requests a second.
CONCURRENT_SENDS = 10
# How long stopping waits for a pass to finish its batch.
STOP_GRACE_S = 10.0

SendInvitation = Callable[[InvitationToSend], Awaitable[bool]]
FindInvitation = Callable[[InvitationToSend], Awaitable[bool]]
Clock = Callable[[], datetime]


class InvitationRunner:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        send: SendInvitation,
        find: FindInvitation,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._send = send
        self._find = find
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False

    def kick(self) -> None:
        """Send what is queued, in the background; a pass already running looks again."""
        if self._stopping:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._passes(), name="intervisie-invitations")
        self._task.add_done_callback(_ended)

    async def kick_now(self) -> None:
        """``kick`` as a scheduler job."""
        self.kick()

    def resume(self) -> None:
        """This process leads (again): it may send."""
        self._stopping = False

    async def stop(self) -> None:
        """Lead lost or shutting down: finish the batch in hand, start no other."""
        self._stopping = True
        task = self._task
        if task is None or task.done():
            return
        _, late = await asyncio.wait([task], timeout=STOP_GRACE_S)
        if late:
            # Its claims stay unsettled; the next leader looks for their DMs first.
            task.cancel()
            await asyncio.wait([task], timeout=1)

    async def idle(self) -> None:
        """Until the background pass (if any) has finished."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def _passes(self) -> None:
        while True:
            self._again = False
            try:
                await self.run_pending()
            except Exception as exc:
                log.error("intervisie: an invitation pass failed\n%s", safe_traceback(exc))
            if not self._again or self._stopping:
                return

    async def run_pending(self) -> int:
        """Send every invitation that can be sent now; how many were settled."""
        settled = 0
        while not self._stopping:
            async with self._sessions.begin() as session:
                now = self._clock()
                ids = await takeable_invitations(session, now=now, limit=CONCURRENT_SENDS)
                batch = await claim_invitations(session, delivery_ids=ids, now=now)
            if not ids:
                break
            async with asyncio.TaskGroup() as group:
                sends = [group.create_task(self._deliver(item)) for item in batch]
            settled += sum(task.result() for task in sends)
        return settled

    async def _deliver(self, item: InvitationToSend) -> bool:
        """One claimed invitation: looked for first when in doubt, sent, marked."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                delivered = (item.in_doubt and await self._find(item)) or await self._send(item)
        except Exception as exc:
            # It may or may not have arrived: the claim stays, and once its lease has run
            # out the next pass looks for the DM before sending it again.
            log.error(
                "intervisie: invitation %d may not have been sent\n%s",
                item.delivery_id,
                safe_traceback(exc),
            )
            return False
        async with self._sessions.begin() as session:
            return await mark_invitation(
                session, invitation=item, delivered=delivered, now=self._clock()
            )


def _ended(task: asyncio.Task[None]) -> None:
    """A pass that ended by something other than an error it handles (being stopped
    hard, the process going down) leaves its claims in doubt: say so, once."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("intervisie: an invitation pass ended early (%s)", type(error).__name__)
