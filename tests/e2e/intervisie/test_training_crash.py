"""The bot dies in the middle of sending training-due reminders; after the restart every
trained VCP has exactly one reminder: none twice, none lost.

As in the intervisie reminder crash test: a Discord error (503) leaves one reminder
claimed without a DM, and the process dies right after Discord accepted another and
before it was settled. The bot is then stopped and started against the same world and
database, as a new process would be.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from typing import Any

import discord
import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    component_id,
    form,
    network_with_vcps,
    open_form,
    session_ids,
    start_clock,
    three_association_world,
)
from tests.e2e.intervisie.test_training import START, TRAGOS_TRAINING, _training_due
from vcpbot.services import intervisie
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

EXPIRES = START.replace(year=START.year + 1).astimezone(UTC)
SOON = EXPIRES - intervisie.DUE_SOON
VCPS = {f"vcp{n}": ("tragos", "nl") for n in range(1, 5)}
SEND = "POST /channels/{channel_id}/messages"
WORDS = "geldt nog tot"


class ProcessKilled(BaseException):
    """The process is gone: nothing after this point runs, nothing is cleaned up."""


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def due_dms(emulator: Emulator, people: dict[str, Any]) -> Counter[str]:
    return Counter(
        {
            name: sum(WORDS in m.text for m in emulator.person(user).dms())
            for name, user in people.items()
        }
    )


def die_before_settling_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    async def settle(session: Any, **kwargs: Any) -> None:
        raise ProcessKilled

    monkeypatch.setattr(intervisie, "settle_training_notice", settle)


async def _all_trained(
    emulator: Emulator, world: NetworkWorld, clock: ManualClock, vcps: dict[str, Any]
) -> None:
    modal = await open_form(emulator, world, TRAGOS_TRAINING)
    await (
        await emulator.person(world.coordinator).submit(modal, form(START, title="Basistraining"))
    ).final(within=20)
    clock.set(START.astimezone(UTC) + timedelta(hours=3))
    coordinator = emulator.person(world.coordinator)
    [held] = await session_ids(emulator, world, subcommand="attendance")
    opened = await coordinator.slash(
        world.hub, "intervisie", {"session": held}, subcommand="attendance"
    )
    sheet = (await opened.wait()).message
    chosen = [str(user.id) for user in vcps.values()]
    await (await coordinator.select(sheet, component_id(sheet, "present0"), chosen)).wait()
    await (await coordinator.press(sheet, label="Opslaan")).wait()


async def test_due_reminders_killed_halfway_arrive_once_each_after_the_restart(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vcps = await network_with_vcps(emulator, world, VCPS)
    await _all_trained(emulator, world, clock, vcps)

    # The first reminder's DM fails with a 503: claimed, nothing sent, in doubt.
    clock.set(SOON)
    emulator.inject(SEND, status=503, count=1)
    with pytest.raises(discord.HTTPException):
        await _training_due(harness).run_due()
    # The second goes out, and the process dies before settling it.
    die_before_settling_the_first(monkeypatch)
    with pytest.raises(ProcessKilled):
        await _training_due(harness).run_due()
    monkeypatch.undo()
    assert sorted(due_dms(emulator, vcps).values()) == [0, 0, 0, 1]

    clock.advance(timedelta(seconds=20))
    await harness.restart()
    # The reminders nobody claimed go out; the two claims may still be alive.
    await _training_due(harness).run_due()
    assert sorted(due_dms(emulator, vcps).values()) == [0, 1, 1, 1]

    # Once their leases have run out, the one whose DM is there is found, not sent
    # again; the one whose DM never arrived is sent.
    clock.set(SOON + intervisie.TRAINING_LEASE)
    assert await _training_due(harness).run_due() == 2
    assert due_dms(emulator, vcps) == dict.fromkeys(vcps, 1)
    await harness.restart()
    assert await _training_due(harness).run_due() == 0
    assert due_dms(emulator, vcps) == dict.fromkeys(vcps, 1)


async def test_a_discord_outage_while_taking_the_lead_only_delays_the_reminder(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"vcp1": ("tragos", "nl")})
    await _all_trained(emulator, world, clock, vcps)

    # The bot starts while the reminder is due and Discord answers its DM with a 503.
    clock.set(SOON)
    dm = emulator.world.dm_channel(vcps["vcp1"])
    emulator.inject(SEND, status=503, count=1, channel=dm)
    await harness.restart()
    assert due_dms(emulator, vcps) == {"vcp1": 0}

    # The bot runs on; once the claim's lease has run out, the reminder goes, once.
    clock.set(SOON + intervisie.TRAINING_LEASE)
    assert await _training_due(harness).run_due() == 1
    assert await _training_due(harness).run_due() == 0
    assert due_dms(emulator, vcps) == {"vcp1": 1}
