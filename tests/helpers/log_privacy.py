"""The bot's log, read as an operator running at DEBUG reads it, and the check that no
line of it names anyone (issue 15, item 8).

What must never appear, taken from the emulated Discord (``discord_emulator``):

- the id of any person (every account but the bot's own, whose id is also the
  application's: the bot may name itself);
- the id of any DM channel (it leads to one person);
- a receipt the bot showed anyone (anything of a receipt's shape, ``XXXX-XXXX-...``,
  in any text the bot ever put in a message, replaced texts included), with or
  without its dashes;
- anything a person typed into a text input, a free-text option or a message, when it
  is at least ``MIN_TYPED`` characters long (shorter ones, "ja" or "3", are words any
  log line may hold);
- an interaction's token: for 15 minutes it reads back the private answer (a receipt).

Ids are matched as whole numbers only (not inside a longer run of digits), so a count
or a port never matches one. The emulated Discord logs in the same process as the bot;
its own loggers (and aiohttp's server side) are Discord's log, not the bot's, and are
left out.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from discord_emulator import Emulator
from vcpbot.logs import PINNED_LOGGERS, pin_chatty_loggers, prepare

# Our own code: its records must be clean before the privacy filter, too.
OWN = ("vcpbot", "cogs")
NOT_THE_BOT = ("discord_emulator", "aiohttp.access", "aiohttp.server", "aiohttp.web")
MIN_TYPED = 8
RECEIPT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}(?![0-9A-Z])")
NUMBER = re.compile(r"(?<!\d)\d{15,20}(?!\d)")
WORD = re.compile(r"[A-Za-z0-9_-]{20,}")
# Loggers a test may have quietened (the demo sets discord.py's to ERROR): opened again.
OPENED = ("discord", "vcpbot", "cogs")


@dataclass(frozen=True)
class Line:
    logger: str
    text: str  # as the log shows it, after vcpbot.logs' filter
    raw: str = ""  # for our own loggers: the record as our code wrote it, before the filter


class LogCapture(logging.Handler):
    """Every record, formatted and filtered exactly as ``vcpbot.logs`` sets up the bot's
    own handler (``prepare``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[Line] = []
        prepare(self)

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        if record.name.startswith(NOT_THE_BOT):
            return False
        raw = _raw(record) if record.name.startswith(OWN) else ""
        if not self.filter(record):
            return False
        with self.lock:  # type: ignore[union-attr]
            self.lines.append(Line(record.name, self.format(record), raw))
        return True

    def emit(self, record: logging.LogRecord) -> None:  # handle() does the work
        return


def _raw(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # the filter reports it; nothing of it reaches the log
        return ""
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(record.exc_info[1]))
    return text


@contextmanager
def debug_log() -> Iterator[LogCapture]:
    """The whole process at DEBUG, as ``vcpbot run`` with ``log_level = "DEBUG"`` sets it
    up (the chatty loggers pinned), captured; every level put back afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in (*OPENED, *PINNED_LOGGERS)}
    root_level = root.level
    capture = LogCapture()
    for name in OPENED:
        logging.getLogger(name).setLevel(logging.NOTSET)
    root.setLevel(logging.DEBUG)
    pin_chatty_loggers()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@dataclass(frozen=True)
class Forbidden:
    """What no log line may hold, each with what it is (for the failure message)."""

    ids: dict[str, str]  # matched as whole numbers
    words: dict[str, str]  # receipts and tokens, matched as whole words
    texts: dict[str, str]  # what people typed, matched anywhere

    def leaks(self, line: str) -> list[str]:
        found = [self.ids[n] for n in NUMBER.findall(line) if n in self.ids]
        found += [self.words[w] for w in WORD.findall(line) if w in self.words]
        found += [self.words[r] for r in RECEIPT_CODE.findall(line) if r in self.words]
        found += [what for text, what in self.texts.items() if text in line]
        return list(dict.fromkeys(found))


def forbidden(emulator: Emulator) -> Forbidden:
    world = emulator.world
    ids = {str(user.id): f"the user id of {user.username}" for user in world.people()}
    for user_id, channel in world.dm_channels.items():
        ids[str(channel.id)] = f"the DM channel of {world.users[user_id].username}"
    words = {i.token: "an interaction's token" for i in world.interactions.values()}
    for shown in world.shown:
        for receipt in RECEIPT_CODE.findall(shown):
            words[receipt] = "a receipt shown to a person"
            words[receipt.replace("-", "")] = "a receipt shown to a person (without dashes)"
    texts = {
        typed.strip(): "text a person typed"
        for typed in world.typed
        if len(typed.strip()) >= MIN_TYPED
    }
    return Forbidden(ids, words, texts)


def findings(emulator: Emulator, lines: Iterable[Line]) -> list[str]:
    """Each line that names someone, with what it names: empty when the log is clean."""
    check = forbidden(emulator)
    found = []
    for line in lines:
        for what in check.leaks(line.text):
            found.append(f"{line.logger} logs {what}: {line.text[:300]!r}")
        for what in check.leaks(line.raw):
            found.append(f"{line.logger} (our code, unfiltered) has {what}: {line.raw[:300]!r}")
    return found


def text_findings(emulator: Emulator, lines: Iterable[str]) -> list[str]:
    """``findings`` for a log read as text (another process's standard error)."""
    return findings(emulator, (Line("(process log)", line) for line in lines))
