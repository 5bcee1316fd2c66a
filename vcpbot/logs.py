"""Logging, configured once by the entry point.

discord.py logs request bodies (``discord.http``, ``discord.webhook``) and whole
gateway payloads, modal text included (``discord.gateway``), at DEBUG. Those
loggers stay quieter than DEBUG whatever level the rest runs at, so no case text
or user id reaches a log file through them.
"""

from __future__ import annotations

import logging

# Loggers that would write what people typed, and the least level they may run at.
PINNED_LOGGERS = {
    "discord.http": logging.WARNING,
    "discord.webhook": logging.WARNING,
    "discord.gateway": logging.INFO,
    # aiosqlite logs every statement with its bound parameters (user ids among them).
    "aiosqlite": logging.INFO,
}

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def pin_chatty_loggers() -> None:
    for name, level in PINNED_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def configure_logging(level: str = "INFO", *, stream: object | None = None) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter(FORMAT))
    root.handlers[:] = [handler]
    root.setLevel(level)
    pin_chatty_loggers()
