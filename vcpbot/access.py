"""Who may act where, decided from the interaction and our own data on every use.

Default command permissions are only a hint that a guild's admins can change,
so every command and every button press checks again here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.errors import NotAllowed, WrongPlace
from vcpbot.services import network
from vcpbot.settings import Settings

if TYPE_CHECKING:  # the bot imports this module (through vcpbot.languages)
    from vcpbot.bot import VCPBotBase


def _settings(interaction: discord.Interaction[VCPBotBase]) -> Settings:
    return interaction.client.settings


def in_guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise WrongPlace("error.dm_only_in_guild")
    return interaction.guild_id


def in_hub(interaction: discord.Interaction[VCPBotBase]) -> int:
    guild_id = in_guild(interaction)
    if guild_id != _settings(interaction).hub_guild_id:
        raise WrongPlace("access.hub_only")
    return guild_id


def in_association_guild(interaction: discord.Interaction[VCPBotBase]) -> int:
    guild_id = in_guild(interaction)
    if guild_id == _settings(interaction).hub_guild_id:
        raise WrongPlace("access.association_only")
    return guild_id


def _member_roles(interaction: discord.Interaction) -> set[int]:
    user = interaction.user
    if isinstance(user, discord.Member):
        return {role.id for role in user.roles}
    return set()


def has_role(interaction: discord.Interaction, role_id: int | None) -> bool:
    return role_id is not None and role_id in _member_roles(interaction)


def require_manage_guild(interaction: discord.Interaction) -> None:
    """Manage Server, as Discord computed it for this member in this channel."""
    permissions = interaction.permissions
    if not (permissions.manage_guild or permissions.administrator):
        raise NotAllowed("access.needs_manage_guild")


def require_administrator(interaction: discord.Interaction) -> None:
    if not interaction.permissions.administrator:
        raise NotAllowed("access.needs_administrator")


async def require_coordinator(
    interaction: discord.Interaction[VCPBotBase], session: AsyncSession
) -> network.Hub:
    guild_id = in_hub(interaction)
    hub = await network.require_hub(session, guild_id=guild_id)
    if not has_role(interaction, hub.coordinator_role_id):
        raise NotAllowed("access.needs_coordinator")
    return hub


async def require_team(
    interaction: discord.Interaction[VCPBotBase], session: AsyncSession
) -> network.Hub:
    """Members of the UM team; the coordinator counts as one."""
    guild_id = in_hub(interaction)
    hub = await network.require_hub(session, guild_id=guild_id)
    if not (
        has_role(interaction, hub.team_role_id) or has_role(interaction, hub.coordinator_role_id)
    ):
        raise NotAllowed("access.needs_team")
    return hub


@dataclass(frozen=True)
class VcpStanding:
    """Whether a member is a VCP of an association.

    The registry (``/vcp add``) decides who is a VCP: anyone with Manage Roles can
    hand out a role. The role still matters where Discord grants something by it,
    such as reading the VCPs' channel; each caller says whether it needs both.
    """

    registered: bool
    has_role: bool

    @property
    def role_only(self) -> bool:
        return self.has_role and not self.registered


async def vcp_standing(
    interaction: discord.Interaction, session: AsyncSession, association: network.AssociationView
) -> VcpStanding:
    registered = await network.is_vcp(
        session, guild_id=association.guild_id, user_id=interaction.user.id
    )
    return VcpStanding(registered, has_role(interaction, association.vcp_role_id))


# --- who a command is for, as /help tells it ------------------------------------------


class Audience(StrEnum):
    """Who a command is for. /help lists a command only to the people it is for; the
    command still checks who may act on every use, this only says whom to tell.

    Each command declares it beside its definition with ``@access.audience(...)``.
    """

    EVERYONE = "everyone"  # anyone, wherever Discord offers the command
    MEMBERS = "members"  # anyone in an association's server
    REPORTERS = "reporters"  # registered VCPs, and members while the member route is on
    VCPS = "vcps"  # registered VCPs, in their association's server
    INVITEES = "invitees"  # registered VCPs, anywhere (intervisie invitations)
    HANDLERS = "handlers"  # the UM team in the hub; registered VCPs holding the role
    BOARD = "board"  # Manage Server, in an association's server
    REGISTRY_BOARD = "registry_board"  # the same, once the server ran /setup
    NETWORK_BOARD = "network_board"  # the same, once the association is in the network
    TEAM = "team"  # the UM team in the hub; the coordinator counts as one
    COORDINATOR = "coordinator"  # the coordinator role, in the hub
    HUB_ADMIN = "hub_admin"  # Administrator, in the hub


_AUDIENCE = "vcpbot.audience"

CommandT = TypeVar("CommandT", bound="app_commands.Command[Any, ..., Any]")


def audience(who: Audience) -> Callable[[CommandT], CommandT]:
    """Decorator, above ``@app_commands.command`` or ``@group.command``."""

    def mark(command: CommandT) -> CommandT:
        command.extras[_AUDIENCE] = who
        return command

    return mark


def audience_of(command: app_commands.Command[Any, ..., Any]) -> Audience | None:
    found = command.extras.get(_AUDIENCE)
    return found if isinstance(found, Audience) else None
