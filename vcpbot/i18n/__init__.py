"""Dutch and English text for everything a person sees.

The catalogs are flat JSON files, one per language, with the same keys and the
same ``{placeholders}``; a test fails when they drift apart. This module does not
import discord so services and the CLI can use it.
"""

from vcpbot.i18n.catalog import LOCALES, Catalog, Locale, catalog, pick_locale, t

__all__ = ["LOCALES", "Catalog", "Locale", "catalog", "pick_locale", "t"]
