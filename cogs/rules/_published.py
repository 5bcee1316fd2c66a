"""A server's published rules, from the read cache (``vcpbot.readcache``)."""

from __future__ import annotations

from vcpbot.bot_types import Bot
from vcpbot.services import rules


async def published_rules(bot: Bot, guild_id: int) -> tuple[rules.Published, ...]:
    """The guild's published rules, from the read cache (``vcpbot.readcache``)."""

    async def load() -> tuple[rules.Published, ...]:
        async with bot.db.reading.begin() as session:
            return await rules.published(session, guild_id=guild_id)

    return await bot.reads.get(("rules", guild_id), rules.PUBLISHED_TABLES, load)
