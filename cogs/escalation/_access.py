"""Who acts in escalation, asked on every use: the reporter's route, the handler of a case,
the receipt someone typed, the server a board command runs in."""

from __future__ import annotations

from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._host import EscalationHost
from vcpbot import access
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.db import Database
from vcpbot.errors import NotAllowed, WrongPlace
from vcpbot.services import escalation, network
from vcpbot.services.escalation import CaseCard, EscalationConfig, Handler, Route


def database(interaction: discord.Interaction[Any]) -> Database:
    return bot_of(interaction).db


async def reporter_route(
    interaction: Interaction, session: AsyncSession, association: network.AssociationView
) -> Route:
    """Registered VCPs (``/vcp add``) reach the UM team; everyone else, someone holding
    only the VCP role included, reaches the VCPs when the association switched that on.
    No Discord permission hangs on this route, so the registry alone decides."""
    standing = await access.vcp_standing(interaction, session, association)
    if standing.registered:
        return Route.VCP
    route = await escalation.member_route(session, association_id=association.id)
    if not route.enabled:
        if standing.role_only:
            raise NotAllowed("escalation.error.role_only_reporter")
        raise NotAllowed("escalation.error.member_route_off")
    return Route.MEMBER


async def require_vcp_reporter(
    interaction: Interaction, session: AsyncSession, association: network.AssociationView
) -> None:
    """At submit: still registered (the board may have removed them while they wrote)."""
    standing = await access.vcp_standing(interaction, session, association)
    if standing.role_only:
        raise NotAllowed("escalation.error.role_only_reporter")
    if not standing.registered:
        raise NotAllowed("escalation.error.vcp_role_needed")


async def acting_handler(interaction: Interaction, session: AsyncSession) -> Handler:
    """The UM team in the hub; the association's VCPs in its own server. Asked on every use.

    A VCP must be registered and hold the VCP role: members' cases arrive in a
    channel that the role opens, so a registered VCP without it is asked to get it back.
    """
    guild_id = access.in_guild(interaction)
    if guild_id == bot_of(interaction).settings.hub_guild_id:
        await access.require_team(interaction, session)
        return Handler.team()
    association = await network.require_in_network(session, guild_id=guild_id)
    standing = await access.vcp_standing(interaction, session, association)
    if standing.registered and standing.has_role:
        return Handler.vcps(association.id)
    if standing.registered:
        raise NotAllowed("escalation.error.registered_without_role")
    if standing.role_only:
        raise NotAllowed("escalation.error.role_only_handler")
    raise NotAllowed("escalation.error.vcps_only")


async def peek_case(
    interaction: Interaction, cog: EscalationHost, token: str
) -> tuple[Handler, CaseCard]:
    """Who is acting, and the card as they may see it: refused before anyone starts writing."""
    bot = bot_of(interaction)
    async with bot.db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        detail = await escalation.read_case(
            session,
            config=cog.require_config(),
            handler=handler,
            case_ref=token,
            now=bot.clock(),
            shown=False,
        )
    return handler, detail.card


async def unlock(
    interaction: Interaction, config: EscalationConfig, receipt: str
) -> escalation.Unlocked:
    """Check the receipt someone typed: outside any write transaction (Argon2 is slow)."""
    bot = bot_of(interaction)
    return await escalation.unlock(
        bot.db, config=config, receipt=receipt, user_id=interaction.user.id, now=bot.clock()
    )


def require_association_guild(interaction: Interaction) -> int:
    guild_id = access.in_guild(interaction)
    if guild_id == bot_of(interaction).settings.hub_guild_id:
        raise WrongPlace("access.association_only")
    return guild_id
