"""Steps of intervisie: the coordinator plans a session through /intervisie plan and its
form, and the bot's reminder runner (the one its scheduler jobs call)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from discord_emulator import Channel, Emulator, Message, Modal, User
from vcpbot_harness import BotHarness, NetworkWorld


async def open_plan_form(
    emulator: Emulator,
    world: NetworkWorld,
    options: Mapping[str, Any],
    user: User | None = None,
    *,
    channel: Channel | None = None,
) -> Modal | None:
    """``/intervisie plan`` in the hub (by the coordinator unless ``user``): the form."""
    person = emulator.person(user or world.coordinator)
    opened = await person.slash(
        world.hub, "intervisie", options, channel=channel, subcommand="plan"
    )
    return (await opened.wait()).modal


async def send_plan(
    emulator: Emulator,
    world: NetworkWorld,
    form: Modal,
    values: Mapping[str, str],
    *,
    within: float,
) -> Message:
    """The coordinator submits the plan form: what they see when it is done."""
    submitted = await emulator.person(world.coordinator).submit(form, values)
    return await submitted.final(within=within)


def reminder_runner(harness: BotHarness) -> Any:
    """The bot's reminder runner: the one its scheduler jobs call."""
    if harness.bot is None:
        raise RuntimeError("the bot is not running")
    cog: Any = harness.bot.get_cog("IntervisieCog")
    return cog.runner
