"""The coordinator invites more people to a session already planned, or to it and the
rest of its series: the new people get one invitation each, in their language; who
was invited already hears nothing again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    at,
    component_id,
    dms_with,
    form,
    network_with_vcps,
    plan,
    session_ids,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
FIRST = at(9, 15, 19, 30)
SERIES = TRAGOS | {"every_weeks": 2, "until": f"{FIRST + timedelta(weeks=4):%d-%m-%Y}"}
PEOPLE = {"sanne": ("tragos", "nl"), "liv": ("saurus", "en-US"), "kim": ("koko", "nl")}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def invite(emulator: Emulator, world: NetworkWorld, options: dict) -> object:
    coordinator = emulator.person(world.coordinator)
    return await coordinator.slash(world.hub, "intervisie", options, subcommand="invite")


async def test_an_association_is_invited_to_a_planned_session_later(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, PEOPLE)
    await plan(emulator, world, TRAGOS, form(FIRST, title="Intervisie najaar"))
    [session_id] = await session_ids(emulator, world, subcommand="invite", typed="najaar")
    added = await invite(
        emulator,
        world,
        {"session": session_id, "invitees": "associations", "associations": "Saurus"},
    )
    done = await added.final(within=20)
    assert done.ephemeral
    assert "1 persoon uitgenodigd" in done.text
    invitation = await emulator.person(vcps["liv"]).wait_for_dm(contains="Intervisie najaar")
    assert "Invitation" in invitation.text  # liv's Discord is English
    assert [a.filename for a in invitation.attachments] == [
        "intervisie-" + f"{FIRST:%Y-%m-%d-%H%M}.ics"
    ]
    assert len(dms_with(emulator, vcps["sanne"], "Intervisie najaar")) == 1  # not again
    assert dms_with(emulator, vcps["kim"], "Intervisie najaar") == []

    again = await invite(
        emulator,
        world,
        {"session": session_id, "invitees": "associations", "associations": "Saurus"},
    )
    assert "was al uitgenodigd" in (await again.final(within=20)).text
    assert len(dms_with(emulator, vcps["liv"], "Intervisie najaar")) == 1


async def test_a_chosen_person_is_invited_to_the_rest_of_a_series(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, PEOPLE)
    await plan(emulator, world, SERIES, form(FIRST, title="Intervisie reeks"))
    _, second, _ = await session_ids(emulator, world, subcommand="invite", typed="reeks")
    coordinator = emulator.person(world.coordinator)
    asked = await invite(
        emulator,
        world,
        {"session": second, "invitees": "people", "rest_of_series": True},
    )
    picker = (await asked.wait()).message
    assert picker.ephemeral and "Wie nodig je uit voor **Intervisie reeks**" in picker.text
    await (
        await coordinator.select(picker, component_id(picker, "vcps"), [str(vcps["kim"].id)])
    ).wait()
    sent = await coordinator.press(picker, label="Uitnodigingen versturen")
    summary = await sent.followup(1, within=20)
    assert "2 bijeenkomsten, 1 persoon uitgenodigd" in summary.text
    [invitation] = dms_with(emulator, vcps["kim"], "Intervisie reeks")
    assert len(invitation.attachments) == 2  # the second and third dates, not the first
