"""Talking to Discord for intervisie: DMs to invitees, the hub's scheduled events, and
reports to the coordinator in the hub's log channel.

DMs go out one after another: discord.py waits out rate limits (and retries
429s) per route, so a fan-out to many invitees is slow rather than lossy. A
person who cannot be reached is reported, never silently skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import discord

from cogs.intervisie._render import Part
from vcpbot import limits
from vcpbot.bot_types import Bot
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS
from vcpbot.services import network
from vcpbot.services.intervisie import MovedSession, SessionView

log = logging.getLogger(__name__)

_REASON = "vcpbot: intervisie changed"


class Outbox:
    """Direct messages to one person at a time; False when they cannot be reached."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, user_id: int, parts: Sequence[Part]) -> bool:
        try:
            channel = await self.bot.create_dm(discord.Object(id=user_id))
            for part in parts:
                await channel.send(**part.send_kwargs())
        except (discord.Forbidden, discord.NotFound) as exc:
            # DMs closed, or no server shared with the bot any more.
            log.info("intervisie: a DM could not be delivered (HTTP %s)", exc.status)
            return False
        except discord.HTTPException as exc:
            log.warning("intervisie: a DM failed (HTTP %s)", exc.status)
            return False
        return True


class HubReports:
    """Messages for the coordinator in the hub's log channel, in the deployment's language."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @property
    def locale(self) -> Locale:
        return self.bot.settings.default_locale

    async def post(self, lines: Iterable[str]) -> bool:
        hub_id = self.bot.settings.hub_guild_id
        if hub_id is None:
            log.warning("intervisie: no hub configured; a coordinator report was not posted")
            return False
        async with self.bot.db.sessions.begin() as session:
            hub = await network.get_hub(session, guild_id=hub_id)
        if hub is None:
            log.warning("intervisie: the hub is not set up; a coordinator report was not posted")
            return False
        channel = self.bot.get_partial_messageable(hub.log_channel_id, guild_id=hub_id)
        try:
            for chunk in _chunks(lines, limits.MESSAGE_CONTENT_MAX):
                await channel.send(chunk, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("intervisie: a coordinator report was not posted (HTTP %s)", exc.status)
            return False
        return True


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Whole lines packed into messages of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for whole in lines:
        line = whole[:limit]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


class HubEvents:
    """The hub's Discord scheduled events, one per session, kept in step with the rows."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @property
    def locale(self) -> Locale:
        return self.bot.settings.default_locale

    def _hub(self) -> discord.Guild | None:
        hub_id = self.bot.settings.hub_guild_id
        return self.bot.get_guild(hub_id) if hub_id else None

    @staticmethod
    def _location(view: SessionView) -> str:
        # Discord shows a link as a link and a room as text; both fit its 100 characters.
        return view.location[: limits.EVENT_LOCATION_MAX]

    def _description(self, view: SessionView) -> str:
        text = t("intervisie.event.description", self.locale)
        if view.agenda:
            text += "\n\n" + view.agenda
        return text[: limits.EVENT_DESCRIPTION_MAX]

    async def create(self, sessions: Sequence[SessionView]) -> dict[int, int]:
        """Session id -> event id, for the sessions whose event could be created."""
        guild = self._hub()
        if guild is None:
            return {}
        created: dict[int, int] = {}
        for view in sessions:
            try:
                event = await guild.create_scheduled_event(
                    name=view.title[: limits.EVENT_NAME_MAX],
                    description=self._description(view),
                    start_time=view.starts_at,
                    end_time=view.ends_at,
                    entity_type=discord.EntityType.external,
                    privacy_level=discord.PrivacyLevel.guild_only,
                    location=self._location(view),
                    reason="vcpbot: intervisie planned",
                )
            except discord.HTTPException as exc:
                log.warning("intervisie: scheduled event not created (HTTP %s)", exc.status)
                continue
            created[view.id] = event.id
        return created

    async def _event(self, guild: discord.Guild, event_id: int) -> discord.ScheduledEvent | None:
        event = guild.get_scheduled_event(event_id)
        if event is not None:
            return event
        try:
            return await guild.fetch_scheduled_event(event_id)
        except discord.NotFound:
            # Someone removed it in Discord; the session itself is unaffected.
            return None

    async def move(self, moves: Sequence[MovedSession]) -> bool:
        """Follow moved sessions; False when an event could not be updated."""
        return await self._each([m.after for m in moves], self._edit)

    async def cancel(self, sessions: Sequence[SessionView]) -> bool:
        return await self._each(sessions, lambda event, view: event.cancel(reason=_REASON))

    async def _edit(self, event: discord.ScheduledEvent, view: SessionView) -> Any:
        return await event.edit(
            start_time=view.starts_at,
            end_time=view.ends_at,
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location=self._location(view),
            reason=_REASON,
        )

    async def _each(self, sessions: Sequence[SessionView], change: Any) -> bool:
        guild = self._hub()
        ok = True
        for view in sessions:
            if view.discord_event_id is None or guild is None:
                continue
            try:
                event = await self._event(guild, view.discord_event_id)
                if event is not None:
                    await change(event, view)
            except discord.HTTPException as exc:
                log.warning("intervisie: scheduled event not updated (HTTP %s)", exc.status)
                ok = False
        return ok
