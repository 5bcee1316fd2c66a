"""What the bot may see and do: lookups that 404 like Discord and permission checks that 403."""

from __future__ import annotations

from discord_emulator import errors
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Role
from discord_emulator.guild import Guild
from discord_emulator.world import World

# In a DM the bot can do anything a participant can.
_DM_PERMISSIONS = (
    perm.VIEW_CHANNEL
    | perm.SEND_MESSAGES
    | perm.EMBED_LINKS
    | perm.ATTACH_FILES
    | perm.READ_MESSAGE_HISTORY
    | perm.PIN_MESSAGES
)


def channel(world: World, channel_id: int) -> Channel:
    found = world.channels.get(channel_id)
    if found is None:
        raise errors.unknown("channel")
    guild = world.guild_of(found)
    if guild is not None and not guild.has_bot:
        raise errors.missing_access()
    return found


def guild(world: World, guild_id: int) -> Guild:
    found = world.guilds.get(guild_id)
    if found is None:
        raise errors.unknown("guild")
    if not found.has_bot:
        raise errors.missing_access()
    return found


def role(found_in: Guild, role_id: int) -> Role:
    found = found_in.roles.get(role_id)
    if found is None:
        raise errors.unknown("role")
    return found


def bot_permissions(world: World, where: Channel) -> int:
    found_in = world.guild_of(where)
    if found_in is None:
        return _DM_PERMISSIONS
    member = found_in.bot_member
    return 0 if member is None else perm.channel_permissions(found_in, member, where)


def require_in_channel(world: World, where: Channel, needed: int) -> None:
    """403 50001 if the bot cannot see the channel, 50013 if it lacks one of ``needed``."""
    granted = bot_permissions(world, where)
    if not granted & perm.VIEW_CHANNEL:
        raise errors.missing_access()
    if granted & needed != needed:
        raise errors.missing_permissions()


def require_in_guild(found_in: Guild, any_of: int) -> int:
    """50013 unless the bot's guild permissions include one of ``any_of``; returns them."""
    member = found_in.bot_member
    granted = 0 if member is None else perm.base_permissions(found_in, member)
    if not granted & any_of:
        raise errors.missing_permissions()
    return granted


def require_manageable(found_in: Guild, target: Role) -> None:
    """The bot may only manage roles below its highest role, and never a managed role."""
    require_in_guild(found_in, perm.MANAGE_ROLES)
    member = found_in.bot_member
    if (
        member is None
        or target.managed
        or target.id == found_in.id
        or target.position >= found_in.top_position(member)
    ):
        raise errors.missing_permissions()
