"""The bot: owns the database, the scheduler, the clock and the translator, and knows
whether this process leads (runs the timed work; ``vcpbot.leadership``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from vcpbot.collector import settle
from vcpbot.db import Database
from vcpbot.db.revision import schema_state
from vcpbot.i18n.translator import CatalogTranslator
from vcpbot.interactions import report_error
from vcpbot.languages import LanguageMemory
from vcpbot.leadership import Leadership, LeadershipHooks, check_hooks, leadership_for
from vcpbot.logs import safe_traceback
from vcpbot.metrics import Metrics, metrics_for
from vcpbot.readcache import Listener, ReadCache
from vcpbot.scheduler import Scheduler
from vcpbot.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class DatabaseNotReady(RuntimeError):
    """The database schema is not the one this code needs; the message says how to fix it."""


class VCPCommandTree(app_commands.CommandTree["VCPBotBase"]):
    """Turns every command error into a calm, ephemeral, localised reply, and remembers
    the language of the people the bot writes to before their command runs."""

    async def interaction_check(self, interaction: discord.Interaction[VCPBotBase], /) -> bool:
        if interaction.type is discord.InteractionType.application_command:
            await _remember_language(interaction.client.languages, interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


async def _remember_language(memory: LanguageMemory, interaction: discord.Interaction) -> None:
    """``vcpbot.languages``; a failure there never stands in the way of the interaction."""
    try:
        await memory.saw(interaction)
    except Exception as exc:
        log.warning("could not remember a language (%s)", type(exc).__name__)


def intents() -> discord.Intents:
    """No privileged intents: interactions carry the member's roles and locale."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_scheduled_events = True
    chosen.dm_messages = False
    return chosen


if TYPE_CHECKING:
    # To the type checker this mixin is a discord.py Bot, so that its calls to the Bot's
    # methods (and to ``super()``'s) are checked; at run time it is only a mixin.
    _DiscordBot = commands.Bot
else:
    _DiscordBot = object


class VCPBotBase(_DiscordBot):
    """What our bot adds to discord.py's Bot and AutoShardedBot alike: the type of the
    bot wherever it does not matter whether it is sharded (``create_bot`` makes one)."""

    settings: Settings
    db: Database
    scheduler: Scheduler
    clock: Clock

    def _init_vcpbot(
        self,
        settings: Settings,
        db: Database,
        scheduler: Scheduler | None,
        clock: Clock | None,
        leadership: Leadership | None = None,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        # ``vcpbot.metrics``, when ``metrics.enabled``: counters in memory, served on scrape.
        self.metrics = metrics
        self.db = db
        self.scheduler = scheduler or Scheduler(timezone=settings.timezone)
        self.clock = clock or system_clock
        self.failed_cogs: dict[str, str] = {}
        self.leadership = leadership or leadership_for(settings, db)
        self.leadership.on_elected = self._lead_taken
        self.leadership.on_deposed = self._lead_lost
        self.leadership.on_wake = self._leader_woken
        self._cogs_loaded = False
        self._elections = 0
        self.reads = ReadCache(db)
        self.languages = LanguageMemory(self.reads, db, settings)
        self._cache_listener: Listener | None = None
        if metrics is not None:
            metrics.follow_leader(lambda: self.leads)

    @property
    def metrics_port(self) -> int | None:
        """Where the metrics endpoint listens; None when it does not."""
        return None if self.metrics is None else self.metrics.port

    async def setup_hook(self) -> None:
        current = await schema_state(self.db)
        if not current.at_head:
            raise DatabaseNotReady(f"vcpbot will not start: {current.advice()}")
        await self.tree.set_translator(CatalogTranslator())
        if not self.db.is_sqlite:  # other processes' commits must reach our cache
            url = self.db.engine.url.render_as_string(hide_password=False)
            self._cache_listener = Listener(self.reads, url)
            self._cache_listener.start()
        # Cogs add their jobs whether or not this process leads; they fire only while it does.
        self.scheduler.start(paused=True)
        await self.leadership.start()  # leads at once if it can, so the cogs see it as they load
        elections = self._elections
        for name in self.settings.cogs:
            await self._load_cog(name)
        self._cogs_loaded = True
        if self.leads and self._elections != elections:  # elected while some cogs were loading
            await self._tell_cogs("lead_taken", lambda cog: cog.lead_taken())

    async def connect(self, *, reconnect: bool = True) -> None:
        """Serving: the metrics endpoint opens with the connection, not at login, so that
        ``vcpbot sync`` (which only logs in) beside a serving process leaves its port be."""
        if self.metrics is not None and self.metrics.port is None:
            await self.metrics.start(self.db)
        await super().connect(reconnect=reconnect)

    async def on_ready(self) -> None:
        """Start-up's objects leave the collector's way (``vcpbot.collector``)."""
        if self.settings.gc_freeze:
            settle()

    async def _load_cog(self, name: str) -> None:
        try:
            await self.load_extension(f"cogs.{name}")
        except Exception as exc:  # one broken feature must not take the others down
            self.failed_cogs[name] = type(exc).__name__
            log.exception("cog %s failed to load; the other features still run", name)

    async def add_cog(self, cog: commands.Cog, /, **options: Any) -> None:
        """Refuses a cog whose leadership hooks are wrong (``check_hooks``): it would
        never hear that this process lost the lead."""
        check_hooks(cog)
        await super().add_cog(cog, **options)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons and forms: remember the presser's language beside the press (commands
        do it before they run, in ``VCPCommandTree.interaction_check``)."""
        if self.metrics is not None:
            self.metrics.arrived(interaction)  # before any await: the answer has not gone
        if interaction.type in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        ):
            await _remember_language(self.languages, interaction)

    # --- leadership: timed work runs in one process (vcpbot.leadership) ---------------------
    #
    # A cog with such work has the three methods of ``LeadershipHooks``; the bot awaits
    # them in turn, in every cog that has them.

    @property
    def leads(self) -> bool:
        return self.leadership.is_leader

    async def wake_leader(self, topic: str) -> None:
        """After committing work that only the leader carries out, make sure it hears."""
        if not self.leads:
            await self.leadership.wake(topic)

    async def _lead_taken(self) -> None:
        self._elections += 1
        self.scheduler.resume()
        if not self._cogs_loaded:
            return  # the cogs rebuild as they load
        started = time.monotonic()
        await self._tell_cogs("lead_taken", lambda cog: cog.lead_taken())
        log.info("leader's timed work rebuilt in %.2f s", time.monotonic() - started)

    async def _lead_lost(self) -> None:
        self.scheduler.pause()
        await self._tell_cogs("lead_lost", lambda cog: cog.lead_lost())

    async def _leader_woken(self, topic: str) -> None:
        await self._tell_cogs("leader_woken", lambda cog: cog.leader_woken(topic))

    async def _tell_cogs(
        self, hook: str, call: Callable[[LeadershipHooks], Awaitable[None]]
    ) -> None:
        for cog in list(self.cogs.values()):
            if not isinstance(cog, LeadershipHooks):
                continue
            try:
                await call(cog)
            except Exception as exc:  # one feature's failure must not keep the others' work back
                log.error("cog %s: %s failed\n%s", cog.qualified_name, hook, safe_traceback(exc))

    async def close(self) -> None:
        await self.leadership.stop()  # first, so another process can take over at once
        await self.scheduler.stop()  # a job that runs finishes its transaction first
        if self._cache_listener is not None:
            await self._cache_listener.stop()
        if self.metrics is not None:
            await self.metrics.stop()
        await super().close()


def _discord_options(
    settings: Settings, overrides: dict[str, Any], metrics: Metrics | None
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "help_command": None,
        "intents": intents(),
        "allowed_mentions": discord.AllowedMentions.none(),
        "tree_cls": VCPCommandTree,
        "chunk_guilds_at_startup": False,
        "max_messages": None,
    }
    if metrics is not None:  # sees each interaction's first answer go out
        options["http_trace"] = metrics.trace_config()
    options.update(overrides)
    return options


class VCPBot(VCPBotBase, commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        leadership: Leadership | None = None,
        **discord_options: Any,
    ) -> None:
        metrics = metrics_for(settings.metrics)
        super().__init__(**_discord_options(settings, discord_options, metrics))
        self._init_vcpbot(settings, db, scheduler, clock, leadership, metrics=metrics)


class ShardedVCPBot(VCPBotBase, commands.AutoShardedBot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        leadership: Leadership | None = None,
        **discord_options: Any,
    ) -> None:
        discord_options.setdefault("shard_ids", settings.shard_ids)
        discord_options.setdefault("shard_count", settings.shard_count)
        metrics = metrics_for(settings.metrics)
        super().__init__(**_discord_options(settings, discord_options, metrics))
        self._init_vcpbot(settings, db, scheduler, clock, leadership, metrics=metrics)


def create_bot(
    settings: Settings,
    db: Database,
    *,
    scheduler: Scheduler | None = None,
    clock: Clock | None = None,
    leadership: Leadership | None = None,
    **discord_options: Any,
) -> VCPBot | ShardedVCPBot:
    """The sharded bot when shard settings are given, the plain one otherwise.

    ``leadership`` decides whether this process runs timed work; by default the
    database decides (``vcpbot.leadership.leadership_for``).
    """
    # The bot never joins a voice channel: discord.py's warnings that the voice
    # libraries are missing would only make an operator look for a problem.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    cls = ShardedVCPBot if settings.sharded else VCPBot
    return cls(
        settings=settings,
        db=db,
        scheduler=scheduler,
        clock=clock,
        leadership=leadership,
        **discord_options,
    )
