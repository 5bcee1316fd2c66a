"""A VCP keeps their own calendar: /intervisie mine gives one file with every session
ahead, each entry the same as in its invitation, so importing it again after the
coordinator moved one and cancelled another updates both."""

from __future__ import annotations

from datetime import UTC

import icalendar
import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import at, form, network_with_vcps, plan, session_ids, start_clock
from tests.helpers.ics_rules import problems
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
FIRST, SECOND = at(9, 15, 19, 30), at(9, 29, 19, 30)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def my_calendar(emulator: Emulator, world: NetworkWorld, user) -> icalendar.Calendar:
    guild = world.association("tragos").guild
    shown = await (
        await emulator.person(user).slash(guild, "intervisie", subcommand="mine")
    ).final()
    assert shown.ephemeral
    [attached] = shown.attachments
    assert attached.filename == "intervisie.ics"
    assert attached.description
    assert problems(attached.data) == []
    calendar = icalendar.Calendar.from_ical(attached.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    return calendar


async def test_the_calendar_file_follows_a_move_and_a_cancellation(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    sanne = vcps["sanne"]
    await plan(emulator, world, TRAGOS, form(FIRST, title="Najaar een"))
    await plan(emulator, world, TRAGOS, form(SECOND, title="Najaar twee"))
    before = await my_calendar(emulator, world, sanne)
    entries = {str(e["SUMMARY"]): e for e in before.events}
    assert set(entries) == {"Najaar een", "Najaar twee"}
    assert entries["Najaar een"].start.astimezone(UTC) == FIRST.astimezone(UTC)
    # The same entry as the invitation's own file: importing either keeps one entry.
    invitation = await emulator.person(sanne).wait_for_dm(contains="Najaar een")
    [own] = icalendar.Calendar.from_ical(invitation.attachments[0].data).events
    assert str(own["UID"]) == str(entries["Najaar een"]["UID"])

    coordinator = emulator.person(world.coordinator)
    first, second = await session_ids(emulator, world, subcommand="move", typed="najaar")
    moved = await coordinator.slash(
        world.hub, "intervisie", {"session": first, "when": f"{FIRST:%d-%m-%Y} 20:00"},
        subcommand="move",
    )  # fmt: skip
    await moved.final()
    cancelled = await coordinator.slash(
        world.hub, "intervisie", {"session": second, "reason": "Zaal bezet"}, subcommand="cancel"
    )
    await cancelled.final()

    after = {str(e["UID"]): e for e in (await my_calendar(emulator, world, sanne)).events}
    one, two = (after[str(entries[name]["UID"])] for name in ("Najaar een", "Najaar twee"))
    assert one.start.strftime("%H:%M") == "20:00"
    assert int(one["SEQUENCE"]) > int(entries["Najaar een"]["SEQUENCE"])
    assert str(two["STATUS"]) == "CANCELLED"
    assert int(two["SEQUENCE"]) > int(entries["Najaar twee"]["SEQUENCE"])


async def test_nothing_ahead_means_no_file(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    guild = world.association("tragos").guild
    person = emulator.person(vcps["sanne"])
    shown = await (await person.slash(guild, "intervisie", subcommand="mine")).final()
    assert shown.attachments == []
