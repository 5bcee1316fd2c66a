"""Which failures a person is told are load ("very busy, try again"), not a bug."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as db_errors

from vcpbot.i18n import t
from vcpbot.interactions import _busy


def test_an_overloaded_database_is_busy_not_broken() -> None:
    assert _busy(db_errors.TimeoutError("QueuePool limit reached"))
    locked = sqlite3.OperationalError("database is locked")
    assert _busy(db_errors.OperationalError("INSERT ...", {}, locked))


def test_other_database_errors_are_still_bugs() -> None:
    missing = sqlite3.OperationalError("no such table: vcps")
    assert not _busy(db_errors.OperationalError("SELECT ...", {}, missing))
    assert not _busy(db_errors.IntegrityError("INSERT ...", {}, Exception("UNIQUE")))
    assert not _busy(RuntimeError("locked"))


def test_the_busy_message_is_calm_in_both_languages() -> None:
    assert "try again in a minute" in t("error.busy", "en")
    assert "over een minuut opnieuw" in t("error.busy", "nl")
