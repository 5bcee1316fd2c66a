"""Three bot processes share four shards: each server is served by the process that
runs its shard, and only by it; one process leads, whatever happens to the others."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from discord_emulator.guild import Guild
from tests.multiprocess.steps import RETRY_S, Deployment
from vcpbot.leadership import lock_key

pytestmark = [
    pytest.mark.parametrize("databases", ["postgres"], indirect=True),
    pytest.mark.postgres,
    pytest.mark.slow,
]


def three_processes(deployment: Deployment) -> None:
    deployment.add("a", [0, 1])
    deployment.add("b", [2])
    deployment.add("c", [3])


async def help_answered(deployment: Deployment, guild: Guild | None) -> str:
    person = deployment.emulator.person(deployment.world.coordinator)
    return (await (await person.slash(guild, "help")).final()).text


def sessions_that_got(deployment: Deployment, interaction_id: int) -> list[tuple[int, int]]:
    """The gateway sessions Discord sent an interaction to, by their shard."""
    marker = f'"id": "{interaction_id}"'
    return sorted(
        session.shard
        for session in deployment.emulator.gateway.sessions.values()
        if any('"INTERACTION_CREATE"' in frame and marker in frame for _, frame in session.frames)
    )


async def test_each_server_is_served_by_the_process_of_its_shard_even_when_another_dies(
    deployment: Deployment,
) -> None:
    three_processes(deployment)
    await deployment.start()
    await deployment.sync_commands()
    emulator = deployment.emulator
    person = emulator.person(deployment.world.coordinator)
    for guild in deployment.guilds.values():
        emulator.add_member(guild, deployment.world.coordinator)

    for shard, guild in sorted(deployment.guilds.items()):
        result = await person.slash(guild, "help")
        await result.final()
        # Discord sent it to that shard's session only; the emulator refuses a second answer.
        assert sessions_that_got(deployment, result.interaction.id) == [(shard, 4)]
        assert deployment.owner_of(guild).name == {0: "a", 1: "a", 2: "b", 3: "c"}[shard]
    in_dm = await person.slash(None, "help")
    await in_dm.final()
    assert sessions_that_got(deployment, in_dm.interaction.id) == [(0, 4)]
    # Exactly one process leads, and it may be any of them.
    leader = await deployment.leader()

    # A process that does not lead dies: its servers go unanswered, the others do not.
    victim = next(p for p in deployment.processes if p is not leader)
    its_guild = deployment.guilds[victim.shard_ids[0]]
    other_guild = next(g for s, g in deployment.guilds.items() if s not in victim.shard_ids)
    await victim.kill()
    unanswered = await person.slash(its_guild, "help", wait=False)
    assert await help_answered(deployment, other_guild)
    await asyncio.sleep(1.0)
    assert unanswered.interaction.response is None  # Discord: "the application did not respond"
    assert await deployment.leader() is leader  # leadership did not move

    await victim.start()
    await victim.ready()
    assert await help_answered(deployment, its_guild)
    assert await deployment.leader() is leader


async def test_of_two_processes_started_at_once_exactly_one_leads(
    deployment: Deployment,
) -> None:
    # Only /help: what the cogs do is not the point here, starting fast is.
    deployment.env["VCPBOT_COGS"] = '["help"]'
    first, second = deployment.add("first", [0, 1]), deployment.add("second", [2, 3])
    async with deployment.db.engine.connect() as conn:
        key = lock_key(str(await conn.scalar(text("SELECT current_schema()"))))
    for _ in range(3):
        await deployment.start(first, second)
        leader = await deployment.leader()
        await asyncio.sleep(2 * RETRY_S)  # the other has tried again: still one leader
        assert [p for p in (first, second) if p.leads] == [leader]
        async with deployment.db.engine.connect() as conn:
            holders = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks JOIN pg_database d ON d.oid = database "
                    "WHERE locktype = 'advisory' AND granted AND d.datname = current_database() "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": key},
            )
        assert holders == 1
        await asyncio.gather(first.kill(), second.kill())
