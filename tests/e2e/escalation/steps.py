"""Steps the escalation tests share: a VCP, a report, the receipt, the hub's card.

The acting and the receipt's and code's patterns are the harness's
(vcpbot_harness.steps.escalation, which the demo uses too); these add the checks."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.network.steps import join_network, set_up_hub
from vcpbot_harness import NetworkWorld, add_student
from vcpbot_harness.steps import escalation, network
from vcpbot_harness.steps.escalation import CODE, RECEIPT, card_for, open_case, switch_member_route

__all__ = [
    "CODE",
    "CONTINUE",
    "RECEIPT",
    "add_member",
    "add_role_only_member",
    "add_vcp",
    "button_labels",
    "card_for",
    "cards_in",
    "code_in",
    "escalate",
    "lang",
    "network_with",
    "open_case",
    "receipt_in",
    "switch_member_route",
    "vcp_channel",
    "wait_until",
]

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
    reply = await (await network.register_vcp(emulator, world, key, user)).final()
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
    intro = await escalation.start_report(emulator, user, guild)
    assert intro is not None and intro.ephemeral
    modal = await escalation.open_report_form(emulator, user, intro, label=CONTINUE[lang(user)])
    assert modal is not None
    values = escalation.report_values(category=category, urgency=urgency, text=text, shown=shown)
    return intro, await escalation.send_report(emulator, user, modal, values)


def receipt_in(message: Message) -> str:
    found = escalation.find_receipt(message.text)
    assert found, f"no receipt in {message.text!r}"
    return found


def code_in(message: Message) -> str:
    found = escalation.find_code(message.text)
    assert found, f"no case code in {message.text!r}"
    return found


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
    return escalation.vcp_channel(emulator, world.association(key), private=private)
