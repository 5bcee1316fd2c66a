"""Steps the escalation tests share: a VCP, a report, the receipt, the hub's card."""

from __future__ import annotations

import re
from typing import Any

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Message, User
from tests.e2e.network.steps import join_network, set_up_hub
from vcpbot_harness import NetworkWorld, add_student

RECEIPT = re.compile(r"```\n([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})\n```")
CODE = re.compile(r"\bC-[0-9A-Z]{4}\b")
CONTINUE = {"nl": "Verder", "en": "Continue"}


def lang(user: User) -> str:
    return "nl" if user.locale == "nl" else "en"


async def network_with(emulator: Emulator, world: NetworkWorld, *keys: str) -> None:
    """The hub set up, and these associations in the network."""
    await set_up_hub(emulator, world)
    for key in keys or ("tragos",):
        await join_network(emulator, world, key)


async def add_vcp(
    emulator: Emulator, world: NetworkWorld, key: str, name: str, *, locale: str
) -> User:
    """A member of the association's server whom its board registers as VCP (``/vcp add``),
    which also hands out the VCP role. The association must have run /setup."""
    association = world.association(key)
    user = add_student(emulator, world, key, name, locale=locale)
    added = await emulator.person(association.admin).slash(
        association.guild, "vcp", {"member": user}, subcommand="add"
    )
    reply = await added.final()
    assert association.vcp_role in emulator.member_roles(association.guild, user), reply.text
    return user


def add_role_only_member(
    emulator: Emulator, world: NetworkWorld, key: str, name: str, *, locale: str
) -> User:
    """A member given the VCP role by someone with Manage Roles, never registered with /vcp add."""
    association = world.association(key)
    user = emulator.create_user(name, locale=locale)
    emulator.add_member(association.guild, user, roles=[association.vcp_role])
    world.users[name] = user
    return user


def add_member(
    emulator: Emulator, world: NetworkWorld, key: str, name: str, *, locale: str
) -> User:
    return add_student(emulator, world, key, name, locale=locale)


async def escalate(
    emulator: Emulator,
    user: User,
    guild: Any,
    *,
    text: str,
    category: str = "intimidation",
    urgency: str = "soon",
    shown: str = "yes",
) -> tuple[Message, Message]:
    """/report, Continue, the form: returns the explanation and the final confirmation."""
    person = emulator.person(user)
    intro = (await (await person.slash(guild, "report")).wait()).message
    assert intro is not None and intro.ephemeral
    modal = (await person.press(intro, label=CONTINUE[lang(user)])).response.modal
    assert modal is not None
    submitted = await person.submit(
        modal, {"category": category, "urgency": urgency, "text": text, "shown": shown}
    )
    return intro, await submitted.final()


def receipt_in(message: Message) -> str:
    found = RECEIPT.search(message.text)
    assert found, f"no receipt in {message.text!r}"
    return found.group(1)


def code_in(message: Message) -> str:
    found = CODE.search(message.text)
    assert found, f"no case code in {message.text!r}"
    return found.group(0)


async def open_case(emulator: Emulator, user: User, receipt: str, guild: Any = None) -> Message:
    """/my-case receipt:… (in the DM with the bot unless a guild is given)."""
    result = await emulator.person(user).slash(guild, "my-case", {"receipt": receipt})
    return await result.final()


async def card_for(emulator: Emulator, world: NetworkWorld, code: str) -> Message:
    """The case's card in the hub's escalations channel, as a team member sees it."""
    return await emulator.person(world.team_member).wait_for_message(
        world.escalations, contains=code
    )


def cards_in(emulator: Emulator, world: NetworkWorld, channel: Any = None) -> list[Message]:
    """Every case card the bot posted in a channel (the hub's escalations channel by default)."""
    where = channel or world.escalations
    return [
        m
        for m in emulator.channel_messages(where, viewer=emulator.bot_user)
        if m.author is emulator.bot_user and not m.ephemeral and CODE.search(m.text) and m.buttons
    ]


async def wait_until(emulator: Emulator, probe: Any, what: str, within: float = 5.0) -> Any:
    return await emulator.world.wait_for(probe, within=within, what=what)


def button_labels(message: Message) -> list[str]:
    return [b["label"] for b in message.buttons]


def vcp_channel(emulator: Emulator, world: NetworkWorld, key: str, *, private: bool = True) -> Any:
    """A channel for the association's VCPs, where members' cases arrive."""
    association = world.association(key)
    guild = association.guild
    channel = guild.create_text_channel("vcp-cases")
    if private:
        everyone = guild.roles[guild.id]
        seen = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.READ_MESSAGE_HISTORY
        guild.set_overwrite(channel, everyone, deny=perm.VIEW_CHANNEL)
        guild.set_overwrite(channel, association.vcp_role, allow=seen)
        guild.set_overwrite(channel, emulator.bot_user, allow=seen)
    return channel


async def switch_member_route(
    emulator: Emulator, world: NetworkWorld, key: str, channel: Any, *, enabled: bool = True
) -> Message:
    association = world.association(key)
    board = emulator.person(association.admin)
    options: dict[str, Any] = {"enabled": enabled}
    if channel is not None:
        options["channel"] = channel
    result = await board.slash(
        association.guild, "anonymous-contact", options, subcommand="member-route"
    )
    return await result.final()
