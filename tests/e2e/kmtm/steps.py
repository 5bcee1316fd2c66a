"""Steps the KMTM end-to-end tests share: five associations in the network, their VCPs,
a period, and logging a contact the way a VCP does it (the form, or the panel button)."""

from __future__ import annotations

import csv
import io
import re
import struct

from discord_emulator import Emulator
from discord_emulator.entities import Attachment, Channel, Message, User
from discord_emulator.guild import Guild
from tests.e2e.network.steps import join_network, set_up_hub
from vcpbot_harness import NetworkWorld, add_student
from vcpbot_harness.steps import kmtm as steps
from vcpbot_harness.steps import network
from vcpbot_harness.steps.kmtm import kmtm

# (key, server name, server locale): five associations, as in a real KMTM.
FIVE_ASSOCIATIONS = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("circumflex", "Circumflex", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
    ("koko", "Koko", "en-US"),
    ("scopus", "Scopus", "nl"),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def network_of_five(emulator: Emulator, world: NetworkWorld) -> None:
    """The hub is set up and every association has joined (the coordinator approved)."""
    await set_up_hub(emulator, world)
    for key, _, _ in FIVE_ASSOCIATIONS:
        await join_network(emulator, world, key)


async def add_vcp(
    emulator: Emulator, world: NetworkWorld, key: str, name: str, *, locale: str = "nl"
) -> User:
    """A member of the association's server whom its board registers as VCP."""
    vcp = add_student(emulator, world, key, name, locale=locale)
    await (await network.register_vcp(emulator, world, key, vcp)).wait()
    return vcp


async def create_period(
    emulator: Emulator,
    world: NetworkWorld,
    name: str = "KMTM 2026",
    start: str = "10-08-2026",
    end: str = "30-08-2026",
) -> Message:
    return await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "period create",
        {"name": name, "start": start, "end": end},
    )


async def close_period(emulator: Emulator, world: NetworkWorld, name: str = "KMTM 2026") -> Message:
    return await kmtm(emulator, world.coordinator, world.hub, "period close", {"name": name})


async def log_contact(  # noqa: PLR0917 - the three choices a VCP makes, and where
    emulator: Emulator,
    vcp: User,
    guild: Guild,
    category: str,
    relation: str,
    follow_up: str,
    *,
    panel: Message | None = None,
) -> Message:
    """``/kmtm log`` (or the panel's button), the three choices, submit: the confirmation."""
    response = await steps.open_log_form(emulator, vcp, guild, panel=panel)
    if response.modal is None:
        return response.message  # refused: the reason, privately
    choice = {"category": category, "relation": relation, "follow_up": follow_up}
    return await steps.send_contact(emulator, vcp, response.modal, choice)


async def preview_report(
    emulator: Emulator,
    world: NetworkWorld,
    by: str,
    period: str = "KMTM 2026",
    *,
    channel: Channel | None = None,
) -> Message:
    """``/kmtm report`` in a hub channel: the preview only the coordinator sees."""
    return await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "report",
        {"period": period, "by": by},
        channel=channel or world.hub_general,
    )


async def press_post(emulator: Emulator, world: NetworkWorld, preview: Message) -> Message:
    """The coordinator presses "Post in #channel" on the preview: the message the team sees."""
    assert len(steps.post_buttons(preview)) == 1
    return await steps.press_post(emulator, world, preview)


async def post_report(
    emulator: Emulator, world: NetworkWorld, by: str, period: str = "KMTM 2026"
) -> Message:
    """Preview, then post in the hub's general channel."""
    return await press_post(emulator, world, await preview_report(emulator, world, by, period))


def attachment(message: Message, extension: str) -> Attachment:
    [found] = [a for a in message.attachments if a.filename.endswith(f".{extension}")]
    return found


def csv_rows(message: Message) -> list[dict[str, str]]:
    """The CSV export as the coordinator's spreadsheet reads it (";" in Dutch, "," in English)."""
    text = attachment(message, "csv").data.decode("utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def png_size(message: Message) -> tuple[int, int]:
    data = attachment(message, "png").data
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def table_rows(message: Message) -> dict[str, str]:
    """The report's table as {label: shown count}, read from the embed as a person reads it."""
    [embed] = message.embeds
    body = embed["description"].split("```")[1].strip("\n").splitlines()
    rows = {}
    for line in body[2:]:  # the header and its rule
        if set(line) <= {"-", " "}:
            continue
        count, *_, label = re.split(r"\s{2,}", line.strip())
        rows[label] = count
    return rows
