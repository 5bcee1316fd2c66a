"""The board's form for what /help shows about their association, and its answer."""

from __future__ import annotations

import secrets
from typing import Any

import discord

from cogs.help._render import plain
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Bot
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, report_error, send_private
from vcpbot.modals import ExpiringModal
from vcpbot.services.help import CONTACT_LINK_MAX, CONTACT_TEXT_MAX, Contact, set_contact

FEATURE = "help"
FORM_SECONDS = 30 * 60


class ContactForm(ExpiringModal):
    """Both texts and the link, filled in with what is there now."""

    def __init__(self, bot: Bot, *, current: Contact | None, locale: Locale) -> None:
        super().__init__(
            title=limits.clip(t("help.contact.form.title", locale), limits.MODAL_TITLE_MAX),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "contact", secrets.token_urlsafe(9)),
        )
        self.bot = bot
        self.text_nl = self._text("text_nl", current.text_nl if current else "", locale)
        self.text_en = self._text("text_en", current.text_en if current else "", locale)
        self.link: discord.ui.TextInput[ContactForm] = discord.ui.TextInput(
            custom_id="link",
            required=False,
            max_length=CONTACT_LINK_MAX,
            placeholder="https://…",
            default=(current.link if current else None) or None,
        )
        self.add_item(
            discord.ui.Label(
                text=t("help.contact.form.link", locale),
                description=t("help.contact.form.link_hint", locale),
                component=self.link,
            )
        )

    def _text(self, custom_id: str, current: str, locale: Locale) -> discord.ui.TextInput[Any]:
        field: discord.ui.TextInput[ContactForm] = discord.ui.TextInput(
            custom_id=custom_id,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=CONTACT_TEXT_MAX,
            default=current or None,
        )
        self.add_item(
            discord.ui.Label(
                text=t(f"help.contact.form.{custom_id}", locale),
                description=t("help.contact.form.text_hint", locale),
                component=field,
            )
        )
        return field

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        # Checked again at submit: the form may have been open while rights changed.
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        async with self.bot.db.sessions.begin() as session:
            saved = await set_contact(
                session,
                guild_id=guild_id,
                text_nl=self.text_nl.value,
                text_en=self.text_en.value,
                link=self.link.value,
                actor_id=interaction.user.id,
                now=self.bot.clock(),
            )
        locale = locale_of(interaction)
        if saved is None:
            await send_private(interaction, t("help.contact.removed", locale))
            return
        reply = t("help.contact.saved", locale)
        await send_private(interaction, reply, embed=preview(saved, locale))

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


def preview(contact: Contact, locale: Locale) -> discord.Embed:
    """Both languages as members will read them (an empty one shows the other)."""
    embed = discord.Embed(colour=discord.Colour.blurple())
    for language in ("nl", "en"):
        embed.add_field(
            name=t(f"help.contact.form.text_{language}", locale),
            value=plain(contact.text(language)),
            inline=False,
        )
    if contact.link:
        embed.add_field(name=t("help.contact.link_title", locale), value=contact.link, inline=False)
    return embed
