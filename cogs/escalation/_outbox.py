"""The delivery worker: committed outbox rows become cards, notices and DMs, exactly once.

Woken right after every commit and on a timer. Each round claims due rows (the
lease is committed before anything is posted), posts them, and marks them
delivered; a failure puts the row back with a back-off. A row claimed before
(``attempts > 0``) may have been posted by a worker that died before marking it,
so its message is looked for first: a card by its token in the buttons, a
notice by its text. What is posted carries no narrative and no person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from cogs.escalation._cards import card_embed
from cogs.escalation._handling import card_view
from vcpbot.i18n import Locale, bilingual, pick_locale, t
from vcpbot.interactions import NO_MENTIONS, safe_traceback
from vcpbot.services import escalation, languages, network
from vcpbot.services.escalation import CaseCard, Delivery, OutboxKind, Place, Urgency

if TYPE_CHECKING:
    from cogs.escalation._cog import EscalationCog

log = logging.getLogger(__name__)

BATCH = 10
MAX_ROUNDS = 50  # per wake-up; the timer picks up whatever is left
HISTORY_LOOKBACK = 100  # messages searched for an earlier post of a retried row
NOT_CONFIGURED_RETRY_S = 300.0
# How often the whole outbox is looked at, for rows this process does not know about:
# queued by another process, or leased by one that crashed (leases last 60 s).
SWEEP_S = 30.0


class Retry(Exception):
    """Not deliverable yet (the hub or the channel is not set up); try again later."""

    def __init__(self, after: float | None = None) -> None:
        super().__init__("not deliverable yet")
        self.after = after


@dataclass(frozen=True)
class Posted:
    channel_id: int
    message_id: int
    new: bool  # False: found from an earlier attempt, not posted now


@dataclass(frozen=True)
class Target:
    channel_id: int
    locale: Locale
    role_id: int | None  # pinged by urgent cards and overdue nudges


class Courier:
    """One per process. Rows this process queues are delivered at once (``kick``); the
    timer only retries what failed here, when its back-off ends, and looks at the whole
    outbox every ``SWEEP_S`` for rows of other or crashed processes. So an idle bot
    does not take SQLite's write lock several times a second."""

    def __init__(self, cog: EscalationCog) -> None:
        self.cog = cog
        self.bot: Any = cog.bot
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._retries: list[datetime] = []  # when rows that failed here may go again
        self._swept = -SWEEP_S

    def kick(self) -> None:
        """Deliver now; a wake-up during a round makes it go round once more."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name="escalation-outbox"
            )

    def tick(self) -> None:
        """The timer: deliver if a retry is due, or if it is time to sweep."""
        now = self.bot.clock()
        if any(when <= now for when in self._retries) or (
            time.monotonic() - self._swept >= SWEEP_S
        ):
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
                log.error("escalation outbox: a delivery round failed\n%s", safe_traceback(exc))

    async def _round(self) -> None:
        db = self.bot.db
        self._swept = time.monotonic()
        now = self.bot.clock()
        self._retries = [when for when in self._retries if when > now]
        for _ in range(MAX_ROUNDS):
            async with db.sessions.begin() as session:
                batch = await escalation.claim_deliveries(
                    session, now=self.bot.clock(), limit=BATCH
                )
            if not batch:
                return
            for item in batch:
                await self._deliver(item)

    async def _deliver(self, item: Delivery) -> None:
        try:
            posted = await self._send(item)
        except Retry as wait:
            await self._failed(item, wait.after)
            return
        except discord.HTTPException as exc:
            if _gives_up(item, exc):
                (log.error if exc.status == 400 else log.info)(
                    "escalation outbox: %s not deliverable (HTTP %s); dropped",
                    item.kind.value,
                    exc.status,
                )
                await self._done(item, None)
                return
            log.warning(
                "escalation outbox: %s to %s failed (HTTP %s); will retry",
                item.kind.value,
                item.place.value,
                exc.status,
            )
            await self._failed(item, _retry_after(exc))
            return
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("escalation outbox: %s failed (%s); will retry", item.kind.value, type(exc))
            await self._failed(item, None)
            return
        except Exception as exc:
            log.error("escalation outbox: %s failed\n%s", item.kind.value, safe_traceback(exc))
            await self._failed(item, None)
            return
        first = await self._done(item, posted)
        if not first and posted is not None and posted.new:
            # Another worker delivered it meanwhile: ours is the duplicate.
            with contextlib.suppress(discord.HTTPException):
                await (
                    self._messageable(posted.channel_id)
                    .get_partial_message(posted.message_id)
                    .delete()
                )

    async def _done(self, item: Delivery, posted: Posted | None) -> bool:
        async with self.bot.db.sessions.begin() as session:
            return await escalation.mark_delivered(
                session,
                delivery=item,
                channel_id=posted.channel_id if posted else None,
                message_id=posted.message_id if posted else None,
            )

    async def _failed(self, item: Delivery, after: float | None) -> None:
        now = self.bot.clock()
        async with self.bot.db.sessions.begin() as session:
            wait = await escalation.mark_failed(session, delivery=item, now=now, retry_after=after)
        self._retries.append(now + timedelta(seconds=wait))

    # --- what each kind of row becomes -------------------------------------------------

    async def _send(self, item: Delivery) -> Posted | None:
        if item.kind is OutboxKind.REPLY_NOTICE:
            await self._notice(item)
            return None
        if item.kind in (OutboxKind.CASE_CARD_CREATE, OutboxKind.CASE_CARD_UPDATE):
            return await self._card(item)
        return await self._announce(item)

    async def _card(self, item: Delivery) -> Posted | None:
        if item.case_id is None:
            return None
        config = self.cog.require_config()
        update = item.kind is OutboxKind.CASE_CARD_UPDATE
        async with self.bot.db.sessions.begin() as session:
            card = await escalation.card_for(
                session, config=config, case_id=item.case_id, now=self.bot.clock()
            )
            if card is None:
                return None  # purged meanwhile: nothing to show any more
            if update:
                ref = await escalation.card_message(session, case_id=item.case_id, place=item.place)
                association = await self._association(session, item)
            else:
                target = await self._target(session, item)
        if not update:
            return await self._post_card(item, card, target)
        if ref is not None:
            locale = self._locale_of(association)
            await (
                self._messageable(ref.channel_id)
                .get_partial_message(ref.message_id)
                .edit(
                    embed=card_embed(card, item.place, locale),
                    view=card_view(card, item.place, locale),
                    allowed_mentions=NO_MENTIONS,
                )
            )
        return None

    async def _post_card(self, item: Delivery, card: CaseCard, target: Target) -> Posted:
        if item.attempts:
            found = await self._find(target.channel_id, lambda m: _carries(m, card.token))
            if found is not None:
                return Posted(target.channel_id, found, new=False)
        content, mentions = None, NO_MENTIONS
        if card.urgency is Urgency.URGENT and target.role_id is not None:
            role = f"<@&{target.role_id}>"
            content = t("escalation.card.urgent_ping", target.locale, role=role)
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(target.role_id)]
            )
        message = await self._messageable(target.channel_id).send(
            content=content,
            embed=card_embed(card, item.place, target.locale),
            view=card_view(card, item.place, target.locale),
            allowed_mentions=mentions,
        )
        return Posted(target.channel_id, message.id, new=True)

    async def _announce(self, item: Delivery) -> Posted | None:
        """A pattern notice or an overdue nudge: case codes, never more."""
        async with self.bot.db.sessions.begin() as session:
            target = await self._target(session, item)
        mentions = NO_MENTIONS
        if item.kind is OutboxKind.PATTERN_SIGNAL:
            key = (
                "escalation.pattern.notice_withheld"
                if item.payload.get("association_withheld")
                else "escalation.pattern.notice"
            )
            codes = [str(code) for code in item.payload.get("codes", [])]
            content = pattern_notice(key, codes, target.locale)
        else:
            content = t("escalation.nudge.overdue", target.locale, code=item.payload.get("code"))
            if target.role_id is not None:
                content = f"<@&{target.role_id}> {content}"
                mentions = discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(target.role_id)]
                )
        if item.attempts:
            found = await self._find(target.channel_id, lambda m: m.content == content)
            if found is not None:
                return Posted(target.channel_id, found, new=False)
        message = await self._messageable(target.channel_id).send(
            content=content, allowed_mentions=mentions
        )
        return Posted(target.channel_id, message.id, new=True)

    async def _notice(self, item: Delivery) -> None:
        """A DM without details, in the language the bot last saw the reporter use (kept
        only for VCPs and the like: ``vcpbot.languages``), else in both languages."""
        config = self.cog.require_config()
        async with self.bot.db.sessions.begin() as session:
            user_id = await escalation.notice_recipient(session, config=config, delivery=item)
            locale = await languages.remembered(session, user_id=user_id) if user_id else None
        if user_id is None:
            return  # notices stopped, or the case is gone
        reason = str(item.payload.get("reason", "reply"))
        if reason not in ("reply", "forwarded", "closed"):
            reason = "reply"
        key = f"escalation.notice.{reason}"
        channel = await self.bot.create_dm(discord.Object(user_id))
        content = t(key, locale) if locale else bilingual(key)
        await channel.send(content, allowed_mentions=NO_MENTIONS)

    # --- where -----------------------------------------------------------------------------

    async def _target(self, session: Any, item: Delivery) -> Target:
        settings = self.bot.settings
        if item.place is Place.HUB:
            hub = (
                await network.get_hub(session, guild_id=settings.hub_guild_id)
                if settings.hub_guild_id
                else None
            )
            if hub is None:
                raise Retry(NOT_CONFIGURED_RETRY_S)
            return Target(hub.escalations_channel_id, settings.default_locale, hub.team_role_id)
        channel_id = (
            await escalation.association_channel(session, case_id=item.case_id)
            if item.case_id is not None
            else None
        )
        if channel_id is None:
            raise Retry(NOT_CONFIGURED_RETRY_S)
        association = await self._association(session, item)
        role_id = association.vcp_role_id if association is not None else None
        return Target(channel_id, self._locale_of(association), role_id)

    async def _association(self, session: Any, item: Delivery) -> network.AssociationView | None:
        """The association a row goes to (None for the hub), from the database: the leading
        process delivers for every server, also those on other processes' shards."""
        if item.place is Place.HUB or item.case_id is None:
            return None
        guild_id = await escalation.association_of_case(session, case_id=item.case_id)
        if guild_id is None:
            return None
        return await network.association_for_guild(session, guild_id=guild_id)

    def _locale_of(self, association: network.AssociationView | None) -> Locale:
        """The language the association's board chose at /setup; the hub's default otherwise."""
        default = self.bot.settings.default_locale
        return pick_locale(None, association.locale if association else None, default)

    def _messageable(self, channel_id: int) -> Any:
        return self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(channel_id)

    async def _find(self, channel_id: int, wanted: Any) -> int | None:
        """The bot's own earlier post of this row, if a crashed attempt made one."""
        me = self.bot.user.id if self.bot.user else None
        try:
            async for message in self._messageable(channel_id).history(limit=HISTORY_LOOKBACK):
                if message.author.id == me and wanted(message):
                    return message.id
        except discord.HTTPException as exc:
            log.info("escalation outbox: could not read back a channel (HTTP %s)", exc.status)
        return None


def _carries(message: discord.Message, token: str) -> bool:
    suffix = ":" + token
    return any(
        getattr(child, "custom_id", None) and child.custom_id.endswith(suffix)
        for row in message.components
        for child in getattr(row, "children", ())
    )


MESSAGE_MAX = 2000  # Discord's limit on a message's content


def pattern_notice(key: str, codes: list[str], locale: Locale) -> str:
    """The notice with as many of the newest codes as fit in one message."""
    shown = codes
    content = t(key, locale, codes=", ".join(shown))
    while len(content) > MESSAGE_MAX and len(shown) > 1:
        shown = shown[len(shown) // 4 or 1 :]  # drop the oldest quarter
        listed = t(
            "escalation.pattern.more", locale, codes=", ".join(shown), count=len(codes) - len(shown)
        )
        content = t(key, locale, codes=listed)
    return content


def _gives_up(item: Delivery, exc: discord.HTTPException) -> bool:
    """Some failures will never pass: a reporter who closed their DMs, a deleted card, a
    request Discord calls malformed (400: retrying the same body cannot help)."""
    if exc.status == 400:
        return True
    if item.kind is OutboxKind.REPLY_NOTICE:
        return isinstance(exc, discord.Forbidden | discord.NotFound)
    if item.kind is OutboxKind.CASE_CARD_UPDATE:
        return isinstance(exc, discord.NotFound)
    # A card, nudge or notice for the team waits until the channel works again.
    return False


def _retry_after(exc: discord.HTTPException) -> float | None:
    if exc.status != 429:
        return None
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
