"""A guild: roles, channels, members and events, and what Discord sends when they change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from discord_emulator import permissions as perm
from discord_emulator.entities import (
    CATEGORY,
    TEXT,
    VOICE,
    Channel,
    Member,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
    iso,
    now,
)
from discord_emulator.snowflake import SnowflakeFactory


class World(Protocol):
    """What a guild needs of the world that holds it (``world.World``, which imports this
    module): ids, the bot, and where its channels and events go."""

    @property
    def bot_user(self) -> User: ...

    @property
    def snowflakes(self) -> SnowflakeFactory: ...

    def register_channel(self, guild: Guild | None, channel: Channel) -> None: ...

    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None: ...


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    world: World = field(repr=False)
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    scheduled_events: dict[int, ScheduledEvent] = field(default_factory=dict)
    bot_role: Role | None = None
    # Commands the guild's admins opened to everyone in Server Settings > Integrations,
    # whatever the command's default_member_permissions say (by top-level command name).
    commands_open_to_everyone: set[str] = field(default_factory=set)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def has_bot(self) -> bool:
        return self.world.bot_user.id in self.members

    @property
    def bot_member(self) -> Member | None:
        return self.members.get(self.world.bot_user.id)

    @property
    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.type == TEXT]

    def member(self, user: User) -> Member | None:
        return self.members.get(user.id)

    def open_command_to_everyone(self, name: str) -> None:
        """What an admin can do in Discord: let every member use a command, overriding its
        default permissions. The bot is not told; it must check on every use anyway."""
        self.commands_open_to_everyone.add(name)

    def top_position(self, member: Member) -> int:
        """Position of the member's highest role; the owner outranks every role."""
        if member.user.id == self.owner_id:
            return 1 << 30
        return max((r.position for r in member.roles), default=0)

    def permissions_for(self, user: User, channel: Channel | None = None) -> int:
        member = self.members.get(user.id)
        if member is None:
            return 0
        if channel is None:
            return perm.base_permissions(self, member)
        return perm.channel_permissions(self, member, channel)

    # -- world building -------------------------------------------------------------------

    def create_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        managed: bool = False,
        bot_id: int | None = None,
    ) -> Role:
        """A new role; like Discord, it goes just above @everyone unless a position is given."""
        position = 1 if position is None else max(position, 1)
        for role in self.roles.values():
            if role.position >= position and role.id != self.id:
                role.position += 1
                self.dispatch(
                    "GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.to_payload()}
                )
        role = Role(
            id=self.world.snowflakes.next(),
            guild_id=self.id,
            name=name,
            permissions=permissions,
            position=position,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
            managed=managed,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.to_payload()})
        return role

    def edit_role(self, role: Role, **changes: Any) -> Role:
        for key, value in changes.items():
            if not hasattr(role, key):
                raise AttributeError(f"Role has no attribute {key!r}")
            setattr(role, key, value)
        self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.to_payload()})
        return role

    def delete_role(self, role: Role) -> None:
        del self.roles[role.id]
        for member in self.members.values():
            if role in member.roles:
                member.roles.remove(role)
        self.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(self.id), "role_id": str(role.id)})

    def create_text_channel(
        self,
        name: str,
        *,
        category: Channel | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
    ) -> Channel:
        return self._create_channel(
            name, TEXT, category=category, topic=topic, overwrites=overwrites
        )

    def create_voice_channel(self, name: str, *, category: Channel | None = None) -> Channel:
        return self._create_channel(name, VOICE, category=category)

    def create_category(self, name: str) -> Channel:
        return self._create_channel(name, CATEGORY)

    def _create_channel(
        self,
        name: str,
        kind: int,
        *,
        category: Channel | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
    ) -> Channel:
        channel = Channel(
            id=self.world.snowflakes.next(),
            type=kind,
            name=name,
            guild_id=self.id,
            position=len(self.channels),
            parent_id=None if category is None else category.id,
            topic=topic,
            overwrites=list(overwrites),
        )
        self.world.register_channel(self, channel)
        self.dispatch("CHANNEL_CREATE", channel.to_payload())
        return channel

    def set_overwrite(
        self, channel: Channel, target: Role | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel permission overwrite for a role or a member (replacing an existing one)."""
        kind = 0 if isinstance(target, Role) else 1
        channel.overwrites = [ow for ow in channel.overwrites if ow.id != target.id]
        channel.overwrites.append(Overwrite(id=target.id, type=kind, allow=allow, deny=deny))
        self.dispatch("CHANNEL_UPDATE", channel.to_payload())

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a guild event to the bot, if the bot is in this guild."""
        if self.has_bot:
            self.world.dispatch(event, data, self.id)

    # -- payloads -------------------------------------------------------------------------

    def to_payload(self, *, members: Iterable[Member]) -> dict[str, Any]:
        """The GUILD_CREATE payload (every field discord.py reads with ``data[...]`` included)."""
        sent = list(members)
        channels = [c for c in self.channels.values() if not c.is_thread]
        threads = [c for c in self.channels.values() if c.is_thread]
        bot = self.bot_member
        return self.rest_payload() | {
            "joined_at": iso(bot.joined_at if bot else now()),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.to_payload() for m in sent],
            "channels": [c.to_payload() for c in channels],
            "threads": [c.to_payload() for c in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [e.to_payload() for e in self.scheduled_events.values()],
            "soundboard_sounds": [],
        }

    def rest_payload(self) -> dict[str, Any]:
        general = self.text_channels[0].id if self.text_channels else None
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "application_id": None,
            "system_channel_id": None if general is None else str(general),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }
