"""Steps of the date-poll stories: twelve VCPs in three associations, the coordinator's
/intervisie poll and its form, pressing an answer for one date, and the bot's poll
reminder runner (the one its scheduler job calls)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from discord_emulator.interactions import Modal
from tests.e2e.intervisie.steps import YEAR, at
from vcpbot_harness import BotHarness, NetworkWorld

# Six in Dutch, six in English, in the three associations.
TWELVE = {
    "sanne": ("tragos", "nl"),
    "daan": ("tragos", "nl"),
    "ruben": ("tragos", "nl"),
    "ahmed": ("tragos", "en-US"),
    "liv": ("saurus", "en-US"),
    "emma": ("saurus", "en-US"),
    "finn": ("saurus", "en-US"),
    "yara": ("saurus", "en-US"),
    "kim": ("koko", "nl"),
    "lotte": ("koko", "nl"),
    "mila": ("koko", "nl"),
    "olaf": ("koko", "en-US"),
}
# Six evenings in September, typed one per line.
OPTIONS = [at(9, day, 19, 30) for day in (14, 15, 16, 17, 21, 22)]
DEADLINE = at(9, 10, 12, 0)
REMIND_AT = datetime(YEAR, 9, 9, 10, 0, tzinfo=UTC)  # 24 hours before the deadline
ALL = {"invitees": "all", "deadline": f"{DEADLINE:%d-%m-%Y %H:%M}"}


def poll_form(
    options: list[datetime] = OPTIONS, *, lines: list[str] | None = None
) -> dict[str, str]:
    typed = lines if lines is not None else [f"{o:%d-%m-%Y %H:%M}" for o in options]
    return {
        "title": "Intervisie najaar",
        "when": "\n".join(typed),
        "duration": "1:30",
        "location": "Tapijnkazerne, zaal 2",
        "agenda": "Casus bespreken.",
    }


async def open_poll_form(
    emulator: Emulator, world: NetworkWorld, options: Mapping[str, Any], user: User | None = None
) -> Modal:
    person = emulator.person(user or world.coordinator)
    opened = await person.slash(world.hub, "intervisie", options, subcommand="poll")
    modal = (await opened.wait()).modal
    assert modal is not None, "the poll command did not open its form"
    return modal


async def send_poll(
    emulator: Emulator,
    world: NetworkWorld,
    values: Mapping[str, str],
    options: Mapping[str, Any] = ALL,
) -> Message:
    """The coordinator runs /intervisie poll and sends the form: what they see."""
    modal = await open_poll_form(emulator, world, options)
    submitted = await emulator.person(world.coordinator).submit(modal, values)
    return await submitted.final(within=30)


def poll_messages(emulator: Emulator, user: User, *, reminder: bool = False) -> list[Message]:
    """The person's DMs carrying poll buttons (the poll itself, or its reminder)."""
    kind = "pollr" if reminder else "poll"
    return [
        m
        for m in emulator.person(user).dms()
        if any(
            re.match(rf"vcp:intervisie:{kind}-", c.get("custom_id") or "")
            for c in m.walk_components()
        )
    ]


async def answer(
    emulator: Emulator, user: User, position: int, value: str, *, reminder: bool = False
) -> Message:
    """The person presses ``value`` (yes, maybe, no) for date ``position``: the reply."""
    kind = "pollr" if reminder else "poll"
    prefix = f"vcp:intervisie:{kind}-{value}-{position}:"
    for message in poll_messages(emulator, user, reminder=reminder):
        for component in message.walk_components():
            if (component.get("custom_id") or "").startswith(prefix):
                pressed = await emulator.person(user).press(
                    message, custom_id=component["custom_id"]
                )
                return (await pressed.wait()).message
    raise AssertionError(f"no {value!r} button for date {position}")


def poll_runner(harness: BotHarness) -> Any:
    assert harness.bot is not None
    return harness.bot.get_cog("IntervisieCog").poll_runner  # type: ignore[union-attr]


def poll_jobs(harness: BotHarness) -> list[str]:
    assert harness.bot is not None
    return harness.bot.scheduler.job_ids("intervisie:poll:")


def mentions_anyone_else(text: str, me: str, people: Mapping[str, User]) -> list[str]:
    return [
        name
        for name, user in people.items()
        if name != me and re.search(rf"\b{re.escape(user.username)}\b", text)
    ]
