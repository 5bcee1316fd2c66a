"""Steps the intervisie end-to-end tests share: three associations with their VCPs, the
coordinator's planning form, and a clock set in the future.

Discord refuses scheduled events that start in the past (the emulator checks that
against the real time), so these tests plan next year; the bot's own clock is a
ManualClock the tests move, and reminders are run after moving it with the
runner's ``run_due()``, the code path the scheduler's jobs take.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from discord_emulator import Emulator
from discord_emulator.entities import Attachment, Message, User
from discord_emulator.interactions import Modal
from tests.e2e.network.steps import set_up_hub
from tests.helpers.ics_rules import problems
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student, seed_network_world
from vcpbot_harness.steps import intervisie, network

AMS = ZoneInfo("Europe/Amsterdam")
# The coordinator's confirmation while invitations are still going out.
SENDING = re.compile(r"(?:Uitnodigingen|Invitations): \d+ (?:van|of) \d+ (?:verstuurd|sent)\.")
YEAR = datetime.now(UTC).year + 1

ASSOCIATIONS = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
    ("koko", "Koko Maastricht", "nl"),
)
# The association's language for its VCPs' invitations, as its board chose it.
LANGUAGES = {"tragos": "nl", "saurus": "en", "koko": "nl"}
# Who is a VCP where, and their Discord language.
VCPS = {
    "sanne": ("tragos", "nl"),
    "ahmed": ("tragos", "en-US"),
    "liv": ("saurus", "en-US"),
    "kim": ("koko", "nl"),
}


def at(month: int, day: int, hour: int, minute: int = 0, *, year: int = YEAR) -> datetime:
    """A wall-clock time in Amsterdam next year."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def start_clock() -> ManualClock:
    return ManualClock(datetime(YEAR, 8, 17, 10, 0, tzinfo=UTC))


def last_sunday(month: int, year: int = YEAR) -> date:
    """The night the clocks change in the EU: the last Sunday of March or October."""
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def three_association_world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=ASSOCIATIONS)


async def join(emulator: Emulator, world: NetworkWorld, key: str) -> None:
    """The board asks to join in its own language; the coordinator approves."""
    await network.request_to_join(emulator, world, key, language=LANGUAGES[key])
    card = await network.join_card(emulator, world, key)
    await (await emulator.person(world.coordinator).press(card, label="Goedkeuren")).wait()


async def network_with_vcps(
    emulator: Emulator,
    world: NetworkWorld,
    vcps: Mapping[str, tuple[str, str]] = VCPS,
    *,
    seen: bool = True,
) -> dict[str, User]:
    """The hub, the three associations in the network, and their VCPs registered.

    With ``seen`` each VCP has used the bot once (``/intervisie mine``), so the bot
    knows the language of their Discord for the direct messages it sends them."""
    await set_up_hub(emulator, world)
    for key in {key for key, _ in vcps.values()}:
        await join(emulator, world, key)
    people = {}
    for name, (key, locale) in vcps.items():
        user = add_student(emulator, world, key, name, locale=locale)
        association = world.association(key)
        await (await network.register_vcp(emulator, world, key, user)).wait()
        people[name] = user
        if seen:
            mine = await emulator.person(user).slash(
                association.guild, "intervisie", subcommand="mine"
            )
            await mine.wait()
    return people


def form(
    start: datetime,
    *,
    title: str = "Intervisie najaar",
    duration: str = "1:30",
    location: str = "Tapijnkazerne, zaal 2",
    agenda: str = "Casus bespreken; grenzen aangeven.",
) -> dict[str, str]:
    return {
        "title": title,
        "when": f"{start:%d-%m-%Y %H:%M}",
        "duration": duration,
        "location": location,
        "agenda": agenda,
    }


async def open_form(
    emulator: Emulator, world: NetworkWorld, options: Mapping[str, Any], user: User | None = None
) -> Modal:
    modal = await intervisie.open_plan_form(emulator, world, options, user)
    assert modal is not None, "the plan command did not open its form"
    return modal


async def plan(
    emulator: Emulator,
    world: NetworkWorld,
    options: Mapping[str, Any],
    values: Mapping[str, str],
) -> Message:
    """The coordinator runs /intervisie plan, fills in the form; returns what they see
    once every invitation is out (the confirmation is edited while they go)."""
    modal = await open_form(emulator, world, options)
    reply = await intervisie.send_plan(emulator, world, modal, values, within=20)
    return await all_sent(emulator, reply)


async def all_sent(emulator: Emulator, reply: Message, *, within: float = 30) -> Message:
    """The coordinator's confirmation once it no longer says "Uitnodigingen: 2 van 4
    verstuurd" (or its English): every invitation went out or could not be reached."""
    await emulator.world.wait_for(
        lambda: not SENDING.search(reply.text), within=within, what="every invitation sent"
    )
    return reply


def runner(harness: BotHarness) -> Any:
    """The bot's reminder runner: the one its scheduler jobs call."""
    assert harness.bot is not None
    return intervisie.reminder_runner(harness)


def reminder_job_times(harness: BotHarness) -> list[datetime]:
    assert harness.bot is not None
    scheduler = harness.bot.scheduler
    times = [scheduler.next_run(j) for j in scheduler.job_ids("intervisie:reminder:")]
    return sorted(t.astimezone(UTC) for t in times if t is not None)


def dms_with(emulator: Emulator, user: User, text: str) -> list[Message]:
    return [m for m in emulator.person(user).dms() if text in m.text]


async def session_ids(
    emulator: Emulator, world: NetworkWorld, *, subcommand: str = "show", typed: str = ""
) -> list[int]:
    """The session ids the coordinator is offered when typing ``typed``, soonest first."""
    choices = await emulator.person(world.coordinator).autocomplete(
        world.hub, "intervisie", {"session": typed}, focused="session", subcommand=subcommand
    )
    return [int(c["value"]) for c in choices]


def component_id(message: Message, action: str) -> str:
    """The custom_id of a select or button by its action (the token part is random)."""
    prefix = f"vcp:intervisie:{action}:"
    for component in message.walk_components():
        custom_id = component.get("custom_id") or ""
        if custom_id.startswith(prefix):
            return custom_id
    raise AssertionError(f"no {action!r} component on the message")


def calendar_entry(attachment: Attachment) -> icalendar.Event:
    """The one entry of an .ics file as a calendar program imports it, after checking that
    the file keeps RFC 5545's rules and is published (METHOD:PUBLISH), not an iTIP request."""
    assert attachment.filename.endswith(".ics"), attachment.filename
    assert problems(attachment.data) == [], attachment.filename
    calendar = icalendar.Calendar.from_ical(attachment.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.events
    return event
