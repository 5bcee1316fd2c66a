"""Steps of the announcement tests: a board choosing its channel, the coordinator writing,
previewing and sending, the copies in the channels, and the delivery report."""

from __future__ import annotations

import asyncio
from typing import Any

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Message, Role, User
from tests.e2e.escalation.steps import wait_until
from vcpbot_harness import NetworkWorld

CHANNEL = "aankondigingen"
DUTCH = "Introductiecollege sociale veiligheid"
TEXT_NL = (
    "Op maandag 7 september is het introductiecollege over sociale veiligheid. Iedereen is welkom."
)
TEXT_EN = (
    "On Monday 7 September there is the introduction lecture on social safety. Everyone is welcome."
)


def announcement_channel(world: NetworkWorld, key: str) -> Channel:
    """The channel the world gave each association for announcements (see ``with_channels``)."""
    guild = world.association(key).guild
    return next(c for c in guild.channels.values() if c.name == CHANNEL)


def with_channels(world: NetworkWorld) -> NetworkWorld:
    """Every association's server gets a channel for announcements, before the bot starts."""
    for association in world.associations.values():
        association.guild.create_text_channel(CHANNEL)
    return world


async def choose(
    emulator: Emulator,
    world: NetworkWorld,
    key: str,
    *,
    receive: bool = True,
    channel: Channel | None = None,
    role: Role | None = None,
) -> Message:
    """The board runs /setup-announcements: their private answer."""
    association = world.association(key)
    options: dict[str, Any] = {"receive": receive}
    if channel is not None:
        options["channel"] = channel
    if role is not None:
        options["role"] = role
    result = await emulator.person(association.admin).slash(
        association.guild, "setup-announcements", options
    )
    reply = await result.final()
    assert reply.ephemeral
    return reply


async def write(
    emulator: Emulator,
    world: NetworkWorld,
    values: dict[str, str] | None = None,
    *,
    user: User | None = None,
) -> Message:
    """The coordinator runs /network announce and fills in the form: the private preview."""
    person = emulator.person(user or world.coordinator)
    opened = await person.slash(world.hub, "network", subcommand="announce")
    form = opened.response.modal
    assert form is not None, "no form opened"
    filled = values or {"title": DUTCH, "nl": TEXT_NL, "en": TEXT_EN}
    preview = await (await person.submit(form, filled)).final()
    assert preview.ephemeral
    return preview


async def send(emulator: Emulator, world: NetworkWorld, preview: Message, label: str) -> Message:
    """The coordinator presses Send (Versturen) under the preview: the message as it ends up."""
    return await (await emulator.person(world.coordinator).press(preview, label=label)).final()


def copies(emulator: Emulator, channel: Channel) -> list[Message]:
    """The bot's messages in a channel, as the bot itself sees them."""
    return [m for m in channel.messages if m.author is emulator.bot_user and not m.deleted]


async def arrived(emulator: Emulator, channels: list[Channel], within: float = 15.0) -> None:
    await wait_until(
        emulator,
        lambda: all(copies(emulator, channel) for channel in channels),
        f"a copy in each of {len(channels)} channels",
        within=within,
    )


PENDING = ("Nog onderweg", "Still on its way")


async def report(emulator: Emulator, world: NetworkWorld, *, settled: bool = True) -> Message:
    """The coordinator's /network announcements: the private delivery report; ``settled``:
    asked again (as a person would) until no copy is still on its way."""
    for _ in range(50):
        result = await emulator.person(world.coordinator).slash(
            world.hub, "network", subcommand="announcements"
        )
        reply = await result.final()
        assert reply.ephemeral
        if not settled or not any(name.startswith(PENDING) for name in _names(reply)):
            return reply
        await asyncio.sleep(0.2)
    raise AssertionError("copies were still on their way")


def _names(message: Message) -> list[str]:
    return [f["name"] for embed in message.embeds for f in embed.get("fields", [])]


def fields(message: Message) -> dict[str, str]:
    [embed] = message.embeds
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def delete_channel(emulator: Emulator, world: NetworkWorld, channel: Channel) -> None:
    """Someone deletes the channel in Discord (the bot is not told; it finds out on posting)."""
    emulator.world.channels.pop(channel.id)
    for association in world.associations.values():
        association.guild.channels.pop(channel.id, None)


def forbid_posting(emulator: Emulator, world: NetworkWorld, key: str, channel: Channel) -> None:
    """Someone takes the bot's right to post in the channel away."""
    guild = world.association(key).guild
    guild.set_overwrite(channel, emulator.bot_user, deny=perm.SEND_MESSAGES)
