"""A note and a claim the handler was told about survive the bot being killed right after."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.escalation.steps import add_vcp, card_for, code_in, escalate, network_with
from tests.e2e.escalation.test_casework_story import add_note, open_with_desk
from tests.e2e.escalation.test_escalation_crash import (
    RESTART_CLOCK_OFFSET_S,
    BotProcess,
    bot_process,
    database,
)
from vcpbot.db import Database
from vcpbot_harness import NetworkWorld

__all__ = ["bot_process", "database"]  # fixtures, used by name

NOTE = "Teruggebeld door de vertrouwenspersoon; gesprek staat voor donderdag."


async def test_a_note_and_a_claim_acknowledged_before_a_sigkill_are_there_after_the_restart(
    emulator: Emulator,
    world: NetworkWorld,
    database: tuple[str, Database],
    bot_process: BotProcess,
) -> None:
    await bot_process.start(VCPBOT_TEST_SYNC="1")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Na de borrel.")
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    team = world.team_member
    _, panel = await open_with_desk(emulator, team, card)
    taken = await (await emulator.person(team).press(panel, label="Take this case")).final()
    assert f"You have taken case {code}" in taken.text
    saved = await add_note(emulator, team, panel, NOTE)
    assert f"Your note on case {code} is saved" in saved.text
    await bot_process.kill()  # right after the handler was told

    await bot_process.start(VCPBOT_TEST_CLOCK_OFFSET_S=RESTART_CLOCK_OFFSET_S)
    _, again = await open_with_desk(emulator, team, card)
    assert NOTE in again.text and "You have taken this case." in again.text
