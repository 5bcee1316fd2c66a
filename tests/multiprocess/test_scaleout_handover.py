"""The leading process is killed (SIGKILL) in the middle of its timed work; another
takes over, and every reminder and every hub card arrives exactly once.

The hand-over time (from the kill until the next leader leads and has rebuilt its
jobs from the database) is printed; run with ``-s`` to see it.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import text

from tests.multiprocess.steps import (
    RETRY_S,
    Deployment,
    approved_association,
    cases_submitted,
    dms_mentioning,
    hub_cards,
    members,
    session_with_reminders_in,
    set_up_hub,
)

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]

VCPS = 200
CASES = 40
# From the kill until the next leader has rebuilt: a retry, the rebuild, and room for a
# machine as busy as CI's.
HAND_OVER_BOUND_S = RETRY_S + 4.0


async def three_processes(deployment: Deployment) -> None:
    deployment.add("a", [0, 1])
    deployment.add("b", [2])
    deployment.add("c", [3])
    await deployment.start()


async def test_the_leader_killed_during_a_reminder_fan_out_to_200_vcps(
    deployment: Deployment,
) -> None:
    guild = deployment.guilds[2]
    vcps = members(deployment, guild, VCPS, "vcp")
    association = await approved_association(deployment, guild, vcps)
    await three_processes(deployment)
    leader = await deployment.leader()

    # Planned in a process; it wakes the leader, which schedules 200 reminders.
    title = "Intervisie najaar"
    await session_with_reminders_in(deployment, association.name, 3.0, title)
    await deployment.wake_leader("intervisie")

    def reminded() -> int:
        return sum(1 for vcp in vcps if dms_mentioning(deployment, vcp, title))

    await deployment.wait(lambda: reminded() >= 30, "the fan-out to be under way")
    await asyncio.sleep(random.uniform(0, 0.3))
    await leader.kill()
    assert reminded() < VCPS, "the fan-out ended before the kill"
    successor, took = await deployment.hand_over(leader)
    print(f"\nhand-over during a reminder fan-out: {took:.2f} s to {successor.name}")  # noqa: T201 - the figure the issue asks for
    assert took < HAND_OVER_BOUND_S

    await deployment.wait(lambda: reminded() == VCPS, "every VCP to have a reminder", within=60)
    await asyncio.sleep(1.0)  # anything sent twice would be here by now
    counts = {vcp.username: dms_mentioning(deployment, vcp, title) for vcp in vcps}
    assert {n for n in counts.values()} == {1}, {u: n for u, n in counts.items() if n != 1}
    async with deployment.db.engine.connect() as conn:
        outcomes = dict(
            (
                await conn.execute(
                    text("SELECT outcome, count(*) FROM intervisie_reminders GROUP BY outcome")
                )
            ).all()
        )
    assert outcomes == {"sent": VCPS}


async def test_the_leader_killed_while_delivering_hub_cards(deployment: Deployment) -> None:
    await set_up_hub(deployment)
    association = await approved_association(deployment, deployment.guilds[3])
    await three_processes(deployment)
    leader = await deployment.leader()

    codes = await cases_submitted(deployment, association.id, CASES)
    await deployment.wake_leader("outbox")

    await deployment.wait(lambda: len(hub_cards(deployment)) >= 10, "cards in the hub")
    await asyncio.sleep(random.uniform(0, 0.2))
    await leader.kill()
    assert len(hub_cards(deployment)) < CASES, "the outbox was drained before the kill"
    successor, took = await deployment.hand_over(leader)
    print(f"\nhand-over during an outbox drain: {took:.2f} s to {successor.name}")  # noqa: T201 - the figure the issue asks for
    assert took < HAND_OVER_BOUND_S

    await deployment.wait(
        lambda: len(hub_cards(deployment)) == CASES, "a card for every case", within=30
    )
    async with deployment.db.engine.connect() as conn:
        for _ in range(100):
            if not await conn.scalar(text("SELECT count(*) FROM escalation_outbox")):
                break
            await conn.rollback()
            await asyncio.sleep(0.1)
    cards = hub_cards(deployment)
    assert set(cards) == set(codes)
    assert set(cards.values()) == {1}, {code: n for code, n in cards.items() if n != 1}
