"""Invitations across a leader hand-over: a plan for 150 VCPs is queued, the leading
process sends the invitations and is killed (SIGKILL) in the middle; the next leader
carries on, looks for the DMs the dead one may have sent before sending them, and
every VCP ends with exactly one invitation."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.multiprocess.steps import (
    Deployment,
    approved_association,
    dms_mentioning,
    members,
)
from vcpbot.services import intervisie

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]

INVITEES = 150
TITLE = "Intervisie voor iedereen"


async def test_invitations_survive_a_leader_killed_mid_fan_out(deployment: Deployment) -> None:
    guild = deployment.guilds[2]
    vcps = members(deployment, guild, INVITEES, "genodigde")
    association = await approved_association(deployment, guild, vcps)
    deployment.add("a", [0, 1])
    deployment.add("b", [2])
    deployment.add("c", [3])
    await deployment.start()
    leader = await deployment.leader()

    # What /intervisie plan commits in one transaction: the session and its queued
    # invitations (a process that does not lead then wakes the leader).
    now = datetime.now(UTC)
    async with deployment.db.sessions.begin() as session:
        planned = await intervisie.plan_session(
            session,
            title=TITLE,
            starts_at=now + timedelta(days=7),
            duration_minutes=60,
            location=intervisie.Location.room("Zaal 1"),
            agenda=None,
            invitees=intervisie.Invitees(associations=(association.name,)),
            now=now,
            policy=intervisie.Policy.from_settings(deployment.settings()),
        )
        await intervisie.queue_invitations(session, planned=planned, now=now)
    await deployment.wake_leader("intervisie")

    def invited() -> int:
        return sum(1 for vcp in vcps if dms_mentioning(deployment, vcp, TITLE))

    await deployment.wait(lambda: invited() >= 20, "the fan-out to be under way")
    await asyncio.sleep(random.uniform(0, 0.3))
    await leader.kill()
    assert invited() < INVITEES, "the fan-out ended before the kill"
    await deployment.hand_over(leader)

    # The dead leader's claims come free after their lease, at the next sweep.
    await deployment.wait(
        lambda: invited() == INVITEES, "every VCP to have an invitation", within=200
    )
    # A DM the dead leader sent but could not mark stays open until its lease (60 s)
    # runs out; then the new leader finds the DM and marks it, without sending again.
    for _ in range(SETTLE_WITHIN_S * 2):
        if await _outcomes(deployment) == {"sent": INVITEES}:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)  # anything sent twice would be here by now
    counts = {vcp.username: dms_mentioning(deployment, vcp, TITLE) for vcp in vcps}
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}
    assert await _outcomes(deployment) == {"sent": INVITEES}


SETTLE_WITHIN_S = 150


async def _outcomes(deployment: Deployment) -> dict[str | None, int]:
    async with deployment.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT outcome, count(*) FROM intervisie_deliveries GROUP BY outcome")
        )
        return {outcome: int(count) for outcome, count in rows.all()}
