"""A VCP logs the last evening's contact the next morning: the form says it counts toward
the period that just ended, until when, and once the coordinator closes the period the
form is refused and nothing is counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from discord_emulator import Emulator
from discord_emulator.interactions import Modal
from tests.e2e.kmtm.steps import (
    FIVE_ASSOCIATIONS,
    add_vcp,
    close_period,
    create_period,
    kmtm,
    log_contact,
    network_of_five,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world

TEXT_DISPLAY = 10


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


@pytest.fixture
def clock() -> ManualClock:
    # The morning after the period's last day (KMTM 2026 runs 10 to 16 August).
    return ManualClock(datetime(2026, 8, 17, 7, 30, tzinfo=UTC))


def notes(modal: Modal) -> str:
    """The text the form shows above its questions."""
    return "\n".join(c["content"] for c in modal.components if c.get("type") == TEXT_DISPLAY)


async def test_the_last_evenings_contact_counts_until_the_coordinator_closes_the_period(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world, "KMTM 2026", "10-08-2026", "16-08-2026")
    tragos, saurus = world.association("tragos"), world.association("saurus")
    sanne = await add_vcp(emulator, world, "tragos", "sanne")
    liv = await add_vcp(emulator, world, "saurus", "liv", locale="en-US")

    opened = await (
        await emulator.person(sanne).slash(tragos.guild, "kmtm", subcommand="log")
    ).wait()
    assert opened.modal is not None
    assert opened.modal.title == "Contact registreren · KMTM 2026"
    shown = notes(opened.modal)
    assert "KMTM 2026 is afgelopen op zondag 16 augustus 2026" in shown
    assert "telt mee voor KMTM 2026" in shown and "woensdag 19 augustus 2026" in shown
    english = await (
        await emulator.person(liv).slash(saurus.guild, "kmtm", subcommand="log")
    ).wait()
    assert english.modal is not None
    assert "KMTM 2026 ended on Sunday 16 August 2026" in notes(english.modal)
    assert "counts toward KMTM 2026" in notes(english.modal)

    logged = await emulator.person(sanne).submit(
        opened.modal, {"category": "stalking", "relation": "student", "follow_up": "listening_ear"}
    )
    assert "Geregistreerd voor KMTM 2026" in (await logged.final()).text
    listed = await kmtm(emulator, world.coordinator, world.hub, "period list")
    assert "nagekomen contacten" in listed.text and "woensdag 19 augustus 2026" in listed.text

    # The coordinator closes the period while Liv's form is still open: it is refused.
    closed = await close_period(emulator, world)
    assert "afgesloten" in closed.text
    refused = await emulator.person(liv).submit(
        english.modal, {"category": "advice", "relation": "unknown", "follow_up": "nothing_yet"}
    )
    answer = await refused.final()
    assert answer.ephemeral and "KMTM 2026" in answer.text and "not counted" in answer.text
    again = await log_contact(emulator, sanne, tragos.guild, "advice", "unknown", "nothing_yet")
    assert "geen KMTM-periode open" in again.text
