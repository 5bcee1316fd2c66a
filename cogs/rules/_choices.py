"""The rules commands' choices (which document, which language), and reading them back."""

from __future__ import annotations

from discord import app_commands

from vcpbot.i18n.translator import L
from vcpbot.services.rules import Language, RulesKind

DOCUMENT_CHOICES = [
    app_commands.Choice(name=L(f"cmd.rules.document.{kind.value}"), value=kind.value)
    for kind in RulesKind
]


LANGUAGE_CHOICES = [
    app_commands.Choice(name=L(f"cmd.rules_admin.language.{lang}"), value=lang)
    for lang in ("nl", "en")
]


def kind_of(choice: app_commands.Choice[str] | None) -> RulesKind | None:
    return RulesKind(choice.value) if choice is not None else None


def language_of(choice: app_commands.Choice[str]) -> Language:
    return "nl" if choice.value == "nl" else "en"
