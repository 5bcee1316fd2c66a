"""The bot dies in the middle of a reminder fan-out; after the restart every invitee has
exactly one reminder DM: none twice, none lost.

The death is in-process: a crash hook stops the fan-out right after Discord accepted
a reminder and before it was marked sent, and a Discord error (503) leaves another
claimed without a DM. The bot is then stopped and started against the same world and
database, as a new process would be.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from typing import Any

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    at,
    form,
    network_with_vcps,
    plan,
    reminder_job_times,
    runner,
    start_clock,
    three_association_world,
)
from vcpbot.services.intervisie import REMINDER_LEASE, ReminderOutcome
from vcpbot.services.intervisie import _jobs as reminder_jobs
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

START = at(9, 15, 19, 30)
WEEK_BEFORE = at(9, 8, 19, 30).astimezone(UTC)
VCPS = {f"vcp{n}": ("tragos" if n % 2 else "koko", "nl") for n in range(1, 9)}
SEND = "POST /channels/{channel_id}/messages"


class ProcessKilled(BaseException):
    """The process is gone: nothing after this point runs, nothing is cleaned up."""


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def reminder_dms(emulator: Emulator, people: dict[str, Any]) -> Counter[str]:
    return Counter(
        {
            name: sum("Herinnering:" in m.text for m in emulator.person(user).dms())
            for name, user in people.items()
        }
    )


def die_before_marking_the_nth_sent(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    original = reminder_jobs.mark_sent
    calls = 0

    async def mark_sent(session: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == n:
            raise ProcessKilled
        return await original(session, **kwargs)

    monkeypatch.setattr(reminder_jobs, "mark_sent", mark_sent)


async def test_a_fan_out_killed_halfway_ends_with_one_reminder_each_after_the_restart(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vcps = await network_with_vcps(emulator, world, VCPS)
    await plan(
        emulator, world, {"invitees": "associations", "associations": "Tragos, Koko"}, form(START)
    )
    for user in vcps.values():
        await emulator.person(user).wait_for_dm(contains="Uitnodiging")

    # The first reminder's DM fails with a 503: claimed, nothing sent. The second goes
    # out and is marked. The third goes out, and the process dies before marking it.
    emulator.inject(SEND, status=503, count=1)
    die_before_marking_the_nth_sent(monkeypatch, 2)
    clock.set(WEEK_BEFORE)
    with pytest.raises(ProcessKilled):
        await runner(harness).run_due()
    monkeypatch.undo()
    assert sorted(reminder_dms(emulator, vcps).values()) == [0] * 6 + [1, 1]

    clock.advance(timedelta(seconds=20))
    await harness.restart()
    # The new process's jobs for the two claims wait for their leases to run out.
    assert reminder_job_times(harness).count(WEEK_BEFORE + REMINDER_LEASE) == 2
    # The reminders nobody claimed go out at once; the two claims may still be alive,
    # so nobody touches them yet.
    assert await runner(harness).run_due() == [ReminderOutcome.SENT] * 5
    assert await runner(harness).run_due() == []
    assert sorted(reminder_dms(emulator, vcps).values()) == [0] + [1] * 7

    # Once their leases have run out, the one whose DM is there is found, not sent again;
    # the one whose DM never arrived is sent.
    clock.set(WEEK_BEFORE + REMINDER_LEASE)
    assert await runner(harness).run_due() == [ReminderOutcome.SENT, ReminderOutcome.SENT]
    assert reminder_dms(emulator, vcps) == dict.fromkeys(vcps, 1)
    assert await runner(harness).run_due() == []
    await harness.restart()
    assert await runner(harness).run_due() == []
    assert reminder_dms(emulator, vcps) == dict.fromkeys(vcps, 1)

    # The reminder's buttons answer the invitation.
    person = emulator.person(vcps["vcp1"])
    reminder = await person.wait_for_dm(contains="Herinnering:")
    pressed = await (await person.press(reminder, label="Ja, ik kom")).wait()
    assert "je staat genoteerd voor" in pressed.message.text
