"""A training for everyone in the reporting structure: the coordinator plans a
training with the intervisie machinery, marks who came, and completion is recorded
per VCP; the VCP sees it in /intervisie mine, readiness counts trained VCPs, and when
the training is due the VCP hears it once, before and at expiry, after which the
count drops. Only the coordinator can plan one."""

from __future__ import annotations

import io
from datetime import UTC, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from discord_emulator import Emulator
from discord_emulator.entities import User
from tests.e2e.intervisie.steps import (
    AMS,
    at,
    component_id,
    dms_with,
    form,
    network_with_vcps,
    open_form,
    session_ids,
    start_clock,
    three_association_world,
)
from tests.e2e.kmtm.steps import attachment
from vcpbot.i18n import formats
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student
from vcpbot_harness.steps import intervisie

START = at(9, 15, 19, 30)
# Twelve months after the training, at the same wall time.
EXPIRES = START.replace(year=START.year + 1).astimezone(UTC)
TRAGOS_TRAINING = {
    "invitees": "associations",
    "associations": "Tragos",
    "training": "Basistraining VCP",
    "valid_months": 12,
}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def _training_due(harness: BotHarness) -> Any:
    assert harness.bot is not None
    cog: Any = harness.bot.get_cog("IntervisieCog")
    return cog.training


async def _plan_training(emulator: Emulator, world: NetworkWorld) -> list[str]:
    """The coordinator plans the training; what they see, in order."""
    modal = await open_form(emulator, world, TRAGOS_TRAINING)
    submitted = await emulator.person(world.coordinator).submit(
        modal, form(START, title="Basistraining VCP", agenda="Rollenspel en casuïstiek.")
    )
    summary = await submitted.final(within=20)
    training = await submitted.followup(2, within=20)
    assert summary.ephemeral and training.ephemeral
    return [summary.text, training.text]


async def _mark_present(
    emulator: Emulator, world: NetworkWorld, clock: ManualClock, present: list[User], save: str
) -> str:
    clock.set(START.astimezone(UTC) + timedelta(hours=3))
    coordinator = emulator.person(world.coordinator)
    [held] = await session_ids(emulator, world, subcommand="attendance")
    opened = await coordinator.slash(
        world.hub, "intervisie", {"session": held}, subcommand="attendance"
    )
    sheet = (await opened.wait()).message
    chosen = [str(user.id) for user in present]
    await (await coordinator.select(sheet, component_id(sheet, "present0"), chosen)).wait()
    return (await (await coordinator.press(sheet, label=save)).wait()).message.text


async def _mine(emulator: Emulator, world: NetworkWorld, user: User) -> str:
    result = await emulator.person(user).slash(
        world.association("tragos").guild, "intervisie", subcommand="mine"
    )
    reply = await result.final()
    assert reply.ephemeral
    return reply.text


async def _readiness(emulator: Emulator, world: NetworkWorld) -> tuple[str, list[list[object]]]:
    result = await emulator.person(world.coordinator).slash(
        world.hub, "network", subcommand="readiness"
    )
    reply = await result.final()
    assert reply.ephemeral
    [embed] = reply.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    book = load_workbook(io.BytesIO(attachment(reply, "xlsx").data))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    return fields["Studentenvereniging Tragos"], rows


def _tragos_row(rows: list[list[object]]) -> list[object]:
    return next(row for row in rows if row[0] == "Studentenvereniging Tragos")


async def test_a_training_is_planned_attended_shown_and_expires_in_dutch(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(
        emulator, world, {"sanne": ("tragos", "nl"), "daan": ("tragos", "nl")}
    )
    sanne, daan = vcps["sanne"], vcps["daan"]

    summary, training = await _plan_training(emulator, world)
    assert "2 personen uitgenodigd" in summary
    assert "Dit is een training: **Basistraining VCP**, geldig 12 maanden" in training
    invitation = await emulator.person(sanne).wait_for_dm(contains="Uitnodiging: Basistraining VCP")
    await (await emulator.person(sanne).press(invitation, label="Ja, ik kom")).wait()

    saved = await _mark_present(emulator, world, clock, [sanne], "Opslaan")
    assert "Opgeslagen: 1 van de 2 aanwezig" in saved
    assert "1 VCP staat nu als getraind geregistreerd in **Basistraining VCP**" in saved

    # Sanne sees her own record; Daan, who was not there, has none.
    mine = await _mine(emulator, world, sanne)
    until = formats.day(EXPIRES.astimezone(AMS).date(), "nl")
    assert "Jouw trainingen" in mine
    assert f"**Basistraining VCP**: gevolgd op {formats.day(START.date(), 'nl')}" in mine
    assert f"geldig tot {until}" in mine
    assert "Jouw trainingen" not in await _mine(emulator, world, daan)

    line, rows = await _readiness(emulator, world)
    assert "VCP's: 2, getraind: 1" in line and "Open:" in line and "training" in line
    header = next(row for row in rows if row and row[0] == "Vereniging")
    assert _tragos_row(rows)[header.index("Getrainde VCP's")] == 1
    board = world.association("tragos")
    status = await (await emulator.person(board.admin).slash(board.guild, "setup-status")).final()
    assert "getraind: 1" in status.text
    assert "Niet al jullie VCP's hebben een geldige training" in status.text

    # Thirty days before it expires Sanne hears it once, and once more at expiry.
    runner = _training_due(harness)
    clock.set(EXPIRES - timedelta(days=30, minutes=1))
    await runner.run_due()
    assert not dms_with(emulator, sanne, "Basistraining VCP** (gevolgd op")
    clock.set(EXPIRES - timedelta(days=30))
    await runner.run_due()
    await runner.run_due()
    soon = dms_with(emulator, sanne, "geldt nog tot")
    assert len(soon) == 1 and until in soon[0].text and "Er is geen haast" in soon[0].text

    # A restart in between sends nothing twice.
    await harness.restart()
    runner = _training_due(harness)
    clock.set(EXPIRES)
    await runner.run_due()
    await runner.run_due()
    expired = dms_with(emulator, sanne, "is sinds")
    assert len(expired) == 1 and "tijd voor een opfrisser" in expired[0].text
    assert len(dms_with(emulator, sanne, "geldt nog tot")) == 1
    assert not dms_with(emulator, daan, "Basistraining VCP** (gevolgd op")

    line, rows = await _readiness(emulator, world)
    assert "VCP's: 2, getraind: 0" in line
    assert _tragos_row(rows)[header.index("Getrainde VCP's")] == 0
    assert "verlopen op" in await _mine(emulator, world, sanne)


async def test_an_english_vcp_sees_their_training_and_its_reminders_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    world.coordinator.locale = "en-US"
    vcps = await network_with_vcps(emulator, world, {"ahmed": ("tragos", "en-US")})
    ahmed = vcps["ahmed"]

    summary, training = await _plan_training(emulator, world)
    assert "1 person invited" in summary
    assert "This is a training: **Basistraining VCP**, valid for 12 months" in training
    await emulator.person(ahmed).wait_for_dm(contains="Invitation: Basistraining VCP")
    saved = await _mark_present(emulator, world, clock, [ahmed], "Save")
    assert "1 of 1" in saved
    assert "1 VCP is now recorded as trained in **Basistraining VCP**" in saved

    mine = await _mine(emulator, world, ahmed)
    until = formats.day(EXPIRES.astimezone(AMS).date(), "en")
    assert "Your trainings" in mine and f"valid until {until}" in mine

    line, _ = await _readiness(emulator, world)
    assert "VCPs: 1, trained: 1" in line

    runner = _training_due(harness)
    clock.set(EXPIRES - timedelta(days=30))
    await runner.run_due()
    clock.set(EXPIRES + timedelta(days=1))
    await runner.run_due()
    assert len(dms_with(emulator, ahmed, "is valid until")) == 1
    assert len(dms_with(emulator, ahmed, "expired on")) == 1
    line, _ = await _readiness(emulator, world)
    assert "VCPs: 1, trained: 0" in line


async def test_only_the_coordinator_can_plan_a_training(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    tragos = world.association("tragos").guild
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    for user in (vcps["sanne"], student):
        result = await emulator.person(user).slash(
            tragos, "intervisie", TRAGOS_TRAINING, subcommand="plan"
        )
        refusal = await result.final()
        assert refusal.ephemeral and "werkt alleen in de hub-server" in refusal.text
    in_hub = await intervisie.open_plan_form(emulator, world, TRAGOS_TRAINING, world.team_member)
    assert in_hub is None
    assert not dms_with(emulator, vcps["sanne"], "Basistraining")
