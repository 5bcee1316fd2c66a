"""Publishing and switching the accept button (``/rules-admin publish`` and ``ack``): the
rules channel and the database kept in step, with no write transaction waiting for
Discord.

Discord goes first: the channel is brought to the new state (a new version, or the
accept button switched on or off), outside any transaction. Then one short write
transaction saves that state with where it is posted. If Discord refuses, nothing is
saved and what was posted is deleted again. If the save fails, the channel is put back
as the database still has it. Only after the save do messages the document no longer
uses go, and is the first one pinned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.rules._document import NotShown, put_back, rules_channel, show_in_channel, tidy
from vcpbot.bot_types import Bot
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services import network, rules
from vcpbot.services.rules import Language, PublishedDocument, RulesKind

log = logging.getLogger(__name__)

T = TypeVar("T")
Save = Callable[[AsyncSession, list[int]], Awaitable[T]]


async def show_then_save(
    bot: Bot,
    channel: discord.TextChannel,
    planned: PublishedDocument,
    *,
    first: Language,
    refused: str,
    save: Save[T],
) -> T:
    """Show ``planned`` in ``channel``, then ``save(session, message_ids)``.

    ``refused`` is the catalog key for when Discord does not accept the messages
    (with ``channel`` and ``status``): it says that nothing was changed.
    """
    try:
        shown = await show_in_channel(channel, planned, first=first, previous=planned.messages)
    except NotShown as exc:
        if exc.edited:
            await _put_back(bot, channel, planned, first=first, posted=[])
        raise InvalidInput(refused, channel=channel.mention, status=exc.status) from None
    try:
        async with bot.db.sessions.begin() as session:
            result = await save(session, shown.ids)
    except BaseException:
        await _put_back(bot, channel, planned, first=first, posted=shown.posted)
        raise
    await tidy(bot, shown, planned.messages)
    return result


async def _put_back(
    bot: Bot,
    channel: discord.TextChannel,
    planned: PublishedDocument,
    *,
    first: Language,
    posted: list[int],
) -> None:
    info = planned.document
    stored: PublishedDocument | None = None
    try:
        async with bot.db.reading.begin() as session:
            stored = await rules.published_document(session, guild_id=info.guild_id, kind=info.kind)
    except NotFound:
        pass
    except SQLAlchemyError as exc:
        # The database cannot say what is stored: at least nothing new stays posted.
        log.warning(
            "rules: could not read the stored version to show again (%s)", type(exc).__name__
        )
        stored = None
    await put_back(channel, stored, first=first, posted=posted)


def first_language(association: network.AssociationView | None) -> Language:
    return "en" if association is not None and association.locale == "en" else "nl"


def posted_in(
    guild: discord.Guild | None, published: PublishedDocument
) -> discord.TextChannel | None:
    """Where the document is posted, when the bot can still edit it there."""
    if guild is None or published.messages is None:
        return None
    try:
        return rules_channel(guild, published.messages.channel_id)
    except InvalidInput:
        return None


async def _record(
    session: AsyncSession,
    published: PublishedDocument,
    channel: discord.TextChannel,
    message_ids: list[int],
) -> None:
    await rules.record_messages(
        session,
        guild_id=published.document.guild_id,
        kind=published.document.kind,
        channel_id=channel.id,
        message_ids=message_ids,
    )


async def publish_version(
    bot: Bot,
    guild: discord.Guild,
    *,
    guild_id: int,
    kind: RulesKind,
    author_id: int,
    change_note: str,
    requires_reack: bool,
) -> tuple[PublishedDocument, discord.TextChannel]:
    """``/rules-admin publish``: the draft as the next version, in the rules channel first."""
    facts: dict[str, Any] = {
        "guild_id": guild_id,
        "kind": kind,
        "author_id": author_id,
        "change_note": change_note,
        "requires_reack": requires_reack,
        "now": bot.clock(),
    }
    async with bot.db.reading.begin() as session:
        association = await network.association_for_guild(session, guild_id=guild_id)
        channel = rules_channel(guild, association.rules_channel_id if association else None)
        plan = await rules.plan_publish(session, **facts)

    async def save(session: AsyncSession, ids: list[int]) -> PublishedDocument:
        published = await rules.publish(session, plan=plan, **facts)
        await _record(session, published, channel, ids)
        return published

    published = await show_then_save(
        bot,
        channel,
        plan.document,
        first=first_language(association),
        refused="rules.error.post_failed",
        save=save,
    )
    return published, channel


async def switch_ack(
    bot: Bot,
    guild: discord.Guild | None,
    *,
    guild_id: int,
    kind: RulesKind,
    enabled: bool,
    role_id: int | None,
) -> discord.TextChannel | None:
    """``/rules-admin ack``: where the document is posted, the button appears on (or goes
    from) it first; then the switch is saved. Returns that channel, if any."""
    switch: dict[str, Any] = {
        "guild_id": guild_id,
        "kind": kind,
        "enabled": enabled,
        "role_id": role_id,
    }
    async with bot.db.reading.begin() as session:
        planned = await rules.plan_ack(session, **switch)
        association = await network.association_for_guild(session, guild_id=guild_id)
    channel = posted_in(guild, planned) if planned else None
    now = bot.clock()
    if planned is None or channel is None:
        async with bot.db.sessions.begin() as session:
            await rules.configure_ack(session, now=now, **switch)
        return None

    async def save(session: AsyncSession, ids: list[int]) -> None:
        await rules.configure_ack(session, now=now, **switch)
        await _record(session, planned, channel, ids)

    await show_then_save(
        bot,
        channel,
        planned,
        first=first_language(association),
        refused="rules.error.ackcfg_failed",
        save=save,
    )
    return channel
