"""Every string exists in Dutch and English, with the same placeholders; a text with
a count has every plural form each language's rules (CLDR) call for."""

import discord
import pytest
from discord import app_commands

from vcpbot.i18n import Catalog, catalog, formats, pick_locale, t
from vcpbot.i18n.catalog import LOCALES
from vcpbot.i18n.translator import CatalogTranslator


def test_both_languages_have_the_same_keys() -> None:
    nl, en = catalog().keys("nl"), catalog().keys("en")
    assert sorted(nl - en) == [], "keys only in Dutch"
    assert sorted(en - nl) == [], "keys only in English"


def test_both_languages_use_the_same_placeholders() -> None:
    mismatched = [
        key
        for key in catalog().keys("en")
        if Catalog.placeholders(catalog().entries["en"][key])
        != Catalog.placeholders(catalog().entries["nl"][key])
    ]
    assert mismatched == []


def missing_forms(cat: Catalog) -> list[str]:
    """Every plural key in both languages, with every form that language's rules use."""
    problems = []
    bases = set().union(*(cat.plural_keys(loc) for loc in LOCALES))
    for base in sorted(bases):
        for locale in LOCALES:
            forms = cat.plurals[locale].get(base, {})
            needed = formats.plural_categories(locale)
            problems += [f"{locale}:{base}_{c} missing" for c in sorted(needed - set(forms))]
            problems += [f"{locale}:{base}_{c} unused" for c in sorted(set(forms) - needed)]
            if base in cat.entries[locale]:
                problems.append(f"{locale}:{base} is both a text and a plural")
    return problems


def test_a_plural_key_missing_a_form_is_detected() -> None:
    broken = Catalog(
        {
            "nl": {"x.items_one": "één ding"},
            "en": {"x.items_one": "one thing", "x.items_other": "{count} things"},
        }
    )
    assert missing_forms(broken) == ["nl:x.items_other missing"]


def test_every_plural_key_has_every_form_in_both_languages() -> None:
    assert missing_forms(catalog()) == []


def test_plural_forms_share_their_placeholders_across_languages() -> None:
    def placeholders(locale, base):
        forms = catalog().plurals[locale][base].values()
        return set().union(*(Catalog.placeholders(f) for f in forms))

    mismatched = [
        base
        for base in catalog().plural_keys("en")
        if placeholders("en", base) != placeholders("nl", base)
    ]
    assert mismatched == []
    # The general form always says how many.
    silent = [
        f"{loc}:{base}"
        for loc in LOCALES
        for base, forms in catalog().plurals[loc].items()
        if "count" not in Catalog.placeholders(forms["other"])
    ]
    assert silent == []


def test_no_string_is_empty_or_identical_by_accident() -> None:
    empty = [k for loc in ("nl", "en") for k, v in catalog().entries[loc].items() if not v.strip()]
    assert empty == []


def test_a_missing_key_is_detected() -> None:
    broken = Catalog({"nl": {"a": "x"}, "en": {"a": "x", "b": "y"}})
    assert broken.keys("en") - broken.keys("nl") == {"b"}


@pytest.mark.parametrize(
    ("user", "guild", "default", "expected"),
    [
        ("nl", None, "en", "nl"),
        ("en-US", "nl", "nl", "en"),
        ("en-GB", None, "nl", "en"),
        # Any other language reads English, whatever the server's or the default.
        ("de", "nl", "nl", "en"),
        ("fr", None, "nl", "en"),
        ("fr", "ja", "nl", "en"),
        # Without a person (a channel post): the server's language, else the default.
        (None, "nl", "en", "nl"),
        (None, "ja", "nl", "nl"),
        (None, None, "en", "en"),
    ],
)
def test_a_person_reads_their_language_or_english_a_channel_the_servers(
    user, guild, default, expected
):
    assert pick_locale(user, guild, default) == expected


def test_placeholders_are_filled() -> None:
    assert "ab12" in t("error.internal", "en", reference="ab12")
    assert "ab12" in t("error.internal", "nl", reference="ab12")


async def test_the_translator_gives_dutch_to_dutch_clients_only() -> None:
    translator = CatalogTranslator()
    string = app_commands.locale_str("x", key="error.not_found")
    context = app_commands.TranslationContext(
        location=app_commands.TranslationContextLocation.other, data=None
    )
    assert await translator.translate(string, discord.Locale.dutch, context) == t(
        "error.not_found", "nl"
    )
    assert await translator.translate(string, discord.Locale.german, context) is None
    assert await translator.translate(string, discord.Locale.american_english, context) is None
