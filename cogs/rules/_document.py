"""A document as members see it, and keeping the rules channel in step with it.

Each language is a header embed (the kind as title, the introduction as text)
followed by one embed per article, packed into as few messages as Discord's
limits allow. Both languages are posted, the association's own language first,
so every member finds theirs. Publishing again edits the same messages; only a
document that grew gets extra messages, and one that shrank loses its surplus.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import discord

from cogs.rules._ack import ack_view
from cogs.rules._pages import Page, pack, text_embeds
from cogs.rules._words import kind_name
from vcpbot import limits
from vcpbot.bot_types import Bot
from vcpbot.errors import InvalidInput
from vcpbot.i18n import t
from vcpbot.interactions import NO_MENTIONS
from vcpbot.services import rules
from vcpbot.services.rules import (
    MESSAGES_MAX,
    Language,
    PublishedDocument,
    PublishedMessages,
    RulesKind,
    RulesText,
    other_language,
)

log = logging.getLogger(__name__)

HEADER_COLOUR = discord.Colour.blurple()


def document_embeds(kind: RulesKind, text: RulesText, language: Language) -> list[discord.Embed]:
    """The header (kind and introduction), then one embed per article; chrome in ``language``."""
    title = kind_name(kind, language)
    continued = t("rules.page.continued", language, title=title)
    embeds = text_embeds(title, text.intro, continued=continued, colour=HEADER_COLOUR)
    for article in text.articles:
        heading = rules.heading(article)
        embeds += text_embeds(
            heading, article.body, continued=t("rules.page.continued", language, title=heading)
        )
    return embeds


def channel_pages(document: PublishedDocument, first: Language) -> list[Page]:
    """The messages for the rules channel: one block per published language."""
    pages: list[Page] = []
    for language in (first, other_language(first)):
        text = document.nl if language == "nl" else document.en
        if text is None:
            continue
        embeds = document_embeds(document.document.kind, text, language)
        header = embeds[0]
        header.timestamp = document.version.published_at
        header.set_footer(
            text=t("rules.channel.version", language, version=document.version.number)
        )
        if document.version.number > 1:
            header.add_field(
                name=t("rules.channel.changes", language),
                value=limits.clip(
                    document.version.change_note, limits.FIELD_VALUE_MAX, at_space=True
                ),
                inline=False,
            )
        pages += pack(embeds)
    return pages


def rules_channel(guild: discord.Guild, channel_id: int | None) -> discord.TextChannel:
    """The association's rules channel, if the bot can post, edit and pin there."""
    if channel_id is None:
        raise InvalidInput("rules.error.no_rules_channel")
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise InvalidInput("rules.error.rules_channel_missing")
    granted = channel.permissions_for(guild.me)
    missing = [
        name
        for name, has in (
            ("View Channel", granted.view_channel),
            ("Send Messages", granted.send_messages),
            ("Embed Links", granted.embed_links),
            ("Pin Messages", granted.pin_messages or granted.manage_messages),
        )
        if not has
    ]
    if missing:
        raise InvalidInput(
            "rules.error.rules_channel_permissions",
            channel=channel.mention,
            permissions=", ".join(missing),
        )
    return channel


@dataclass(frozen=True)
class Shown:
    """The document's messages in the channel after ``show_in_channel``, in order."""

    channel: discord.TextChannel
    ids: list[int]
    posted: list[int]  # of ``ids``, the messages posted now (the rest were edited)


class NotShown(Exception):
    """Discord refused a message of the document; what was posted now is deleted again.
    ``edited``: messages shown before were already changed when it refused."""

    def __init__(self, status: int, *, edited: bool) -> None:
        super().__init__(status)
        self.status = status
        self.edited = edited


async def show_in_channel(
    channel: discord.TextChannel,
    document: PublishedDocument,
    *,
    first: Language,
    previous: PublishedMessages | None,
) -> Shown:
    """Post or edit the document's messages, reusing ``previous`` in this channel.

    Touches nothing else: raises before touching the channel when the document would
    need too many messages, and a failure half-way (``NotShown``) deletes what it
    posted. Old messages that are no longer needed go only once the document is saved
    (``tidy``); until then ``put_back`` can still show the stored version again.
    """
    pages = channel_pages(document, first)
    if len(pages) > MESSAGES_MAX:
        raise InvalidInput("rules.error.too_many_messages", count=len(pages), max=MESSAGES_MAX)
    view = None
    if document.document.ack_enabled:
        view = ack_view(document.document.kind, document.version.languages)
    reuse = list(previous.message_ids) if previous and previous.channel_id == channel.id else []
    try:
        ids, posted = await _write(channel, pages, view, reuse)
    except discord.NotFound:
        # Someone deleted one of the document's messages: post it again as a whole.
        log.info("rules: a posted rules message was gone; posting the document again")
        try:
            ids, posted = await _write(channel, pages, view, [])
        except discord.NotFound:
            raise InvalidInput("rules.error.rules_channel_missing") from None
    return Shown(channel, ids, posted)


async def tidy(bot: Bot, shown: Shown, previous: PublishedMessages | None) -> None:
    """After the save: old messages the document no longer uses go, and the first is pinned."""
    channel = shown.channel
    if previous and previous.channel_id == channel.id:
        await _delete(channel, [i for i in previous.message_ids if i not in shown.ids])
    elif previous:
        old = bot.get_channel(previous.channel_id)
        if isinstance(old, discord.TextChannel):
            await _delete(old, list(previous.message_ids))
    try:
        await channel.get_partial_message(shown.ids[0]).pin(reason="vcpbot: published rules")
    except discord.HTTPException as exc:  # full pins or a race: the document is still posted
        log.info("rules: could not pin a rules message (HTTP %s)", exc.status)


async def put_back(
    channel: discord.TextChannel,
    stored: PublishedDocument | None,
    *,
    first: Language,
    posted: list[int],
) -> None:
    """The save failed after the channel changed: show what is stored again (the edited
    messages, when they are the stored ones) and delete what was posted for nothing."""
    kept: list[int] = []
    if stored is not None and stored.messages and stored.messages.channel_id == channel.id:
        view: discord.ui.View | None = ack_view(stored.document.kind, stored.version.languages)
        view = view if stored.document.ack_enabled else None
        reuse = list(stored.messages.message_ids)
        try:
            kept, _ = await _write(channel, channel_pages(stored, first), view, reuse)
        except (discord.HTTPException, NotShown) as exc:
            log.warning("rules: could not show the stored version again (%s)", exc)
    await _delete(channel, [i for i in posted if i not in kept])


async def _write(
    channel: discord.TextChannel,
    pages: list[Page],
    view: discord.ui.View | None,
    reuse: list[int],
) -> tuple[list[int], list[int]]:
    ids: list[int] = []
    posted: list[int] = []
    try:
        for index, embeds in enumerate(pages):
            last_view = view if index == len(pages) - 1 else None
            if index < len(reuse):
                await channel.get_partial_message(reuse[index]).edit(
                    content=None, embeds=embeds, view=last_view, allowed_mentions=NO_MENTIONS
                )
                ids.append(reuse[index])
            else:
                message = await channel.send(
                    embeds=embeds,
                    view=last_view,  # type: ignore[arg-type]  # None: no buttons; discord.py takes it
                    allowed_mentions=NO_MENTIONS,
                )
                ids.append(message.id)
                posted.append(message.id)
    except discord.NotFound:
        await _delete(channel, posted)
        raise
    except discord.HTTPException as exc:
        await _delete(channel, posted)
        raise NotShown(exc.status, edited=len(ids) > len(posted)) from None
    return ids, posted


async def _delete(channel: discord.TextChannel, message_ids: list[int]) -> None:
    for message_id in message_ids:
        with contextlib.suppress(discord.HTTPException):
            await channel.get_partial_message(message_id).delete()
