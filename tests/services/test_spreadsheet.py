"""Every CSV the bot writes: a cell a spreadsheet would run as a formula is written as
text, and everything else is left exactly as it was."""

import csv
import io

import pytest

from vcpbot.services.spreadsheet import safe_cell, write_csv


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
