"""Dutch command names and descriptions for Dutch Discord clients."""

from __future__ import annotations

import discord
from discord import app_commands

from vcpbot.i18n.catalog import Locale, as_locale, catalog


def L(key: str) -> app_commands.locale_str:
    """A command name, description or choice whose English text comes from the catalog."""
    return app_commands.locale_str(catalog().text(key, "en"), key=key)


class CatalogTranslator(app_commands.Translator):
    """Looks the ``key`` extra of each ``locale_str`` up in the Dutch catalog.

    English is the source language of the command tree, so only Dutch is
    translated; other locales see English, as Discord falls back to it.
    """

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        target: Locale | None = as_locale(locale.value)
        if key is None or target != "nl":
            return None
        return catalog().entries["nl"].get(key)
