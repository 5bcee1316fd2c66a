"""The nature of a report or contact, in the same words in every feature.

Anonymous reporting and KMTM ask the same question ("what is it about?") with the
categories of the UM team's annual report (DOMAIN.md). Both read their label and
its short hint from one place, ``categories.json``, so a VCP who reports a case
and logs a KMTM contact, and the coordinator who reads both, see one set of words.
"""

from __future__ import annotations

from vcpbot.i18n.catalog import Locale, t


def category_label(value: str, locale: Locale) -> str:
    """``Harassment or intimidation`` / ``Intimidatie``: a category's name."""
    return t(f"category.{value}", locale)


def category_hint(value: str, locale: Locale) -> str:
    """``Threats, pressure, making someone afraid``: what the category covers, in a few words."""
    return t(f"category.{value}.hint", locale)
