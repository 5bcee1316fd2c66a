"""Rate limits and injected faults are real to discord.py: it waits, retries, and sends once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
import pytest

from discord_emulator import Emulator

SEND = "POST /channels/{channel_id}/messages"


def _sends(emulator: Emulator) -> list[int]:
    return [
        r.status
        for r in emulator.requests
        if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    ]


async def _channel(bot: discord.Client, world: dict[str, Any]) -> discord.TextChannel:
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_an_injected_429_is_retried_and_the_message_arrives_once(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    channel = await _channel(await start_bot(), world)
    emulator.inject(SEND, status=429, count=1, retry_after=0.05)

    await channel.send("once")

    assert [m.content for m in emulator.person(world["alice"]).sees(world["channel"])] == ["once"]
    assert _sends(emulator) == [429, 200]
    assert emulator.rate_limits.served == ["429 POST /channels/{}/messages"]


async def test_an_exhausted_bucket_makes_discord_py_wait_not_fail(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    channel = await _channel(await start_bot(), world)
    emulator.rate_limits.set_bucket(SEND, limit=2, per=0.3)
    started = time.monotonic()

    await asyncio.gather(*(channel.send(f"m{n}") for n in range(5)))

    seen = sorted(m.content for m in emulator.person(world["alice"]).sees(world["channel"]))
    assert seen == ["m0", "m1", "m2", "m3", "m4"]
    assert time.monotonic() - started >= 0.5  # five sends at two per 0.3 s need three windows
    assert _sends(emulator).count(200) == 5


async def test_the_global_limit_is_retried_by_discord_py(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    created = [world["guild"].create_text_channel(f"c{n}") for n in range(4)]
    await emulator.world.wait_for(
        lambda: all(bot.get_channel(c.id) for c in created), within=2, what="CHANNEL_CREATE"
    )
    channels = [await _channel(bot, {"channel": c}) for c in created]
    emulator.rate_limits.global_limit = 2
    emulator.rate_limits.global_per = 0.2

    await asyncio.gather(*(c.send("hi") for c in channels))

    assert any("(global)" in s for s in emulator.rate_limits.served)
    assert _sends(emulator).count(200) == 4


async def test_without_enforcement_headers_never_make_the_bot_wait(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    channel = await _channel(await start_bot(), world)
    emulator.rate_limits.enabled = False
    emulator.rate_limits.set_bucket(SEND, limit=1, per=10.0)
    started = time.monotonic()

    for n in range(3):
        await channel.send(f"m{n}")

    assert time.monotonic() - started < 1.0
    assert _sends(emulator) == [200, 200, 200]


async def test_an_injected_429_on_an_interaction_callback_is_retried(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    emulator.inject(
        "POST /interactions/{interaction_id}/{interaction_token}/callback", retry_after=0.05
    )

    result = await emulator.person(world["alice"]).slash(world["guild"], "hello")

    assert result.response.kind == "message"
    assert result.rejections == []


def test_injecting_into_an_unknown_route_is_refused() -> None:
    with pytest.raises(ValueError, match="not a route"):
        Emulator().inject("GET /guilds/{guild_id}/audit-logs")


def test_a_route_is_limited_by_its_own_bucket_or_the_default() -> None:
    limits = Emulator().rate_limits
    limits.set_bucket("POST /channels/{channel_id}/messages", limit=5, per=2.0)

    assert limits.bucket("POST /channels/{id}/messages").limit == 5
    assert limits.bucket("POST /channels/{id}/messages").per == 2.0
    assert limits.bucket("POST /users/@me/channels") == limits.default
