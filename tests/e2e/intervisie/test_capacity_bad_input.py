"""A maximum the coordinator cannot mean (none, fewer than none, more than any room
holds) is refused before the form opens, privately, with the range that works and how
to plan without a maximum; in the coordinator's language."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import network_with_vcps, start_clock, three_association_world
from vcpbot.services.intervisie import PLACES_MAX
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

DUTCH = ("nl", "Het aantal plaatsen moet tussen 1 en {high} liggen; je gaf {given}.")
ENGLISH = ("en-US", "The number of places must be between 1 and {high}; you gave {given}.")


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


@pytest.mark.parametrize("language", [DUTCH, ENGLISH], ids=["nl", "en"])
async def test_a_maximum_of_zero_negative_or_too_many_places_is_refused_before_the_form(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, language: tuple[str, str]
) -> None:
    locale, expected = language
    await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    world.coordinator.locale = locale
    coordinator = emulator.person(world.coordinator)
    for given in (0, -3, PLACES_MAX + 1):
        options = {"invitees": "associations", "associations": "Tragos", "places": given}
        opened = await coordinator.slash(world.hub, "intervisie", options, subcommand="plan")
        reply = await opened.wait()
        assert reply.modal is None
        assert reply.message.ephemeral
        assert expected.format(high=PLACES_MAX, given=given) in reply.message.text
    # Nothing was planned, and nobody was invited.
    invitations = [m for m in emulator.messages_by_bot() if "Uitnodiging" in m.text]
    assert invitations == []
