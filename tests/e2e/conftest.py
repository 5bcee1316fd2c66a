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

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from discord_emulator import Emulator
from tests.e2e.support.bot import escalation_values, running_bot
from tests.e2e.support.write_guard import WriteGuard, write_guard
from tests.helpers.log_privacy import LogCapture, debug_log, findings
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world


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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 8, 17, 10, 0, tzinfo=UTC))


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
