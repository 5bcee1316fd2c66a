"""The announcements' delivery worker: each queued copy posted once, in the leading process.

Woken right after Send and on a timer, each round claims free copies under this
worker's token (the lease is committed before anything is posted), posts them one by
one, and marks them. A copy claimed before is first looked for in its channel by the
reference in its footer, so a worker that died between posting and marking never has
its copy posted twice. A 429 (after discord.py's own waiting), a 5xx or a timeout
frees the copy to wait out ``retry_after`` or a back-off, in this worker's memory; a
new leader knows nothing of those waits and tries at once. A deleted channel, a
missing permission or a refusal is final and goes into the report, in words.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import discord

from cogs.network._announce import carries, post_embed
from cogs.network._host import AnnounceHost
from vcpbot import limits
from vcpbot.interactions import NO_MENTIONS
from vcpbot.logs import safe_traceback
from vcpbot.services import announce
from vcpbot.services.announce import Delivery, Reason

log = logging.getLogger(__name__)

BATCH = 10
MAX_ROUNDS = 50  # per wake-up; the timer picks up whatever is left
SWEEP_S = 30.0  # how often the whole outbox is looked at, for copies queued elsewhere


class AnnounceCourier:
    """One per process; works only while the process leads (the cog's hooks say when)."""

    def __init__(self, host: AnnounceHost) -> None:
        self.bot = host.bot
        self.token = secrets.token_hex(16)  # this worker's leases
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._broken = False  # a round stopped half-way: free its leases first
        self._taking_over = False  # just took the lead: free every lease first
        self._waiting: dict[int, datetime] = {}  # copy id -> when it may go again
        self._swept = -SWEEP_S

    def kick(self) -> None:
        """Deliver now; a wake-up during a round makes it go round once more."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name="announcement-outbox"
            )

    def take_over(self) -> None:
        """This process now leads: every lease left is a former leader's."""
        self._taking_over = True

    def tick(self) -> None:
        """The timer: deliver when a back-off has ended, or when it is time to sweep."""
        now = self.bot.clock()
        due = any(when <= now for when in self._waiting.values())
        if due or time.monotonic() - self._swept >= SWEEP_S:
            self.kick()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _drain(self) -> None:
        while self._again:
            self._again = False
            try:
                await self._round()
            except Exception as exc:  # the timer tries again; never lose the worker
                self._broken = True
                log.error("announcements: a delivery round failed\n%s", safe_traceback(exc))

    async def _round(self) -> None:
        self._swept = time.monotonic()
        now = self.bot.clock()
        self._waiting = {key: when for key, when in self._waiting.items() if when > now}
        if self._taking_over or self._broken:
            await self._release()
        for _ in range(MAX_ROUNDS):
            async with self.bot.db.sessions.begin() as session:
                batch = await announce.claim_copies(
                    session, token=self.token, limit=BATCH, skip=list(self._waiting)
                )
            if not batch:
                return
            for item in batch:
                await self._deliver(item)

    async def _release(self) -> None:
        token = None if self._taking_over else self.token
        async with self.bot.db.sessions.begin() as session:
            released = await announce.release_copies(session, token=token)
        if released and self._taking_over:
            log.info("announcements: %d copy(ies) taken over from before", released)
        self._taking_over = self._broken = False

    async def _deliver(self, item: Delivery) -> None:
        tried = self.bot.clock()
        try:
            message_id = await self._post(item)
        except discord.NotFound:
            await self._final(item, Reason.CHANNEL_GONE)
        except discord.Forbidden:
            await self._final(item, Reason.NO_PERMISSION)
        except discord.HTTPException as exc:
            if exc.status in (429,) or exc.status >= 500:
                await self._again_later(item, tried, _retry_after(exc))
            else:
                log.warning("announcements: Discord refused a copy (HTTP %s)", exc.status)
                await self._final(item, Reason.REFUSED)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("announcements: a copy failed (%s); will retry", type(exc).__name__)
            await self._again_later(item, tried)
        else:
            await self._delivered(item, message_id)

    async def _post(self, item: Delivery) -> tuple[int, bool]:
        """The copy's message id, and whether it was posted now (not found from before)."""
        channel = self._messageable(item.channel_id)
        if item.attempts:
            found = await self._find(channel, item.delivery_key)
            if found is not None:
                return found, False
        content, mentions = None, NO_MENTIONS
        if item.role_id is not None:
            content = f"<@&{item.role_id}>"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(item.role_id)]
            )
        message = await channel.send(
            content=content,
            embed=post_embed(item.draft, item.locale, item.delivery_key),
            allowed_mentions=mentions,
        )
        return message.id, True

    async def _delivered(self, item: Delivery, posted: tuple[int, bool]) -> None:
        message_id, new = posted
        async with self.bot.db.sessions.begin() as session:
            first = await announce.mark_copy_delivered(
                session, delivery=item, message_id=message_id
            )
        if not first and new:  # another worker had the copy meanwhile: ours is the double
            with contextlib.suppress(discord.HTTPException):
                await self._messageable(item.channel_id).get_partial_message(message_id).delete()

    async def _final(self, item: Delivery, reason: Reason) -> None:
        async with self.bot.db.sessions.begin() as session:
            await announce.mark_copy_failed(session, delivery=item, reason=reason)
        log.info("announcements: a copy could not be delivered (%s)", reason.value)

    async def _again_later(
        self, item: Delivery, tried: datetime, after: float | None = None
    ) -> None:
        async with self.bot.db.sessions.begin() as session:
            await announce.free_copy(session, delivery=item)
        wait = announce.copy_retry_delay(item.attempts, after)
        self._waiting[item.id] = tried + timedelta(seconds=wait)

    def _messageable(self, channel_id: int) -> Any:
        return self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(channel_id)

    async def _find(self, channel: Any, reference: str) -> int | None:
        """The bot's own earlier post of this copy, if an interrupted attempt made one."""
        me = self.bot.user.id if self.bot.user else None
        try:
            async for message in channel.history(limit=limits.HISTORY_PAGE_MAX):
                if message.author.id == me and carries(message, reference):
                    return int(message.id)
        except discord.HTTPException as exc:
            log.info("announcements: could not read back a channel (HTTP %s)", exc.status)
        return None


def _retry_after(exc: discord.HTTPException) -> float | None:
    if exc.status != 429:
        return None
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
