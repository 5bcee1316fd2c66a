"""A pattern notice about many cases still fits in one Discord message."""

from __future__ import annotations

import pytest

from cogs.escalation._posting import pattern_notice
from vcpbot.limits import MESSAGE_CONTENT_MAX as MESSAGE_MAX


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_long_pattern_names_the_newest_codes_and_counts_the_rest(locale: str) -> None:
    codes = [f"C{i:04d}-ABCD" for i in range(300)]  # oldest first, as queued
    notice = pattern_notice("escalation.pattern.notice", codes, locale)
    assert len(notice) <= MESSAGE_MAX
    assert codes[-1] in notice and codes[0] not in notice
    listed = sum(code in notice for code in codes)
    assert f" {300 - listed} " in notice


def test_a_short_pattern_lists_every_code() -> None:
    notice = pattern_notice("escalation.pattern.notice", ["AAAA-1", "BBBB-2"], "en")
    assert "AAAA-1, BBBB-2" in notice and "earlier" not in notice
