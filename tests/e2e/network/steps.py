"""Steps many end-to-end tests share: the hub set up, an association in the network.

The acting is the harness's (vcpbot_harness.steps.network, which the demo uses too);
these add what every test expects to see."""

from __future__ import annotations

from discord_emulator import Emulator
from vcpbot_harness import NetworkWorld
from vcpbot_harness.steps import network
from vcpbot_harness.steps.network import request_to_join

__all__ = ["join_network", "request_to_join", "set_up_hub"]


async def set_up_hub(emulator: Emulator, world: NetworkWorld) -> None:
    reply = await network.set_up_hub(emulator, world)
    assert reply is not None
    assert reply.ephemeral
    assert "De hub is ingesteld" in reply.text


async def join_network(emulator: Emulator, world: NetworkWorld, key: str = "tragos") -> None:
    await request_to_join(emulator, world, key)
    card = await network.join_card(emulator, world, key)
    decision = await emulator.person(world.coordinator).press(card, label="Goedkeuren")
    await decision.wait()
