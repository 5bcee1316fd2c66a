"""Who may use each network command where; a refusal is kind, private and changes nothing."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.e2e.network.steps import join_network, request_to_join, set_up_hub
from vcpbot_harness import BotHarness, NetworkWorld, add_student

WRONG_PLACE_HUB = "werkt alleen in de hub-server"
WRONG_PLACE_ASSOCIATION = "is for an association's own server"


async def refusal(result) -> str:
    message = (await result.wait()).message
    assert message.ephemeral
    assert message.allowed_mentions == {"parse": []}
    return message.text


@pytest.mark.parametrize(
    ("subcommand", "options"),
    [("list", {}), ("vcps", {}), ("audit", {}), ("suspend", {"association": "Tragos"})],
)
async def test_network_commands_are_for_the_coordinator_in_the_hub(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, subcommand, options
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    outside = await emulator.person(student).slash(
        tragos.guild, "network", options, subcommand=subcommand
    )
    assert WRONG_PLACE_HUB in await refusal(outside)
    not_coordinator = await emulator.person(world.team_member).slash(
        world.hub, "network", options, subcommand=subcommand
    )
    assert "Only the UM coordinator" in await refusal(not_coordinator)


async def test_setup_is_for_association_servers(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    in_hub = await emulator.person(world.hub_admin).slash(
        world.hub,
        "setup",
        {"name": "Hub", "short_name": "H", "language": "nl", "vcp_role": world.team_role},
    )
    assert "niet voor de hub" in await refusal(in_hub)


async def test_setup_before_the_hub_exists_says_so_and_saves_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    reply = await request_to_join(emulator, world)
    assert "nog niet ingesteld" in reply.text
    await set_up_hub(emulator, world)
    reply = await request_to_join(emulator, world)
    assert "UM-coördinator" in reply.text


async def test_hub_setup_is_only_in_the_hub(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = world.association("tragos")
    emulator.add_member(tragos.guild, world.hub_admin, permissions=1 << 3)
    result = await emulator.person(world.hub_admin).slash(
        tragos.guild,
        "hub",
        {
            "escalations": tragos.general,
            "team_role": tragos.vcp_role,
            "coordinator_role": tragos.vcp_role,
            "log_channel": tragos.general,
        },
        subcommand="setup",
    )
    assert WRONG_PLACE_HUB in await refusal(result)


@pytest.mark.parametrize("subcommand", ["add", "remove", "list"])
async def test_the_vcp_registry_is_for_the_associations_admins(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, subcommand
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    student = add_student(emulator, world, "tragos", "lotte", locale="en-US")
    options = {} if subcommand == "list" else {"member": student}
    result = await emulator.person(student).slash(
        tragos.guild, "vcp", options, subcommand=subcommand
    )
    assert "Manage Server" in await refusal(result)
    assert tragos.vcp_role not in emulator.member_roles(tragos.guild, student)
    emulator.add_member(world.hub, student)
    in_hub = await emulator.person(student).slash(
        world.hub,
        "vcp",
        {} if subcommand == "list" else {"member": world.coordinator},
        subcommand=subcommand,
    )
    assert WRONG_PLACE_ASSOCIATION in await refusal(in_hub)


async def test_only_a_vcp_chooses_their_own_listing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    student = add_student(emulator, world, "tragos", "lotte", locale="en-US")
    result = await emulator.person(student).slash(
        world.association("tragos").guild, "vcp", {"listed": True}, subcommand="listing"
    )
    assert "Only registered VCPs" in await refusal(result)


async def test_a_role_above_the_bot_is_refused_and_nothing_is_saved(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    bot_top = max(r.position for r in tragos.guild.bot_member.roles)
    tragos.guild.edit_role(tragos.vcp_role, position=bot_top + 1)
    await emulator.world.wait_for(
        lambda: (
            harness.bot.get_guild(tragos.guild.id).get_role(tragos.vcp_role.id).position > bot_top
        ),
        within=5,
        what="the role move to reach the bot",
    )
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    result = await emulator.person(tragos.admin).slash(
        tragos.guild, "vcp", {"member": sanne}, subcommand="add"
    )
    assert "boven mijn eigen hoogste rol" in await refusal(result)
    listing = await emulator.person(tragos.admin).slash(tragos.guild, "vcp", subcommand="list")
    assert f"<@{sanne.id}>" not in (await listing.wait()).message.text


async def test_a_decided_request_cannot_be_decided_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await request_to_join(emulator, world)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains="Tragos")
    stale = card.components  # what a second client still shows
    await (await coordinator.press(card, label="Goedkeuren")).wait()
    card.components = stale
    again = await coordinator.press(card, label="Afwijzen")
    assert "al besloten" in await refusal(again)


async def test_privacy_info_explains_what_is_kept(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    student = add_student(emulator, world, "saurus", "jamie", locale="en-US")
    reply = await emulator.person(student).slash(None, "privacy", subcommand="info")
    text = (await reply.wait()).message.text
    assert "VCP registry" in text
    assert "delete-my-data" in text


async def test_commands_opened_to_everyone_by_a_guild_are_still_checked(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    tragos = world.association("tragos")
    tragos.guild.open_command_to_everyone("setup")
    world.hub.open_command_to_everyone("hub")
    student = add_student(emulator, world, "tragos", "lotte", locale="en-US")
    attempt = await emulator.person(student).slash(
        tragos.guild,
        "setup",
        {"name": "Mine now", "short_name": "M", "language": "en", "vcp_role": tragos.vcp_role},
    )
    assert "Manage Server" in await refusal(attempt)
    hub_attempt = await emulator.person(world.team_member).slash(
        world.hub,
        "hub",
        {
            "escalations": world.hub_general,
            "team_role": world.team_role,
            "coordinator_role": world.team_role,
            "log_channel": world.hub_general,
        },
        subcommand="setup",
    )
    assert "Only administrators" in await refusal(hub_attempt)
    assert emulator.channel_messages(world.network_log, viewer=world.coordinator) == []


async def test_only_the_coordinator_is_offered_association_names_to_pause(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world, "tragos")
    await request_to_join(emulator, world, "saurus")  # still waiting for a decision
    # Team members and the hub's admin are in the hub, but they do not decide about
    # associations: typing shows them no names, not even of one that asked to join.
    for person in (world.team_member, world.hub_admin):
        for subcommand in ("suspend", "reinstate"):
            offered = await emulator.person(person).autocomplete(
                world.hub,
                "network",
                {"association": ""},
                focused="association",
                subcommand=subcommand,
            )
            assert offered == [], (person.username, subcommand)
    offered = await emulator.person(world.coordinator).autocomplete(
        world.hub, "network", {"association": ""}, focused="association", subcommand="suspend"
    )
    names = {world.association(k).guild.name for k in ("tragos", "saurus")}
    assert {c["value"] for c in offered} == names


async def test_the_hub_admin_is_warned_when_everyone_can_read_the_escalations_channel(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    options = {
        "escalations": world.escalations,
        "team_role": world.team_role,
        "coordinator_role": world.coordinator_role,
        "log_channel": world.network_log,
    }
    admin = emulator.person(world.hub_admin)
    # As Discord makes a new channel: everyone in the hub can read it.
    said = await (await admin.slash(world.hub, "hub", options, subcommand="setup")).final()
    assert said.ephemeral and "De hub is ingesteld" in said.text
    assert "iedereen in deze server" in said.text and f"<#{world.escalations.id}>" in said.text

    hub = world.hub
    seen = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.READ_MESSAGE_HISTORY
    hub.set_overwrite(world.escalations, hub.everyone, deny=perm.VIEW_CHANNEL)
    for who in (world.team_role, world.coordinator_role, emulator.bot_user):
        hub.set_overwrite(world.escalations, who, allow=seen)
    said = await (await admin.slash(world.hub, "hub", options, subcommand="setup")).final()
    assert "De hub is ingesteld" in said.text and "iedereen in deze server" not in said.text
