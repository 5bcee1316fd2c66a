"""A DM notice to a reporter never names the subject, the category or the association:
someone may read it over their shoulder, or on a shared screen."""

from __future__ import annotations

import pytest

from vcpbot.db.escalation import Category
from vcpbot.i18n import LOCALES, Catalog, catalog, category_label

NOTICE = "escalation.notice."


def _notices() -> list[tuple[str, str, str]]:
    return [
        (locale, key, text)
        for locale in LOCALES
        for key, text in catalog().entries[locale].items()
        if key.startswith(NOTICE)
    ]


def test_there_are_short_and_detailed_notices_in_both_languages() -> None:
    keys = {key for _, key, _ in _notices()}
    assert {"escalation.notice.discreet", "escalation.notice.consent"} <= keys


@pytest.mark.parametrize(("locale", "key", "text"), _notices())
def test_a_notice_names_no_subject_category_or_association(
    locale: str, key: str, text: str
) -> None:
    assert Catalog.placeholders(text) <= {"date", "count"}, key
    for category in Category:
        assert category_label(category, locale).lower() not in text.lower(), key
    for word in ("vereniging", "association", "categor"):
        assert word not in text.lower(), key


def test_the_default_notice_says_only_that_there_is_a_message() -> None:
    assert (
        catalog().entries["en"]["escalation.notice.discreet"].startswith("You have a new message.")
    )
    assert (
        catalog()
        .entries["nl"]["escalation.notice.discreet"]
        .startswith("Je hebt een nieuw bericht.")
    )
