"""An association joins the network, registers VCPs, and students find them with /help."""

from __future__ import annotations

import asyncio

from discord_emulator import Emulator
from tests.e2e.network.steps import join_network, request_to_join, set_up_hub
from vcpbot_harness import BotHarness, NetworkWorld, add_student


async def test_an_association_joins_after_the_coordinator_approves(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    tragos = world.association("tragos")

    confirmation = await request_to_join(emulator, world)
    assert confirmation.ephemeral
    assert "UM-coördinator" in confirmation.text

    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=tragos.guild.name)
    assert [b["label"] for b in card.buttons] == ["Goedkeuren", "Afwijzen"]

    # A team member without the coordinator role cannot decide.
    attempt = await emulator.person(world.team_member).press(card, label="Goedkeuren")
    refusal = (await attempt.wait()).message
    assert refusal.ephemeral and "coordinator" in refusal.text.lower()

    decision = await coordinator.press(card, label="Goedkeuren")
    updated = (await decision.wait()).message
    assert "Onderdeel van het netwerk" in updated.text
    assert updated.buttons == []
    told = await emulator.person(tragos.admin).wait_for_dm(contains="Goed nieuws")
    assert tragos.guild.name in told.text

    listing = await coordinator.slash(world.hub, "network", subcommand="list")
    table = (await listing.wait()).message
    assert table.ephemeral
    assert tragos.guild.name in table.text


async def test_a_rejected_request_is_told_and_may_ask_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    tragos = world.association("tragos")
    await request_to_join(emulator, world)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=tragos.guild.name)
    await (await coordinator.press(card, label="Afwijzen")).wait()
    await emulator.person(tragos.admin).wait_for_dm(contains="niet goedgekeurd")

    again = await request_to_join(emulator, world)
    assert "UM-coördinator" in again.text
    cards = [
        m
        for m in coordinator.sees(world.network_log)
        if tragos.guild.name in m.text and not m.ephemeral
    ]
    assert len(cards) == 2


async def test_a_second_request_while_one_waits_changes_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await request_to_join(emulator, world)
    second = await request_to_join(emulator, world)
    assert second.ephemeral
    assert "al een aanvraag" in second.text
    cards = emulator.channel_messages(world.network_log, viewer=world.coordinator)
    assert len(cards) == 1


async def test_vcps_are_registered_and_students_find_the_listed_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    ahmed = add_student(emulator, world, "tragos", "ahmed", locale="en-US")
    board = emulator.person(tragos.admin)
    for vcp in (sanne, ahmed):
        added = await board.slash(tragos.guild, "vcp", {"member": vcp}, subcommand="add")
        assert (await added.wait()).message.ephemeral
        assert tragos.vcp_role in emulator.member_roles(tragos.guild, vcp)

    opt_in = await emulator.person(sanne).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    assert "toont nu je naam" in (await opt_in.wait()).message.text

    student_nl = add_student(emulator, world, "tragos", "lotte", locale="nl")
    student_en = add_student(emulator, world, "tragos", "maria", locale="en-US")
    dutch = (await (await emulator.person(student_nl).slash(tragos.guild, "help")).wait()).message
    english = (await (await emulator.person(student_en).slash(tragos.guild, "help")).wait()).message
    for reply in (dutch, english):
        assert reply.ephemeral
        assert f"<@{sanne.id}>" in reply.text
        assert f"<@{ahmed.id}>" not in reply.text
        assert "112" in reply.text
        assert reply.allowed_mentions == {"parse": []}
    assert "Met wie je kunt praten" in dutch.text
    assert "Who you can talk to" in english.text
    # The commands a student can use are listed with their description, in the reader's
    # language; /report only once the board opens the anonymous route to members.
    assert "`/regels` · " in dutch.text and "`/melden` · " not in dutch.text
    assert "`/rules` · " in english.text and "`/my-case` · " in english.text
    # Only the person who asked sees the answer.
    assert dutch not in emulator.channel_messages(tragos.general, viewer=student_en)

    listing = await board.slash(tragos.guild, "vcp", subcommand="list")
    text = (await listing.wait()).message.text
    assert "sanne" in text and "ahmed" in text

    removed = await board.slash(tragos.guild, "vcp", {"member": ahmed}, subcommand="remove")
    await removed.wait()
    assert tragos.vcp_role not in emulator.member_roles(tragos.guild, ahmed)

    audit = await emulator.person(world.coordinator).slash(world.hub, "network", subcommand="audit")
    assert "verwijderde een VCP" in (await audit.wait()).message.text


async def test_help_in_a_dm_and_outside_the_network_still_shows_the_um_team(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    student = add_student(emulator, world, "saurus", "jamie", locale="en-US")
    in_dm = (await (await emulator.person(student).slash(None, "help")).wait()).message
    assert "your association's server" in in_dm.text
    outside = await emulator.person(student).slash(world.association("saurus").guild, "help")
    text = (await outside.wait()).message.text
    assert "not part of the VCP network" in text
    assert "UM Student Social Safety Team" in text


async def test_suspension_pauses_and_removing_the_bot_marks_inactive(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    coordinator = emulator.person(world.coordinator)
    choices = await coordinator.autocomplete(
        world.hub, "network", {"association": "trag"}, focused="association", subcommand="suspend"
    )
    assert [c["value"] for c in choices] == [tragos.guild.name]
    suspended = await coordinator.slash(
        world.hub, "network", {"association": "Tragos"}, subcommand="suspend"
    )
    assert "gepauzeerd" in (await suspended.wait()).message.text
    student = add_student(emulator, world, "tragos", "noor", locale="nl")
    help_text = (
        await (await emulator.person(student).slash(tragos.guild, "help")).wait()
    ).message.text
    assert "geen onderdeel van het VCP-netwerk" in help_text

    await (
        await coordinator.slash(
            world.hub, "network", {"association": "Tragos"}, subcommand="reinstate"
        )
    ).wait()
    emulator.remove_bot_from_guild(tragos.guild)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(tragos.guild.id) is None, within=5, what="the bot to leave"
    )
    listing = await coordinator.slash(world.hub, "network", subcommand="list")
    assert "bot van server verwijderd" in (await listing.wait()).message.text
    emulator.add_bot_to_guild(tragos.guild)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(tragos.guild.id) is not None, within=5, what="the bot back"
    )
    # The bot records its return as it hears of it, beside its note to the server: the
    # coordinator's next look may come a moment before the record.
    for _ in range(50):
        listing = await coordinator.slash(world.hub, "network", subcommand="list")
        if "bot van server verwijderd" not in (await listing.wait()).message.text:
            break
        await asyncio.sleep(0.1)
    assert "bot van server verwijderd" not in (await listing.wait()).message.text


async def test_a_vcp_deletes_their_data(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    await (
        await emulator.person(tragos.admin).slash(
            tragos.guild, "vcp", {"member": sanne}, subcommand="add"
        )
    ).wait()
    person = emulator.person(sanne)
    ask = (await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    assert ask.ephemeral and "niet ongedaan" in ask.text
    done = await (await person.press(ask, label="Ja, verwijder mijn gegevens")).final()
    assert "VCP-register" in done.text
    listing = await emulator.person(tragos.admin).slash(tragos.guild, "vcp", subcommand="list")
    assert f"<@{sanne.id}>" not in (await listing.wait()).message.text
    again = (
        await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()
    ).message
    nothing = await (await person.press(again, label="Ja, verwijder mijn gegevens")).final()
    assert "bewaarde niets" in nothing.text


async def test_the_approve_button_still_works_after_a_restart(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await request_to_join(emulator, world)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains="Tragos")
    await harness.restart()
    decision = await coordinator.press(card, label="Goedkeuren")
    assert "Onderdeel van het netwerk" in (await decision.wait()).message.text
    assert harness.starts == 2
