"""Discord permission bits and the computation Discord applies (roles, then channel overwrites)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from discord_emulator.entities import Channel, Member, Role


class Guild(Protocol):
    """What the permission rules read of a guild (``guild.Guild``, which imports this module)."""

    @property
    def id(self) -> int: ...

    @property
    def owner_id(self) -> int: ...

    @property
    def everyone(self) -> Role: ...

    @property
    def channels(self) -> dict[int, Channel]: ...


CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51

ALL = (1 << 52) - 1

# Roughly what Discord gives @everyone in a new server.
EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# What a typical invite link grants this bot's "Bot" role.
BOT_DEFAULT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MANAGE_ROLES
    | MANAGE_MESSAGES
    | PIN_MESSAGES
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | MANAGE_THREADS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Without SEND_MESSAGES these cannot be used either, whatever the roles say.
_NEEDS_SEND = SEND_TTS_MESSAGES | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES

_THREAD_TYPES = frozenset({10, 11, 12})


def base_permissions(guild: Guild, member: Member) -> int:
    if member.user.id == guild.owner_id:
        return ALL
    perms = guild.everyone.permissions
    for role in member.roles:
        perms |= role.permissions
    return ALL if perms & ADMINISTRATOR else perms


def channel_permissions(guild: Guild, member: Member, channel: Channel) -> int:
    """Permissions of a member in a channel, as Discord computes them."""
    perms = base_permissions(guild, member)
    if perms & ADMINISTRATOR:
        return ALL
    # Threads take their permissions from the parent channel.
    target = channel
    if channel.type in _THREAD_TYPES and channel.parent_id is not None:
        target = guild.channels.get(channel.parent_id, channel)
    perms = _apply_overwrites(guild, member, target, perms)
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms


def _apply_overwrites(guild: Guild, member: Member, channel: Channel, perms: int) -> int:
    overwrites = {ow.id: ow for ow in channel.overwrites}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role in member.roles:
        ow = overwrites.get(role.id)
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = overwrites.get(member.user.id)
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    return perms
