"""The delivery worker: committed outbox rows become cards, notices and DMs, exactly once.

Only the leading process runs it. Woken right after every commit and on a timer,
each round claims free rows under this worker's token (the lease is committed
before anything is posted), posts them (``_posting``), and marks them delivered.
Nothing about timing is written to the database: a failed row waits out its
back-off in ``_waiting``, and the cards of non-urgent cases (``held`` rows) wait
for the batch, whose moment ``Batches`` draws at random, on the bot's clock. A new
leader knows neither, so it simply tries at once.

A refusal Discord will repeat for the same request (HTTP 400) is told once to the
hub's log channel, with the case code and never any text, and tried again hourly,
so it arrives once the cause is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import discord

from cogs.escalation._host import EscalationHost
from cogs.escalation._hub import tell_hub
from cogs.escalation._posting import (
    NotRemoved,
    Posted,
    Poster,
    Retry,
    Undeliverable,
)
from vcpbot.i18n import t
from vcpbot.logs import safe_traceback
from vcpbot.services import escalation
from vcpbot.services.escalation import Delivery, OutboxKind, Place, Undelivered

log = logging.getLogger(__name__)

BATCH = 10
MAX_ROUNDS = 50  # per wake-up; the timer picks up whatever is left
# How often the whole outbox is looked at, for rows this process does not know about:
# queued by another process, or left by a leader that stopped.
SWEEP_S = 30.0
# A request Discord refused as malformed is tried again this often (bot clock), not
# every few seconds: the same body fails until someone fixes the cause.
REFUSED_RETRY_S = 3600.0
_WITH_CODES = (
    OutboxKind.CASE_CARD_CREATE,
    OutboxKind.CASE_CARD_UPDATE,
    OutboxKind.OVERDUE_NUDGE,
    OutboxKind.PATTERN_SIGNAL,
)


class Batches:
    """When the waiting (held) rows go: a moment drawn at random between the window's
    ends after the first of them was seen, so a card's time does not tell when
    someone pressed Submit. Rows that come in meanwhile go with it."""

    def __init__(self, min_minutes: int, max_minutes: int, rng: random.Random | None = None):
        self.low = timedelta(minutes=min_minutes)
        self.high = timedelta(minutes=max_minutes)
        self.rng = rng or random.SystemRandom()
        self.at: datetime | None = None

    def due(self, now: datetime, waiting: bool) -> bool:
        if not waiting:
            self.at = None
            return False
        if self.at is None:
            spread = (self.high - self.low).total_seconds()
            self.at = now + self.low + timedelta(seconds=self.rng.uniform(0, spread))
        return now >= self.at

    def sent(self) -> None:
        self.at = None


class Courier:
    """One per process. Rows this process queues are delivered at once (``kick``); the
    timer retries what failed here when its back-off ends, sends a batch when it is due,
    and looks at the whole outbox every ``SWEEP_S`` for rows of other processes. So an
    idle bot does not take SQLite's write lock several times a second."""

    def __init__(self, cog: EscalationHost) -> None:
        self.cog = cog
        self.bot = cog.bot
        self.poster = Poster(cog)
        policy = self.bot.settings.escalation
        self.batches = Batches(policy.batch_min_minutes, policy.batch_max_minutes)
        self.token = secrets.token_hex(16)  # this worker's leases
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._broken = False  # a round stopped half-way: free its leases first
        self._taking_over = False  # just took the lead: free every lease first
        self._waiting: dict[int, datetime] = {}  # row id -> when it may go again
        self._reported: set[tuple[Any, ...]] = set()  # refusals told to the hub once
        self._swept = -SWEEP_S

    def kick(self) -> None:
        """Deliver now; a wake-up during a round makes it go round once more."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name="escalation-outbox"
            )

    def take_over(self) -> None:
        """This process now leads: every lease in the outbox is a former leader's, whose
        rows go out again at once (each looked for in Discord first)."""
        self._taking_over = True

    def tick(self) -> None:
        """The timer: deliver if a retry or the batch is due, or if it is time to sweep."""
        now = self.bot.clock()
        due = any(when <= now for when in self._waiting.values())
        batch = self.batches.at is not None and self.batches.at <= now
        if due or batch or time.monotonic() - self._swept >= SWEEP_S:
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
                log.error("escalation outbox: a delivery round failed\n%s", safe_traceback(exc))

    async def _round(self) -> None:
        db = self.bot.db
        self._swept = time.monotonic()
        now = self.bot.clock()
        self._waiting = {key: when for key, when in self._waiting.items() if when > now}
        if self._taking_over or self._broken:
            await self._release()
        async with db.reading.begin() as session:
            held = await escalation.held_waiting(session)
        with_held = self.batches.due(now, held)
        removed = False
        for _ in range(MAX_ROUNDS):
            async with db.sessions.begin() as session:
                batch = await escalation.claim_deliveries(
                    session,
                    token=self.token,
                    limit=BATCH,
                    skip=list(self._waiting),
                    with_held=with_held,
                )
            if not batch:
                break
            for item in batch:
                await self._deliver(item)
                removed = removed or item.kind is OutboxKind.MESSAGE_DELETE
        if with_held:
            self.batches.sent()
        if removed:
            db.wal.soon()  # the deletions named messages of destroyed cases

    async def _release(self) -> None:
        token = None if self._taking_over else self.token
        async with self.bot.db.sessions.begin() as session:
            released = await escalation.release_leases(session, token=token)
        if released and self._taking_over:
            log.info("escalation outbox: %d delivery(ies) taken over from before", released)
        self._taking_over = self._broken = False

    async def _deliver(self, item: Delivery) -> None:
        tried = self.bot.clock()  # back-offs count from the attempt, on the bot's clock
        try:
            posted = await self.poster.send(item)
        except Retry as wait:
            await self._failed(item, tried, wait.after)
            return
        except Undeliverable as why:
            await self._undelivered(item, why.reason)
            return
        except NotRemoved as stuck:
            await self._not_removed(stuck)
            await self._done(item, None)
            return
        except discord.HTTPException as exc:
            await self._refused(item, exc, tried)
            return
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("escalation outbox: %s failed (%s); will retry", item.kind.value, type(exc))
            await self._failed(item, tried)
            return
        except Exception as exc:
            log.error("escalation outbox: %s failed\n%s", item.kind.value, safe_traceback(exc))
            await self._failed(item, tried)
            return
        first = await self._done(item, posted)
        if not first and posted is not None and posted.new:
            await self.poster.delete_duplicate(posted)

    async def _done(self, item: Delivery, posted: Posted | None) -> bool:
        async with self.bot.db.sessions.begin() as session:
            return await escalation.mark_delivered(
                session,
                config=self.cog.require_config(),
                delivery=item,
                posted=posted.ref if posted else None,
            )

    async def _failed(self, item: Delivery, tried: datetime, after: float | None = None) -> None:
        async with self.bot.db.sessions.begin() as session:
            await escalation.mark_failed(session, delivery=item)
        wait = escalation.retry_delay(item.attempts, after)
        self._waiting[item.id] = tried + timedelta(seconds=wait)

    async def _undelivered(self, item: Delivery, reason: Undelivered) -> None:
        async with self.bot.db.sessions.begin() as session:
            await escalation.mark_undelivered(session, delivery=item, reason=reason)
        log.info("escalation outbox: a member case could not reach its VCPs (%s)", reason.value)

    async def _refused(self, item: Delivery, exc: discord.HTTPException, tried: datetime) -> None:
        if exc.status == 400:
            await self._report_refusal(item, exc)
            await self._failed(item, tried, REFUSED_RETRY_S)
            return
        if _gives_up(item, exc):
            log.info("escalation outbox: %s not deliverable (HTTP %s)", item.kind.value, exc.status)
            await self._done(item, None)
            return
        if _channel_gone(item, exc):
            await self._undelivered(item, Undelivered.CHANNEL_GONE)
            return
        log.warning(
            "escalation outbox: %s to %s failed (HTTP %s); will retry",
            item.kind.value,
            item.place.value,
            exc.status,
        )
        await self._failed(item, tried, _retry_after(exc))

    # --- telling the coordinator ---------------------------------------------------------

    async def _report_refusal(self, item: Delivery, exc: discord.HTTPException) -> None:
        """Once per row and cause: what Discord refused, with the case code, never text."""
        cause = (item.id, exc.status, exc.code)
        log.error(
            "escalation outbox: Discord refused a %s (HTTP %s, code %s); retrying hourly",
            item.kind.value,
            exc.status,
            exc.code,
        )
        if cause in self._reported:
            return
        self._reported.add(cause)
        locale = self.bot.settings.default_locale
        code = await self._codes(item) if item.kind in _WITH_CODES else ""
        what = t(f"escalation.log.what.{item.kind.value}", locale)
        key = "escalation.log.refused" if code else "escalation.log.refused_nameless"
        # Discord's codes as they are (50013, never "50.013"): t() writes numbers as prose.
        status, error = str(exc.status), str(exc.code)
        await self._tell_hub(t(key, locale, what=what, code=code, status=status, error=error))

    async def _codes(self, item: Delivery) -> str:
        if item.kind is OutboxKind.PATTERN_SIGNAL:
            return ", ".join(str(code) for code in item.payload.get("codes", []))
        if item.case_id is None:
            return ""
        async with self.bot.db.reading.begin() as session:
            return await escalation.case_code(session, case_id=item.case_id) or ""

    async def _not_removed(self, stuck: NotRemoved) -> None:
        locale = self.bot.settings.default_locale
        hub_id = self.bot.settings.hub_guild_id
        log.warning("escalation retention: a message of the bot could not be removed")
        if stuck.place is Place.HUB and hub_id:
            link = f"https://discord.com/channels/{hub_id}/{stuck.ref.channel_id}/{stuck.ref.message_id}"
            await self._tell_hub(t("escalation.log.not_removed", locale, link=link))
        else:
            # No link: it would name the association, which need not be known in the hub.
            await self._tell_hub(t("escalation.log.not_removed_association", locale))

    async def _tell_hub(self, line: str) -> None:
        await tell_hub(self.bot, line)


def _gives_up(item: Delivery, exc: discord.HTTPException) -> bool:
    """Failures that will never pass and need nobody: a reporter who closed their DMs, a
    card deleted by hand (its edits have nothing left to change), a nudge for VCPs whose
    channel is gone."""
    if item.kind is OutboxKind.REPLY_NOTICE:
        return isinstance(exc, discord.Forbidden | discord.NotFound)
    if item.kind is OutboxKind.CASE_CARD_UPDATE:
        return isinstance(exc, discord.NotFound)
    if item.kind is OutboxKind.OVERDUE_NUDGE and item.place is Place.ASSOCIATION:
        # Next to a card in a channel that is gone or closed to the bot: nobody there.
        return isinstance(exc, discord.Forbidden | discord.NotFound)
    return False


def _channel_gone(item: Delivery, exc: discord.HTTPException) -> bool:
    """The VCPs' channel was deleted, or the bot may no longer post there: the member case
    cannot reach them, and its reporter chooses what now. The hub's channel is the
    team's to fix, so there the card waits."""
    return (
        item.kind is OutboxKind.CASE_CARD_CREATE
        and item.place is Place.ASSOCIATION
        and isinstance(exc, discord.Forbidden | discord.NotFound)
    )


def _retry_after(exc: discord.HTTPException) -> float | None:
    if exc.status != 429:
        return None
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
