"""An answer that misses Discord's 3-second deadline is load, not a bug: it is logged
as a warning, without a traceback, and nothing is sent after it."""

from __future__ import annotations

import logging

import pytest

from discord_emulator import Emulator
from vcpbot_harness import BotHarness, NetworkWorld, add_student


async def test_a_late_answer_is_a_warning_not_an_error(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    student = add_student(emulator, world, "tragos", "late-student", locale="en-US")
    emulator.interaction_deadline = 0.0  # every answer comes too late
    caplog.set_level(logging.INFO, logger="vcpbot")
    result = await emulator.person(student).slash(
        world.association("tragos").guild, "help", wait=False
    )
    await emulator.world.wait_for(
        lambda: any("3-second deadline" in r.getMessage() for r in caplog.records),
        within=5,
        what="the bot's note about the late answer",
    )
    assert result.rejections == ["404 10062 Unknown interaction"]  # nothing tried after it
    late = [r for r in caplog.records if "3-second deadline" in r.getMessage()]
    assert [r.levelno for r in late] == [logging.WARNING]
    assert late[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
