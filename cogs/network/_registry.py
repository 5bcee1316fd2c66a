"""The VCP role beside the registry (/vcp add and remove), with no transaction waiting for
Discord.

The registry decides who is a VCP; the role is what Discord needs to open the VCPs'
channels. The role changes first, outside any transaction: if Discord refuses, nothing
is saved. One short write transaction then changes the registry. If that write fails,
the role is changed back, unless the registry by then agrees with the change (another
board member added or removed the same person meanwhile).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import InvalidInput, UserError
from vcpbot.services import escalation, network

log = logging.getLogger(__name__)

REASON = "vcpbot: VCP registry"


def manageable(interaction: Interaction, role: discord.Role) -> None:
    """The bot can only hand out roles below its own highest role."""
    guild = interaction.guild
    if role.is_default() or role.managed:
        raise InvalidInput("network.error.role_not_assignable", role=role.name)
    me = guild.me if guild else None
    if me is None or not me.guild_permissions.manage_roles or role >= me.top_role:
        raise InvalidInput("network.error.role_unmanageable", role=role.name)


def vcp_role(interaction: Interaction, role_id: int) -> discord.Role:
    role = interaction.guild.get_role(role_id) if interaction.guild else None
    if role is None:
        raise InvalidInput("network.error.vcp_role_missing")
    manageable(interaction, role)
    return role


async def set_role(member: discord.Member, role: discord.Role, *, add: bool) -> bool:
    """Give or take ``role``; False when the member already had it as wanted."""
    if any(r.id == role.id for r in member.roles) == add:
        return False
    await _apply(member, role, add=add)
    return True


async def _apply(member: discord.Member, role: discord.Role, *, add: bool) -> None:
    # ``member`` is as the interaction saw it: its roles do not follow these changes.
    try:
        if add:
            await member.add_roles(role, reason=REASON)
        else:
            await member.remove_roles(role, reason=REASON)
    except discord.Forbidden:
        raise InvalidInput("network.error.role_unmanageable", role=role.name) from None
    except discord.HTTPException as exc:
        log.warning("could not change a VCP role (HTTP %s)", exc.status)
        raise UserError("network.error.role_failed") from None


async def change_registry(
    bot: Bot, interaction: Interaction, member: discord.Member, guild_id: int, *, add: bool
) -> None:
    """``/vcp add`` (``add``) or ``/vcp remove``: the role, then the registry."""
    async with bot.db.reading.begin() as session:
        association = await network.check_vcp_change(
            session, guild_id=guild_id, user_id=member.id, add=add
        )
    role = vcp_role(interaction, association.vcp_role_id)
    changed = await set_role(member, role, add=add)
    try:
        async with bot.db.sessions.begin() as session:
            await _write(session, bot, interaction, member, guild_id, add=add)
    except BaseException:
        if changed:
            await _undo_role(bot, member, role, guild_id, add=add)
        raise
    if not add:
        bot.dispatch("escalation_outbox")  # a removed VCP's cases may have notices to post


async def _write(
    session: AsyncSession,
    bot: Bot,
    interaction: Interaction,
    member: discord.Member,
    guild_id: int,
    *,
    add: bool,
) -> None:
    common: dict[str, Any] = {
        "guild_id": guild_id,
        "user_id": member.id,
        "actor_id": interaction.user.id,
        "now": bot.clock(),
    }
    if add:
        await network.add_vcp(session, display_name=member.display_name, **common)
    else:
        association = await network.remove_vcp(session, **common)
        await _release_claims(session, bot, association.id, member.id)


async def _release_claims(
    session: AsyncSession, bot: Bot, association_id: int, user_id: int
) -> None:
    """Term changes: the member cases a removed VCP had taken go back to the other VCPs,
    in the same transaction as the removal (the escalation outbox posts the notice)."""
    try:
        config = escalation.EscalationConfig.from_settings(bot.settings)
    except escalation.EscalationUnavailable:
        return  # no keys: no case can be opened, nor its claim
    await escalation.release_claims_of(
        session, config=config, association_id=association_id, user_id=user_id, now=bot.clock()
    )
    if not await network.vcp_count(session, association_id=association_id):
        # Nobody left to read members' cases: each member chooses whether the team may.
        await escalation.offer_to_team(session, association_id=association_id)


async def _undo_role(
    bot: Bot, member: discord.Member, role: discord.Role, guild_id: int, *, add: bool
) -> None:
    """The registry did not change: neither does the role, unless the registry now agrees."""
    try:
        async with bot.db.reading.begin() as session:
            registered = await network.is_vcp(session, guild_id=guild_id, user_id=member.id)
    except SQLAlchemyError:
        registered = not add  # the database cannot say: undo what this command did
    if registered == add:
        return
    try:
        await _apply(member, role, add=not add)
    except UserError:
        log.warning("could not undo a VCP role change after the registry refused it")
