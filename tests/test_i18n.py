"""Every string exists in Dutch and English, with the same placeholders."""

import discord
import pytest
from discord import app_commands

from vcpbot.i18n import Catalog, catalog, pick_locale, t
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
