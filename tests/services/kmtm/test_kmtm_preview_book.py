"""The private preview of a KMTM report waits in memory for the coordinator who asked
for it: one press posts or cancels it, nobody else's press uses it, and it expires."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vcpbot.db.kmtm import Dimension
from vcpbot.services.kmtm._preview import PreviewBook
from vcpbot.services.kmtm._report import ReportRow
from vcpbot.services.kmtm._types import Preview, Report

COORDINATOR = 22
NOW = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


def _preview() -> Preview:
    report = Report(
        period_name="KMTM 2026",
        dimension=Dimension.CATEGORY,
        rows=(ReportRow("advice", None, 7),),
        total=7,
        k=5,
        min_contributors=3,
        rounded=False,
        span=1,
        released_on=date(2026, 10, 2),
        start_date=date(2026, 8, 10),
        end_date=date(2026, 8, 30),
        associations=3,
        from_ledger=False,
    )
    return Preview(report=report, locale="nl", chart=b"png", alt_text="Staafdiagram", channel_id=9)


def test_a_preview_is_posted_once_by_the_coordinator_who_asked_within_the_window() -> None:
    book = PreviewBook(window=timedelta(minutes=30))
    token = book.issue(_preview(), actor_id=COORDINATOR, now=NOW)
    assert 20 <= len(token) <= 43
    assert book.take(token, actor_id=COORDINATOR + 1, now=NOW) is None  # someone else
    later = NOW + timedelta(minutes=29)
    assert book.take(token, actor_id=COORDINATOR, now=later) == _preview()
    assert book.take(token, actor_id=COORDINATOR, now=later) is None  # posted already
    stale = book.issue(_preview(), actor_id=COORDINATOR, now=NOW)
    assert book.take(stale, actor_id=COORDINATOR, now=NOW + timedelta(minutes=30)) is None
    assert book.take("made-up", actor_id=COORDINATOR, now=NOW) is None


def test_the_preview_book_forgets_old_previews_and_stays_bounded() -> None:
    book = PreviewBook(window=timedelta(minutes=30), max_entries=2)
    first = book.issue(_preview(), actor_id=COORDINATOR, now=NOW)
    book.issue(_preview(), actor_id=COORDINATOR, now=NOW)
    book.issue(_preview(), actor_id=COORDINATOR, now=NOW)
    assert len(book) == 2
    assert book.take(first, actor_id=COORDINATOR, now=NOW) is None  # pushed out
    book.forget_expired(NOW + timedelta(minutes=31))
    assert len(book) == 0
    with pytest.raises(ValueError):
        PreviewBook(window=timedelta(0))
