"""KMTM keeps counters only, and SQLite's write-ahead log must not keep more: after VCPs log
contacts, the log is folded into the file and emptied, so nobody holding the database
files can replay the contacts one by one, in the order they were logged."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from discord_emulator import Emulator
from tests.e2e.kmtm.steps import (
    FIVE_ASSOCIATIONS,
    add_vcp,
    create_period,
    log_contact,
    network_of_five,
)
from tests.e2e.support.sqlite_wal import commit_states
from vcpbot_harness import BotHarness, NetworkWorld, seed_network_world


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


COUNTERS = ("kmtm_by_category", "kmtm_by_relation", "kmtm_by_follow_up")


def counters(connection: sqlite3.Connection) -> tuple[tuple[object, ...], ...]:
    rows: list[tuple[object, ...]] = []
    known = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    for table in set(COUNTERS) & known:
        rows.extend(
            (table, *row)
            for row in connection.execute(
                f"SELECT association_id, value, count FROM {table} ORDER BY 1, 2"  # noqa: S608
            )
        )
    return tuple(sorted(rows))


def contacts_replayable(database: Path) -> int:
    """How many times the counters change from one state to the next in the files."""
    states = commit_states(database, counters)
    return sum(1 for before, after in itertools.pairwise(states) if before != after)


@pytest.mark.threat("T10")
async def test_contacts_cannot_be_replayed_one_by_one_from_the_sqlite_wal(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    assert harness.bot is not None
    if not harness.bot.db.is_sqlite:
        pytest.skip("SQLite's write-ahead log; PostgreSQL is described in docs/privacy.md")
    database = Path(str(harness.bot.db.engine.url.database))
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    tragos = world.association("tragos").guild
    sanne = await add_vcp(emulator, world, "tragos", "sanne")
    logged = (("advice", "unknown"), ("bullying", "student"), ("stalking", "civilian"))
    for category, relation in logged:
        await log_contact(emulator, sanne, tragos, category, relation, "listening_ear")

    # Shortly after the last contact, the log is folded into the file and emptied.
    await emulator.world.wait_for(
        lambda: contacts_replayable(database) == 0 or None,
        within=10,
        what="the WAL to hold no contact any more",
    )
    # What the files still say is the totals, which is what KMTM keeps.
    [state] = {*commit_states(database, counters)}
    assert sum(count for table, _, _, count in state if table == "kmtm_by_category") == 3
