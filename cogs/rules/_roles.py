"""Whether the bot can hand out a role a board picked (the accept button's role)."""

from __future__ import annotations

import discord

from vcpbot.bot_types import Interaction
from vcpbot.errors import InvalidInput


def manageable(interaction: Interaction, role: discord.Role) -> None:
    """The bot can only hand out roles below its own highest role."""
    guild = interaction.guild
    if role.is_default() or role.managed:
        raise InvalidInput("rules.error.role_not_assignable", role=role.name)
    me = guild.me if guild else None
    if me is None or not me.guild_permissions.manage_roles or role >= me.top_role:
        raise InvalidInput("rules.error.role_unmanageable", role=role.name)
