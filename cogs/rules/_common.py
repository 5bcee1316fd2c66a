"""Choices, names and small checks every part of the rules cog shares."""

from __future__ import annotations

import discord
from discord import app_commands

from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import InvalidInput
from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.services import rules
from vcpbot.services.rules import Language, RulesKind

# The custom_id feature part of every component of the rules library.
FEATURE = "rules"

DOCUMENT_CHOICES = [
    app_commands.Choice(name=L(f"cmd.rules.document.{kind.value}"), value=kind.value)
    for kind in RulesKind
]
LANGUAGE_CHOICES = [
    app_commands.Choice(name=L(f"cmd.rules_admin.language.{lang}"), value=lang)
    for lang in ("nl", "en")
]


def reader_locale(interaction: Interaction) -> Language:
    """Readers get Dutch on a Dutch client and English otherwise, for the text and around it."""
    return rules.reading_language(interaction.locale.value)


def kind_of(choice: app_commands.Choice[str] | None) -> RulesKind | None:
    return RulesKind(choice.value) if choice is not None else None


def language_of(choice: app_commands.Choice[str]) -> Language:
    return "nl" if choice.value == "nl" else "en"


def kind_name(kind: RulesKind, locale: Locale) -> str:
    """``House rules``: as a title."""
    return t(f"rules.kind.{kind.value}", locale)


def kind_inline(kind: RulesKind, locale: Locale) -> str:
    """``the house rules``: inside a sentence."""
    return t(f"rules.kind_inline.{kind.value}", locale)


def manageable(interaction: Interaction, role: discord.Role) -> None:
    """The bot can only hand out roles below its own highest role."""
    guild = interaction.guild
    if role.is_default() or role.managed:
        raise InvalidInput("rules.error.role_not_assignable", role=role.name)
    me = guild.me if guild else None
    if me is None or not me.guild_permissions.manage_roles or role >= me.top_role:
        raise InvalidInput("rules.error.role_unmanageable", role=role.name)


async def published_rules(bot: Bot, guild_id: int) -> tuple[rules.Published, ...]:
    """The guild's published rules, from the read cache (``vcpbot.readcache``)."""

    async def load() -> tuple[rules.Published, ...]:
        async with bot.db.reading.begin() as session:
            return await rules.published(session, guild_id=guild_id)

    return await bot.reads.get(("rules", guild_id), rules.PUBLISHED_TABLES, load)
