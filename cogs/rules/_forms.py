"""The edit form for one article or the introduction, and the "replace my draft?" question."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from cogs.rules._ids import FEATURE
from cogs.rules._overview import saved_message
from cogs.rules._words import kind_name
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, report_error, send_private
from vcpbot.modals import ExpiringModal
from vcpbot.services import rules
from vcpbot.services.rules import BODY_MAX, TITLE_MAX, Article, Language, RulesKind

FORM_SECONDS = 30 * 60
CONFIRM_SECONDS = 120


class EditForm(ExpiringModal):
    """One article (title and text) or the introduction, filled in with the current draft."""

    def __init__(
        self,
        bot: Bot,
        *,
        kind: RulesKind,
        language: Language,
        number: int | None,
        current: Article | None,
        intro: str,
        locale: Locale,
    ) -> None:
        kind_title = kind_name(kind, locale)
        lang_name = t(f"rules.language.{language}", locale)
        if number is None:
            heading = t("rules.edit.modal_intro", locale, kind=kind_title, language=lang_name)
        else:
            heading = t(
                "rules.edit.modal_article",
                locale,
                kind=kind_title,
                number=number,
                language=lang_name,
            )
        super().__init__(
            title=limits.clip(heading, limits.MODAL_TITLE_MAX, at_space=True),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "edit", secrets.token_urlsafe(9)),
        )
        self.bot = bot
        self.kind = kind
        self.language = language
        self.number = number
        self.title_input: discord.ui.TextInput[EditForm] | None = None
        if number is not None:
            self.title_input = discord.ui.TextInput(
                custom_id="title",
                max_length=TITLE_MAX,
                default=current.title if current else None,
            )
            self.add_item(
                discord.ui.Label(
                    text=t("rules.edit.title_label", locale), component=self.title_input
                )
            )
            self.body_input: discord.ui.TextInput[EditForm] = discord.ui.TextInput(
                custom_id="body",
                style=discord.TextStyle.paragraph,
                max_length=BODY_MAX,
                default=current.body if current else None,
            )
            label, hint = "rules.edit.body_label", "rules.edit.body_hint"
        else:
            self.body_input = discord.ui.TextInput(
                custom_id="body",
                style=discord.TextStyle.paragraph,
                max_length=BODY_MAX,
                required=False,
                default=intro or None,
            )
            label, hint = "rules.edit.intro_label", "rules.edit.intro_hint"
        self.add_item(
            discord.ui.Label(
                text=t(label, locale),
                description=t(hint, locale),
                component=self.body_input,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        locale = locale_of(interaction)
        async with self.bot.db.sessions.begin() as session:
            if self.number is None:
                saved = await rules.edit_intro(
                    session,
                    guild_id=guild_id,
                    kind=self.kind,
                    language=self.language,
                    text=self.body_input.value,
                    now=self.bot.clock(),
                )
            else:
                saved = await rules.edit_article(
                    session,
                    guild_id=guild_id,
                    kind=self.kind,
                    language=self.language,
                    number=self.number,
                    title=self.title_input.value if self.title_input else "",
                    body=self.body_input.value,
                    now=self.bot.clock(),
                )
        if self.number is None:
            reply = saved_message(saved, "rules.admin.intro_saved", locale)
        else:
            reply = saved_message(saved, "rules.admin.article_saved", locale, number=self.number)
        await send_private(interaction, reply)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


class ReplaceDraft(discord.ui.View):
    """Adopting a template over an existing draft asks once; only the asker can answer."""

    def __init__(
        self,
        user_id: int,
        locale: Locale,
        replace: Callable[[Interaction], Awaitable[str]],
    ) -> None:
        super().__init__(timeout=CONFIRM_SECONDS)
        self.user_id = user_id
        self.replace = replace
        token = secrets.token_urlsafe(9)
        confirm: discord.ui.Button[ReplaceDraft] = discord.ui.Button(
            label=t("rules.adopt.replace", locale),
            style=discord.ButtonStyle.danger,
            custom_id=custom_ids.build(FEATURE, "replace", token),
        )
        keep: discord.ui.Button[ReplaceDraft] = discord.ui.Button(
            label=t("rules.adopt.keep", locale),
            style=discord.ButtonStyle.secondary,
            custom_id=custom_ids.build(FEATURE, "keep", token),
        )
        confirm.callback = self._confirm  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        keep.callback = self._keep  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.add_item(confirm)
        self.add_item(keep)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def _confirm(self, interaction: Interaction) -> None:
        self.stop()
        done = await self.replace(interaction)
        await interaction.response.edit_message(content=done, view=None)

    async def _keep(self, interaction: Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=t("rules.adopt.kept", locale_of(interaction)), view=None
        )

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)
