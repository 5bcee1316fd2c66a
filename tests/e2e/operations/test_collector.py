"""Once the bot is ready, what start-up made is out of the garbage collector's way, so a
full collection later walks only what the bot made since and does not hold the event
loop for every interaction waiting at that moment (issue 21)."""

from __future__ import annotations

import asyncio
import gc

from vcpbot_harness import BotHarness


async def _settled() -> int:
    for _ in range(100):
        if gc.get_freeze_count():
            return gc.get_freeze_count()
        await asyncio.sleep(0.01)
    return 0


async def test_a_ready_bot_has_frozen_what_start_up_made(harness: BotHarness) -> None:
    frozen = await _settled()
    # discord.py, SQLAlchemy, the catalogs and the caches: tens of thousands of objects.
    assert frozen > 20_000
    # What a full collection still walks is what came after: a fraction of it.
    assert len(gc.get_objects()) < frozen
