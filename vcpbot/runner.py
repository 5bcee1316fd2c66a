"""Starting the bot for real: ``vcpbot run`` and ``vcpbot sync``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import aiohttp
import discord

from vcpbot.bot import DatabaseNotReady, create_bot
from vcpbot.db import create_database
from vcpbot.db.revision import schema_state
from vcpbot.discord_endpoints import point_discord_at
from vcpbot.leadership import AlreadyRunning, Leadership, leadership_for
from vcpbot.logs import configure_logging
from vcpbot.metrics import MetricsUnavailable
from vcpbot.settings import Settings

log = logging.getLogger(__name__)


def _token(settings: Settings) -> str | None:
    if settings.discord_token is None:
        sys.stderr.write(
            "vcpbot needs a bot token: set VCPBOT_DISCORD_TOKEN, or put it in a file "
            "named vcpbot_discord_token in the secrets directory.\n"
        )
        return None
    return settings.discord_token.get_secret_value()


# What stops the bot before it serves, each said in one line (no traceback).
STARTUP_FAILURES = (
    DatabaseNotReady,
    AlreadyRunning,
    MetricsUnavailable,
    discord.LoginFailure,
    discord.PrivilegedIntentsRequired,
    discord.GatewayNotFound,
    aiohttp.ClientError,
    TimeoutError,  # no answer at all (a proxy or firewall that drops)
)


def why_not_started(exc: BaseException) -> str:
    if isinstance(exc, discord.LoginFailure):
        return "Discord did not accept the bot token; check VCPBOT_DISCORD_TOKEN.\n"
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return "Discord refused the gateway intents; vcpbot needs no privileged ones.\n"
    if isinstance(exc, DatabaseNotReady | AlreadyRunning | MetricsUnavailable):
        return f"{exc}\n"
    return unreachable(exc)


async def run_bot(settings: Settings) -> int:
    configure_logging(settings.log_level)
    token = _token(settings)
    if token is None:
        return 2
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    db = create_database(settings.database_url)
    try:
        current = await schema_state(db)
        if not current.at_head:
            sys.stderr.write(f"vcpbot will not start: {current.advice()}\n")
            return 1
        leadership = leadership_for(settings, db)
        leadership.reserve()
        bot = create_bot(settings, db, leadership=leadership)
        async with bot:
            await bot.start(token)
    except STARTUP_FAILURES as exc:
        sys.stderr.write(why_not_started(exc))
        return 1
    finally:
        await db.dispose()
    return 0


async def sync_commands(settings: Settings, say: Callable[[str], None]) -> int:
    """Register the command tree globally, and with the dev guild when one is set."""
    configure_logging(settings.log_level)
    token = _token(settings)
    if token is None:
        return 2
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    db = create_database(settings.database_url)
    # Never leads: it runs beside the serving processes and must not do their timed work.
    bot = create_bot(settings, db, leadership=Leadership())
    try:
        async with bot:
            await bot.login(token)  # runs setup_hook, which loads the cogs
            synced = await bot.tree.sync()
            say(f"registered {len(synced)} global command(s)")
            if settings.dev_guild_id is not None:
                guild = discord.Object(settings.dev_guild_id)
                bot.tree.copy_global_to(guild=guild)
                copied = await bot.tree.sync(guild=guild)
                say(f"registered {len(copied)} command(s) in dev guild {settings.dev_guild_id}")
    except DatabaseNotReady as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    except (OSError, aiohttp.ClientError, discord.GatewayNotFound) as exc:
        sys.stderr.write(unreachable(exc))
        return 1
    finally:
        await db.dispose()
    return 0


def unreachable(exc: BaseException) -> str:
    """One line for an operator whose machine cannot reach Discord (network, DNS, proxy)."""
    reason = str(exc).strip().splitlines()
    return f"cannot reach Discord: {reason[0] if reason else type(exc).__name__}\n"
