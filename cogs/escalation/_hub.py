"""Operational news for the UM team, in the hub's log channel."""

from __future__ import annotations

import logging

import discord

from vcpbot.bot_types import Bot
from vcpbot.services import network

log = logging.getLogger(__name__)


async def tell_hub(bot: Bot, line: str) -> None:
    """A line in the hub's log channel: operational news for the team, never who or what
    someone wrote. Quietly nothing while the hub is not set up."""
    hub_id = bot.settings.hub_guild_id
    try:
        async with bot.db.reading.begin() as session:
            hub = await network.get_hub(session, guild_id=hub_id) if hub_id else None
        if hub is None:
            return
        channel = bot.get_partial_messageable(hub.log_channel_id, guild_id=hub_id)
        await channel.send(line, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("escalation: the hub's log channel refused a line (HTTP %s)", exc.status)
