"""Personal lead times across a leader hand-over: VCPs who chose "2 minutes before"
get exactly that reminder, once, when the leading process is killed (SIGKILL) in the
middle of sending them; VCPs who chose none get nothing."""

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
    session_with_reminders_in,
)
from vcpbot.services import intervisie

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]

CHOOSERS = 80
NONE = 40


async def test_own_lead_times_survive_a_leader_killed_mid_fan_out(
    deployment: Deployment,
) -> None:
    guild = deployment.guilds[2]
    choosers = members(deployment, guild, CHOOSERS, "kiest")
    quiet = members(deployment, guild, NONE, "geen")
    association = await approved_association(deployment, guild, [*choosers, *quiet])
    policy = intervisie.Policy.from_settings(deployment.settings())
    async with deployment.db.sessions.begin() as session:
        for person, leads in [(p, ["PT2M"]) for p in choosers] + [(p, []) for p in quiet]:
            await intervisie.set_reminder_leads(
                session, user_id=person.id, leads=leads, now=datetime.now(UTC), policy=policy
            )
    deployment.add("a", [0, 1])
    deployment.add("b", [2])
    deployment.add("c", [3])
    await deployment.start()
    leader = await deployment.leader()

    title = "Intervisie eigen tijden"
    await session_with_reminders_in(
        deployment, association.name, 3.0, title, lead=timedelta(minutes=2)
    )
    await deployment.wake_leader("intervisie")

    def reminded() -> int:
        return sum(1 for vcp in choosers if dms_mentioning(deployment, vcp, title))

    await deployment.wait(lambda: reminded() >= 15, "the fan-out to be under way")
    await asyncio.sleep(random.uniform(0, 0.3))
    await leader.kill()
    assert reminded() < CHOOSERS, "the fan-out ended before the kill"
    await deployment.hand_over(leader)

    await deployment.wait(
        lambda: reminded() == CHOOSERS, "every chooser to have a reminder", within=60
    )
    await asyncio.sleep(1.0)  # anything sent twice would be here by now
    counts = {vcp.username: dms_mentioning(deployment, vcp, title) for vcp in choosers}
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}
    assert not [vcp for vcp in quiet if dms_mentioning(deployment, vcp, title)]
    async with deployment.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT lead, outcome, count(*) FROM intervisie_reminders GROUP BY lead, outcome")
        )
        # Only the chosen two-minute reminders were ever planned, and each was sent.
        assert {(lead, outcome): n for lead, outcome, n in rows.all()} == {
            ("PT2M", "sent"): CHOOSERS
        }
