"""The Discord emulator: an aiohttp server on 127.0.0.1 speaking REST v10 and the gateway."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime

from aiohttp import web

from discord_emulator import permissions as perm
from discord_emulator import rest
from discord_emulator.driver import DEFAULT_TIMEOUT, Person
from discord_emulator.entities import (
    DM,
    PRIVATE_THREAD,
    Attachment,
    Channel,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
    now,
)
from discord_emulator.gateway import Gateway
from discord_emulator.guild import Guild
from discord_emulator.ratelimit import RateLimits
from discord_emulator.rest import RequestRecord
from discord_emulator.spec import API_PREFIX
from discord_emulator.world import World

# Application flags Discord sets when a privileged intent is enabled in the developer portal.
_INTENT_FLAGS = {1 << 1: 1 << 15, 1 << 8: 1 << 13, 1 << 15: 1 << 19}

# Uploads up to Discord's own attachment limit must get through aiohttp.
_MAX_REQUEST_BYTES = 30 * 1024 * 1024


class Emulator:
    """One emulated Discord: its world, REST API, gateway and the rules Discord enforces."""

    def __init__(self, *, privileged_intents: int = 0, bot_name: str = "vcpbot") -> None:
        self.world = World(bot_name=bot_name)
        self.token = "emulator." + secrets.token_urlsafe(32)
        # Privileged intents (GUILD_MEMBERS 1<<1, GUILD_PRESENCES 1<<8, MESSAGE_CONTENT 1<<15)
        # the application may use; identifying with others is closed with 4014.
        self.privileged_intents = privileged_intents
        self.rate_limits = RateLimits()
        self.gateway = Gateway(self)
        self.failures: list[str] = []
        self.requests: list[RequestRecord] = []
        # Discord's interaction clock: 3 s to acknowledge, then 15 minutes of token life.
        # Discord's sense of "now" for rules about time (no event in the past); a test that
        # moves the bot's clock moves this one with it (BotHarness does).
        self.clock: Callable[[], datetime] = now
        self.interaction_deadline = 3.0
        self.interaction_token_lifetime = 15 * 60.0
        self.recommended_shards = 1
        self.app_owner = self.world.create_user("app-owner")
        self.world.on_dispatch = self.gateway.dispatch
        self.world.on_guild_create = self.gateway.send_guild_create
        self.port = 0
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> Emulator:
        app = web.Application(client_max_size=_MAX_REQUEST_BYTES)

        async def api(request: web.Request) -> web.StreamResponse:
            return await rest.handle(self, request)

        async def cdn(request: web.Request) -> web.StreamResponse:
            return await rest.serve_attachment(self, request)

        app.router.add_route("*", API_PREFIX + "/{tail:.*}", api)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", cdn)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.world.http_base = f"http://127.0.0.1:{self.port}"
        return self

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        # A distinct path shows that a reconnect used READY's resume_gateway_url.
        return f"ws://127.0.0.1:{self.port}/gateway/resume"

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def application_flags(self) -> int:
        """GATEWAY_* flags for the privileged intents this application may use."""
        return sum(
            flag for intent, flag in _INTENT_FLAGS.items() if self.privileged_intents & intent
        )

    @property
    def bot_user(self) -> User:
        return self.world.bot_user

    async def wait_until_bot_ready(self, within: float = DEFAULT_TIMEOUT) -> None:
        """Until a bot session has identified and been sent READY and its guilds."""
        await self.world.wait_for(
            lambda: any(s.connection is not None for s in self.gateway.sessions.values()),
            within=within,
            what="a bot to identify on the gateway",
        )

    # -- faults and checks -----------------------------------------------------------------

    def inject(
        self,
        route: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: float = 0.1,
        channel: Channel | None = None,
        code: int = 0,
    ) -> None:
        """Fail the next ``count`` calls of a route, e.g. "POST /channels/{channel_id}/messages"
        (only those on ``channel`` if given), with Discord's JSON error ``code`` in the body."""
        from discord_emulator.routing import ROUTES, normalise_template

        if normalise_template(route) not in {normalise_template(k) for k in ROUTES.route_keys()}:
            raise ValueError(f"{route!r} is not a route the emulator models")
        major = None if channel is None else str(channel.id)
        self.rate_limits.inject(
            route, status=status, count=count, retry_after=retry_after, major=major, code=code
        )

    def assert_no_failures(self) -> None:
        if self.failures:
            raise AssertionError("the emulator recorded failures:\n- " + "\n- ".join(self.failures))

    # -- world building -------------------------------------------------------------------

    def create_user(
        self, name: str, *, locale: str = "en-US", global_name: str | None = None
    ) -> User:
        return self.world.create_user(name, locale=locale, global_name=global_name)

    def create_guild(
        self,
        name: str,
        *,
        owner: User,
        locale: str = "en-US",
        bot_permissions: int = perm.BOT_DEFAULT,
        with_bot: bool = True,
    ) -> Guild:
        return self.world.create_guild(
            name, owner=owner, locale=locale, bot_permissions=bot_permissions, with_bot=with_bot
        )

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        roles: Iterable[Role] = (),
        permissions: int | None = None,
        nick: str | None = None,
    ) -> Member:
        """Add a member; ``permissions`` gives them a personal role carrying exactly those bits."""
        granted = list(roles)
        if permissions is not None:
            granted.append(
                guild.create_role(f"{user.username}-permissions", permissions=permissions)
            )
        return self.world.add_member(guild, user, roles=granted, nick=nick)

    def give_role(self, guild: Guild, user: User, role: Role) -> None:
        """What someone with Manage Roles does in the client: the bot only hears of it."""
        member = guild.member(user)
        if member is None:
            raise AssertionError(f"{user.username} is not a member of {guild.name}")
        if role not in member.roles:
            member.roles.append(role)
            self.world.update_member(guild, member)

    def remove_member(self, guild: Guild, user: User) -> None:
        self.world.remove_member(guild, user)

    def add_bot_to_guild(self, guild: Guild) -> None:
        self.world.add_bot_to_guild(guild)

    def remove_bot_from_guild(self, guild: Guild) -> None:
        self.world.remove_bot_from_guild(guild)

    def upload(self, filename: str, data: bytes, *, content_type: str | None = None) -> Attachment:
        """A file a person attaches (for attachment options and file-upload fields)."""
        return self.world.new_attachment(filename, data, content_type=content_type)

    def person(self, user: User, *, timeout: float = DEFAULT_TIMEOUT) -> Person:
        return Person(self, user, timeout=timeout)

    # -- seeing ---------------------------------------------------------------------------

    def channel_messages(self, channel: Channel, *, viewer: User) -> list[Message]:
        """What ``viewer`` sees in a channel, oldest first (nothing if they cannot view it)."""
        if channel.type == DM:
            if viewer not in channel.recipients and viewer is not self.bot_user:
                return []
        else:
            guild = self.world.guild_of(channel)
            granted = 0 if guild is None else guild.permissions_for(viewer, channel)
            if not granted & perm.VIEW_CHANNEL:
                return []
            outsider = channel.type == PRIVATE_THREAD and viewer.id not in channel.thread_members
            if outsider and not granted & perm.MANAGE_THREADS:
                return []
        return [m for m in channel.messages if m.visible_for(viewer)]

    def dms(self, user: User) -> list[Message]:
        return self.channel_messages(self.world.dm_channel(user), viewer=user)

    def scheduled_events(self, guild: Guild) -> list[ScheduledEvent]:
        return list(guild.scheduled_events.values())

    def member_roles(self, guild: Guild, user: User) -> list[Role]:
        member = guild.member(user)
        if member is None:
            raise AssertionError(f"{user.username} is not a member of {guild.name}")
        return list(member.roles)

    def messages_by_bot(self) -> list[Message]:
        return [
            m for m in self.world.messages.values() if m.author is self.bot_user and not m.deleted
        ]


__all__ = ["Emulator"]
