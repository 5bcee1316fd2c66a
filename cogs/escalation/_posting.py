"""What each outbox row becomes in Discord: a card, an edit, a nudge, a pattern notice, a
DM without details, or the removal of a destroyed case's message.

A row claimed before (``attempts > 0``) may have been posted by a worker that died
before marking it, so its message is looked for first: a card by its token in the
buttons, a notice by its text. What is posted carries no narrative and no person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._cards import card_embed
from cogs.escalation._handling import card_view
from cogs.escalation._host import EscalationHost
from vcpbot import limits
from vcpbot.i18n import Locale, bilingual, pick_locale, t
from vcpbot.interactions import NO_MENTIONS
from vcpbot.services import escalation, languages, network
from vcpbot.services.escalation import (
    CaseCard,
    Delivery,
    MessageRef,
    OutboxKind,
    Place,
    Undelivered,
    Urgency,
)

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 100  # messages searched for an earlier post of a retried row
NOT_CONFIGURED_RETRY_S = 300.0
# What a notice can be about, when the reporter asked to be told ("forwarded": rows
# queued before the member was asked first).
NOTICE_REASONS = ("reply", "forwarded", "closed", "undelivered", "consent", "urgent")


class Retry(Exception):
    """Not deliverable yet (the hub is not set up); try again later."""

    def __init__(self, after: float | None = None) -> None:
        super().__init__("not deliverable yet")
        self.after = after


class Undeliverable(Exception):
    """A member case's card cannot reach the association's VCPs: its reporter chooses."""

    def __init__(self, reason: Undelivered) -> None:
        super().__init__(reason.value)
        self.reason = reason


class NotRemoved(Exception):
    """The bot may neither delete nor edit its message about a destroyed case."""

    def __init__(self, place: Place, ref: MessageRef) -> None:
        super().__init__("message not removed")
        self.place = place
        self.ref = ref


@dataclass(frozen=True)
class Posted:
    channel_id: int
    message_id: int
    new: bool  # False: found from an earlier attempt, not posted now

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.channel_id, self.message_id)


@dataclass(frozen=True)
class Target:
    channel_id: int
    locale: Locale
    role_id: int | None  # pinged by urgent cards and overdue nudges


class Poster:
    """Posts one row; raises ``Retry``, ``Undeliverable``, ``NotRemoved`` or Discord's errors."""

    def __init__(self, cog: EscalationHost) -> None:
        self.cog = cog
        self.bot = cog.bot

    async def send(self, item: Delivery) -> Posted | None:
        if item.kind is OutboxKind.REPLY_NOTICE:
            await self._notice(item)
            return None
        if item.kind is OutboxKind.MESSAGE_DELETE:
            await self._remove(item)
            return None
        if item.kind in (OutboxKind.CASE_CARD_CREATE, OutboxKind.CASE_CARD_UPDATE):
            return await self._card(item)
        return await self._announce(item)

    async def _card(self, item: Delivery) -> Posted | None:
        if item.case_id is None:
            return None
        config = self.cog.require_config()
        update = item.kind is OutboxKind.CASE_CARD_UPDATE
        async with self.bot.db.reading.begin() as session:
            card = await escalation.card_for(
                session, config=config, case_id=item.case_id, now=self.bot.clock()
            )
            if card is None:
                return None  # purged meanwhile: nothing to show any more
            if update:
                ref = await escalation.card_message(
                    session, config=config, case_id=item.case_id, place=item.place
                )
                association = await self._association(session, item)
            else:
                target = await self._target(session, item)
        if not update:
            if target is None:  # only a nudge's target can be missing, never a new card's
                return None
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
        async with self.bot.db.reading.begin() as session:
            target = await self._target(session, item)
        if target is None:
            return None  # a nudge for a card that never arrived: nobody to nudge there
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
            content = t(nudge_key(item.payload), target.locale, code=item.payload.get("code"))
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
        """A DM that names no subject, category or association: "you have a new message",
        or, if the reporter asked for it, what kind of news. In the language the bot last
        saw them use (kept only for VCPs and the like: ``vcpbot.languages``), else in both."""
        config = self.cog.require_config()
        async with self.bot.db.reading.begin() as session:
            user_id = await escalation.notice_recipient(session, config=config, delivery=item)
            locale = await languages.remembered(session, user_id=user_id) if user_id else None
            until = await escalation.notice_deletion_day(session, config=config, delivery=item)
        if user_id is None:
            return  # notices stopped, or the case is gone
        today = self.bot.clock().astimezone(config.zone).date()
        key, params = notice_text(item.payload, until, today)
        channel = await self.bot.create_dm(discord.Object(user_id))
        content = t(key, locale, **params) if locale else bilingual(key, **params)
        await channel.send(content, allowed_mentions=NO_MENTIONS)

    async def _remove(self, item: Delivery) -> None:
        """Delete a destroyed case's message; a message already gone counts as removed.
        Where the bot may not delete it, it becomes a tombstone that names nothing."""
        ref = MessageRef(int(item.payload["channel_id"]), int(item.payload["message_id"]))
        message = self._messageable(ref.channel_id).get_partial_message(ref.message_id)
        try:
            await message.delete()
            return
        except discord.NotFound:
            return
        except discord.Forbidden:
            pass
        try:
            await message.edit(
                content=bilingual("escalation.removed.tombstone"),
                embed=None,
                view=None,
                allowed_mentions=NO_MENTIONS,
            )
        except discord.NotFound:
            return
        except discord.Forbidden:
            raise NotRemoved(item.place, ref) from None

    # --- where -----------------------------------------------------------------------------

    async def _target(self, session: AsyncSession, item: Delivery) -> Target | None:
        if item.place is Place.HUB:
            return await self._hub_target(session)
        association = await self._association(session, item)
        locale = self._locale_of(association)
        role_id = association.vcp_role_id if association is not None else None
        if item.kind is OutboxKind.CASE_CARD_CREATE:
            channel_id = (
                await escalation.association_channel(session, case_id=item.case_id)
                if item.case_id is not None
                else None
            )
            if channel_id is None:
                raise Undeliverable(Undelivered.ROUTE_OFF)
            return Target(channel_id, locale, role_id)
        # A nudge goes next to the VCPs' card, also if the route was switched off since.
        card = (
            await escalation.card_message(
                session, config=self.cog.require_config(), case_id=item.case_id, place=item.place
            )
            if item.case_id is not None
            else None
        )
        return None if card is None else Target(card.channel_id, locale, role_id)

    async def _hub_target(self, session: AsyncSession) -> Target:
        settings = self.bot.settings
        hub = (
            await network.get_hub(session, guild_id=settings.hub_guild_id)
            if settings.hub_guild_id
            else None
        )
        if hub is None:
            raise Retry(NOT_CONFIGURED_RETRY_S)
        return Target(hub.escalations_channel_id, settings.default_locale, hub.team_role_id)

    async def _association(
        self, session: AsyncSession, item: Delivery
    ) -> network.AssociationView | None:
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
                    return int(message.id)
        except discord.HTTPException as exc:
            log.info("escalation outbox: could not read back a channel (HTTP %s)", exc.status)
        return None

    async def delete_duplicate(self, posted: Posted) -> None:
        """Another worker delivered the row meanwhile: ours is the duplicate."""
        message = self._messageable(posted.channel_id).get_partial_message(posted.message_id)
        try:
            await message.delete()
        except discord.HTTPException as exc:
            log.info("escalation outbox: a duplicate stayed (HTTP %s)", exc.status)


def notice_text(payload: Any, until: date | None, today: date) -> tuple[str, dict[str, Any]]:
    """The catalog key and values of a reporter's notice: "you have a new message" unless
    they asked what kind of news; for a closed case, for how many more days and until
    which day they can read it."""
    reason = str(payload.get("reason", "reply"))
    if reason not in NOTICE_REASONS:
        reason = "reply"
    params: dict[str, Any] = {}
    if until is not None:
        params = {"date": until, "count": max((until - today).days, 1)}
    if not payload.get("detail"):
        key = "discreet_closed" if params else "discreet"
        return f"escalation.notice.{key}", params
    if reason == "closed" and not params:
        reason = "closed_undated"  # the case was deleted meanwhile
    return f"escalation.notice.{reason}", params


def _carries(message: discord.Message, token: str) -> bool:
    suffix = ":" + token
    return any(
        getattr(child, "custom_id", None) and child.custom_id.endswith(suffix)
        for row in message.components
        for child in getattr(row, "children", ())
    )


def pattern_notice(key: str, codes: list[str], locale: Locale) -> str:
    """The notice with as many of the newest codes as fit in one message."""
    shown = codes
    content = t(key, locale, codes=", ".join(shown))
    while len(content) > limits.MESSAGE_CONTENT_MAX and len(shown) > 1:
        shown = shown[len(shown) // 4 or 1 :]  # drop the oldest quarter
        listed = t(
            "escalation.pattern.more", locale, codes=", ".join(shown), count=len(codes) - len(shown)
        )
        content = t(key, locale, codes=listed)
    return content


def nudge_key(payload: Mapping[str, Any]) -> str:
    """An overdue nudge says whether anyone has taken the case (nudges queued before
    claims existed say neither); a nudge after a term change, that a removed VCP's case
    is free again."""
    if payload.get("released"):
        return "casework.nudge.released"
    if "claimed" not in payload:
        return "escalation.nudge.overdue"
    return "casework.nudge.claimed" if payload["claimed"] else "casework.nudge.unclaimed"
