"""The bot as the end-to-end fixtures start it: its escalation settings for tests, and a
bot running on a fresh database for as long as a test needs it. The fixtures in
tests/e2e/conftest.py use these; a test that needs a bot with other settings calls them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from discord_emulator import Emulator
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, settings_for


def escalation_values(*, batches: bool = False) -> dict[str, Any]:
    """Fresh keys for anonymous escalation, a receipt hash cheap enough for tests, and a
    delivery worker that retries often (tests move the clock and wait for it).

    Cards go out at once unless ``batches``: then non-urgent cards wait for the
    deployment's default batch window, as in production.
    """
    values: dict[str, Any] = {
        "master_keys": generate_master_key(1),
        "index_key": generate_index_key(),
        "escalation": {
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8,
            "argon2_parallelism": 1,
            "outbox_poll_seconds": 0.2,
        },
    }
    if not batches:
        values["escalation"] |= {"batch_min_minutes": 0, "batch_max_minutes": 0}
    return values


@contextlib.asynccontextmanager
async def running_bot(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock, **values: Any
) -> AsyncIterator[BotHarness]:
    db = await databases.create_migrated()
    settings = settings_for(emulator, hub_guild_id=world.hub.id, **values)
    running = BotHarness(emulator, settings, db, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
