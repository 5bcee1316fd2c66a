"""How the rules cog names a document, and which language a reader gets."""

from __future__ import annotations

from vcpbot.bot_types import Interaction
from vcpbot.i18n import Locale, t
from vcpbot.services import rules
from vcpbot.services.rules import Language, RulesKind


def reader_locale(interaction: Interaction) -> Language:
    """Readers get Dutch on a Dutch client and English otherwise, for the text and around it."""
    return rules.reading_language(interaction.locale.value)


def kind_name(kind: RulesKind, locale: Locale) -> str:
    """``House rules``: as a title."""
    return t(f"rules.kind.{kind.value}", locale)


def kind_inline(kind: RulesKind, locale: Locale) -> str:
    """``the house rules``: inside a sentence."""
    return t(f"rules.kind_inline.{kind.value}", locale)
