"""Loading the catalogs and choosing a language."""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any, Literal

Locale = Literal["nl", "en"]
LOCALES: tuple[Locale, ...] = ("nl", "en")


class Catalog:
    """Both languages' strings; ``text`` never returns a raw key to a user."""

    def __init__(self, entries: dict[Locale, dict[str, str]]) -> None:
        self.entries = entries

    @classmethod
    def load(cls) -> Catalog:
        """Read ``<locale>/*.json``: one file per feature, keys unique across files."""
        root = resources.files("vcpbot.i18n")
        entries: dict[Locale, dict[str, str]] = {}
        for locale in LOCALES:
            merged: dict[str, str] = {}
            files = sorted(
                (f for f in root.joinpath(locale).iterdir() if f.name.endswith(".json")),
                key=lambda f: f.name,
            )
            for file in files:
                raw = json.loads(file.read_text(encoding="utf-8"))
                for key, value in raw.items():
                    if key.startswith("_"):
                        continue
                    if key in merged:
                        raise ValueError(
                            f"catalog key {key!r} appears twice ({locale}/{file.name})"
                        )
                    merged[key] = value
            entries[locale] = merged
        return cls(entries)

    def text(self, key: str, locale: Locale, /, **params: Any) -> str:
        template = self.entries[locale].get(key)
        if template is None:
            # Parity is enforced by a test; at run time fall back to the other language
            # rather than showing a key.
            other: Locale = "en" if locale == "nl" else "nl"
            template = self.entries[other][key]
        return template.format_map(params)

    def has(self, key: str) -> bool:
        return all(key in self.entries[locale] for locale in LOCALES)

    def keys(self, locale: Locale) -> set[str]:
        return set(self.entries[locale])

    @staticmethod
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalog() -> Catalog:
    """The catalogs are read once per process; they ship inside the package."""
    return Catalog.load()


def t(key: str, locale: Locale, /, **params: Any) -> str:
    return catalog().text(key, locale, **params)


def as_locale(value: str | None) -> Locale | None:
    """Map a Discord locale code (``nl``, ``en-US``, ``en-GB``) to one we speak."""
    if not value:
        return None
    lowered = str(value).lower()
    if lowered == "nl" or lowered.startswith("nl-"):
        return "nl"
    if lowered == "en" or lowered.startswith("en-"):
        return "en"
    return None


def pick_locale(user_locale: str | None, guild_locale: str | None, default: Locale) -> Locale:
    """The user's language when we speak it, else the guild's, else the deployment default."""
    return as_locale(user_locale) or as_locale(guild_locale) or default
