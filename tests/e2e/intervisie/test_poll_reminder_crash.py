"""The bot dies in the middle of a date poll's reminder fan-out; after the restart everyone
who had not answered every date has exactly one reminder: none twice, none lost.

As in test_intervisie_reminder_crash: a Discord error (503) leaves one reminder claimed
without a DM, and the process dies right after Discord accepted another and before it
was marked sent. The bot is then started again against the same world and database.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.poll_steps import (
    REMIND_AT,
    answer,
    poll_form,
    poll_messages,
    poll_runner,
    send_poll,
)
from tests.e2e.intervisie.steps import network_with_vcps, start_clock, three_association_world
from vcpbot.services.intervisie import REMINDER_LEASE
from vcpbot.services.intervisie import _poll_reminders as poll_reminders
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

VCPS = {f"vcp{n}": ("tragos" if n % 2 else "koko", "nl") for n in range(1, 7)}
SEND = "POST /channels/{channel_id}/messages"


class ProcessKilled(BaseException):
    """The process is gone: nothing after this point runs, nothing is cleaned up."""


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def reminded(emulator: Emulator, people: dict[str, Any]) -> Counter[str]:
    """How many poll reminders each person has in their DMs (the first of its messages)."""
    return Counter(
        {
            name: sum(
                "Herinnering: datumprikker" in m.text
                for m in poll_messages(emulator, user, reminder=True)
            )
            for name, user in people.items()
        }
    )


def die_before_marking_the_nth(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    original = poll_reminders.settle_poll_reminder
    calls = 0

    async def settle(session: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == n:
            raise ProcessKilled
        await original(session, **kwargs)

    monkeypatch.setattr(poll_reminders, "settle_poll_reminder", settle)


async def test_a_poll_reminder_fan_out_killed_halfway_ends_with_one_each(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vcps = await network_with_vcps(emulator, world, VCPS)
    await send_poll(emulator, world, poll_form())
    # vcp1 answered every date: no reminder for them.
    for position in range(1, 7):
        await answer(emulator, vcps["vcp1"], position, "yes")
    waiting = {name: user for name, user in vcps.items() if name != "vcp1"}

    # The first reminder's DM fails with a 503: claimed, nothing sent. The second goes
    # out and is marked. The third goes out, and the process dies before marking it.
    emulator.inject(SEND, status=503, count=1)
    die_before_marking_the_nth(monkeypatch, 2)
    clock.set(REMIND_AT)
    with pytest.raises(ProcessKilled):
        await poll_runner(harness).run_due()
    monkeypatch.undo()
    assert sorted(reminded(emulator, waiting).values()) == [0, 0, 0, 1, 1]

    clock.advance(timedelta(seconds=20))
    await harness.restart()
    # Nobody claimed the last two: they go out at once. The two claims may still be
    # alive, so nobody touches them yet.
    assert await poll_runner(harness).run_due() == ["sent", "sent"]
    assert await poll_runner(harness).run_due() == []
    assert sorted(reminded(emulator, waiting).values()) == [0, 1, 1, 1, 1]

    # Once their leases have run out, the one whose DM is there is found, not sent
    # again; the one whose DM never arrived is sent.
    clock.set(REMIND_AT + REMINDER_LEASE)
    assert await poll_runner(harness).run_due() == ["sent", "sent"]
    assert reminded(emulator, waiting) == dict.fromkeys(waiting, 1)
    await harness.restart()
    assert await poll_runner(harness).run_due() == []
    assert reminded(emulator, waiting) == dict.fromkeys(waiting, 1)
    assert reminded(emulator, {"vcp1": vcps["vcp1"]}) == {"vcp1": 0}
