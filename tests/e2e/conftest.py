"""The real bot against the Discord emulator, on SQLite and PostgreSQL.

Tests act as people (``emulator.person(user)``) and assert on what those people
see. The emulator fails a test on any request Discord would reject or does not
model; a test that provokes such a failure on purpose takes it off the list.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from vcpbot.db.migrate import upgrade
from vcpbot.emulator import Emulator
from vcpbot.harness import BotHarness, ManualClock, NetworkWorld, seed_network_world, settings_for


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as em:
        yield em
        em.assert_no_failures()


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 8, 17, 10, 0, tzinfo=UTC))


@pytest.fixture
async def harness(emulator, world, databases, clock) -> AsyncIterator[BotHarness]:
    db = await databases.create()
    await upgrade(db)
    running = BotHarness(
        emulator, settings_for(emulator, hub_guild_id=world.hub.id), db, clock=clock
    )
    await running.start()
    yield running
    await running.stop()
