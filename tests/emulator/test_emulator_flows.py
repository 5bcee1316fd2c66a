"""Less common paths: pins, threads, edits, DM commands, layouts, shards and member chunks."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands

from discord_emulator import Emulator


async def _text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_the_bot_pins_edits_and_deletes_its_messages(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = await _text_channel(bot, world["channel"].id)
    alice = emulator.person(world["alice"])

    rules = await channel.send("House rules v1")
    await rules.pin()
    await rules.edit(content="House rules v2")
    scratch = await channel.send("scratch")
    await scratch.delete()

    [seen] = alice.sees(world["channel"])
    assert (seen.content, seen.pinned, seen.edited_at is not None) == ("House rules v2", True, True)
    assert [m.id async for m in channel.pins()] == [rules.id]


async def test_a_private_thread_is_seen_only_by_its_members(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = await _text_channel(bot, world["channel"].id)
    alice, bob = world["alice"], world["bob"]

    thread = await channel.create_thread(name="case-7Q2", type=discord.ChannelType.private_thread)
    await thread.send("A new case")
    await thread.add_user(discord.Object(alice.id))

    stored = emulator.world.channels[thread.id]
    assert (stored.type, stored.parent_id, stored.name) == (12, world["channel"].id, "case-7Q2")
    assert [m.content for m in emulator.channel_messages(stored, viewer=alice)] == ["A new case"]
    assert emulator.channel_messages(stored, viewer=bob) == []


async def test_message_history_pages_like_discord(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = await _text_channel(bot, world["channel"].id)
    sent = [await channel.send(f"m{n}") for n in range(6)]

    newest = [m.content async for m in channel.history(limit=2)]
    after = [m.content async for m in channel.history(limit=2, after=sent[1], oldest_first=True)]
    around = [m.content async for m in channel.history(limit=3, around=sent[3])]

    assert newest == ["m5", "m4"]
    assert after == ["m2", "m3"]
    assert sorted(around) == ["m2", "m3", "m4"]


async def test_the_bot_reads_back_its_own_dms_with_their_buttons(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    alice = world["alice"]
    channel = await bot.create_dm(discord.Object(id=alice.id))
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Yes", custom_id="vcp:test:yes:Tk9"))
    await channel.send("Your session starts tomorrow", view=view)
    emulator.person(alice).send_dm("thanks!")
    # Her DMs are closed now; what is already in the channel can still be read.
    alice.dms_closed = True

    seen = [m async for m in channel.history(limit=20)]

    assert [(m.author.id == bot.user.id, m.content) for m in seen] == [
        (False, "thanks!"),
        (True, "Your session starts tomorrow"),
    ]
    [row] = seen[1].components
    assert [getattr(c, "custom_id", None) for c in row.children] == ["vcp:test:yes:Tk9"]


async def test_the_bot_cannot_write_where_its_role_is_denied(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    guild = world["guild"]
    closed = guild.create_text_channel("board-room")
    guild.set_overwrite(closed, guild.bot_role, deny=1 << 11)
    bot = await start_bot()
    channel = await _text_channel(bot, closed.id)

    try:
        await channel.send("hello?")
    except discord.Forbidden as exc:
        assert exc.code == 50013
    else:
        raise AssertionError("sending should have been forbidden")


async def test_original_response_can_be_fetched_edited_and_deleted(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    seen: list[str] = []

    @bot.tree.command(description="Edit then delete")
    async def tidy(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("draft")
        fetched = await interaction.original_response()
        seen.append(fetched.content)
        await interaction.edit_original_response(content="final")
        note = await interaction.followup.send("note", wait=True)
        await note.edit(content="note (edited)")
        await interaction.delete_original_response()

    await bot.tree.sync()
    result = await emulator.person(world["alice"]).slash(world["guild"], "tidy")
    note = await result.followup(1)
    await emulator.world.wait_for(
        lambda: result.response.message.deleted, within=2, what="the delete"
    )

    assert seen == ["draft"]
    assert note.content == "note (edited)"
    assert emulator.channel_messages(world["channel"], viewer=world["bob"]) == [note]


async def test_a_slash_command_in_the_dm_with_the_bot(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice = emulator.person(world["alice"])

    result = await alice.slash(None, "hello")

    assert result.response.message is not None
    assert result.response.message.content == "Hello, alice! (nl, -)"
    assert alice.dms() == [result.response.message]


async def test_a_components_v2_layout_is_seen_and_its_button_works(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()

    class Card(discord.ui.LayoutView):
        container = discord.ui.Container(discord.ui.TextDisplay("## Intervisie\nThursday 19:00"))
        row: discord.ui.ActionRow[Any] = discord.ui.ActionRow()

        @row.button(label="I'll come", custom_id="vcp:test:rsvp")
        async def rsvp(
            self, interaction: discord.Interaction, button: discord.ui.Button[Any]
        ) -> None:
            await interaction.response.send_message("See you there", ephemeral=True)

    channel = await _text_channel(bot, world["channel"].id)
    await channel.send(view=Card())
    alice = emulator.person(world["alice"])
    card = await alice.wait_for_message(world["channel"], contains="Thursday 19:00")

    answer = await alice.press(card, label="I'll come")

    assert answer.response.message is not None
    assert answer.response.message.content == "See you there"


async def test_members_can_be_requested_over_the_gateway(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    emulator.privileged_intents = discord.Intents(members=True).value
    intents = discord.Intents.default()
    intents.members = True
    bot = await start_bot(intents=intents, sync=False)

    found = await bot.get_guild(world["guild"].id).query_members(user_ids=[world["bob"].id])

    assert [m.name for m in found] == ["bob"]


class _ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # No identify rate limit in the emulator (see MiniBot).
        return


async def test_a_sharded_bot_gets_each_guild_on_its_own_shard(
    emulator: Emulator, world: dict[str, Any]
) -> None:
    emulator.recommended_shards = 2
    guilds = [world["guild"]]
    while len({g.id >> 22 & 1 for g in guilds}) < 2:
        guilds.append(emulator.create_guild("Another", owner=world["owner"]))
    bot = _ShardedBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        chunk_guilds_at_startup=False,
    )
    await bot.login(emulator.token)
    task = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
        assert sorted(s.shard for s in emulator.gateway.sessions.values()) == [(0, 2), (1, 2)]
        assert {g.id: g.shard_id for g in bot.guilds} == {g.id: (g.id >> 22) % 2 for g in guilds}
    finally:
        await bot.close()
        await task
