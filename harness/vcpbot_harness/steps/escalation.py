"""Steps of anonymous escalation: a report through /report and its form, the receipt and
the case code it shows, /my-case, the hub's card, and the member route."""

from __future__ import annotations

import re
from typing import Any

from discord_emulator import Channel, Emulator, Guild, Message, Modal, User
from vcpbot_harness import AssociationGuild, NetworkWorld
from vcpbot_harness.steps.network import only_for

# The receipt as the confirmation shows it (five groups of four, in a code block) and
# the case code the hub's card carries.
RECEIPT = re.compile(r"```\n([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})\n```")
CODE = re.compile(r"\bC-[0-9A-Z]{4}\b")


def find_receipt(text: str) -> str | None:
    """The receipt in a confirmation, if it shows one."""
    found = RECEIPT.search(text)
    return found.group(1) if found else None


def find_code(text: str) -> str | None:
    """The case code (``C-XXXX``) in a message, if it names one."""
    found = CODE.search(text)
    return found.group(0) if found else None


def report_values(*, category: str, urgency: str, text: str, shown: str) -> dict[str, str]:
    """The report form's fields, in the order the form asks them."""
    return {"category": category, "urgency": urgency, "text": text, "shown": shown}


async def start_report(emulator: Emulator, user: User, guild: Guild | None) -> Message | None:
    """``/report``: the explanation the person reads before the form."""
    result = await emulator.person(user).slash(guild, "report")
    return (await result.wait()).message


async def open_report_form(
    emulator: Emulator, user: User, intro: Message, *, label: str | None = None
) -> Modal | None:
    """The person presses the explanation's button (its first, or the one with ``label``)."""
    person = emulator.person(user)
    if label is not None:
        pressed = await person.press(intro, label=label)
    else:
        pressed = await person.press(intro, custom_id=intro.buttons[0]["custom_id"])
    return pressed.response.modal


async def send_report(
    emulator: Emulator, user: User, form: Modal, values: dict[str, str]
) -> Message:
    """The person submits the report form: the confirmation with the receipt."""
    return await (await emulator.person(user).submit(form, values)).final()


async def open_case(
    emulator: Emulator, user: User, receipt: str, guild: Guild | None = None
) -> Message:
    """/my-case receipt:… (in the DM with the bot unless a guild is given)."""
    result = await emulator.person(user).slash(guild, "my-case", {"receipt": receipt})
    return await result.final()


async def card_for(emulator: Emulator, world: NetworkWorld, code: str) -> Message:
    """The case's card in the hub's escalations channel, as a team member sees it."""
    return await emulator.person(world.team_member).wait_for_message(
        world.escalations, contains=code
    )


def vcp_channel(
    emulator: Emulator, association: AssociationGuild, *, private: bool = True
) -> Channel:
    """A channel for the association's VCPs, where members' cases arrive; as a careful
    board sets it up, only the VCPs (and the bot) read it unless not ``private``."""
    channel = association.guild.create_text_channel("vcp-cases")
    if private:
        only_for(emulator, association.guild, channel, association.vcp_role)
    return channel


async def switch_member_route(
    emulator: Emulator,
    world: NetworkWorld,
    key: str,
    channel: Channel | None,
    *,
    enabled: bool = True,
) -> Message:
    """The board runs ``/anonymous-contact member-route``: their reply."""
    association = world.association(key)
    options: dict[str, Any] = {"enabled": enabled}
    if channel is not None:
        options["channel"] = channel
    result = await emulator.person(association.admin).slash(
        association.guild, "anonymous-contact", options, subcommand="member-route"
    )
    return await result.final()
