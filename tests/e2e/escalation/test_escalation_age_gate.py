"""A deployment can keep brand-new accounts out of the anonymous member route (Modmail's
account-age and server-age gate): checked from the interaction alone, stored nowhere;
the person is told kindly where else to go now, and can report once old enough."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    escalate,
    network_with,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.support.bot import escalation_values, running_bot
from vcpbot.db.escalation import Case
from vcpbot.i18n import t
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

GATE = {"min_account_age_days": 7, "min_member_days": 2}


@pytest.fixture
def clock() -> ManualClock:
    # Discord's ids carry the real moment an account was made: the bot's clock is real too.
    return ManualClock(datetime.now(UTC))


@pytest.fixture
async def gated(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    values = escalation_values() | {"runtime_dir": tmp_path / "run"}
    values["escalation"] |= GATE
    async with running_bot(emulator, world, databases, clock, **values) as running:
        yield running


async def cases(harness: BotHarness) -> int:
    async with harness.db.reading.begin() as session:
        return int(await session.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_a_new_account_is_pointed_elsewhere_and_can_report_once_old_enough(
    emulator: Emulator, world: NetworkWorld, gated: BotHarness, clock: ManualClock, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    noor = add_member(emulator, world, "tragos", "noor", locale=locale)
    lang = "nl" if locale == "nl" else "en"

    refused = await (await emulator.person(noor).slash(tragos.guild, "report")).final()
    assert refused.ephemeral
    assert t("escalation.error.account_too_new", lang) in refused.text
    assert "112" in refused.text
    assert refused.buttons == []  # no form to fill in yet
    assert await cases(gated) == 0

    clock.advance(timedelta(days=8))
    _, confirmation = await escalate(emulator, noor, tragos.guild, text="Het gebeurde vorige week.")
    assert receipt_in(confirmation)
    assert await cases(gated) == 1


async def test_a_registered_vcp_reporting_to_the_um_team_is_not_held_back(
    emulator: Emulator, world: NetworkWorld, gated: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")  # a new account too
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Zorgen over de borrel.")
    assert receipt_in(confirmation)


async def test_with_the_gate_off_an_account_of_any_age_can_report(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    """Off (the default): not even an account whose id looks newer than the bot's clock
    (a clock behind Discord's) is held back."""
    clock.set(datetime.now(UTC) - timedelta(days=30))
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    noor = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(emulator, noor, tragos.guild, text="Het gebeurde gisteren.")
    assert receipt_in(confirmation)
