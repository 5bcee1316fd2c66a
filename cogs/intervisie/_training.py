"""Trainings and workshops in the intervisie cog: marking a planned session as a
training, a VCP's own record in ``/intervisie mine``, and the DM when a training is due.

A training is an intervisie session with a topic (``/intervisie plan training:…``), so
invitations, answers, reminders and attendance are the same code; marking attendance
records completion (``vcpbot.services.intervisie.record_completions``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.intervisie._form import Audience
from cogs.intervisie._render import escape
from vcpbot import limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, formats, t
from vcpbot.interactions import NO_MENTIONS, text
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Planned, TrainingNoticeToSend, TrainingRecordView

log = logging.getLogger(__name__)

JOB_TRAINING = "intervisie:training-due"
# How often the leader looks for trainings that fell due: they are due by the day.
CHECK_SECONDS = 15 * 60
# How far back the bot's DMs with a person are searched for a reminder in doubt.
HISTORY_LOOKBACK = 50


async def make_training(session: AsyncSession, audience: Audience, planned: Planned) -> int | None:
    """Mark the just-planned sessions as a training when the command named a topic;
    the months it counts, or None for intervisie."""
    if audience.topic is None:
        return None
    return await intervisie.make_training(
        session,
        session_ids=[s.id for s in planned.sessions],
        topic=audience.topic,
        valid_months=audience.valid_months,
    )


def training_planned(audience: Audience, months: int, interaction: Interaction) -> str:
    return text(interaction, "training.planned", topic=escape(audience.topic or ""), months=months)


def _day(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    return formats.day(moment.astimezone(zone).date(), locale)


def add_training_field(
    embed: discord.Embed,
    records: Sequence[TrainingRecordView],
    locale: Locale,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """The VCP's own trainings under their sessions; nothing when they have none."""
    if not records:
        return
    lines = [
        t(
            f"training.mine.{'current' if r.current(now) else 'expired'}",
            locale,
            topic=escape(r.topic),
            done=_day(r.completed_at, zone, locale),
            until=_day(r.expires_at, zone, locale),
        )
        for r in records
    ]
    lines.append(f"-# {t('training.mine.privacy', locale)}")
    embed.add_field(
        name=t("training.mine.title", locale),
        value=limits.clip("\n".join(lines), limits.FIELD_VALUE_MAX),
        inline=False,
    )


class TrainingNotices:
    """The leader's DMs to VCPs whose training is due soon or has expired, each once."""

    def __init__(self, bot: Bot, zone: ZoneInfo) -> None:
        self.bot = bot
        self.zone = zone

    async def run_due(self) -> int:
        """Claim one due reminder (committed before any DM), send it, settle it; again
        until none is due. Returns how many were delivered. Only the leader sends."""
        sent = 0
        while self.bot.leads:
            async with self.bot.db.sessions.begin() as session:
                notice = await intervisie.claim_training_notice(session, now=self.bot.clock())
            if notice is None:
                break
            delivered = await self._deliver(notice)
            async with self.bot.db.sessions.begin() as session:
                await intervisie.settle_training_notice(
                    session,
                    record_id=notice.record.id,
                    stage=notice.stage,
                    delivered=delivered,
                )
            sent += delivered
        return sent

    async def catch_up(self) -> None:
        """``run_due`` for the scheduler and for taking the lead: a Discord outage leaves
        the reminder in doubt for the next run, and is only logged here."""
        try:
            await self.run_due()
        except discord.HTTPException as exc:
            log.warning("training: due reminders paused by a Discord error (HTTP %s)", exc.status)

    async def _deliver(self, notice: TrainingNoticeToSend) -> bool:
        """True once the DM is in the person's messages; False when Discord refuses it
        for good. Raises when it is not known whether it arrived (it stays in doubt)."""
        content = self._message(notice)
        try:
            channel = await self.bot.create_dm(discord.Object(id=notice.record.user_id))
            if notice.in_doubt and await self._found(channel, content):
                return True
            await channel.send(content=content, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise
            log.info("training: a due reminder could not be delivered (HTTP %s)", exc.status)
            return False
        return True

    async def _found(self, channel: Any, content: str) -> bool:
        """Whether an earlier attempt delivered this very reminder (same words)."""
        me = self.bot.user.id if self.bot.user else None
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me and message.content == content:
                return True
        return False

    def _message(self, notice: TrainingNoticeToSend) -> str:
        """In the person's language; Dutch and English when the bot never saw theirs."""
        record = notice.record
        languages: tuple[Locale, ...] = (notice.locale,) if notice.locale else ("nl", "en")
        words = [
            t(
                f"training.reminder.{notice.stage.value}",
                locale,
                topic=escape(record.topic),
                done=_day(record.completed_at, self.zone, locale),
                until=_day(record.expires_at, self.zone, locale),
            )
            for locale in languages
        ]
        return limits.clip("\n\n".join(words), limits.MESSAGE_CONTENT_MAX)
