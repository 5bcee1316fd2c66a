"""Steps many end-to-end tests share: the hub set up, an association in the network."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Message
from vcpbot_harness import NetworkWorld


async def set_up_hub(emulator: Emulator, world: NetworkWorld) -> None:
    admin = emulator.person(world.hub_admin)
    result = await admin.slash(
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
    reply = (await result.wait()).message
    assert reply.ephemeral
    assert "De hub is ingesteld" in reply.text


async def request_to_join(emulator: Emulator, world: NetworkWorld, key: str = "tragos") -> Message:
    association = world.association(key)
    board = emulator.person(association.admin)
    result = await board.slash(
        association.guild,
        "setup",
        {
            "name": association.guild.name,
            "short_name": key.capitalize(),
            "language": "nl",
            "vcp_role": association.vcp_role,
        },
    )
    return await result.final()


async def join_network(emulator: Emulator, world: NetworkWorld, key: str = "tragos") -> None:
    await request_to_join(emulator, world, key)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(
        world.network_log, contains=world.association(key).guild.name
    )
    decision = await coordinator.press(card, label="Goedkeuren")
    await decision.wait()
