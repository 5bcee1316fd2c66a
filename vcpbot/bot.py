"""The bot: owns the database, the scheduler, the clock and the translator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from vcpbot.db import Database
from vcpbot.db.migrate import state as migration_state
from vcpbot.i18n.translator import CatalogTranslator
from vcpbot.interactions import report_error
from vcpbot.readcache import Listener, ReadCache
from vcpbot.scheduler import Scheduler
from vcpbot.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class DatabaseNotReady(RuntimeError):
    """The database schema is not the one this code needs; the message says how to fix it."""


class VCPCommandTree(app_commands.CommandTree):
    """Turns every command error into a calm, ephemeral, localised reply."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


def intents() -> discord.Intents:
    """No privileged intents: interactions carry the member's roles and locale."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_scheduled_events = True
    chosen.dm_messages = False
    return chosen


class _VCPBotMixin:
    """What our bot adds to discord.py's Bot and AutoShardedBot alike."""

    settings: Settings
    db: Database
    scheduler: Scheduler
    clock: Clock
    tree: app_commands.CommandTree

    def _init_vcpbot(
        self, settings: Settings, db: Database, scheduler: Scheduler | None, clock: Clock | None
    ) -> None:
        self.settings = settings
        self.db = db
        self.scheduler = scheduler or Scheduler(timezone=settings.timezone)
        self.clock = clock or system_clock
        self.failed_cogs: dict[str, str] = {}
        self.reads = ReadCache(db)
        self._cache_listener: Listener | None = None

    async def setup_hook(self) -> None:
        current = await migration_state(self.db)
        if not current.at_head:
            raise DatabaseNotReady(f"vcpbot will not start: {current.advice()}")
        await self.tree.set_translator(CatalogTranslator())
        if not self.db.is_sqlite:  # other processes' commits must reach our cache
            url = self.db.engine.url.render_as_string(hide_password=False)
            self._cache_listener = Listener(self.reads, url)
            self._cache_listener.start()
        if self.settings.scheduler.enabled:
            self.scheduler.start()
        for name in self.settings.cogs:
            await self._load_cog(name)

    async def _load_cog(self, name: str) -> None:
        try:
            await self.load_extension(f"cogs.{name}")  # type: ignore[attr-defined]
        except Exception as exc:  # one broken feature must not take the others down
            self.failed_cogs[name] = type(exc).__name__
            log.exception("cog %s failed to load; the other features still run", name)

    async def close(self) -> None:
        self.scheduler.shutdown()
        if self._cache_listener is not None:
            await self._cache_listener.stop()
        await super().close()  # type: ignore[misc]


def _discord_options(settings: Settings, overrides: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "help_command": None,
        "intents": intents(),
        "allowed_mentions": discord.AllowedMentions.none(),
        "tree_cls": VCPCommandTree,
        "chunk_guilds_at_startup": False,
        "max_messages": None,
    }
    options.update(overrides)
    return options


class VCPBot(_VCPBotMixin, commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        **discord_options: Any,
    ) -> None:
        super().__init__(**_discord_options(settings, discord_options))
        self._init_vcpbot(settings, db, scheduler, clock)


class ShardedVCPBot(_VCPBotMixin, commands.AutoShardedBot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        **discord_options: Any,
    ) -> None:
        discord_options.setdefault("shard_ids", settings.shard_ids)
        discord_options.setdefault("shard_count", settings.shard_count)
        super().__init__(**_discord_options(settings, discord_options))
        self._init_vcpbot(settings, db, scheduler, clock)


def create_bot(
    settings: Settings,
    db: Database,
    *,
    scheduler: Scheduler | None = None,
    clock: Clock | None = None,
    **discord_options: Any,
) -> VCPBot | ShardedVCPBot:
    """The sharded bot when shard settings are given, the plain one otherwise."""
    cls = ShardedVCPBot if settings.sharded else VCPBot
    return cls(settings=settings, db=db, scheduler=scheduler, clock=clock, **discord_options)
