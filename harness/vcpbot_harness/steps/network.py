"""Steps of the network: the hub set up, an association asking to join and approved,
its board registering VCPs, and channels only some people read."""

from __future__ import annotations

from typing import Any

from discord_emulator import (
    Channel,
    Emulator,
    Guild,
    InteractionResult,
    Message,
    Role,
    User,
)
from discord_emulator import permissions as perm
from vcpbot_harness import NetworkWorld

APPROVE_ID = "vcp:net:approve"
READS = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.READ_MESSAGE_HISTORY


async def set_up_hub(emulator: Emulator, world: NetworkWorld) -> Message | None:
    """The hub's admin runs ``/hub setup`` with the world's channels and roles: their reply."""
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
    return (await result.wait()).message


async def request_to_join(
    emulator: Emulator,
    world: NetworkWorld,
    key: str = "tragos",
    *,
    language: str = "nl",
    rules_channel: bool = False,
) -> Message:
    """The association's board runs ``/setup`` (with its rules channel if asked): their reply."""
    association = world.association(key)
    options: dict[str, Any] = {
        "name": association.guild.name,
        "short_name": key.capitalize(),
        "language": language,
        "vcp_role": association.vcp_role,
    }
    if rules_channel:
        options["rules_channel"] = association.rules
    result = await emulator.person(association.admin).slash(association.guild, "setup", options)
    return await result.final()


async def join_card(emulator: Emulator, world: NetworkWorld, key: str = "tragos") -> Message:
    """The join request for the association in the network log, as the coordinator sees it."""
    return await emulator.person(world.coordinator).wait_for_message(
        world.network_log, contains=world.association(key).guild.name
    )


def approve_button(card: Message) -> dict[str, Any]:
    """The join card's Approve button."""
    return next(b for b in card.buttons if b["custom_id"].startswith(APPROVE_ID))


async def approve(emulator: Emulator, world: NetworkWorld, card: Message) -> None:
    """The coordinator presses Approve on a join card."""
    button = approve_button(card)
    pressed = await emulator.person(world.coordinator).press(card, custom_id=button["custom_id"])
    await pressed.wait()


async def register_vcp(
    emulator: Emulator, world: NetworkWorld, key: str, user: User
) -> InteractionResult:
    """The board runs ``/vcp add member:@user``: the interaction, for a caller who waits on it."""
    association = world.association(key)
    return await emulator.person(association.admin).slash(
        association.guild, "vcp", {"member": user}, subcommand="add"
    )


def only_for(emulator: Emulator, guild: Guild, channel: Channel, *readers: Role | User) -> Channel:
    """As a careful admin sets a channel up: no one reads it but these (and the bot)."""
    guild.set_overwrite(channel, guild.roles[guild.id], deny=perm.VIEW_CHANNEL)
    for who in (*readers, emulator.bot_user):
        guild.set_overwrite(channel, who, allow=READS)
    return channel
