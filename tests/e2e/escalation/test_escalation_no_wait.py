"""A person who opens /report is answered at once, whatever else is writing.

On SQLite one writer at a time holds the database; the bot's own delivery worker, a
KMTM count or a board's edit can hold it for a moment, and on a busy machine for
longer. The explanation before the form only reads, so it must not queue for the
write lock: Discord gives the bot three seconds, and a student who sees "The
application did not respond" may not try again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import add_vcp, network_with
from vcpbot_harness import BotHarness, NetworkWorld
from vcpbot_harness.steps.escalation import start_report


@contextmanager
def another_writer(harness: BotHarness) -> Iterator[None]:
    """Another connection holds SQLite's one write lock until the block ends."""
    path = harness.db.engine.url.database
    assert path
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_report_explains_itself_while_another_writer_holds_the_database(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    if not harness.db.is_sqlite:
        pytest.skip("PostgreSQL has no database-wide write lock")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")

    with another_writer(harness):
        intro = await start_report(emulator, vcp, tragos.guild)

    assert intro is not None
    assert intro.ephemeral
    assert intro.buttons, "the explanation leads on to the form"
