"""/help for the person who asks: 112 first, their association's VCPs and contact, the UM
contact point and outside help, and exactly the commands this person can use, by the
names their Discord shows, in alphabetical order."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import User
from tests.e2e.escalation.steps import (
    add_member,
    add_role_only_member,
    add_vcp,
    network_with,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.help.steps import (
    BOARD_EXTRAS,
    CONTACT_EN,
    CONTACT_LINK,
    CONTACT_NL,
    COORDINATOR_EXTRAS,
    DANGER,
    HANDLER_EXTRAS,
    IN_A_DM,
    OUTSIDE,
    STUDENT,
    UM_TEAM,
    VCP_EXTRAS,
    ask_help,
    commands_in,
    in_order,
    language_of,
    menu,
    set_contact,
)
from tests.e2e.network.steps import join_network
from vcpbot_harness import BotHarness, NetworkWorld


async def tragos_with_a_named_vcp(emulator: Emulator, world: NetworkWorld) -> User:
    """Tragos is in the network, its board wrote its contact for /help, and Sanne is a VCP
    who chose to be named."""
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await set_contact(emulator, tragos.admin, tragos.guild)
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    listed = await emulator.person(sanne).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    await listed.wait()
    return sanne


async def test_a_dutch_student_sees_112_first_then_their_vcps_and_contact_and_only_student_commands(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    sanne = await tragos_with_a_named_vcp(emulator, world)
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")

    reply = await ask_help(emulator, lotte, tragos.guild)

    assert DANGER["nl"] in reply.text.splitlines()[0]
    assert in_order(reply.text, f"<@{sanne.id}>", CONTACT_NL, CONTACT_LINK, UM_TEAM["nl"], OUTSIDE)
    assert CONTACT_EN not in reply.text
    # Reading the rules and following a report: no board, VCP or coordinator commands.
    assert commands_in(reply) == menu("nl", *STUDENT)
    assert commands_in(reply) == [
        "/hulp",
        "/mijn-melding",
        "/privacy info",
        "/privacy verwijder-mijn-gegevens",
        "/procedure",
        "/regels",
    ]


async def test_an_english_student_sees_the_anonymous_route_once_the_board_turned_it_on(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await tragos_with_a_named_vcp(emulator, world)
    tragos = world.association("tragos")
    maria = add_member(emulator, world, "tragos", "maria", locale="en-US")
    before = await ask_help(emulator, maria, tragos.guild)
    assert commands_in(before) == menu("en", *STUDENT)

    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    reply = await ask_help(emulator, maria, tragos.guild)

    assert DANGER["en"] in reply.text.splitlines()[0]
    assert in_order(reply.text, "without giving your name", CONTACT_EN, UM_TEAM["en"], OUTSIDE)
    assert CONTACT_NL not in reply.text
    assert commands_in(reply) == menu("en", *STUDENT, "report")
    assert commands_in(reply) == [
        "/help",
        "/my-case",
        "/privacy delete-my-data",
        "/privacy info",
        "/procedure",
        "/report",
        "/rules",
    ]


async def test_a_registered_vcp_also_sees_what_vcps_do(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    sanne = await tragos_with_a_named_vcp(emulator, world)
    tragos = world.association("tragos")

    reply = await ask_help(emulator, sanne, tragos.guild)

    assert DANGER["nl"] in reply.text.splitlines()[0]
    assert in_order(reply.text, CONTACT_NL, UM_TEAM["nl"], OUTSIDE)
    assert commands_in(reply) == menu("nl", *STUDENT, *VCP_EXTRAS)
    assert "/open-meldingen" in commands_in(reply) and "/kmtm registreren" in commands_in(reply)


async def test_someone_given_only_the_vcp_role_is_a_student_to_help(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await tragos_with_a_named_vcp(emulator, world)
    tragos = world.association("tragos")
    role_only = add_role_only_member(emulator, world, "tragos", "ruben", locale="nl")

    reply = await ask_help(emulator, role_only, tragos.guild)

    # The registry decides who is a VCP, not a role anyone with Manage Roles can hand out.
    assert commands_in(reply) == menu("nl", *STUDENT)


async def test_a_board_member_sees_the_board_commands_and_their_own_contact(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "saurus")
    saurus = world.association("saurus")
    board = saurus.admin  # Manage Server, Discord in English
    await set_contact(emulator, board, saurus.guild, nl="", en=CONTACT_EN, link="")

    reply = await ask_help(emulator, board, saurus.guild)

    assert DANGER["en"] in reply.text.splitlines()[0]
    assert in_order(reply.text, CONTACT_EN, UM_TEAM["en"], OUTSIDE)
    assert commands_in(reply) == menu("en", *STUDENT, *BOARD_EXTRAS)
    assert "/help-admin contact" in commands_in(reply)
    # A member of the same server does not see them.
    member = add_member(emulator, world, "saurus", "jamie", locale="en-US")
    seen = await ask_help(emulator, member, saurus.guild)
    assert commands_in(seen) == menu("en", *STUDENT)
    # Board commands opened to everyone in Discord's settings still need Manage Server.
    saurus.guild.open_command_to_everyone("rules-admin")
    assert commands_in(await ask_help(emulator, member, saurus.guild)) == menu("en", *STUDENT)


async def test_the_coordinator_in_the_hub_sees_the_coordinators_commands(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await tragos_with_a_named_vcp(emulator, world)

    reply = await ask_help(emulator, world.coordinator, world.hub)  # Discord in Dutch

    assert DANGER["nl"] in reply.text.splitlines()[0]
    assert in_order(reply.text, UM_TEAM["nl"], OUTSIDE)
    assert CONTACT_NL not in reply.text  # the hub is no association
    assert commands_in(reply) == menu("nl", *IN_A_DM, *COORDINATOR_EXTRAS)
    # The hub's administrator sets the hub up, and is not the coordinator.
    admin = await ask_help(emulator, world.hub_admin, world.hub)
    assert commands_in(admin) == menu("nl", *IN_A_DM, "hub setup")


async def test_a_um_team_member_sees_the_cases_but_not_the_coordinators_commands(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await tragos_with_a_named_vcp(emulator, world)

    reply = await ask_help(emulator, world.team_member, world.hub)  # Discord in English

    assert DANGER["en"] in reply.text.splitlines()[0]
    assert in_order(reply.text, UM_TEAM["en"], OUTSIDE)
    assert commands_in(reply) == menu("en", *IN_A_DM, "open_cases", *HANDLER_EXTRAS, "cases report")


async def test_a_german_student_sees_the_command_names_their_discord_shows(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await tragos_with_a_named_vcp(emulator, world)
    tragos = world.association("tragos")
    lukas = add_member(emulator, world, "tragos", "lukas", locale="de")

    reply = await ask_help(emulator, lukas, tragos.guild)

    # Any language but Dutch reads English, even in a Dutch association's server: 112
    # first, the contact in English, and the commands by the names a German Discord
    # shows, which are the English ones (there is no German localisation).
    assert language_of(reply) == "en"
    assert in_order(reply.text, CONTACT_EN, UM_TEAM["en"], OUTSIDE)
    assert CONTACT_NL not in reply.text
    assert commands_in(reply) == menu("en", *STUDENT)


async def test_in_a_dm_only_what_works_in_a_dm(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    sanne = await tragos_with_a_named_vcp(emulator, world)
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")

    student = await ask_help(emulator, lotte, None)
    assert DANGER["nl"] in student.text.splitlines()[0]
    assert in_order(student.text, UM_TEAM["nl"], OUTSIDE)
    assert CONTACT_NL not in student.text
    assert commands_in(student) == menu("nl", *IN_A_DM)

    # A registered VCP also finds their intervisie sessions from a DM.
    vcp = await ask_help(emulator, sanne, None)
    assert commands_in(vcp) == menu("nl", *IN_A_DM, "intervisie mine", "intervisie reminders")


async def test_an_association_outside_the_network_shows_no_contact_and_fewer_board_commands(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    saurus = world.association("saurus")  # never asked to join

    board = await ask_help(emulator, saurus.admin, saurus.guild)

    assert DANGER["en"] in board.text.splitlines()[0]
    # Asking to join and the rules work before the network admits an association.
    assert commands_in(board) == menu(
        "en", *STUDENT, "setup", *(c for c in BOARD_EXTRAS if c.startswith("rules_admin"))
    )
    await join_network(emulator, world, "saurus")
    joined = await ask_help(emulator, saurus.admin, saurus.guild)
    assert commands_in(joined) == menu("en", *STUDENT, *BOARD_EXTRAS)
