"""What every part of the KMTM cog shares: its name, who may log, the undo and preview books."""

from __future__ import annotations

from datetime import date
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot import access
from vcpbot.errors import NotAllowed
from vcpbot.services import kmtm, network
from vcpbot.services.kmtm import PreviewBook, UndoBook

# The custom_id feature part of every KMTM component, and the cog's name.
FEATURE = "kmtm"
COG_NAME = "KMTM"


def today(bot: Any) -> date:
    """The calendar day in the deployment's time zone: periods are whole local days."""
    return bot.clock().astimezone(bot.settings.zone).date()


async def require_vcp(
    interaction: discord.Interaction, session: AsyncSession
) -> network.AssociationView:
    """A registered VCP of an association that is in the network, in its own server."""
    guild_id = access.in_association_guild(interaction)
    # The association first: an unapproved one gets that answer, not "you are no VCP".
    association = await network.require_in_network(session, guild_id=guild_id)
    if not await network.is_vcp(session, guild_id=guild_id, user_id=interaction.user.id):
        raise NotAllowed("kmtm.error.not_vcp")
    return association


async def require_open_period(bot: Any, session: AsyncSession) -> kmtm.PeriodView:
    """The period taking contacts today (its own days, or late contacts in its grace
    window), so a VCP never fills in a form that cannot be saved."""
    day = today(bot)
    period = await kmtm.open_period_on(session, day=day, grace_days=bot.settings.kmtm.grace_days)
    if period is None:
        raise NotAllowed("kmtm.error.no_open_period", date=day)
    return period


def undo_book(bot: Any) -> UndoBook:
    """The cog's in-memory undo window; a restart loads a new, empty one."""
    cog = bot.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the KMTM cog is not loaded")
    book: UndoBook = cog.undo
    return book


def preview_book(bot: Any) -> PreviewBook:
    """The cog's in-memory report previews; a restart loads a new, empty one."""
    cog = bot.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the KMTM cog is not loaded")
    book: PreviewBook = cog.previews
    return book
