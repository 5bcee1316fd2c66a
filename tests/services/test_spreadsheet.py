"""Every CSV the bot writes: a cell a spreadsheet would run as a formula is written as
text, and everything else is left exactly as it was."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from vcpbot.services.spreadsheet import Sheet, safe_cell, write_csv, write_xlsx


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("https://example.org","Open")', "+31 6", "-1+2", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_cell_that_would_run_as_a_formula_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text
    [_, row] = list(csv.reader(io.StringIO(write_csv(["name"], [[text]]))))
    assert row == ["'" + text]


@pytest.mark.parametrize(
    ("value", "written"),
    [("Tragos", "Tragos"), ("2026-09-15", "2026-09-15"), (7, "7"), (None, ""), ("a=b", "a=b")],
)
def test_everything_else_is_written_as_it_is(value: object, written: str) -> None:
    assert safe_cell(value) == written


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("https://example.org","Open")', "+31 6", "-1+2", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_workbook_writes_such_a_cell_as_text_and_numbers_as_numbers(text: str) -> None:
    sheet = Sheet(
        title="Vereniging: [alle]?",
        heading=[text],
        header=["Naam", "Aantal"],
        rows=[[text + "\x07", 7], ["Tragos", 2.5]],
    )
    data = write_xlsx([sheet, sheet])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    assert b"<f>" not in xml and b"<f " not in xml
    book = load_workbook(io.BytesIO(data))
    # A sheet's name may not hold []:*?/\ and must be unique.
    assert book.sheetnames == ["Vereniging   alle", "Vereniging   alle (2)"]
    cells = {c.value: c for row in book.worksheets[0].iter_rows() for c in row if c.value}
    # (XML reads a carriage return back as a line feed.)
    assert cells["'" + text.replace("\r", "\n")].data_type == "s"
    assert (cells[7].data_type, cells[2.5].data_type) == ("n", "n")
