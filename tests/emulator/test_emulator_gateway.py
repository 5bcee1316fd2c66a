"""The gateway: identify checks, resume after a drop, invalid sessions, guild joins and intents."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from discord_emulator import Emulator


async def test_a_dropped_socket_is_resumed_and_misses_nothing(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()

    await emulator.gateway.drop()
    result = await emulator.person(world["alice"]).slash(world["guild"], "hello")

    assert result.response.kind == "message"
    assert emulator.gateway.resumes == 1
    assert emulator.gateway.identifies == 1
    await emulator.world.wait_for(
        lambda: ("resumed", None) in bot.events, within=2, what="on_resumed"
    )
    [connection] = emulator.gateway.connections
    assert connection.path == "/gateway/resume"


async def test_an_invalid_session_makes_the_bot_identify_again(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()

    await emulator.gateway.invalidate_session(resumable=False)
    await emulator.world.wait_for(
        lambda: emulator.gateway.identifies == 2, within=3, what="a new IDENTIFY"
    )
    result = await emulator.person(world["alice"]).slash(world["guild"], "hello")

    assert result.response.kind == "message"
    assert emulator.gateway.resumes == 0


async def test_a_resumable_invalid_session_is_resumed(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()

    await emulator.gateway.invalidate_session(resumable=True)
    await emulator.world.wait_for(lambda: emulator.gateway.resumes == 1, within=3, what="a RESUME")

    assert emulator.gateway.identifies == 1


async def test_a_wrong_token_fails_login(emulator: Emulator) -> None:
    bot = discord.Client(intents=discord.Intents.default())

    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_a_token_reset_after_login_is_refused_by_the_gateway(emulator: Emulator) -> None:
    bot = discord.Client(intents=discord.Intents.default())
    await bot.login(emulator.token)
    emulator.token = "reset-in-the-developer-portal"

    with pytest.raises(discord.ConnectionClosed) as raised:
        await asyncio.wait_for(bot.connect(reconnect=True), timeout=5)
    await bot.close()

    assert raised.value.code == 4004
    assert emulator.gateway.close_codes == [4004]


async def test_privileged_intents_the_app_may_not_use_are_refused(emulator: Emulator) -> None:
    bot = discord.Client(intents=discord.Intents.default() | discord.Intents(members=True))
    await bot.login(emulator.token)

    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(bot.connect(), timeout=5)
    await bot.close()

    assert emulator.gateway.close_codes == [4014]


async def test_members_intent_when_allowed_brings_member_events(
    start_bot: Any, world: dict[str, Any]
) -> None:
    emulator: Emulator = world["emulator"]
    emulator.privileged_intents = discord.Intents(members=True).value
    intents = discord.Intents.default()
    intents.members = True
    bot = await start_bot(intents=intents)
    newcomer = emulator.create_user("newcomer")
    emulator.add_member(world["guild"], newcomer)

    await emulator.world.wait_for(
        lambda: ("member_join", newcomer.id) in bot.events, within=2, what="on_member_join"
    )
    assert bot.get_guild(world["guild"].id).get_member(world["alice"].id) is not None


async def test_without_members_intent_the_bot_neither_caches_nor_hears_members(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    emulator.add_member(world["guild"], emulator.create_user("newcomer"))
    await emulator.person(world["alice"]).slash(world["guild"], "hello")

    assert not [e for e in bot.events if e[0] == "member_join"]
    guild = bot.get_guild(world["guild"].id)
    assert guild.get_member(world["alice"].id) is None
    # The true count at GUILD_CREATE (owner, alice, bob, the bot), not the one member sent.
    assert guild.member_count == 4


async def test_the_bot_joins_and_leaves_guilds(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    other = emulator.create_guild("Other association", owner=world["owner"], with_bot=False)

    emulator.add_bot_to_guild(other)
    await emulator.world.wait_for(lambda: bot.get_guild(other.id), within=2, what="GUILD_CREATE")
    emulator.remove_bot_from_guild(world["guild"])
    await emulator.world.wait_for(
        lambda: ("guild_remove", world["guild"].id) in bot.events, within=2, what="GUILD_DELETE"
    )

    assert ("guild_join", other.id) in bot.events
    assert bot.get_guild(world["guild"].id) is None
