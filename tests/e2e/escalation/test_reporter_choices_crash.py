"""A reporter's choice the bot confirmed is not lost when the bot is killed (SIGKILL) right
after: once they read "done", the handlers read who they are after the restart."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    receipt_in,
)
from tests.e2e.escalation.test_escalation_crash import (
    RESTART_CLOCK_OFFSET_S,
    BotProcess,
    bot_process,
    database,
)
from tests.e2e.escalation.test_reporter_choices import choices, press
from vcpbot_harness import NetworkWorld

__all__ = ["bot_process", "database"]  # the crash test's fixtures, used here by name

pytestmark = pytest.mark.slow


async def test_a_confirmed_reveal_survives_a_sigkill(
    emulator: Emulator, world: NetworkWorld, bot_process: BotProcess
) -> None:
    await bot_process.start(VCPBOT_TEST_SYNC="1")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Er gebeurde iets.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    card = await card_for(emulator, world, code)

    screen = await choices(emulator, sanne, receipt)
    ask = await press(emulator, sanne, screen, "Laat weten wie ik ben")
    done = await press(emulator, sanne, ask, "Ja, laat het weten")
    assert "zodra ze je melding openen, zien ze wie je bent" in done.text
    await bot_process.kill()  # at once, after the reporter read "done"

    await bot_process.start(VCPBOT_TEST_CLOCK_OFFSET_S=RESTART_CLOCK_OFFSET_S)
    opened = await press(emulator, world.team_member, card, "Openen")
    assert f"The reporter chose to tell you who they are: <@{sanne.id}> (sanne)" in opened.text
