"""First contact: when the bot is added to a server it says what it is and what to do
next, in Dutch and English (the server's language first), in a channel the server can
read, or, where it may write nowhere, privately to the server's owner.

Nothing is stored: the note is sent once, on Discord's "joined" event.
"""

from __future__ import annotations

import logging

import discord

from vcpbot.bot_types import Bot
from vcpbot.i18n import Locale, t
from vcpbot.i18n.catalog import as_locale
from vcpbot.interactions import NO_MENTIONS

log = logging.getLogger(__name__)


def note(*, hub: bool, first: Locale, guide_url: str | None) -> str:
    """The note in both languages, ``first`` on top."""
    order: list[Locale] = [first, _other(first)]
    return "\n\n".join(_one(locale, hub=hub, guide_url=guide_url) for locale in order)


def _one(locale: Locale, *, hub: bool, guide_url: str | None) -> str:
    lines = [
        t("help.welcome.title", locale),
        t("help.welcome.hub" if hub else "help.welcome.association", locale),
    ]
    if guide_url:
        lines.append(t("help.welcome.guide", locale, url=guide_url))
    return "\n".join(lines)


def where_to_write(guild: discord.Guild) -> discord.TextChannel | None:
    """The server's system channel, else the first text channel the bot may write in."""
    me = guild.me
    candidates = [guild.system_channel, *sorted(guild.text_channels, key=lambda c: c.position)]
    for channel in candidates:
        if channel is None:
            continue
        allowed = channel.permissions_for(me)
        if allowed.view_channel and allowed.send_messages:
            return channel
    return None


async def greet(bot: Bot, guild: discord.Guild) -> None:
    settings = bot.settings
    hub = guild.id == settings.hub_guild_id
    first = as_locale(str(guild.preferred_locale)) or settings.default_locale
    text = note(hub=hub, first=first, guide_url=settings.guides_url)
    channel = where_to_write(guild)
    try:
        if channel is not None:
            await channel.send(text, allowed_mentions=NO_MENTIONS)
            return
        owner = guild.owner or await bot.fetch_user(guild.owner_id or 0)
        server = discord.utils.escape_markdown(guild.name)
        intro = "\n".join(
            t("help.welcome.owner", locale, server=server) for locale in (first, _other(first))
        )
        await owner.send(intro + "\n\n" + text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        # Closed DMs or a channel that changed: the board still finds /setup through /help.
        log.info("could not greet a server the bot joined (HTTP %s)", exc.status)


def _other(locale: Locale) -> Locale:
    return "en" if locale == "nl" else "nl"
