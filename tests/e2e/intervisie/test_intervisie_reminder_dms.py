"""Reminders reach VCPs by DM at the configured instants, once, across DST changes,
restarts and downtime; what cannot be delivered is reported to the coordinator."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    AMS,
    at,
    dms_with,
    form,
    last_sunday,
    network_with_vcps,
    plan,
    reminder_job_times,
    runner,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
START = at(9, 15, 19, 30)
WEEK_BEFORE = at(9, 8, 19, 30).astimezone(UTC)
DAY_BEFORE = START.astimezone(UTC) - timedelta(hours=24)


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def reminders(emulator: Emulator, user) -> list:
    return [m for m in emulator.person(user).dms() if "Herinnering:" in m.text]


async def test_reminders_fire_at_the_configured_instants_across_the_dst_change(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(
        emulator, world, {"sanne": ("tragos", "nl"), "ahmed": ("tragos", "en-US")}
    )
    # The Tuesday after summer time ends: 19:30 is 18:30 UTC, a week earlier 17:30 UTC.
    start = datetime.combine(last_sunday(10) + timedelta(days=2), time(19, 30), tzinfo=AMS)
    await plan(emulator, world, TRAGOS, form(start, title="Intervisie november"))
    sanne = emulator.person(vcps["sanne"])
    await (
        await sanne.press(await sanne.wait_for_dm(contains="Uitnodiging"), label="Ja, ik kom")
    ).wait()
    ahmed = emulator.person(vcps["ahmed"])
    await (await ahmed.press(await ahmed.wait_for_dm(contains="Invitation"), label="Maybe")).wait()

    week = datetime.combine(start.date() - timedelta(days=7), time(19, 30), tzinfo=AMS)
    week, day, hour = (
        week.astimezone(UTC),
        start.astimezone(UTC) - timedelta(hours=24),
        start.astimezone(UTC) - timedelta(hours=1),
    )
    assert (week.hour, start.astimezone(UTC).hour) == (17, 18)
    # Both said Yes or Maybe, so each has the week, day and hour reminder.
    assert reminder_job_times(harness) == [week, week, day, day, hour, hour]

    for due, dutch, english in (
        (week, "begint over 7 dagen", "starts in 7 days"),
        (day, "begint morgen", "starts tomorrow"),
        (hour, "begint over een uur", "starts in one hour"),
    ):
        clock.set(due - timedelta(minutes=1))
        await runner(harness).run_due()
        assert not dms_with(emulator, vcps["sanne"], dutch)
        clock.set(due)
        await runner(harness).run_due()
        reminder = await sanne.wait_for_dm(contains=dutch)
        assert "Herinnering: Intervisie november" in reminder.text
        assert f"<t:{int(start.timestamp())}:F>" in reminder.text
        # Ahmed answered from an English Discord: from then on he is written to in English.
        await ahmed.wait_for_dm(contains=english)
    assert len(reminders(emulator, vcps["sanne"])) == 3
    assert len(dms_with(emulator, vcps["ahmed"], "Reminder:")) == 3
    assert reminder_job_times(harness) == []


async def test_a_restart_between_planning_and_the_reminder_sends_it_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(START))
    await harness.restart()
    # Rebuilt from the rows: the week and day reminders (no answer yet, so no hour one).
    assert reminder_job_times(harness) == [WEEK_BEFORE, DAY_BEFORE]
    clock.set(WEEK_BEFORE)
    await runner(harness).run_due()
    reminder = await emulator.person(vcps["sanne"]).wait_for_dm(contains="Herinnering:")
    assert "Je hebt nog niet geantwoord" in reminder.text
    assert [b["label"] for b in reminder.buttons] == ["Ja, ik kom", "Nee, ik kan niet", "Misschien"]
    await runner(harness).run_due()
    await harness.restart()
    await runner(harness).run_due()
    assert len(reminders(emulator, vcps["sanne"])) == 1
    assert reminder_job_times(harness) == [DAY_BEFORE]


async def test_downtime_within_the_grace_sends_the_reminder_late_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(START))
    await harness.stop()
    clock.set(WEEK_BEFORE + timedelta(hours=1))
    await harness.start(sync=False)
    await runner(harness).run_due()
    late = await emulator.person(vcps["sanne"]).wait_for_dm(contains="Herinnering:")
    assert "later dan gepland" in late.text
    await runner(harness).run_due()
    assert len(reminders(emulator, vcps["sanne"])) == 1
    assert not [
        m for m in emulator.person(world.coordinator).sees(world.network_log) if "offline" in m.text
    ]


async def test_downtime_beyond_the_grace_is_reported_to_the_coordinator_instead(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(START))
    await harness.stop()
    clock.set(WEEK_BEFORE + timedelta(hours=3))
    await harness.start(sync=False)
    report = await emulator.person(world.coordinator).wait_for_message(
        world.network_log, contains="omdat de bot offline was"
    )
    assert "sanne (Tragos) · Intervisie najaar" in report.text
    assert "had op woensdag 8 september 2027, 19:30 moeten komen" in report.text
    await runner(harness).run_due()
    assert reminders(emulator, vcps["sanne"]) == []
    # The next reminder still comes, on time.
    clock.set(DAY_BEFORE)
    await runner(harness).run_due()
    await emulator.person(vcps["sanne"]).wait_for_dm(contains="begint morgen")
    assert len(reminders(emulator, vcps["sanne"])) == 1


async def test_a_vcp_turns_reminders_off_and_on_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(START))
    sanne = emulator.person(vcps["sanne"])
    tragos = world.association("tragos").guild
    off = await sanne.slash(tragos, "intervisie", {"enabled": "off"}, subcommand="reminders")
    assert "Herinneringen staan uit" in (await off.wait()).message.text
    assert reminder_job_times(harness) == []
    clock.set(WEEK_BEFORE)
    await runner(harness).run_due()
    assert reminders(emulator, vcps["sanne"]) == []
    on = await sanne.slash(tragos, "intervisie", {"enabled": "on"}, subcommand="reminders")
    assert "Herinneringen staan aan" in (await on.wait()).message.text
    clock.set(DAY_BEFORE)
    await runner(harness).run_due()
    await sanne.wait_for_dm(contains="begint morgen")
    assert len(reminders(emulator, vcps["sanne"])) == 1


async def test_closed_dms_are_reported_to_the_coordinator_not_swallowed(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(
        emulator, world, {"sanne": ("tragos", "nl"), "kim": ("koko", "nl")}
    )
    vcps["kim"].dms_closed = True
    reply = await plan(
        emulator, world, {"invitees": "associations", "associations": "Tragos, Koko"}, form(START)
    )
    assert "2 personen uitgenodigd; 1 persoon kreeg de uitnodiging" in reply.text
    assert "Ik kon 1 genodigde geen bericht sturen" in reply.text
    assert "kim (Koko)" in reply.text
    coordinator = emulator.person(world.coordinator)
    [choice] = await coordinator.autocomplete(
        world.hub, "intervisie", {"session": ""}, focused="session", subcommand="show"
    )
    shown = await coordinator.slash(
        world.hub, "intervisie", {"session": int(choice["value"])}, subcommand="show"
    )
    assert "kim (Koko) · Nog geen antwoord · niet bereikbaar per privébericht" in (
        (await shown.wait()).message.text
    )
    clock.set(WEEK_BEFORE)
    await runner(harness).run_due()
    await emulator.person(vcps["sanne"]).wait_for_dm(contains="Herinnering:")
    report = await coordinator.wait_for_message(
        world.network_log, contains="kon niet worden bezorgd"
    )
    assert "kim (Koko)" in report.text and "Intervisie najaar" in report.text
