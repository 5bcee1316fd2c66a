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
from zoneinfo import ZoneInfo

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.intervisie._delivery import Outbox
from cogs.intervisie._form import Audience
from cogs.intervisie._render import Part, escape
from vcpbot import limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, formats, t
from vcpbot.interactions import text
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Planned, TrainingNoticeToSend, TrainingRecordView

log = logging.getLogger(__name__)

JOB_TRAINING = "intervisie:training-due"
# How often the leader looks for trainings that fell due: they are due by the day.
CHECK_SECONDS = 15 * 60


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

    def __init__(self, bot: Bot, outbox: Outbox, zone: ZoneInfo) -> None:
        self.bot = bot
        self.outbox = outbox
        self.zone = zone

    async def run_due(self) -> int:
        """Claim what is due (committed before any DM), send, then settle; returns how
        many were sent. Only the leader sends."""
        if not self.bot.leads:
            return 0
        async with self.bot.db.sessions.begin() as session:
            claimed = await intervisie.claim_training_notices(session, now=self.bot.clock())
        sent = 0
        for notice in claimed:
            delivered = await self.outbox.send(notice.record.user_id, [self._message(notice)])
            async with self.bot.db.sessions.begin() as session:
                await intervisie.settle_training_notice(
                    session,
                    record_id=notice.record.id,
                    stage=notice.stage,
                    delivered=delivered,
                )
            sent += delivered
        if claimed:
            log.info("training: %d due reminder(s), %d delivered", len(claimed), sent)
        return sent

    def _message(self, notice: TrainingNoticeToSend) -> Part:
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
        return Part(content=limits.clip("\n\n".join(words), limits.MESSAGE_CONTENT_MAX))
