"""Loading the catalogs, choosing a language, and filling in a text.

A text with a number in it has one key per plural form, named with CLDR's
category as suffix (``intervisie.plan.sessions_one``, ``..._other``), and is
asked for by its base key with a ``count``: ``t("intervisie.plan.sessions",
locale, count=3)``. Babel's plural rules for the language choose the form.
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any, Literal

from vcpbot.i18n import formats

Locale = Literal["nl", "en"]
LOCALES: tuple[Locale, ...] = ("nl", "en")

# CLDR's plural categories; a key ending in ``_<category>`` is one plural form.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def split_plural(key: str) -> tuple[str, str] | None:
    """``("x.sessions", "one")`` for ``x.sessions_one``; None for an ordinary key."""
    base, _, suffix = key.rpartition("_")
    return (base, suffix) if base and suffix in PLURAL_CATEGORIES else None


class Catalog:
    """Both languages' strings; ``text`` never returns a raw key to a user."""

    def __init__(self, entries: dict[Locale, dict[str, str]]) -> None:
        self.entries = entries
        # Base key -> {category: template}, per language.
        self.plurals: dict[Locale, dict[str, dict[str, str]]] = {
            locale: _plural_groups(entries.get(locale, {})) for locale in entries
        }

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

    def template(self, key: str, locale: Locale, params: dict[str, Any]) -> str:
        """The text for ``key``: the plural form ``params["count"]`` calls for, if it has forms."""
        forms = self.plurals[locale].get(key)
        if forms is not None:
            if "count" not in params:
                raise KeyError(f"{key!r} has plural forms and needs a count")
            category = formats.plural_category(params["count"], locale)
            return forms.get(category) or forms["other"]
        template = self.entries[locale].get(key)
        if template is None:
            # Parity is enforced by a test; at run time fall back to the other language
            # rather than showing a key.
            other: Locale = "en" if locale == "nl" else "nl"
            if not self.has_in(key, other):
                raise KeyError(key)
            return self.template(key, other, params)
        return template

    def text(self, key: str, locale: Locale, /, **params: Any) -> str:
        template = self.template(key, locale, params)
        return template.format_map(formats.localise(params, locale) if params else params)

    def has_in(self, key: str, locale: Locale) -> bool:
        return key in self.entries[locale] or key in self.plurals[locale]

    def has(self, key: str) -> bool:
        """Whether both languages have ``key``, as a text or as a set of plural forms."""
        return all(self.has_in(key, locale) for locale in LOCALES)

    def keys(self, locale: Locale) -> set[str]:
        return set(self.entries[locale])

    def plural_keys(self, locale: Locale) -> set[str]:
        return set(self.plurals[locale])

    @staticmethod
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _plural_groups(entries: dict[str, str]) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for key, value in entries.items():
        split = split_plural(key)
        if split is not None:
            groups.setdefault(split[0], {})[split[1]] = value
    return groups


@cache
def catalog() -> Catalog:
    """The catalogs are read once per process; they ship inside the package."""
    return Catalog.load()


def t(key: str, locale: Locale, /, **params: Any) -> str:
    return catalog().text(key, locale, **params)


def bilingual(key: str, /, *, between: str = "\n\n", **params: Any) -> str:
    """Dutch, then English: for what everyone reads alike (a panel), or a first direct
    message to someone whose language the bot has never seen. ``between`` joins them
    (" · " in a title, " / " on a button)."""
    return t(key, "nl", **params) + between + t(key, "en", **params)


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


def reader_locale(value: str | None) -> Locale:
    """The language to answer a person in: Dutch for a Dutch client, English for every
    other language (most international students read English, few read Dutch)."""
    return "nl" if as_locale(value) == "nl" else "en"


def pick_locale(user_locale: str | None, guild_locale: str | None, default: Locale) -> Locale:
    """A person's language when there is a person (``reader_locale``); for a channel
    post, the server's language when we speak it, else the deployment's default."""
    if user_locale:
        return reader_locale(user_locale)
    return as_locale(guild_locale) or default
