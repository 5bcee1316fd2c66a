"""``/cases report year:``: the UM team reads a year's figures privately, in their language,
as a table, a chart and a workbook, with small numbers hidden (issue 18)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    code_in,
    escalate,
    network_with,
    receipt_in,
)
from tests.e2e.escalation.test_escalation_retention import close_by_reporter
from vcpbot.db.escalation import CaseCount
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

NEW_YEAR = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
# The rest of the team's 2026 besides the case the story reports and closes: as
# ``count_closed`` left it when each case closed (the cases themselves may be long gone).
REST_OF_2026 = [
    ("2026-Q1", "vcp", "intimidation", "soon", "advice_given", 11),
    ("2026-Q2", "vcp", "bullying", "routine", "referred_internally", 9),
    ("2026-Q3", "vcp", "discrimination", "soon", "referred_externally", 8),
    ("2026-Q4", "member", "bullying", "soon", "advice_given", 7),
]
WORDS = {
    "nl": {"title": "Anonieme meldingen in 2026", "stalking": "Stalking"},
    "en": {"title": "Anonymous cases in 2026", "stalking": "Stalking"},
}


async def a_year_of_cases(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    """One urgent stalking case, reported and closed by its VCP in August; the rest counted."""
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(
        emulator, vcp, tragos.guild, text="Iemand volgt me.", category="stalking", urgency="urgent"
    )
    code_in(confirmation)
    await close_by_reporter(emulator, vcp, receipt_in(confirmation))
    assert harness.bot is not None
    async with harness.bot.db.sessions.begin() as session:
        for period, route, category, urgency, outcome, count in REST_OF_2026:
            session.add(
                CaseCount(
                    period=period, route=route, category=category, urgency=urgency,
                    outcome=outcome, count=count,
                )
            )  # fmt: skip
    clock.set(NEW_YEAR)


async def cases_report(emulator: Emulator, user: User, guild, year: int = 2026) -> Message:
    result = await emulator.person(user).slash(guild, "cases", {"year": year}, subcommand="report")
    return await result.final()


def table_rows(message: Message) -> dict[str, str]:
    """Label -> number, from the fixed-width tables in the embed ("  12  Bullying")."""
    found = {}
    for line in message.embeds[0]["description"].splitlines():
        parts = line.strip().split("  ", 1)
        if len(parts) == 2 and not line.startswith(("**", "`")):  # not a heading or fence
            found[parts[1].strip()] = parts[0].strip()
    return found


def workbook_rows(message: Message) -> tuple[dict[str, object], list[str]]:
    [xlsx] = [a for a in message.attachments if a.filename.endswith(".xlsx")]
    book = load_workbook(io.BytesIO(xlsx.data))
    found = {}
    for sheet in book.worksheets:
        for label, value, *_ in sheet.iter_rows(values_only=True, min_col=1, max_col=2):
            if label and value is not None:
                found[str(label)] = value
    return found, [sheet.title for sheet in book.worksheets]


@pytest.mark.parametrize("who", ["coordinator", "team_member"])
async def test_the_team_reads_the_years_figures_with_a_hidden_cell_in_its_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock, who: str
) -> None:
    await a_year_of_cases(emulator, world, harness, clock)
    person = getattr(world, who)  # the coordinator reads Dutch, the team member English
    words = WORDS["nl" if person.locale == "nl" else "en"]

    shown = await cases_report(emulator, person, world.hub)

    assert shown.ephemeral
    assert words["title"] in shown.text
    rows = table_rows(shown)
    # The one stalking case: hidden, not "1".
    assert rows[words["stalking"]] == "*"
    assert "36" in shown.text  # 35 counted + the story's own case: the total is shown
    names = sorted(a.filename for a in shown.attachments)
    assert names == ["cases-2026.png", "cases-2026.xlsx"]
    [png] = [a for a in shown.attachments if a.filename.endswith(".png")]
    assert png.data.startswith(b"\x89PNG") and png.description
    # The workbook holds what the table shows: a sheet per breakdown and the medians.
    book, sheets = workbook_rows(shown)
    assert len(sheets) == 5
    for label, number in rows.items():
        assert str(book[label]) == number, label
    # Asked again, the same numbers (the ledger).
    again = await cases_report(emulator, person, world.hub)
    assert table_rows(again) == rows


async def test_a_vcp_or_a_member_is_refused_privately(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await a_year_of_cases(emulator, world, harness, clock)
    tragos = world.association("tragos")
    vcp = world.users["sanne"]
    member = add_member(emulator, world, "tragos", "noor", locale="en-US")

    for person in (vcp, member):
        refused = await cases_report(emulator, person, tragos.guild)
        assert refused.ephemeral and not refused.attachments
        assert "hub" in refused.text.lower()
    # In the hub without the team's role (a VCP who is also there): not for them either.
    emulator.add_member(world.hub, vcp)
    refused = await cases_report(emulator, vcp, world.hub)
    assert refused.ephemeral and not refused.attachments
    assert "team" in refused.text.lower()


async def test_a_year_that_is_not_over_is_not_shown_yet(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await a_year_of_cases(emulator, world, harness, clock)

    refused = await cases_report(emulator, world.team_member, world.hub, year=2027)

    assert refused.ephemeral and not refused.attachments
    assert "once that year is over" in refused.text
