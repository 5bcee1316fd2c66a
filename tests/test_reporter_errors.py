"""Every error a reporter can meet speaks to the reporter: what to do now, where else to go,
112 when it cannot wait; never keys, administrators, configuration or internal reasons.

A reporter is whoever uses /report (a member, or a VCP reporting to the UM team) or
/my-case. Whatever goes wrong on their path is shown through ``for_reporter``, which
lets through the keys written for them and turns every other key into one that is;
the operational detail goes to the operator's log and the hub's log channel.
"""

from __future__ import annotations

import logging
import re

import pytest

from cogs.escalation._reporter import DEAD_ENDS, for_reporter, reporter_error_keys
from vcpbot.i18n import LOCALES, catalog

# Words that tell a reporter about the machinery instead of what they can do.
MACHINERY = re.compile(
    r"\b(keys?|administrators?|admins?|configured|configuration|restart(ed|s)?|"
    r"sleutels?|beheerders?|ingesteld|configuratie|herstart(te|en)?)\b",
    re.IGNORECASE,
)


def _texts(key: str) -> dict[str, str]:
    """The key's text in each language (every plural form of it, joined)."""
    found = {}
    for locale in LOCALES:
        if key in catalog().entries[locale]:
            found[locale] = catalog().entries[locale][key]
        else:
            forms = catalog().plurals[locale][key]
            found[locale] = "\n".join(forms.values())
    return found


def test_the_reporters_keys_exist_in_both_languages() -> None:
    keys = reporter_error_keys()
    assert len(keys) > 20
    assert sorted(k for k in keys if not catalog().has(k)) == []


@pytest.mark.parametrize("key", sorted(reporter_error_keys()))
def test_an_error_a_reporter_can_meet_never_names_the_machinery(key: str) -> None:
    for locale, text in _texts(key).items():
        assert not MACHINERY.search(text), f"{locale}:{key}: {text}"


@pytest.mark.parametrize("key", sorted(DEAD_ENDS))
def test_where_the_bot_cannot_help_now_the_reporter_is_told_where_else_to_go(key: str) -> None:
    texts = _texts(key)
    assert "112" in texts["en"] and "/help" in texts["en"], texts["en"]
    assert "112" in texts["nl"] and "/hulp" in texts["nl"], texts["nl"]


@pytest.mark.parametrize(
    "meant_for_others",
    [
        "error.internal",
        "error.busy",
        "escalation.error.unavailable",
        "network.error.not_in_network",
        "network.error.suspended",
        "access.association_only",
        "access.needs_team",  # nothing on a reporter's path raises it; if it did
    ],
)
def test_an_error_meant_for_others_reaches_a_reporter_in_their_words(
    meant_for_others: str,
) -> None:
    shown = for_reporter(meant_for_others)
    assert shown != meant_for_others and shown in reporter_error_keys()
    assert shown in DEAD_ENDS


def test_a_key_nobody_wrote_for_reporters_is_logged_by_name_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert for_reporter("rules.error.no_document") in DEAD_ENDS
    assert "rules.error.no_document" in caplog.text


def test_the_reporters_own_keys_pass_unchanged() -> None:
    for key in ("escalation.error.text_empty", "escalation.error.receipt_not_found"):
        assert for_reporter(key) == key
