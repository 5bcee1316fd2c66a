"""The network the benchmark runs in, set up through the bot's real commands."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from vcpbot_harness import AssociationGuild, NetworkWorld, add_student, seed_network_world

HOUSE_RULES = {
    "nl": (
        "Welkom! Deze huisregels gelden op elke activiteit.\n\n"
        "## 1. Respect\n\nWe behandelen elkaar met respect.\n\n"
        "## 2. Alcohol\n\nDrink met mate; de bar schenkt niet aan wie te veel op heeft.\n\n"
        "## 3. Hulp\n\nZit iets je niet lekker? Praat met een van onze VCP's (/help).\n"
    ),
    "en": (
        "Welcome! These house rules apply at every activity.\n\n"
        "## 1. Respect\n\nWe treat each other with respect.\n\n"
        "## 2. Alcohol\n\nDrink in moderation; the bar stops serving anyone who had too much.\n\n"
        "## 3. Help\n\nSomething bothering you? Talk to one of our VCPs (/help).\n"
    ),
}

STUDENTS = 20
ACK_ID = "vcp:rules:ack:house_rules"
# The deployment's zone: KMTM periods are whole days there, intervisie times are typed there.
ZONE = ZoneInfo("Europe/Amsterdam")
KMTM_PERIOD = "KMTM bench"
RSVP_TITLE = "Intervisie bench"
RSVP_PREFIX = "vcp:intervisie:"
# Registering VCPs: at most this many at once, and this many a second (the role change
# the bot makes for each is limited to 50 a second per server).
SETUP_CONCURRENCY = 5
REGISTRATIONS_PER_S = 40
# Planning sends one invitation DM per invitee, at Discord's pace (50 requests/s).
PLAN_TIMEOUT_S = 900.0
# The most people one session may have (vcpbot.services.intervisie's MAX_INVITEES).
SESSION_CAP = 1000

T = TypeVar("T")


@dataclass
class BenchWorld:
    network: NetworkWorld
    association: AssociationGuild
    vcp: User
    students: list[User]
    # Each presses the acknowledgement button once, so every press is one new write.
    writers: list[User]
    # Registered VCPs (``/vcp add``): they log KMTM contacts and are invited to intervisie.
    vcps: list[User] = field(default_factory=list)
    # Registered VCPs (with the role), each escalating at most the three times a day allows.
    reporters: list[User] = field(default_factory=list)
    # Each registered VCP's invitation DM, with its Yes / No / Maybe buttons.
    invitations: dict[int, Message] = field(default_factory=dict)
    # Members who each try one receipt that does not exist (/my-case), all at once.
    guessers: list[User] = field(default_factory=list)


def seed(
    emulator: Emulator, *, writers: int, vcps: int = 0, reporters: int = 0, guessers: int = 0
) -> BenchWorld:
    """People and servers as Discord knows them; the bot learns of them in ``set_up``."""
    network = seed_network_world(emulator)
    association = network.association("tragos")
    vcp = add_student(emulator, network, "tragos", "Sanne", locale="nl")
    students = [
        add_student(emulator, network, "tragos", f"student-{i}", locale="nl" if i % 2 else "en-US")
        for i in range(STUDENTS)
    ]
    writing = [
        add_student(emulator, network, "tragos", f"writer-{i}", locale="nl") for i in range(writers)
    ]
    registered = [
        add_student(emulator, network, "tragos", f"vcp-{i}", locale="nl" if i % 2 else "en-US")
        for i in range(vcps)
    ]
    # Escalating to the UM team is for registered VCPs: ``set_up`` registers them.
    reporting = [
        add_student(emulator, network, "tragos", f"reporter-{i}", locale="nl" if i % 2 else "en-US")
        for i in range(reporters)
    ]
    guessing = [
        add_student(emulator, network, "tragos", f"guesser-{i}", locale="en-US")
        for i in range(guessers)
    ]
    return BenchWorld(
        network, association, vcp, students, writing, registered, reporting, guessers=guessing
    )


def rules_post(emulator: Emulator, bench: BenchWorld) -> Message:
    """The published house rules in #rules that carries the acknowledgement button."""
    for message in reversed(emulator.channel_messages(bench.association.rules, viewer=bench.vcp)):
        if any(button.get("custom_id") == ACK_ID for button in message.buttons):
            return message
    raise RuntimeError("the published rules have no acknowledgement button")


async def set_up(emulator: Emulator, bench: BenchWorld) -> None:
    """The hub, one approved association with a listed VCP, published house rules that
    members acknowledge with a button, the reporters and other VCPs registered, an open
    KMTM period and an intervisie session to which every registered VCP (``vcps``) is
    invited."""
    await set_up_network(emulator, bench.network, "tragos")
    tragos = bench.association
    board = emulator.person(tragos.admin)
    await register_vcps(emulator, bench.network, "tragos", [bench.vcp])
    listing = await emulator.person(bench.vcp).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    await listing.wait()
    for language, filename in (("nl", "huisregels.md"), ("en", "house-rules.md")):
        attachment = emulator.upload(filename, HOUSE_RULES[language].encode("utf-8"))
        uploaded = await board.slash(
            tragos.guild,
            "rules-admin",
            {"document": "house_rules", "language": language, "file": attachment},
            subcommand="upload",
        )
        await uploaded.final()
    ack = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "enabled": True},
        subcommand="ack",
    )
    await ack.final()
    published = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "note": "benchmark"},
        subcommand="publish",
    )
    await published.final()
    if bench.reporters:
        await register_vcps(emulator, bench.network, "tragos", bench.reporters)
    if bench.vcps:
        await register_vcps(emulator, bench.network, "tragos", bench.vcps)
        await open_kmtm_period(emulator, bench.network)
        bench.invitations = await plan_intervisie(
            emulator, bench.network, bench.vcps, title=RSVP_TITLE, start=_in_days(60)
        )


async def set_up_network(emulator: Emulator, world: NetworkWorld, *keys: str) -> None:
    """``/hub setup``, then each association's ``/setup`` and the coordinator's approval."""
    hub_admin = emulator.person(world.hub_admin)
    await (
        await hub_admin.slash(
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
    ).final()
    for key in keys:
        await join_network(emulator, world, key)


async def join_network(emulator: Emulator, world: NetworkWorld, key: str) -> None:
    association = world.association(key)
    board = emulator.person(association.admin)
    await (
        await board.slash(
            association.guild,
            "setup",
            {
                "name": association.guild.name,
                "short_name": key.capitalize(),
                "language": "nl",
                "vcp_role": association.vcp_role,
                "rules_channel": association.rules,
            },
        )
    ).final()
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=association.guild.name)
    approve = next(b for b in card.buttons if b["custom_id"].startswith("vcp:net:approve"))
    await (await coordinator.press(card, custom_id=approve["custom_id"])).wait()


async def register_vcps(
    emulator: Emulator, world: NetworkWorld, key: str, vcps: Iterable[User]
) -> None:
    """The board runs ``/vcp add`` for each, a little below Discord's pace for the role
    change the bot makes: ``/vcp add`` keeps its database transaction open across that
    request, so a rate-limited role change would hold up every registration behind it."""
    association = world.association(key)
    board = emulator.person(association.admin)
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def add(vcp: User) -> None:
        async with gate:
            added = await board.slash(association.guild, "vcp", {"member": vcp}, subcommand="add")
            await added.wait()

    adding = []
    for vcp in vcps:
        adding.append(asyncio.create_task(add(vcp)))
        await asyncio.sleep(1 / REGISTRATIONS_PER_S)
    await asyncio.gather(*adding)


async def open_kmtm_period(emulator: Emulator, world: NetworkWorld) -> None:
    """``/kmtm period create`` by the coordinator: from yesterday to a month ahead."""
    today = datetime.now(UTC).astimezone(ZONE).date()
    created = await emulator.person(world.coordinator).slash(
        world.hub,
        "kmtm",
        {
            "name": KMTM_PERIOD,
            "start": f"{today - timedelta(days=1):%d-%m-%Y}",
            "end": f"{today + timedelta(days=30):%d-%m-%Y}",
        },
        subcommand="period create",
    )
    message = await created.final()
    if KMTM_PERIOD not in message.text:
        raise RuntimeError(f"the KMTM period was not created: {message.text!r}")


def _in_days(days: int) -> datetime:
    """A wall-clock 19:30 in Amsterdam, ``days`` from now."""
    day = datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 19, 30, tzinfo=ZONE)


async def plan_intervisie(
    emulator: Emulator,
    world: NetworkWorld,
    invitees: list[User],
    *,
    title: str,
    start: datetime,
    audience: dict[str, str] | None = None,
) -> dict[int, Message]:
    """The coordinator plans a session (``/intervisie plan``, by default for every VCP, then
    the form); returns each invitee's invitation DM, once the bot's outbox has sent it."""
    coordinator = emulator.person(world.coordinator, timeout=PLAN_TIMEOUT_S)
    opened = await coordinator.slash(
        world.hub, "intervisie", audience or {"invitees": "all"}, subcommand="plan"
    )
    modal = (await opened.wait()).modal
    if modal is None:
        raise RuntimeError("/intervisie plan did not open its form")
    submitted = await coordinator.submit(
        modal,
        {
            "title": title,
            "when": f"{start.astimezone(ZONE):%d-%m-%Y %H:%M}",
            "duration": "1:30",
            "location": "Tapijnkazerne, zaal 2",
            "agenda": "Casus bespreken.",
        },
    )
    summary = await submitted.final(within=PLAN_TIMEOUT_S)
    # The invitations go out from the leader's outbox after the answer: wait for them.
    with contextlib.suppress(AssertionError):
        await emulator.world.wait_for(
            lambda: all(invitation_of(emulator, user, title) for user in invitees),
            within=PLAN_TIMEOUT_S,
            what="every invitation",
        )
    found = {user.id: invitation_of(emulator, user, title) for user in invitees}
    missing = [uid for uid, message in found.items() if message is None]
    if missing:
        raise RuntimeError(
            f"{len(missing)} of {len(invitees)} invitees have no invitation; "
            f"the coordinator was told: {summary.text!r}"
        )
    return {uid: message for uid, message in found.items() if message is not None}


def invitation_of(emulator: Emulator, user: User, title: str) -> Message | None:
    """The DM inviting ``user`` to the session called ``title`` (with answer buttons)."""
    for message in emulator.dms(user):
        answers = [b for b in message.buttons if b.get("custom_id", "").startswith(RSVP_PREFIX)]
        if title in message.text and answers:
            return message
    return None


async def gather_limited(
    work: Callable[[T], Awaitable[Any]], items: Iterable[T], *, limit: int
) -> None:
    """``work(item)`` for every item, at most ``limit`` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(one(item) for item in items))
