"""The network the benchmark runs in, set up through the bot's real commands."""

from __future__ import annotations

from dataclasses import dataclass

from vcpbot.emulator import Emulator
from vcpbot.emulator.entities import Message, User
from vcpbot.harness import AssociationGuild, NetworkWorld, add_student, seed_network_world

HOUSE_RULES = {
    "nl": (
        "Welkom! Deze huisregels gelden op elke activiteit.\n\n"
        "## 1. Respect\n\nWe behandelen elkaar met respect.\n\n"
        "## 2. Alcohol\n\nDrink met mate; de bar schenkt niet aan wie te veel op heeft.\n\n"
        "## 3. Hulp\n\nZit iets je niet lekker? Praat met een van onze VCP's (/help).\n"
    ),
    "en": (
        "Welcome! These house rules apply at every activity.\n\n"
        "## 1. Respect\n\nWe treat each other with respect.\n\n"
        "## 2. Alcohol\n\nDrink in moderation; the bar stops serving anyone who had too much.\n\n"
        "## 3. Help\n\nSomething bothering you? Talk to one of our VCPs (/help).\n"
    ),
}

STUDENTS = 20
ACK_ID = "vcp:rules:ack:house_rules"


@dataclass
class BenchWorld:
    network: NetworkWorld
    association: AssociationGuild
    vcp: User
    students: list[User]
    # Each presses the acknowledgement button once, so every press is one new write.
    writers: list[User]


def seed(emulator: Emulator, *, writers: int) -> BenchWorld:
    """People and servers as Discord knows them; the bot learns of them in ``set_up``."""
    network = seed_network_world(emulator)
    association = network.association("tragos")
    vcp = add_student(emulator, network, "tragos", "Sanne", locale="nl")
    students = [
        add_student(emulator, network, "tragos", f"student-{i}", locale="nl" if i % 2 else "en-US")
        for i in range(STUDENTS)
    ]
    writing = [
        add_student(emulator, network, "tragos", f"writer-{i}", locale="nl") for i in range(writers)
    ]
    return BenchWorld(network, association, vcp, students, writing)


def rules_post(emulator: Emulator, bench: BenchWorld) -> Message:
    """The published house rules in #rules that carries the acknowledgement button."""
    for message in reversed(emulator.channel_messages(bench.association.rules, viewer=bench.vcp)):
        if any(button.get("custom_id") == ACK_ID for button in message.buttons):
            return message
    raise RuntimeError("the published rules have no acknowledgement button")


async def set_up(emulator: Emulator, bench: BenchWorld) -> None:
    """The hub, one approved association with a listed VCP, and published house rules that
    members acknowledge with a button."""
    world, tragos = bench.network, bench.association
    hub_admin = emulator.person(world.hub_admin)
    await (
        await hub_admin.slash(
            world.hub,
            "hub",
            {
                "escalations": world.escalations,
                "team_role": world.team_role,
                "coordinator_role": world.coordinator_role,
                "log_channel": world.network_log,
            },
            subcommand="setup",
        )
    ).final()
    board = emulator.person(tragos.admin)
    await (
        await board.slash(
            tragos.guild,
            "setup",
            {
                "name": tragos.guild.name,
                "short_name": "Tragos",
                "language": "nl",
                "vcp_role": tragos.vcp_role,
                "rules_channel": tragos.rules,
            },
        )
    ).final()
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=tragos.guild.name)
    approve = next(b for b in card.buttons if b["custom_id"].startswith("vcp:net:approve"))
    await (await coordinator.press(card, custom_id=approve["custom_id"])).wait()
    await (await board.slash(tragos.guild, "vcp", {"member": bench.vcp}, subcommand="add")).wait()
    listing = await emulator.person(bench.vcp).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    await listing.wait()
    for language, filename in (("nl", "huisregels.md"), ("en", "house-rules.md")):
        attachment = emulator.upload(filename, HOUSE_RULES[language].encode("utf-8"))
        uploaded = await board.slash(
            tragos.guild,
            "rules-admin",
            {"document": "house_rules", "language": language, "file": attachment},
            subcommand="upload",
        )
        await uploaded.final()
    ack = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "enabled": True},
        subcommand="ack",
    )
    await ack.final()
    published = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "note": "benchmark"},
        subcommand="publish",
    )
    await published.final()
