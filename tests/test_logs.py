"""What an operator reads in the log that ``vcpbot run`` sets up, at DEBUG: the lines
the libraries write, without the people in them (issue 15, item 8). The end-to-end
tests show the same for every flow; these show each rule on its own."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from vcpbot.logs import PINNED_LOGGERS, configure_logging

USER = 1201234567890123456
DM_CHANNEL = 1201234567890999999
GUILD = 1199999999999999999
TOKEN = "aW50ZXJhY3Rpb246MTIwMTIzNDU2Nzg5MDEyMzQ1Njc6c2VjcmV0"


@pytest.fixture
def operator_log() -> Iterator[io.StringIO]:
    """The root logger as ``vcpbot run`` with ``log_level = "DEBUG"`` leaves it, writing
    to a string; everything put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*PINNED_LOGGERS, "discord")}
    logging.getLogger("discord").setLevel(logging.NOTSET)  # the demo quietens it, in-process
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, pinned in levels.items():
        logging.getLogger(name).setLevel(pinned)


@pytest.mark.threat("T11")
def test_a_failed_autocomplete_is_logged_without_who_typed(operator_log: io.StringIO) -> None:
    # discord.py's own words (app_commands/tree.py), exception and all.
    try:
        raise RuntimeError(f"no such period for {USER}")
    except RuntimeError:
        logging.getLogger("discord.app_commands.tree").exception(
            "Ignoring exception in autocomplete for %r (Guild: %s, User: %s)",
            "kmtm report",
            GUILD,
            USER,
        )
    written = operator_log.getvalue()
    assert "Ignoring exception in autocomplete for 'kmtm report' (Guild: [id], User: [id])" in (
        written
    )
    assert "builtins.RuntimeError (message withheld)" in written
    assert "raise RuntimeError" in written  # where it failed is still there
    assert str(USER) not in written and str(GUILD) not in written


def test_a_rate_limited_dm_keeps_its_warning_but_not_its_channel(
    operator_log: io.StringIO,
) -> None:
    http = logging.getLogger("discord.http")
    fmt = "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds."
    http.warning(fmt, "POST", f"https://discord.com/api/v10/channels/{DM_CHANNEL}/messages", 0.5)
    http.warning(
        fmt, "POST", f"https://discord.com/api/v10/interactions/{USER}/{TOKEN}/callback", 0.5
    )
    http.warning(fmt, "PATCH", f"https://discord.com/api/v10/webhooks/{GUILD}/{TOKEN}", 0.5)
    written = operator_log.getvalue()
    assert "POST https://discord.com/api/v10/channels/[id]/messages responded with 429" in written
    assert "/interactions/[id]/[token]/callback" in written
    assert "/webhooks/[id]/[token] responded" in written
    assert str(DM_CHANNEL) not in written and TOKEN not in written


def test_someone_marking_interest_in_an_event_is_not_named_at_debug(
    operator_log: io.StringIO,
) -> None:
    logging.getLogger("discord.state").debug(
        "SCHEDULED_EVENT_USER_ADD referencing unknown user ID: %s. Discarding.", str(USER)
    )
    assert "referencing unknown user ID: [id]. Discarding." in operator_log.getvalue()
    assert str(USER) not in operator_log.getvalue()


def test_an_error_shows_where_and_what_kind_but_not_its_message(
    operator_log: io.StringIO,
) -> None:
    typed = "he follows me " + "home"  # not in a source line the traceback shows
    try:
        try:
            raise KeyError(f"Sanne typed: {typed}")
        except KeyError as exc:
            raise ValueError(f"while storing {typed!r}") from exc
    except ValueError:
        logging.getLogger("discord.ui.view").exception("Ignoring exception in view")
    written = operator_log.getvalue()
    assert "follows me" not in written
    assert "builtins.ValueError (message withheld)" in written
    assert "(which came from)" in written and "builtins.KeyError (message withheld)" in written


def test_a_connection_error_keeps_its_message(operator_log: io.StringIO) -> None:
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.5', 5432)")
    except OSError:
        logging.getLogger("vcpbot.leadership").exception("cannot reach PostgreSQL")
    assert "Connect call failed ('10.0.0.5', 5432)" in operator_log.getvalue()


def test_short_numbers_and_hex_stay(operator_log: io.StringIO) -> None:
    logging.getLogger("vcpbot").info("escalation retention: %d case(s) destroyed", 12)
    logging.getLogger("vcpbot").info("reminder %d at %s", 4711, "2026-08-17 10:00")
    session = "9c541fbe05e12345678901234567df3b"
    logging.getLogger("discord.gateway").info("connected (Session ID: %s).", session)
    written = operator_log.getvalue()
    assert "12 case(s) destroyed" in written and "reminder 4711 at 2026-08-17 10:00" in written
    assert f"(Session ID: {session})" in written


def test_a_line_that_cannot_be_formatted_shows_nothing_of_its_arguments(
    operator_log: io.StringIO,
) -> None:
    logging.getLogger("somelib").warning("user %s did %s", "Sanne de Vries")  # noqa: PLE1206
    written = operator_log.getvalue()
    assert "could not be formatted, from somelib" in written and "Sanne" not in written


def test_the_database_logs_no_rows_even_at_debug(operator_log: io.StringIO) -> None:
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)
