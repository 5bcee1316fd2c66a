"""Once the bot is ready, what start-up made is out of the garbage collector's way, so a
full collection later walks only what the bot made since and does not hold the event
loop for every interaction waiting at that moment (issue 21)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from discord_emulator import Emulator
from tests.e2e.support.bot import running_bot
from vcpbot_harness import NetworkWorld


async def _settled() -> int:
    for _ in range(100):
        if gc.get_freeze_count():
            return gc.get_freeze_count()
        await asyncio.sleep(0.01)
    return 0


async def test_a_ready_bot_has_frozen_what_start_up_made(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: Any
) -> None:
    async with running_bot(emulator, world, databases, clock, gc_freeze=True):
        frozen = await _settled()
        # discord.py, SQLAlchemy, the catalogs and the caches: tens of thousands of objects.
        assert frozen > 20_000
        # What a full collection still walks is what came after: a fraction of it.
        assert len(gc.get_objects()) < frozen


async def test_off_it_leaves_the_collector_alone(harness: Any) -> None:
    """``gc_freeze = false`` (as the test harness runs) freezes nothing."""
    await asyncio.sleep(0.2)
    assert gc.get_freeze_count() == 0
