"""/rules-admin: boards write, publish and follow their rules (Manage Server, checked every time).

Reading the house rules is not a network feature, so none of this waits for
the coordinator's approval: a board drafts in any association server, and
publishing only needs the rules channel chosen with /setup.
"""

from __future__ import annotations

from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from cogs.rules._choices import DOCUMENT_CHOICES, LANGUAGE_CHOICES, language_of
from cogs.rules._forms import EditForm, ReplaceDraft
from cogs.rules._overview import (
    diff_pages,
    history_pages,
    preview_pages,
    saved_message,
    stats_embeds,
)
from cogs.rules._pages import send_pages
from cogs.rules._publishing import publish_version, switch_ack
from cogs.rules._roles import manageable
from cogs.rules._words import kind_inline, kind_name
from vcpbot import access
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.i18n.translator import L
from vcpbot.interactions import locale_of, send_private, text
from vcpbot.services import rules
from vcpbot.services.rules import ARTICLE_NUMBER_MAX, UPLOAD_MAX_BYTES, RulesKind

VERSION_MAX = 100_000
Document = app_commands.Choice[str]


def _kind(document: Document) -> RulesKind:
    return RulesKind(document.value)


class RulesAdminCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot

    admin = app_commands.Group(
        name=L("cmd.rules_admin.name"),
        description=L("cmd.rules_admin.description"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def _board(self, interaction: Interaction) -> int:
        """Default permissions are only a hint a guild can change: check every time."""
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        return guild_id

    # --- writing the draft ---------------------------------------------------------

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.edit.name"), description=L("cmd.rules_admin.edit.description")
    )
    @app_commands.describe(
        document=L("cmd.rules.document"),
        language=L("cmd.rules_admin.language"),
        article=L("cmd.rules_admin.edit.article"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        language=L("cmd.rules_admin.opt.language"),
        article=L("cmd.rules.opt.article"),
    )
    async def edit(
        self,
        interaction: Interaction,
        document: Document,
        language: app_commands.Choice[str],
        article: app_commands.Range[int, 1, ARTICLE_NUMBER_MAX] | None = None,
    ) -> None:
        guild_id = self._board(interaction)
        kind, lang = _kind(document), language_of(language)
        async with self.bot.db.sessions.begin() as session:
            try:
                draft = await rules.preview(session, guild_id=guild_id, kind=kind, language=lang)
            except NotFound:
                draft = None
        text_now = draft.text if draft is not None and draft.language == lang else None
        form = EditForm(
            self.bot,
            kind=kind,
            language=lang,
            number=article,
            current=text_now.article(article) if text_now and article else None,
            intro=text_now.intro if text_now else "",
            locale=locale_of(interaction),
        )
        await interaction.response.send_modal(form)

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.upload.name"), description=L("cmd.rules_admin.upload.description")
    )
    @app_commands.describe(
        document=L("cmd.rules.document"),
        language=L("cmd.rules_admin.language"),
        file=L("cmd.rules_admin.upload.file"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        language=L("cmd.rules_admin.opt.language"),
        file=L("cmd.rules_admin.opt.file"),
    )
    async def upload(
        self,
        interaction: Interaction,
        document: Document,
        language: app_commands.Choice[str],
        file: discord.Attachment,
    ) -> None:
        guild_id = self._board(interaction)
        if file.size > UPLOAD_MAX_BYTES:
            # Refused before downloading it.
            raise InvalidInput(
                "rules.error.upload_too_large",
                size_kb=-(-file.size // 1024),
                max_kb=UPLOAD_MAX_BYTES // 1024,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise InvalidInput("rules.error.upload_unreadable") from None
        async with self.bot.db.sessions.begin() as session:
            saved = await rules.upload_draft(
                session,
                guild_id=guild_id,
                kind=_kind(document),
                language=language_of(language),
                data=data,
                filename=file.filename,
                now=self.bot.clock(),
            )
        reply = saved_message(
            saved, "rules.admin.uploaded", locale_of(interaction), count=len(saved.text.articles)
        )
        await send_private(interaction, reply)

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.adopt.name"), description=L("cmd.rules_admin.adopt.description")
    )
    @app_commands.describe(document=L("cmd.rules.document"))
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(document=L("cmd.rules.opt.document"))
    async def adopt_template(self, interaction: Interaction, document: Document) -> None:
        self._board(interaction)
        kind = _kind(document)
        try:
            done = await self._adopt(interaction, kind, replace=False)
        except Conflict as exc:
            if exc.key != "rules.error.adopt_would_replace":
                raise
            locale = locale_of(interaction)

            async def replace(pressed: Interaction) -> str:
                self._board(pressed)
                return await self._adopt(pressed, kind, replace=True)

            await send_private(
                interaction,
                text(interaction, exc.key),
                view=ReplaceDraft(interaction.user.id, locale, replace),
            )
            return
        await send_private(interaction, done)

    async def _adopt(self, interaction: Interaction, kind: RulesKind, *, replace: bool) -> str:
        hub_id = self.bot.settings.hub_guild_id
        if hub_id is None:
            raise NotFound("rules.error.no_template")
        now = self.bot.clock()
        async with self.bot.db.sessions.begin() as session:
            # The UM team's templates ship with the bot; the first adoption publishes them.
            await rules.seed_um_templates(session, hub_guild_id=hub_id, now=now)
            adopted = await rules.adopt_template(
                session,
                hub_guild_id=hub_id,
                guild_id=access.in_guild(interaction),
                kind=kind,
                now=now,
                replace=replace,
            )
        languages = [text(interaction, f"rules.language.{lang}") for lang in adopted.languages]
        reply = text(
            interaction,
            "rules.adopt.done",
            kind_inline=kind_inline(kind, locale_of(interaction)),
            version=adopted.template_version,
            languages=languages,
        )
        if adopted.placeholders:
            reply += "\n" + text(
                interaction, "rules.notice.placeholders", example=adopted.placeholders[0]
            )
        return reply

    # --- looking before publishing ---------------------------------------------------

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.preview.name"), description=L("cmd.rules_admin.preview.description")
    )
    @app_commands.describe(document=L("cmd.rules.document"), language=L("cmd.rules_admin.language"))
    @app_commands.choices(document=DOCUMENT_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"), language=L("cmd.rules_admin.opt.language")
    )
    async def preview(
        self,
        interaction: Interaction,
        document: Document,
        language: app_commands.Choice[str],
    ) -> None:
        guild_id = self._board(interaction)
        async with self.bot.db.sessions.begin() as session:
            draft = await rules.preview(
                session, guild_id=guild_id, kind=_kind(document), language=language_of(language)
            )
        locale = locale_of(interaction)
        notice, pages = preview_pages(draft, locale)
        await send_pages(interaction, pages, locale, content=notice)

    # --- publishing ---------------------------------------------------------------

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.publish.name"), description=L("cmd.rules_admin.publish.description")
    )
    @app_commands.describe(
        document=L("cmd.rules.document"),
        note=L("cmd.rules_admin.publish.note"),
        reacknowledge=L("cmd.rules_admin.publish.reacknowledge"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        note=L("cmd.rules_admin.opt.note"),
        reacknowledge=L("cmd.rules_admin.opt.reacknowledge"),
    )
    async def publish(
        self,
        interaction: Interaction,
        document: Document,
        note: str,
        reacknowledge: bool = False,
    ) -> None:
        guild_id = self._board(interaction)
        kind = _kind(document)
        await interaction.response.defer(ephemeral=True, thinking=True)
        published, channel = await publish_version(
            self.bot,
            cast(discord.Guild, interaction.guild),  # _board saw a server
            guild_id=guild_id,
            kind=kind,
            author_id=interaction.user.id,
            change_note=note,
            requires_reack=reacknowledge,
        )
        edited = published.messages is not None and published.messages.channel_id == channel.id
        reply = text(
            interaction,
            "rules.publish.edited" if edited else "rules.publish.posted",
            version=published.version.number,
            kind_inline=kind_inline(kind, locale_of(interaction)),
            channel=channel.mention,
        )
        if published.version.requires_reack and published.document.ack_enabled:
            reply += " " + text(interaction, "rules.publish.reack")
        await send_private(interaction, reply)

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.history.name"), description=L("cmd.rules_admin.history.description")
    )
    @app_commands.describe(document=L("cmd.rules.document"))
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(document=L("cmd.rules.opt.document"))
    async def history(self, interaction: Interaction, document: Document) -> None:
        guild_id = self._board(interaction)
        kind = _kind(document)
        async with self.bot.db.sessions.begin() as session:
            versions = await rules.history(session, guild_id=guild_id, kind=kind)
        locale = locale_of(interaction)
        if not versions:
            await send_private(interaction, text(interaction, "rules.error.not_published"))
            return
        await send_pages(
            interaction, history_pages(versions, kind_name(kind, locale), locale), locale
        )

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.diff.name"), description=L("cmd.rules_admin.diff.description")
    )
    @app_commands.describe(
        document=L("cmd.rules.document"),
        v1=L("cmd.rules_admin.diff.v1"),
        v2=L("cmd.rules_admin.diff.v2"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        v1=L("cmd.rules_admin.opt.v1"),
        v2=L("cmd.rules_admin.opt.v2"),
    )
    async def diff(
        self,
        interaction: Interaction,
        document: Document,
        v1: app_commands.Range[int, 1, VERSION_MAX],
        v2: app_commands.Range[int, 1, VERSION_MAX],
    ) -> None:
        guild_id = self._board(interaction)
        async with self.bot.db.sessions.begin() as session:
            compared = await rules.diff_versions(
                session, guild_id=guild_id, kind=_kind(document), old=v1, new=v2
            )
        locale = locale_of(interaction)
        await send_pages(interaction, diff_pages(compared, locale), locale)

    # --- acknowledgement ---------------------------------------------------------------

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.ack.name"), description=L("cmd.rules_admin.ack.description")
    )
    @app_commands.describe(
        document=L("cmd.rules.document"),
        enabled=L("cmd.rules_admin.ack.enabled"),
        role=L("cmd.rules_admin.ack.role"),
    )
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(
        document=L("cmd.rules.opt.document"),
        enabled=L("cmd.rules_admin.opt.enabled"),
        role=L("cmd.rules_admin.opt.role"),
    )
    async def ack(
        self,
        interaction: Interaction,
        document: Document,
        enabled: bool,
        role: discord.Role | None = None,
    ) -> None:
        guild_id = self._board(interaction)
        kind = _kind(document)
        if enabled and role is not None:
            manageable(interaction, role)
        await interaction.response.defer(ephemeral=True, thinking=True)
        role_id = role.id if enabled and role is not None else None
        channel = await switch_ack(
            self.bot,
            cast(discord.Guild, interaction.guild),  # _board saw a server
            guild_id=guild_id,
            kind=kind,
            enabled=enabled,
            role_id=role_id,
        )
        what = kind_inline(kind, locale_of(interaction))
        if enabled:
            reply = text(interaction, "rules.ackcfg.on", kind_inline=what)
            if role is not None:
                reply += " " + text(interaction, "rules.ackcfg.role", role=role.mention)
            if channel is not None:
                reply += " " + text(interaction, "rules.ackcfg.shown", channel=channel.mention)
            else:
                reply += " " + text(interaction, "rules.ackcfg.after_publish")
        else:
            reply = text(interaction, "rules.ackcfg.off", kind_inline=what)
        await send_private(interaction, reply)

    @access.audience(Audience.BOARD)
    @admin.command(
        name=L("cmd.rules_admin.ack_stats.name"),
        description=L("cmd.rules_admin.ack_stats.description"),
    )
    @app_commands.describe(document=L("cmd.rules.document"))
    @app_commands.choices(document=DOCUMENT_CHOICES)
    @app_commands.rename(document=L("cmd.rules.opt.document"))
    async def ack_stats(self, interaction: Interaction, document: Document) -> None:
        guild_id = self._board(interaction)
        async with self.bot.db.sessions.begin() as session:
            stats = await rules.ack_stats(session, guild_id=guild_id, kind=_kind(document))
        await send_private(interaction, embeds=stats_embeds(stats, locale_of(interaction)))
