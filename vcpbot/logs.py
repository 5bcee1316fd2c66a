"""Logging, configured once by the entry point, so that a log line names no one.

Three things keep people out of the log, at every level, ``DEBUG`` included:

- Loggers that would write whole payloads (request bodies, gateway frames, modal
  text) stay quieter than DEBUG whatever level the rest runs at (``PINNED_LOGGERS``).
- Every record passes ``PrivacyFilter`` on its way out. Libraries name people in
  lines we do not write: discord.py's failed-autocomplete line carries the user id,
  ``discord.state`` the user id of someone who marks interest in an event, a 429
  warning the URL of a DM channel (whose id points at one person) or an interaction
  token (which reads back the person's private answer for 15 minutes). The filter
  replaces every Discord id and every such token; the line and its warning stay.
- Exception messages are withheld: a traceback shows where it failed and the kind
  of error, not the message, which can quote what someone typed or a stored value
  (a database error's DETAIL, a driver's "invalid input ..."). Connection and
  import errors, which cannot carry either, keep theirs. SQLAlchemy's own bound parameters are
  hidden at the engine (``hide_parameters``, ``vcpbot.db.engine``).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

# Loggers that would write what people typed, and the least level they may run at.
PINNED_LOGGERS = {
    "discord.http": logging.WARNING,
    "discord.webhook": logging.WARNING,
    "discord.gateway": logging.INFO,
    # aiosqlite logs every statement with its bound parameters (user ids among them).
    "aiosqlite": logging.INFO,
    # SQLAlchemy keeps itself at WARNING; at DEBUG it would log every row it reads.
    "sqlalchemy": logging.WARNING,
}

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# A Discord snowflake (user, channel, guild, message, interaction id): 17 to 20 digits
# since 2015, standing alone. Shorter numbers (counts, row ids, seconds) and runs of
# digits inside a longer word (a hex session id) are left alone.
SNOWFLAKE = re.compile(r"(?<![0-9A-Za-z])\d{17,20}(?![0-9A-Za-z])")
ID = "[id]"
# What follows an interaction's or webhook's id in a URL is its token.
TOKEN = re.compile(r"(/(?:interactions|webhooks)/\[id\]/)[^/\s?'\"]+")

# Errors whose message is about the connection or a missing module, never about a
# person: kept.
TELLING_ERRORS = (OSError, ImportError)
TELLING_ERROR_NAMES = frozenset(
    {
        "discord.errors.ConnectionClosed",
        "discord.errors.GatewayNotFound",
        "discord.errors.PrivilegedIntentsRequired",
        "discord.errors.LoginFailure",
    }
)


def scrub(text: str) -> str:
    """``text`` with every Discord id and every interaction or webhook token replaced."""
    return TOKEN.sub(r"\1[token]", SNOWFLAKE.sub(ID, text))


def _kind(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}"


def _tells(error: BaseException) -> bool:
    return isinstance(error, TELLING_ERRORS) or _kind(error) in TELLING_ERROR_NAMES


def safe_traceback(error: BaseException) -> str:
    """Where it failed and what kind of error, for the error and what led to it, without
    the messages, which may quote what a user typed or a value from the database."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        message = f": {scrub(str(current))}" if _tells(current) else " (message withheld)"
        parts.append(frames + _kind(current) + message)
        suppressed = current.__suppress_context__
        current = current.__cause__ or (None if suppressed else current.__context__)
    return "\n(which came from)\n".join(parts)


class PrivacyFilter(logging.Filter):
    """Rewrites each record so that no Discord id, token or exception message leaves it.

    Kept on the handler, so it sees every library's records. The record is changed in
    place: the formatted message becomes ``msg`` (scrubbed) and the exception its
    withheld traceback (``exc_text``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: say so, show nothing of it
            message = f"(a log message that could not be formatted, from {record.name})"
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = "(exception text withheld)"
        record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def pin_chatty_loggers() -> None:
    for name, level in PINNED_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def prepare(handler: logging.Handler) -> logging.Handler:
    """Our format and the privacy filter, on every handler the bot's log goes through."""
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PrivacyFilter())
    return handler


def configure_logging(level: str = "INFO", *, stream: Any | None = None) -> None:
    root = logging.getLogger()
    root.handlers[:] = [prepare(logging.StreamHandler(stream))]
    root.setLevel(level)
    pin_chatty_loggers()
