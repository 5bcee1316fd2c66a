"""Who besides the VCPs can read a channel, for the warning when a board posts the panel.

Worked out from what the gateway already gave the bot (the guild's roles and the
channel's permission overwrites), so no member list is needed: @everyone first, and
if it cannot see the channel, every role that can (the members' role a server hides
channels behind, not only the default one), and people let in one by one with a
member overwrite who are not registered VCPs. Left out: the VCP role, bots' own
roles, and roles with Administrator, which see every channel whatever is set here.
"""

from __future__ import annotations

from collections.abc import Collection

import discord


def outsiders(
    channel: discord.abc.GuildChannel | discord.Thread,
    *,
    vcp_role_id: int,
    vcp_ids: Collection[int],
) -> list[str]:
    """Mentions of whoever can see ``channel`` but is not a VCP; empty when only VCPs can."""
    place = channel.parent if isinstance(channel, discord.Thread) else channel
    if place is None:
        return []
    guild = place.guild
    everyone = guild.default_role
    if place.permissions_for(everyone).view_channel:
        # Discord draws <@&guild id> oddly; the plain name is what people know.
        return ["@everyone"]
    roles = [
        role.mention
        for role in sorted(guild.roles, reverse=True)
        if _not_vcp_role(role, vcp_role_id) and place.permissions_for(role).view_channel
    ]
    people = [
        f"<@{target.id}>"
        for target, overwrite in place.overwrites.items()
        if not isinstance(target, discord.Role)
        and overwrite.view_channel
        and target.id not in vcp_ids
        and target.id != guild.me.id
        and not getattr(target, "bot", False)
    ]
    return roles + people


def _not_vcp_role(role: discord.Role, vcp_role_id: int) -> bool:
    return not (
        role.is_default()
        or role.id == vcp_role_id
        or role.is_bot_managed()
        or role.permissions.administrator
    )
