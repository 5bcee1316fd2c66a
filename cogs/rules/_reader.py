"""/rules: any member reads the published documents in their own language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.rules._ack import AckButton, ack_label
from cogs.rules._choices import DOCUMENT_CHOICES, kind_of
from cogs.rules._pages import send_pages
from cogs.rules._published import published_rules
from cogs.rules._reading import article_page, contents_pages, search_pages
from cogs.rules._words import kind_name, reader_locale
from vcpbot import access
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import InvalidInput
from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.interactions import send_private
from vcpbot.services import rules
from vcpbot.services.rules import ARTICLE_NUMBER_MAX, Contents, RulesKind


class RulesCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot

    async def cog_load(self) -> None:
        # Every process announces commits to what readers keep, whether or not it reads.
        self.bot.db.changes.watch(rules.PUBLISHED_TABLES)

    @access.audience(Audience.MEMBERS)
    @app_commands.command(name=L("cmd.rules.name"), description=L("cmd.rules.description"))
    @app_commands.guild_only()
    @app_commands.describe(
        document=L("cmd.rules.document"),
        article=L("cmd.rules.article"),
        search=L("cmd.rules.search"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        article=L("cmd.rules.opt.article"),
        search=L("cmd.rules.opt.search"),
    )
    async def rules_command(
        self,
        interaction: Interaction,
        document: app_commands.Choice[str] | None = None,
        article: app_commands.Range[int, 1, ARTICLE_NUMBER_MAX] | None = None,
        search: str | None = None,
    ) -> None:
        guild_id = access.in_guild(interaction)
        if article is not None and search is not None:
            raise InvalidInput("rules.error.article_and_search")
        # One language for the document and everything around it.
        locale = language = reader_locale(interaction)
        kind = kind_of(document)
        documents = await published_rules(self.bot, guild_id)
        if article is not None:
            shown_article = rules.article_of(
                documents, kind=kind, number=article, language=language
            )
        elif search is not None:
            found = rules.search_in(documents, query=search, language=language, kind=kind)
        else:
            own = None
            if any(d.ack_enabled for d in documents):
                async with self.bot.db.reading.begin() as session:
                    own = await rules.own_acknowledgements(
                        session, documents=documents, user_id=interaction.user.id
                    )
            contents = rules.contents_of(documents, language=language, own=own)
        if article is not None:
            notice, embeds = article_page(shown_article, locale)
            await send_private(interaction, notice, embeds=embeds)
        elif search is not None:
            notice, pages = search_pages(found, search, locale)
            await send_pages(interaction, pages, locale, content=notice)
        else:
            await self._contents(interaction, contents, kind, locale)

    async def _contents(
        self,
        interaction: Interaction,
        contents: tuple[Contents, ...],
        kind: RulesKind | None,
        locale: Locale,
    ) -> None:
        shown = tuple(c for c in contents if kind is None or c.kind == kind)
        if not shown:
            key = "rules.error.not_published" if contents else "rules.notice.nothing_published"
            await send_private(interaction, t(key, locale))
            return
        notice, pages = contents_pages(shown, locale)
        waiting = [c for c in shown if c.ack is not None and c.ack.needs_ack]
        if not waiting:
            await send_pages(interaction, pages, locale, content=notice)
            return
        view = discord.ui.View(timeout=None)
        for document in waiting:
            label = ack_label([locale])
            if len(waiting) > 1:
                label += f" · {kind_name(document.kind, locale)}"
            view.add_item(AckButton(document.kind.value, label))
        prompt = t("rules.ack.prompt", locale)
        if len(pages) == 1:
            # No pager: the button goes right under the document, in the same message.
            content = f"{notice}\n{prompt}" if notice else prompt
            await send_pages(interaction, pages, locale, content=content, view=view)
            return
        await send_pages(interaction, pages, locale, content=notice)
        # Its own message, in a view without timeout: when a timed view (the pager)
        # expires, discord.py also unregisters the DynamicItems it held, and the
        # accept button would stop working everywhere.
        await send_private(interaction, prompt, view=view)
