"""The guard that fails every end-to-end test in which the bot calls Discord, or hands
work to a thread, while it holds a write transaction (``write_guard``, issue 15 item 9).

These tests make the mistake on purpose, in the bot's own process and with its own
database and HTTP client, and take what the guard saw off its list.
"""

from __future__ import annotations

import asyncio

import discord
from sqlalchemy import text

from discord_emulator import Emulator
from tests.e2e.support.write_guard import WriteGuard
from vcpbot_harness import BotHarness, NetworkWorld

POST = "POST /channels/{channel_id}/messages"
WEBHOOK = "POST /webhooks/{webhook_id}/{webhook_token}"


async def test_a_message_sent_inside_a_write_transaction_is_caught(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    channel = harness.bot.get_channel(world.hub_general.id)
    async with harness.db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await channel.send("inside")
    await channel.send("after the commit")
    async with harness.db.reading.begin() as session:
        await session.execute(text("SELECT 1"))
        await channel.send("inside a read transaction, which takes no lock")
    assert [v.split(" at ")[0] for v in writes.take()] == [POST]


async def test_an_answer_to_an_interaction_inside_a_write_transaction_is_caught(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    asked = await emulator.person(world.hub_admin).slash(world.hub, "help")
    await asked.final()
    # A follow-up goes through discord.py's other REST client, the webhook adapter.
    answer = discord.Webhook.partial(
        emulator.application_id, asked.interaction.token, client=harness.bot
    )
    async with harness.db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await answer.send("inside")
    assert [v.split(" at ")[0] for v in writes.take()] == [WEBHOOK]


async def test_work_handed_to_a_thread_inside_a_write_transaction_is_caught(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    async with harness.db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await asyncio.to_thread(sum, [1, 2])
    [caught] = writes.take()
    assert caught.startswith("thread ")


async def test_another_tasks_write_transaction_is_not_blamed(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    channel = harness.bot.get_channel(world.hub_general.id)
    inside, done = asyncio.Event(), asyncio.Event()

    async def unrelated_job() -> None:
        async with harness.db.sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            inside.set()
            await done.wait()

    job = asyncio.create_task(unrelated_job())
    await inside.wait()
    await channel.send("meanwhile, from an interaction that holds no transaction")
    done.set()
    await job
    assert writes.take() == []


async def test_a_gateway_send_inside_a_write_transaction_is_caught(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    async with harness.db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await harness.bot.change_presence(status=discord.Status.idle)
    await harness.bot.change_presence(status=discord.Status.online)
    assert [v.split(" at ")[0] for v in writes.take()] == ["gateway send"]


async def test_a_download_of_an_uploaded_file_inside_a_write_transaction_is_caught(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, writes: WriteGuard
) -> None:
    upload = emulator.upload("huisregels.md", b"# Huisregels", content_type="text/markdown")
    async with harness.db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await harness.bot.http.get_from_cdn(upload.url)
    assert await harness.bot.http.get_from_cdn(upload.url) == b"# Huisregels"
    assert [v.split(" at ")[0] for v in writes.take()] == ["GET (Discord's CDN)"]
