"""Who may log a contact, and into which period: asked before a form opens and again at Save."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot import access
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import NotAllowed
from vcpbot.services import kmtm, network


def today(bot: Bot) -> date:
    """The calendar day in the deployment's time zone: periods are whole local days."""
    return bot.clock().astimezone(bot.settings.zone).date()


async def require_vcp(interaction: Interaction, bot: Bot) -> network.AssociationView:
    """A registered VCP of an association that is in the network, in its own server.

    Asked at every form and every Save of an introduction evening: read from the kept
    copy (``vcpbot.readcache``), which any change to the association or its VCPs, in
    any process, makes stale."""
    guild_id = access.in_association_guild(interaction)

    async def load() -> network.VcpStanding:
        async with bot.db.reading.begin() as session:
            return await network.vcp_standing(session, guild_id=guild_id)

    standing = await bot.reads.get(("vcp-standing", guild_id), network.STANDING_TABLES, load)
    # The association first: an unapproved one gets that answer, not "you are no VCP".
    association = network.in_network_or_refuse(standing.association)
    if interaction.user.id not in standing.vcp_ids:
        raise NotAllowed("kmtm.error.not_vcp")
    return association


async def require_open_period(bot: Bot, session: AsyncSession) -> kmtm.PeriodView:
    """The period taking contacts today (its own days, or late contacts in its grace
    window), so a VCP never fills in a form that cannot be saved."""
    day = today(bot)
    period = await kmtm.open_period_on(session, day=day, grace_days=bot.settings.kmtm.grace_days)
    if period is None:
        raise NotAllowed("kmtm.error.no_open_period", date=day)
    return period
