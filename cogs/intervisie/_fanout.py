"""Invitations through the outbox, Discord's side: the leader's worker sends one person's
invitation DM (or finds an earlier attempt's), and the coordinator's confirmation
follows the fan-out: "Invitations: 120 of 600 sent", edited as they go out while the
interaction's token is valid; ``/intervisie progress`` shows the same later."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import discord

from cogs.intervisie import _render as render
from cogs.intervisie._names import Names
from vcpbot import custom_ids, limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS
from vcpbot.services import intervisie, languages
from vcpbot.services.intervisie import CalendarFile, FanoutProgress, InvitationToSend, SessionView

log = logging.getLogger(__name__)

# How far back the bot's DMs with a person are searched for an earlier attempt: it
# was made at most a lease or a downtime ago, and few messages follow an invitation.
HISTORY_LOOKBACK = 50
# Before the first answer to the coordinator: long enough for a small group to be done,
# so they see the outcome at once, as before.
FIRST_WAIT_S = 3.0
# Between edits of the coordinator's confirmation while invitations go out.
PROGRESS_EVERY_S = 3.0
# Discord accepts edits of an interaction's answers for 15 minutes; the plan itself
# took a moment of that, and the last edit must land in time.
FOLLOW_FOR_S = 13 * 60.0
# One calendar file per session and version, shared by every invitee; kept this many.
CALENDAR_CACHE = 256


class InvitationMessages:
    """The worker's two calls to Discord: send one invitation DM, find an earlier one."""

    def __init__(self, bot: Bot, leads: Sequence[str]) -> None:
        self.bot = bot
        self.leads = leads
        self._files: dict[tuple[int, int], CalendarFile] = {}

    def _calendar(self, sessions: Sequence[SessionView]) -> dict[int, CalendarFile]:
        if len(self._files) > CALENDAR_CACHE:
            self._files.clear()
        now = self.bot.clock()
        for view in sessions:
            key = (view.id, view.sequence)
            if key not in self._files:
                self._files[key] = intervisie.calendar_file(view, now=now)
        return {view.id: self._files[(view.id, view.sequence)] for view in sessions}

    async def send(self, item: InvitationToSend) -> bool:
        """True once Discord took the DM; False when it refused it for good (DMs closed,
        the person gone). Raises when it is not known whether it arrived."""
        async with self.bot.db.reading.begin() as session:
            readers = await languages.remembered_for(session, user_ids=[item.user_id])
        parts = render.invitation(
            item.sessions,
            item.invitations,
            item.series,
            readers.get(item.user_id),
            self._calendar(item.sessions),
            self.leads,
        )
        try:
            channel = await self.bot.create_dm(discord.Object(id=item.user_id))
            for part in parts:
                await channel.send(**part.send_kwargs())
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise  # Discord may have taken it: the invitation is in doubt
            log.info("intervisie: an invitation DM could not be delivered (HTTP %s)", exc.status)
            return False
        return True

    async def find(self, item: InvitationToSend) -> bool:
        """Whether the bot's recent DMs with the person hold this invitation: a message of
        the bot's whose buttons carry one of its invitations' tokens."""
        try:
            channel = await self.bot.create_dm(discord.Object(id=item.user_id))
        except (discord.Forbidden, discord.NotFound):
            return False
        tokens = {i.token for i in item.invitations}
        me = self.bot.user.id if self.bot.user else None
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me and _carries(message, tokens):
                return True
        return False


def _carries(message: discord.Message, tokens: set[str]) -> bool:
    return any(
        custom_ids.opaque(getattr(child, "custom_id", None) or "") in tokens
        for row in message.components
        for child in getattr(row, "children", ())
    )


# The coordinator's confirmation for a state of the fan-out (None: nobody to invite).
Summary = Callable[[FanoutProgress | None], Awaitable[str]]


class ProgressFollower:
    """Answers the coordinator once the fan-out is done or has had a moment, then edits
    that answer as the invitations go out, until they all have or the token runs out."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, fanout_id: int | None) -> FanoutProgress | None:
        if fanout_id is None:
            return None
        async with self.bot.db.reading.begin() as session:
            return await intervisie.fanout_progress(session, fanout_id=fanout_id)

    async def show(self, interaction: Interaction, fanout_id: int | None, summary: Summary) -> None:
        started = time.monotonic()
        progress = await self.read(fanout_id)
        while progress is not None and not progress.done:
            if time.monotonic() - started >= FIRST_WAIT_S:
                break
            await asyncio.sleep(0.1)
            progress = await self.read(fanout_id)
        message = await interaction.followup.send(
            await summary(progress), ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )
        if progress is not None and not progress.done:
            task = asyncio.create_task(self._follow(message, fanout_id, summary, progress))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _follow(
        self, message: Any, fanout_id: int | None, summary: Summary, last: FanoutProgress
    ) -> None:
        until = time.monotonic() + FOLLOW_FOR_S
        while time.monotonic() < until and not last.done:
            await asyncio.sleep(PROGRESS_EVERY_S)
            progress = await self.read(fanout_id)
            if progress is None or progress == last:
                continue
            last = progress
            try:
                await message.edit(content=await summary(progress))
            except discord.HTTPException as exc:
                log.info("intervisie: the fan-out's progress was not shown (HTTP %s)", exc.status)
                return

    def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def progress_lines(
    progress: FanoutProgress | None, names: Names, locale: Locale
) -> list[str]:
    """What the coordinator reads about the invitations: how many of how many so far,
    or, once done, how many were sent and who could not be reached."""
    if progress is None or progress.people == 0:
        return []
    if not progress.done:
        return [
            t("intervisie.fanout.progress", locale, sent=progress.sent, people=progress.people),
            t("intervisie.fanout.following", locale),
        ]
    lines = [
        t(
            "intervisie.fanout.final",
            locale,
            sent=progress.sent,
            unreachable=progress.unreachable,
        )
    ]
    if progress.unreachable_ids:
        found = await names.lookup(progress.unreachable_ids)
        lines.append(render.unreachable_text([found[u] for u in progress.unreachable_ids], locale))
    return lines


def delivered_text(progress: FanoutProgress | None, locale: Locale) -> str:
    """The "…; 4 got the invitation" part of the plan's confirmation."""
    if progress is not None and not progress.done:
        return t("intervisie.fanout.on_the_way", locale)
    return t("intervisie.plan.delivered", locale, count=progress.sent if progress else 0)


# ``/intervisie progress`` looks this far back.
PROGRESS_LOOKBACK_DAYS = 7


async def progress_report(bot: Bot, names: Names, locale: Locale) -> str:
    """The latest plans' invitations: per plan, how many of how many were sent, and who
    could not be reached; for the coordinator only."""
    since = bot.clock() - timedelta(days=PROGRESS_LOOKBACK_DAYS)
    async with bot.db.reading.begin() as session:
        recent = await intervisie.recent_fanouts(session, since=since)
    if not recent:
        return t("intervisie.fanout.none", locale)
    blocks: list[str] = []
    zone = intervisie.Policy.from_settings(bot.settings).zone
    for progress in recent:
        when = (progress.starts_at or bot.clock()).astimezone(zone)
        head = t("intervisie.fanout.about", locale, title=render.escape(progress.title), when=when)
        blocks.append("\n".join([head, *await progress_lines(progress, names, locale)]))
    return "\n\n".join(blocks)[: limits.MESSAGE_CONTENT_MAX]
