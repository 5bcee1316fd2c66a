"""What every part of the KMTM cog shares: its name, who may log, the undo and preview books."""

from __future__ import annotations

from datetime import date
from typing import Protocol, cast

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot import access
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import NotAllowed
from vcpbot.services import kmtm, network
from vcpbot.services.kmtm import PreviewBook, UndoBook

# The custom_id feature part of every KMTM component, and the cog's name.
FEATURE = "kmtm"
COG_NAME = "KMTM"


class KmtmBooks(Protocol):
    """The cog, as the buttons that outlive a form see it: its in-memory books."""

    @property
    def undo(self) -> UndoBook: ...

    @property
    def previews(self) -> PreviewBook: ...


def _books(bot: Bot) -> KmtmBooks:
    cog = bot.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the KMTM cog is not loaded")
    return cast(KmtmBooks, cog)


def today(bot: Bot) -> date:
    """The calendar day in the deployment's time zone: periods are whole local days."""
    return bot.clock().astimezone(bot.settings.zone).date()


async def require_vcp(interaction: Interaction, session: AsyncSession) -> network.AssociationView:
    """A registered VCP of an association that is in the network, in its own server."""
    guild_id = access.in_association_guild(interaction)
    # The association first: an unapproved one gets that answer, not "you are no VCP".
    association = await network.require_in_network(session, guild_id=guild_id)
    if not await network.is_vcp(session, guild_id=guild_id, user_id=interaction.user.id):
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


def undo_book(bot: Bot) -> UndoBook:
    """The cog's in-memory undo window; a restart loads a new, empty one."""
    return _books(bot).undo


def preview_book(bot: Bot) -> PreviewBook:
    """The cog's in-memory report previews; a restart loads a new, empty one."""
    return _books(bot).previews
