"""Several bot processes, each running some of the shards, on one emulated Discord.

Each "process" here is a separate discord.py client (its own sessions and
websockets), as separate processes would be: Discord sends a guild's events only
to the session of the guild's shard, and what happens in a DM to shard 0.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands

from discord_emulator import Emulator
from discord_emulator.entities import User
from discord_emulator.guild import Guild

SHARDS = 4


class ShardProcess(commands.AutoShardedBot):
    """One process of a sharded deployment: it answers /whoami with its own name."""

    def __init__(self, name: str, shard_ids: list[int]) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            chunk_guilds_at_startup=False,
            shard_ids=shard_ids,
            shard_count=SHARDS,
        )
        self.name = name
        self.received: list[int | None] = []  # guild id of every interaction

        @self.tree.command(description="Which process answers")
        async def whoami(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"{self.name} on {interaction.guild_id}")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return  # the emulator has no identify rate limit (see MiniBot)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.received.append(interaction.guild_id)


def _shard(guild: Guild) -> int:
    return (guild.id >> 22) % SHARDS


def _guild_on_each_shard(emulator: Emulator, owner: User) -> dict[int, Guild]:
    found: dict[int, Guild] = {}
    while len(found) < SHARDS:
        guild = emulator.create_guild(f"Association {len(found)}", owner=owner)
        found.setdefault(_shard(guild), guild)
    return found


async def _start(emulator: Emulator, bot: ShardProcess) -> asyncio.Task[None]:
    await bot.login(emulator.token)
    task = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
    return task


async def test_each_process_gets_only_its_own_shards_guilds_and_dms_go_to_shard_0(
    emulator: Emulator, world: dict[str, Any]
) -> None:
    guilds = _guild_on_each_shard(emulator, world["owner"])
    for guild in guilds.values():
        emulator.add_member(guild, world["alice"])
    first, second = ShardProcess("first", [0, 1]), ShardProcess("second", [2, 3])
    tasks = [await _start(emulator, first), await _start(emulator, second)]
    try:
        await first.tree.sync()
        every = [g for g in emulator.world.guilds.values() if g.has_bot]
        assert {g.id for g in first.guilds} == {g.id for g in every if _shard(g) in (0, 1)}
        assert {g.id for g in second.guilds} == {g.id for g in every if _shard(g) in (2, 3)}
        assert sorted(s.shard for s in emulator.gateway.sessions.values()) == [
            (shard, SHARDS) for shard in range(SHARDS)
        ]

        alice = emulator.person(world["alice"])
        for shard, guild in sorted(guilds.items()):
            answer = await (await alice.slash(guild, "whoami")).final()
            owner = first if shard in (0, 1) else second
            assert answer.text == f"{owner.name} on {guild.id}"
        in_dm = await (await alice.slash(None, "whoami")).final()

        assert in_dm.text == "first on None"
        assert first.received == [guilds[0].id, guilds[1].id, None]
        assert second.received == [guilds[2].id, guilds[3].id]
    finally:
        for bot in (first, second):
            await bot.close()
        await asyncio.gather(*tasks)


async def test_a_stopped_processs_guilds_answer_again_once_another_runs_their_shards(
    emulator: Emulator, world: dict[str, Any]
) -> None:
    guilds = _guild_on_each_shard(emulator, world["owner"])
    for guild in guilds.values():
        emulator.add_member(guild, world["alice"])
    first, second = ShardProcess("first", [0, 1]), ShardProcess("second", [2, 3])
    first_task, second_task = await _start(emulator, first), await _start(emulator, second)
    alice = emulator.person(world["alice"])
    try:
        await first.tree.sync()
        await second.close()
        await second_task

        unanswered = await alice.slash(guilds[2], "whoami", wait=False)
        answered = await (await alice.slash(guilds[0], "whoami")).final()
        assert answered.text == f"first on {guilds[0].id}"
        assert unanswered.interaction.response is None

        again = ShardProcess("second again", [2, 3])
        again_task = await _start(emulator, again)
        try:
            answer = await (await alice.slash(guilds[2], "whoami")).final()
            assert answer.text == f"second again on {guilds[2].id}"
        finally:
            await again.close()
            await again_task
    finally:
        await first.close()
        await first_task
