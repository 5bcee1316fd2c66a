"""A file the reporter was told is stored survives the bot being killed (SIGKILL) right
after: the acknowledgement is shown only after the commit, and the restarted bot shows
the file again from the database."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import add_vcp, escalate, network_with, receipt_in
from tests.e2e.escalation.test_escalation_crash import (
    RESTART_CLOCK_OFFSET_S,
    BotProcess,
    bot_process,
    database,
)
from tests.e2e.escalation.test_evidence import PNG, add_files, contents, own_files, png
from vcpbot.i18n import t
from vcpbot_harness import NetworkWorld

__all__ = ["bot_process", "database"]  # fixtures, used by name

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_an_acknowledged_file_is_there_after_a_crash(
    emulator: Emulator, world: NetworkWorld, bot_process: BotProcess, locale: str
) -> None:
    await bot_process.start(VCPBOT_TEST_SYNC="1")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Met een foto.")
    receipt = receipt_in(confirmation)

    added = await add_files(emulator, sanne, confirmation, [png(emulator)])
    assert t("evidence.added", "nl" if locale == "nl" else "en", count=1) in added.text
    await bot_process.kill()

    await bot_process.start(VCPBOT_TEST_CLOCK_OFFSET_S=RESTART_CLOCK_OFFSET_S)
    assert contents(await own_files(emulator, sanne, receipt)) == [PNG]
