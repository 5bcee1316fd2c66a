"""The driver fails clearly when a person tries what Discord's client would not allow."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from discord_emulator import Emulator


async def test_an_unknown_command_names_the_registered_ones(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()

    with pytest.raises(AssertionError, match=r"no slash command /nope.*'hello'"):
        await emulator.person(world["alice"]).slash(world["guild"], "nope")


async def test_a_person_cannot_press_a_button_they_do_not_see(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    shown = await emulator.person(world["alice"]).slash(world["guild"], "pick")
    assert shown.response.message is not None

    with pytest.raises(AssertionError, match="no button 'Nope'"):
        await emulator.person(world["alice"]).press(shown.response.message, label="Nope")
    with pytest.raises(AssertionError, match="not among the options"):
        await emulator.person(world["bob"]).select(shown.response.message, "fruit", ["kiwi"])


async def test_a_modal_checks_fields_like_the_client(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice = emulator.person(world["alice"])
    await alice.slash(world["guild"], "panel")
    panel = await alice.wait_for_message(world["channel"], contains="Need help?")
    modal = (await alice.press(panel, label="Escalate")).response.modal
    assert modal is not None

    with pytest.raises(AssertionError, match="required"):
        await alice.submit(modal, {"urgency": ["low"], "share": "yes"})
    with pytest.raises(AssertionError, match="no field"):
        await alice.submit(modal, {"what": "x", "urgency": ["low"], "share": "yes", "extra": "y"})
    with pytest.raises(AssertionError, match="cannot submit"):
        await emulator.person(world["bob"]).submit(modal, {"what": "x"})


async def test_a_followup_right_after_deferring_replaces_the_thinking_message(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()

    @bot.tree.command(description="Defer, follow up, then edit")
    async def steps(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("working on it", ephemeral=True)
        await interaction.edit_original_response(content="done")

    await bot.tree.sync()
    result = await emulator.person(world["alice"]).slash(world["guild"], "steps")

    assert result.response.kind == "deferred"
    final = await result.final()
    first = await result.followup(1)
    await emulator.world.wait_for(lambda: final.content == "done", within=2, what="the edit")
    assert first is final
    assert final.ephemeral
    assert emulator.channel_messages(world["channel"], viewer=world["bob"]) == []


async def test_a_bot_that_never_answers_fails_the_wait_clearly(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    emulator.interaction_deadline = 0.1

    @bot.tree.command(description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        return

    await bot.tree.sync()

    with pytest.raises(AssertionError, match="did not answer /silent"):
        await emulator.person(world["alice"]).slash(world["guild"], "silent")


async def test_subcommands_and_guild_commands_synced_per_guild(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    guild = world["guild"]
    other = emulator.create_guild("Other", owner=world["owner"])
    emulator.add_member(other, world["alice"])
    case = discord.app_commands.Group(name="case", description="Cases")

    @case.command(description="Close a case")
    async def close(interaction: discord.Interaction, code: str) -> None:
        await interaction.response.send_message(f"closed {code}", ephemeral=True)

    bot.tree.add_command(case, guild=discord.Object(guild.id))
    await bot.tree.sync(guild=discord.Object(guild.id))
    alice = emulator.person(world["alice"])

    result = await alice.slash(guild, "case", {"code": "7Q2"}, subcommand="close")

    assert result.response.message is not None
    assert result.response.message.content == "closed 7Q2"
    with pytest.raises(AssertionError, match="no slash command /case"):
        await alice.slash(other, "case", {"code": "7Q2"}, subcommand="close")


async def test_user_and_message_context_menus(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()

    @bot.tree.context_menu(name="Who is this")
    async def who(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"that is {member.name}", ephemeral=True)

    @bot.tree.context_menu(name="Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    await bot.tree.sync()
    alice = emulator.person(world["alice"])
    said = emulator.person(world["bob"]).say(world["channel"], "see you at eight")

    about_bob = await alice.context_menu(world["guild"], "Who is this", world["bob"])
    quoted = await alice.context_menu(world["guild"], "Quote", said)

    assert about_bob.response.message is not None
    assert about_bob.response.message.content == "that is bob"
    assert quoted.response.message is not None
    assert quoted.response.message.content == "> see you at eight"
    assert quoted.response.message.type == 23


async def test_the_emulator_remembers_what_people_typed_and_what_the_bot_showed(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    # For tests that show none of it went elsewhere (tests/helpers/log_privacy.py reads these).
    await start_bot()
    alice = emulator.person(world["alice"])
    report = await alice.slash(world["guild"], "report", {"topic": "the party on Friday"})
    await report.final()
    await alice.slash(world["guild"], "panel")
    panel = await alice.wait_for_message(world["channel"], contains="Need help?")
    modal = (await alice.press(panel, label="Escalate")).response.modal
    assert modal is not None
    await (
        await alice.submit(modal, {"what": "he grabbed me", "urgency": ["low"], "share": "no"})
    ).wait()

    assert emulator.world.typed == ["the party on Friday", "he grabbed me"]  # not "low"
    assert "Report on the party on Friday" in emulator.world.shown
    assert any("Case noted: he grabbed me" in text for text in emulator.world.shown)
    assert emulator.bot_user not in emulator.world.people()
    assert {world["alice"], world["bob"], world["owner"]} <= set(emulator.world.people())
