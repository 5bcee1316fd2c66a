"""Discord's rules, enforced the way Discord enforces them, reach the bot as discord.py errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from discord.http import Route

from discord_emulator import Emulator


async def test_an_interaction_answered_after_the_deadline_is_unknown(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    emulator.interaction_deadline = 0.1
    bot.slow_delay = 0.2

    result = await emulator.person(world["alice"]).slash(world["guild"], "slow", wait=False)
    with pytest.raises(AssertionError, match=r"did not answer /slow within the 0\.1s"):
        await result.wait()
    await emulator.world.wait_for(lambda: bot.errors, within=2, what="the bot's error")

    assert isinstance(bot.errors[0], discord.NotFound)
    assert bot.errors[0].code == 10062
    assert result.rejections == ["404 10062 Unknown interaction"]


async def test_two_bot_processes_answering_one_interaction_get_40060(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    first = await start_bot()
    second = await start_bot(sync=False)

    result = await emulator.person(world["alice"]).slash(world["guild"], "hello")
    await emulator.world.wait_for(lambda: first.errors or second.errors, within=2, what="a refusal")

    assert result.response.kind == "message"
    [error] = first.errors + second.errors
    assert isinstance(error, discord.HTTPException)
    assert error.code == 40060
    assert result.rejections == ["400 40060 Interaction has already been acknowledged."]


async def test_an_embed_with_too_many_fields_is_rejected_and_recorded(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="Too much")
    for n in range(30):
        embed.add_field(name=f"f{n}", value="v")

    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=embed)

    assert raised.value.status == 400
    assert raised.value.code == 50035
    [failure] = emulator.failures
    assert "embeds[0].fields" in failure
    assert "30" in failure
    emulator.failures.clear()


async def test_an_unmodelled_endpoint_is_recorded_not_answered(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()

    with pytest.raises(discord.NotFound):
        await bot.http.request(
            Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=world["guild"].id)
        )

    assert emulator.failures == [
        "GET /guilds/{guild_id}/audit-logs (list_guild_audit_log_entries)"
        " is not modelled by the emulator"
    ]
    emulator.failures.clear()


async def test_a_dm_reaches_the_person_unless_their_dms_are_closed(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    alice, bob = world["alice"], world["bob"]

    await (await bot.fetch_user(alice.id)).send("Your session starts at 19:00")
    bob.dms_closed = True
    with pytest.raises(discord.Forbidden) as raised:
        await (await bot.fetch_user(bob.id)).send("hello?")

    assert [m.content for m in emulator.person(alice).dms()] == ["Your session starts at 19:00"]
    assert raised.value.code == 50007
    assert emulator.person(bob).dms() == []


async def test_a_stranger_cannot_be_dmed(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    stranger = emulator.create_user("stranger")

    with pytest.raises(discord.Forbidden) as raised:
        await (await bot.fetch_user(stranger.id)).send("hi")

    assert raised.value.code == 50007


async def test_roles_below_the_bot_can_be_given_and_taken_but_not_above(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    guild, alice = world["guild"], world["alice"]
    vcp = guild.create_role("VCP")
    board = guild.create_role("Board", position=guild.bot_role.position + 1)
    member = await bot.get_guild(guild.id).fetch_member(alice.id)

    await member.add_roles(discord.Object(vcp.id))
    assert emulator.member_roles(guild, alice) == [vcp]
    with pytest.raises(discord.Forbidden) as raised:
        await member.add_roles(discord.Object(board.id))
    await member.remove_roles(discord.Object(vcp.id))

    assert raised.value.code == 50013
    assert emulator.member_roles(guild, alice) == []


async def test_a_role_made_by_the_bot_lands_below_its_own(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    guild = world["guild"]

    created = await bot.get_guild(guild.id).create_role(name="Acknowledged rules")

    role = guild.roles[created.id]
    assert role.position < guild.bot_role.position
    cached = await emulator.world.wait_for(
        lambda: bot.get_guild(guild.id).get_role(created.id), within=2, what="GUILD_ROLE_CREATE"
    )
    assert cached.name == "Acknowledged rules"


async def test_scheduled_events_are_created_edited_and_deleted_with_dispatches(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    guild = world["guild"]
    start = datetime.now(UTC) + timedelta(days=2)

    event = await bot.get_guild(guild.id).create_scheduled_event(
        name="Intervisie",
        start_time=start,
        end_time=start + timedelta(hours=2),
        entity_type=discord.EntityType.external,
        location="Room 1.23",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    [stored] = emulator.scheduled_events(guild)
    assert stored.entity_metadata == {"location": "Room 1.23"}
    await event.edit(name="Intervisie (moved)", location="Room 2.01")
    assert stored.name == "Intervisie (moved)"
    await event.delete()

    assert emulator.scheduled_events(guild) == []
    await emulator.world.wait_for(
        lambda: len(bot.events) >= 3, within=2, what="three scheduled event dispatches"
    )
    kinds = [(k, v) for k, v in bot.events if k.startswith("event_")]
    assert kinds == [
        ("event_create", "Intervisie"),
        ("event_update", "Intervisie (moved)"),
        ("event_delete", "Intervisie (moved)"),
    ]


async def test_an_event_in_the_past_is_rejected_like_discord_does(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    start = datetime.now(UTC) - timedelta(hours=1)

    with pytest.raises(discord.HTTPException) as raised:
        await bot.get_guild(world["guild"].id).create_scheduled_event(
            name="Too late",
            start_time=start,
            end_time=start + timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Room 1.23",
            privacy_level=discord.PrivacyLevel.guild_only,
        )

    assert raised.value.code == 50035
    assert "in the past" in emulator.failures[0]
    emulator.failures.clear()


async def test_an_uploaded_file_is_stored_and_downloadable(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)

    sent = await channel.send(
        "the invite",
        file=discord.File(__import__("io").BytesIO(b"BEGIN:VCALENDAR"), filename="session.ics"),
    )

    [seen] = [m for m in emulator.person(world["alice"]).sees(world["channel"]) if m.id == sent.id]
    assert seen.attachments[0].filename == "session.ics"
    assert await sent.attachments[0].read() == b"BEGIN:VCALENDAR"


async def test_without_the_message_content_intent_others_messages_arrive_empty(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    alice = emulator.person(world["alice"])

    alice.say(world["channel"], "a secret")
    alice.send_dm("a dm for the bot")
    await emulator.world.wait_for(
        lambda: len([e for e in bot.events if e[0] == "message"]) >= 2,
        within=2,
        what="two messages",
    )

    contents = [m.content for kind, m in bot.events if kind == "message"]
    assert contents == ["", "a dm for the bot"]


async def test_mentions_follow_allowed_mentions(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)
    alice = world["alice"]

    quiet = await channel.send(
        f"<@{alice.id}> wrote", allowed_mentions=discord.AllowedMentions.none()
    )
    loud = await channel.send(f"<@{alice.id}> wrote")

    assert emulator.world.messages[quiet.id].mentions == []
    assert emulator.world.messages[loud.id].mentions == [alice]


async def test_a_slow_gateway_eats_into_the_interaction_deadline(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    emulator.interaction_deadline = 0.1
    emulator.gateway.delay_dispatches(0.2)

    result = await emulator.person(world["alice"]).slash(world["guild"], "hello", wait=False)
    await emulator.world.wait_for(lambda: bot.errors, within=2, what="the bot's late answer")

    assert isinstance(bot.errors[0], discord.NotFound)
    assert result.interaction.response is None
