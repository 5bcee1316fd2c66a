"""The real bot against the Discord emulator, on SQLite and PostgreSQL.

Tests act as people (``emulator.person(user)``) and assert on what those people
see. The emulator fails a test on any request Discord would reject or does not
model; a test that provokes such a failure on purpose takes it off the list.

Every test runs with the whole process logging at DEBUG, as ``vcpbot run`` does with
``log_level = "DEBUG"``; afterwards no line may name a person, a DM channel, a receipt
or what someone typed (``log_privacy``). And no request may go to Discord while the
task sending it holds a write transaction (``write_guard``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from discord_emulator import Emulator
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db.migrate import upgrade
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world, settings_for

from log_privacy import LogCapture, debug_log, findings
from write_guard import WriteGuard, write_guard


@pytest.fixture(autouse=True)
def bot_log(request: pytest.FixtureRequest) -> Iterator[LogCapture]:
    """Set up before, and torn down after, everything else: the bot's last words count."""
    with debug_log() as capture:
        yield capture
    emulator = request.node.funcargs.get("emulator")
    if isinstance(emulator, Emulator):
        leaked = findings(emulator, capture.lines)
        assert not leaked, "the log names someone:\n" + "\n".join(leaked[:20])


@pytest.fixture(autouse=True)
def writes() -> Iterator[WriteGuard]:
    """Set up before the bot starts and checked after it stopped: every request it sent."""
    with write_guard() as guard:
        yield guard
    assert not guard.violations, "the bot called Discord inside a write transaction:\n" + "\n".join(
        guard.violations
    )


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as em:
        yield em
        em.assert_no_failures()


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator)


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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 8, 17, 10, 0, tzinfo=UTC))


@contextlib.asynccontextmanager
async def running_bot(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock, **values: Any
) -> AsyncIterator[BotHarness]:
    db = await databases.create()
    await upgrade(db)
    settings = settings_for(emulator, hub_guild_id=world.hub.id, **values)
    running = BotHarness(emulator, settings, db, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def harness(emulator, world, databases, clock, tmp_path) -> AsyncIterator[BotHarness]:
    # The machine's runtime directory (/run/vcpbot): kept across restarts of the bot.
    values = escalation_values() | {"runtime_dir": tmp_path / "run"}
    async with running_bot(emulator, world, databases, clock, **values) as running:
        yield running


@pytest.fixture
async def batched_harness(emulator, world, databases, clock, tmp_path) -> AsyncIterator[BotHarness]:
    """The bot with the default batches: non-urgent cards wait 15 to 45 minutes."""
    values = escalation_values(batches=True) | {"runtime_dir": tmp_path / "run"}
    async with running_bot(emulator, world, databases, clock, **values) as running:
        yield running
