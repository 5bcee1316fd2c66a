"""Dates the coordinator cannot mean get a clear message and a way to correct the form
without typing it all again; Dutch and ISO dates both work."""

from __future__ import annotations

from datetime import datetime

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    YEAR,
    at,
    form,
    last_sunday,
    network_with_vcps,
    open_form,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
GOOD = form(at(9, 15, 19, 30))


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def test_bad_dates_and_durations_are_explained_and_the_form_can_be_corrected(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    coordinator = emulator.person(world.coordinator)
    spring = last_sunday(3, YEAR + 1)
    autumn = last_sunday(10)
    cases = [
        ({"when": f"16-08-{YEAR} 19:30"}, f"maandag 16 augustus {YEAR}, 19:30 is al voorbij"),
        ({"when": f"31-02-{YEAR} 19:30"}, f"“31-02-{YEAR}” bestaat niet op de kalender"),
        ({"when": f"{spring:%d-%m-%Y} 02:30"}, "02:30 bestaat niet op"),
        ({"when": f"{autumn:%d-%m-%Y} 02:30"}, "komt op"),
        ({"when": "ergens in september"}, "niet lezen als datum en tijd"),
        ({"duration": "9:00"}, "Een bijeenkomst duurt hoogstens 8 uur"),
        ({"duration": "anderhalf"}, "niet lezen als duur"),
        ({"location": "online"}, "begint met https://"),
    ]
    reply = None
    for change, expected in cases:
        modal = await open_form(emulator, world, TRAGOS)
        submitted = await coordinator.submit(modal, GOOD | change)
        reply = await submitted.final()
        assert reply.ephemeral and expected in reply.text, (change, reply.text)
        assert [b["label"] for b in reply.buttons] == ["Formulier verbeteren"]
    assert (
        "de zomertijd eindigt"
        in (await _answer(emulator, world, {"when": f"{autumn:%d-%m-%Y} 02:30"})).text
    )
    assert emulator.scheduled_events(world.hub) == []
    assert emulator.person(vcps["sanne"]).dms() == []

    # The last form comes back as typed; with the link fixed it goes through.
    assert reply is not None
    again = await coordinator.press(reply, label="Formulier verbeteren")
    modal = (await again.wait()).modal
    assert modal is not None
    assert modal.input("location")["value"] == "online"
    assert modal.input("when")["value"] == GOOD["when"]
    fixed = await coordinator.submit(
        modal, {"location": "online https://maastrichtuniversity.zoom.us/j/42"}
    )
    assert "1 persoon uitgenodigd" in (await fixed.final(within=20)).text
    [event] = emulator.scheduled_events(world.hub)
    assert event.entity_metadata == {"location": "https://maastrichtuniversity.zoom.us/j/42"}
    invitation = await emulator.person(vcps["sanne"]).wait_for_dm(contains="Uitnodiging")
    assert "Online: https://maastrichtuniversity.zoom.us/j/42" in invitation.text


async def _answer(emulator: Emulator, world: NetworkWorld, change: dict[str, str]):
    modal = await open_form(emulator, world, TRAGOS)
    return await (await emulator.person(world.coordinator).submit(modal, GOOD | change)).final()


@pytest.mark.parametrize(
    "typed",
    [f"{YEAR}-09-15T19:30", f"15 september {YEAR} om 19.30", f"15/09/{YEAR} 19u30"],
)
async def test_dutch_and_iso_dates_are_read_in_amsterdam_time(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, typed: str
) -> None:
    await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    reply = await _answer(emulator, world, {"when": typed})
    assert "Gepland: 1 bijeenkomst, 1 persoon uitgenodigd; 1 persoon kreeg" in reply.text
    [event] = emulator.scheduled_events(world.hub)
    assert datetime.fromisoformat(event.scheduled_start_time) == at(9, 15, 19, 30)


async def test_the_slash_command_options_are_checked_before_the_form_opens(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    coordinator = emulator.person(world.coordinator)
    for options, expected in (
        ({"invitees": "associations"}, "Noem een of meer verenigingen"),
        ({"invitees": "all", "every_weeks": 2}, "Een reeks heeft een laatste datum nodig"),
        ({"invitees": "all", "until": f"31-12-{YEAR}"}, "tot-en-met is alleen voor een reeks"),
        ({"invitees": "all", "every_weeks": 1, "until": "nooit"}, "niet lezen als datum"),
    ):
        result = await coordinator.slash(world.hub, "intervisie", options, subcommand="plan")
        reply = (await result.wait()).message
        assert reply is not None and expected in reply.text, options
    # An association that is not in the network is named, and the form can be corrected.
    modal = await open_form(
        emulator, world, {"invitees": "associations", "associations": "Tragos, Bestaatniet"}
    )
    reply = await (await coordinator.submit(modal, GOOD)).final()
    assert "Er is geen vereniging met de naam “Bestaatniet”" in reply.text
    assert emulator.scheduled_events(world.hub) == []
    # Planning a series that would be too long is refused with what to change.
    modal = await open_form(
        emulator, world, {"invitees": "all", "every_weeks": 1, "until": f"31-12-{YEAR + 2}"}
    )
    reply = await (await coordinator.submit(modal, GOOD)).final()
    assert "hoogstens 52 bijeenkomsten" in reply.text
