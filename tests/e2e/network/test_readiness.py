"""Readiness per association: the coordinator sees, for four associations with different
gaps, what each has in place (those needing attention first) and a spreadsheet with the
same lines; a board sees its own line with /setup-status, fixes a gap, and the
coordinator sees it gone. A member's anonymous report changes nothing in either view."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    escalate,
    network_with,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.help.steps import set_contact
from tests.e2e.kmtm.steps import attachment
from vcpbot_harness import BotHarness, NetworkWorld, seed_network_world

FOUR = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("circumflex", "Circumflex", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
    ("koko", "Koko", "en-US"),
)
CASE_WORDS = ("melding", "report", "KMTM", "zaak", "case")


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FOUR)


async def _panel(emulator: Emulator, world: NetworkWorld, key: str) -> None:
    association = world.association(key)
    posted = await emulator.person(association.admin).slash(
        association.guild, "anonymous-contact", {"channel": association.general}, subcommand="panel"
    )
    assert (await posted.final()).ephemeral


async def _four_associations(emulator: Emulator, world: NetworkWorld) -> None:
    """Tragos has everything; Saurus VCPs and a contact; Koko only the panel; Circumflex
    only joined."""
    await network_with(emulator, world, "tragos", "circumflex", "saurus", "koko")
    for key, locale in (("tragos", "nl"), ("saurus", "en-US")):
        await add_vcp(emulator, world, key, f"{key}-vcp", locale=locale)
        association = world.association(key)
        await set_contact(emulator, association.admin, association.guild)
    await _panel(emulator, world, "tragos")
    await _panel(emulator, world, "koko")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))


async def _readiness(emulator: Emulator, world: NetworkWorld):
    result = await emulator.person(world.coordinator).slash(
        world.hub, "network", subcommand="readiness"
    )
    reply = await result.final()
    assert reply.ephemeral
    return reply


def _fields(reply) -> dict[str, str]:
    [embed] = reply.embeds
    return {field["name"]: field["value"] for field in embed["fields"]}


def _rows(reply, first_column: str = "Vereniging") -> list[list[object]]:
    book = load_workbook(io.BytesIO(attachment(reply, "xlsx").data))
    sheet = book.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == first_column)
    return [row for row in rows[header + 1 :] if row[0] and row[1] is not None]


async def _status(emulator: Emulator, world: NetworkWorld, key: str):
    association = world.association(key)
    result = await emulator.person(association.admin).slash(association.guild, "setup-status")
    reply = await result.final()
    assert reply.ephemeral
    return reply


async def test_the_coordinator_sees_each_associations_gaps_and_a_board_fixes_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_associations(emulator, world)

    before = await _readiness(emulator, world)

    fields = _fields(before)
    # Circumflex has the most gaps and comes first; Tragos, with everything, last.
    assert list(fields) == ["Circumflex", "Koko", "Saurus Maastricht", "Studentenvereniging Tragos"]
    assert "Open: geen VCP's geregistreerd, gedragscode" in fields["Circumflex"]
    assert "contact in /hulp: niet ingesteld" in fields["Circumflex"]
    assert "paneel anoniem melden: geplaatst" in fields["Koko"]
    assert "VCP's: 1" in fields["Saurus Maastricht"]
    assert "route voor leden: aan" in fields["Studentenvereniging Tragos"]
    assert "Gedragscode: niet gepubliceerd" in fields["Studentenvereniging Tragos"]
    # The spreadsheet has the same lines, in the same order.
    rows = _rows(before)
    assert [row[0] for row in rows] == list(fields)
    assert rows[0][1] == 0 and rows[-1][1] == 1
    assert rows[-1][6:9] == ["ja", "ja", "ja"]

    # A member of Tragos reports anonymously: nothing in readiness changes.
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    await escalate(emulator, member, world.association("tragos").guild, text="Iets vervelends.")
    after_report = await _readiness(emulator, world)
    assert _fields(after_report) == fields and _rows(after_report) == rows
    for word in CASE_WORDS:
        assert word.casefold() not in "\n".join(fields.values()).casefold()

    # Circumflex's board looks at its own line and sees what to do next.
    status = await _status(emulator, world, "circumflex")
    assert "Circumflex: wat er geregeld is" in status.text
    assert "Wat je als volgende kunt doen" in status.text
    assert "/hulp-beheer contact" in status.text
    assert "Koko" not in status.text and "Tragos" not in status.text

    circumflex = world.association("circumflex")
    await set_contact(emulator, circumflex.admin, circumflex.guild)

    fixed = await _status(emulator, world, "circumflex")
    assert "/hulp-beheer contact" not in fixed.text
    assert "contact in /hulp: ingesteld" in fixed.text
    again = _fields(await _readiness(emulator, world))
    assert "contact in /hulp: ingesteld" in again["Circumflex"]
    assert "contact in /hulp," not in again["Circumflex"].split("Open:")[1]


async def test_an_english_board_reads_its_status_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_associations(emulator, world)

    status = await _status(emulator, world, "koko")

    assert "Koko: what is in place" in status.text
    assert "What you can do next" in status.text
    assert "Register your VCPs with /vcp add" in status.text
    assert "/anonymous-contact panel" not in status.text  # the panel is posted
    assert "The UM coordinator sees this same line" in status.text


async def test_an_english_coordinator_reads_readiness_and_the_sheet_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    world.coordinator.locale = "en-US"
    await _four_associations(emulator, world)

    reply = await _readiness(emulator, world)

    assert "Readiness per association" in reply.text
    fields = _fields(reply)
    assert "Open: no VCPs registered, code of conduct" in fields["Circumflex"]
    assert "Code of conduct: not published" in fields["Studentenvereniging Tragos"]
    rows = _rows(reply, "Association")
    assert [row[0] for row in rows] == list(fields)
    assert rows[-1][6:9] == ["yes", "yes", "yes"] and rows[0][2] == "not published"


async def test_a_board_outside_the_network_a_member_and_the_team_are_refused(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")

    outside = await _status_refused(emulator, world, "koko")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    # Even when a server opens the command to everyone, the bot checks Manage Server.
    world.association("tragos").guild.open_command_to_everyone("setup-status")
    as_member = await (
        await emulator.person(member).slash(world.association("tragos").guild, "setup-status")
    ).final()
    as_team_member = await (
        await emulator.person(world.team_member).slash(world.hub, "network", subcommand="readiness")
    ).final()

    assert outside.ephemeral and "wat er geregeld is" not in outside.text.casefold()
    assert as_member.ephemeral and "wat er geregeld is" not in as_member.text
    assert as_team_member.ephemeral and not as_team_member.attachments


async def _status_refused(emulator: Emulator, world: NetworkWorld, key: str):
    association = world.association(key)
    result = await emulator.person(association.admin).slash(association.guild, "setup-status")
    return await result.final()
