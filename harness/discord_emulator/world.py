"""The in-memory Discord world: guilds, users, DMs, messages, commands and interactions.

World-building methods dispatch the gateway events Discord would send, so a
connected bot sees a member join or a role appear exactly as it would live.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from discord_emulator import permissions as perm
from discord_emulator.entities import (
    DM,
    ApplicationCommand,
    Attachment,
    Channel,
    Member,
    Message,
    Role,
    User,
)
from discord_emulator.guild import Guild
from discord_emulator.snowflake import SnowflakeFactory

if TYPE_CHECKING:
    from discord_emulator.interactions import Interaction

T = TypeVar("T")
Dispatch = Callable[[str, dict[str, Any], "int | None"], None]


class World:
    """Everything the emulated Discord knows, plus a change signal that drivers wait on."""

    def __init__(self, *, bot_name: str = "vcpbot") -> None:
        self.snowflakes = SnowflakeFactory()
        self.application_id = self.snowflakes.next()
        # Like a real bot, the bot user's id equals the application id.
        self.bot_user = User(id=self.application_id, username=bot_name, bot=True)
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.channel_guild: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}
        self.commands: dict[int, ApplicationCommand] = {}
        self.interactions: dict[int, Interaction] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channels: dict[int, Channel] = {}
        # What people typed (text inputs, free-text options, messages) and every text the
        # bot put in a message, edits and later-replaced texts included: what a test needs
        # to show that none of it went anywhere else (a log line, say).
        self.typed: list[str] = []
        self.shown: list[str] = []
        self.http_base = "http://127.0.0.1:0"
        # Set by the emulator: how events reach the gateway.
        self.on_dispatch: Dispatch = lambda event, data, guild_id: None
        self.on_guild_create: Callable[[Guild], None] = lambda guild: None
        self._changed = asyncio.Event()

    # -- lookups --------------------------------------------------------------------------

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.channel_guild.get(channel.id)

    def register_channel(self, guild: Guild | None, channel: Channel) -> None:
        self.channels[channel.id] = channel
        if guild is not None:
            guild.channels[channel.id] = channel
            self.channel_guild[channel.id] = guild

    def people(self) -> list[User]:
        """Every account but the bot's own (whose id is also the application's)."""
        return [u for u in self.users.values() if u is not self.bot_user]

    def shares_guild_with_bot(self, user: User) -> bool:
        return any(g.has_bot and user.id in g.members for g in self.guilds.values())

    # -- world building -------------------------------------------------------------------

    def create_user(
        self, name: str, *, locale: str = "en-US", global_name: str | None = None, bot: bool = False
    ) -> User:
        user = User(
            id=self.snowflakes.next(),
            username=name,
            global_name=global_name,
            locale=locale,
            bot=bot,
        )
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        owner: User,
        locale: str = "en-US",
        bot_permissions: int = perm.BOT_DEFAULT,
        with_bot: bool = True,
    ) -> Guild:
        """A guild with @everyone, a "general" channel, the owner and (by default) the bot."""
        guild = Guild(
            id=self.snowflakes.next(),
            name=name,
            owner_id=owner.id,
            world=self,
            preferred_locale=locale,
        )
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=perm.EVERYONE_DEFAULT
        )
        self.guilds[guild.id] = guild
        guild.bot_role = guild.create_role(
            self.bot_user.username,
            permissions=bot_permissions,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.create_text_channel("general")
        guild.members[owner.id] = Member(user=owner, guild_id=guild.id)
        if with_bot:
            self.add_bot_to_guild(guild)
        return guild

    def add_member(
        self, guild: Guild, user: User, *, roles: Iterable[Role] = (), nick: str | None = None
    ) -> Member:
        member = Member(user=user, guild_id=guild.id, roles=list(roles), nick=nick)
        guild.members[user.id] = member
        guild.dispatch("GUILD_MEMBER_ADD", member.to_payload() | {"guild_id": str(guild.id)})
        return member

    def update_member(self, guild: Guild, member: Member) -> None:
        guild.dispatch("GUILD_MEMBER_UPDATE", member.to_payload() | {"guild_id": str(guild.id)})

    def remove_member(self, guild: Guild, user: User) -> None:
        guild.members.pop(user.id)
        guild.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": user.to_payload()}
        )

    def add_bot_to_guild(self, guild: Guild) -> None:
        """The bot joins: it gets its managed role back and receives GUILD_CREATE."""
        if guild.bot_role is None or guild.bot_role.id not in guild.roles:
            guild.bot_role = guild.create_role(
                self.bot_user.username,
                permissions=perm.BOT_DEFAULT,
                managed=True,
                bot_id=self.bot_user.id,
            )
        guild.members[self.bot_user.id] = Member(
            user=self.bot_user, guild_id=guild.id, roles=[guild.bot_role]
        )
        # GUILD_CREATE's member list depends on each session's intents, so the gateway builds it.
        self.on_guild_create(guild)
        self.notify()

    def remove_bot_from_guild(self, guild: Guild) -> None:
        """The bot is kicked: GUILD_DELETE without ``unavailable``, and its managed role goes."""
        self.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id)
        del guild.members[self.bot_user.id]
        if guild.bot_role is not None:
            guild.roles.pop(guild.bot_role.id, None)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and a user (made on first use, like Discord)."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(id=self.snowflakes.next(), type=DM, recipients=[user])
            self.dm_channels[user.id] = channel
            self.register_channel(None, channel)
        return channel

    def new_attachment(
        self,
        filename: str,
        data: bytes,
        *,
        channel_id: int = 0,
        content_type: str | None = None,
        description: str | None = None,
    ) -> Attachment:
        attachment_id = self.snowflakes.next()
        url = f"{self.http_base}/attachments/{channel_id}/{attachment_id}/{filename}"
        attachment = Attachment(
            id=attachment_id,
            filename=filename,
            data=data,
            url=url,
            content_type=content_type,
            description=description,
        )
        self.attachments[attachment_id] = attachment
        return attachment

    # -- events and waiting ---------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        self.on_dispatch(event, data, guild_id)
        self.notify()

    def notify(self) -> None:
        """Wake everything waiting for the world to change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, probe: Callable[[], T | None], *, within: float, what: str) -> T:
        """Wait until ``probe()`` returns something truthy; fail the test naming ``what``."""
        deadline = time.monotonic() + within
        while True:
            result = probe()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {within:g}s waiting for {what}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(remaining, 0.05))
            except TimeoutError:
                # Polling as well as waking on change: probes may depend on elapsed time.
                continue
