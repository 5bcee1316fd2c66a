"""The real bot against the Discord emulator: for end-to-end tests and ``vcpbot demo``.

The bot is the unmodified one from ``create_bot``; only the settings'
``discord_api_base`` and ``discord_gateway_url`` point at the emulator. It can
be stopped and started again against the same database and emulator world, so
restart behaviour is tested as it happens in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from discord_emulator import Emulator, Guild
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Role, User
from vcpbot.bot import VCPBot, create_bot
from vcpbot.db import Database
from vcpbot.discord_endpoints import discord_endpoints, point_discord_at, restore
from vcpbot.settings import Settings

READY_TIMEOUT_S = 10.0


class ManualClock:
    """A clock the test moves by hand; always aware UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)
        if self.now.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


def point_discord_py(emulator: Emulator) -> contextlib.AbstractContextManager[None]:
    """Point discord.py's process-wide REST base and gateway URL at the emulator, then restore."""
    return discord_endpoints(emulator.api_base, emulator.gateway_url)


# One runtime directory per emulated Discord, as one machine has one /run/vcpbot:
# restarts of the bot against the same emulator keep the runtime key.
_runtime_dirs: weakref.WeakKeyDictionary[Emulator, Path] = weakref.WeakKeyDictionary()


def runtime_dir_for(emulator: Emulator) -> Path:
    """A temporary stand-in for /run/vcpbot, the same for every bot on this emulator;
    removed with the emulator (or when the process exits), as a reboot empties /run."""
    if emulator not in _runtime_dirs:
        made = Path(tempfile.mkdtemp(prefix="vcpbot-run-"))
        weakref.finalize(emulator, shutil.rmtree, made, True)
        _runtime_dirs[emulator] = made
    return _runtime_dirs[emulator]


def settings_for(emulator: Emulator, *, hub_guild_id: int | None, **values: Any) -> Settings:
    """Settings as a deployment would have them, pointed at this emulator (and, unless
    given, a temporary runtime directory shared by every bot on it)."""
    values.setdefault("runtime_dir", runtime_dir_for(emulator))
    # One test process starts hundreds of bots: a full collection at each start would
    # cost more than it saves. tests/e2e/operations/test_collector.py turns it on.
    values.setdefault("gc_freeze", False)
    return Settings.load(
        config_file=None,
        env_file=None,
        discord_api_base=emulator.api_base,
        discord_gateway_url=emulator.gateway_url,
        hub_guild_id=hub_guild_id,
        **values,
    )


@dataclass
class BotHarness:
    """Starts, stops and restarts the real bot against an emulator."""

    emulator: Emulator
    settings: Settings
    db: Database
    clock: Any = None
    bot: VCPBot | None = None
    starts: int = 0
    _task: asyncio.Task[None] | None = None
    _previous: Any = None
    _discord_options: dict[str, Any] = field(default_factory=dict)

    async def start(self, *, sync: bool = True) -> VCPBot:
        if self.bot is not None:
            raise RuntimeError("the bot is already running")
        self._previous = point_discord_at(
            self.settings.discord_api_base, self.settings.discord_gateway_url
        )
        if self.clock is not None:
            # Discord and the bot share one "now", so rules about time agree.
            self.emulator.clock = self.clock
        options = {"guild_ready_timeout": 0.05, **self._discord_options}
        bot = create_bot(self.settings, self.db, clock=self.clock, **options)
        try:
            await bot.login(self.emulator.token)
            self._task = asyncio.create_task(bot.connect(reconnect=True), name="vcpbot-connect")
            await asyncio.wait_for(self._ready(bot), READY_TIMEOUT_S)
            if sync:
                # A deployment runs `vcpbot sync` once; here every start registers again,
                # which is harmless and keeps the emulator's command list current.
                await bot.tree.sync()
        except BaseException:
            await self._shutdown(bot)
            raise
        self.bot = bot  # type: ignore[assignment]
        self.starts += 1
        return bot  # type: ignore[return-value]

    async def _ready(self, bot: Any) -> None:
        while not bot.is_ready():
            if self._task is not None and self._task.done():
                self._task.result()  # re-raise why the connection ended
                raise RuntimeError("the bot disconnected before it was ready")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self.bot is None:
            return
        bot, self.bot = self.bot, None
        await self._shutdown(bot)

    async def _shutdown(self, bot: Any) -> None:
        await bot.close()
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
            self._task = None
        if self._previous is not None:
            restore(self._previous)
            self._previous = None

    async def restart(self) -> VCPBot:
        await self.stop()
        return await self.start(sync=False)


# --- a network to play with: the hub and associations --------------------------------


DEFAULT_ASSOCIATIONS = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
)


@dataclass
class AssociationGuild:
    guild: Guild
    admin: User
    vcp_role: Role
    general: Channel
    rules: Channel


@dataclass
class NetworkWorld:
    """The people and places of the product, as Discord knows them (not yet as the bot does)."""

    hub: Guild
    hub_admin: User
    coordinator: User
    team_member: User
    team_role: Role
    coordinator_role: Role
    escalations: Channel
    network_log: Channel
    hub_general: Channel
    associations: dict[str, AssociationGuild]
    users: dict[str, User]

    def association(self, key: str) -> AssociationGuild:
        return self.associations[key]


def seed_network_world(
    emulator: Emulator,
    *,
    associations: tuple[tuple[str, str, str], ...] | None = None,
    staff_locale: str | None = None,
) -> NetworkWorld:
    """The UM hub with its team, and association servers with an admin each.

    ``associations`` holds (key, server name, server locale) triples;
    ``staff_locale`` gives every seeded person that Discord language.
    """
    associations = associations or DEFAULT_ASSOCIATIONS
    hub_admin = emulator.create_user("hub-admin", locale=staff_locale or "nl")
    coordinator = emulator.create_user(
        "coordinator", locale=staff_locale or "nl", global_name="Coördinator UM"
    )
    team_member = emulator.create_user(
        "team-member", locale=staff_locale or "en-US", global_name="UM Team"
    )
    hub = emulator.create_guild("UM Sociale Veiligheid", owner=hub_admin, locale="nl")
    team_role = hub.create_role("UM team")
    coordinator_role = hub.create_role("Coordinator")
    emulator.add_member(hub, hub_admin, permissions=perm.ADMINISTRATOR)
    emulator.add_member(hub, coordinator, roles=[team_role, coordinator_role])
    emulator.add_member(hub, team_member, roles=[team_role])
    escalations = hub.create_text_channel("escalations")
    network_log = hub.create_text_channel("network-log")
    hub_general = hub.create_text_channel("general")
    seeded: dict[str, AssociationGuild] = {}
    for key, name, locale in associations:
        admin_locale = staff_locale or ("nl" if locale == "nl" else "en-US")
        admin = emulator.create_user(f"{key}-board", locale=admin_locale)
        guild = emulator.create_guild(name, owner=admin, locale=locale)
        vcp_role = guild.create_role("VCP")
        emulator.add_member(guild, admin, permissions=perm.MANAGE_GUILD)
        seeded[key] = AssociationGuild(
            guild=guild,
            admin=admin,
            vcp_role=vcp_role,
            general=guild.create_text_channel("general"),
            rules=guild.create_text_channel("rules"),
        )
    return NetworkWorld(
        hub=hub,
        hub_admin=hub_admin,
        coordinator=coordinator,
        team_member=team_member,
        team_role=team_role,
        coordinator_role=coordinator_role,
        escalations=escalations,
        network_log=network_log,
        hub_general=hub_general,
        associations=seeded,
        users={},
    )


def add_student(
    emulator: Emulator, world: NetworkWorld, key: str, name: str, *, locale: str
) -> User:
    """A member of an association's server, with no roles."""
    user = emulator.create_user(name, locale=locale)
    emulator.add_member(world.associations[key].guild, user)
    world.users[name] = user
    return user
