"""Files that people open in a spreadsheet (CSV, XLSX): no cell may run as a formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some also after a leading tab or carriage return; a formula can
fetch a web address (``=HYPERLINK``, ``=WEBSERVICE``) or, in older programs, run
a command. Names in the bot's exports come from other people (a board names its
association, a VCP their Discord name, the coordinator a session or a period), so
every text cell of every export goes through ``safe_cell``: such a cell gets a
leading apostrophe, which spreadsheets read as "this is text" (OWASP's advice on
CSV injection). Every CSV the bot produces is written with ``write_csv``, every
workbook with ``write_xlsx``; in a workbook numbers stay numbers, and text cells
are written as text (never as a formula) and also made safe, so the name stays
harmless if someone saves the sheet as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a workbook cannot hold (the XML of the file forbids them).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters a sheet's name may not have, and its longest length.
_NOT_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31
COLUMN_WIDTH_MAX = 60


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ","
) -> str:
    """The rows as CSV text, every cell made safe, the header as it is (fixed words)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


# A workbook cell: a number stays a number; anything else is written as text.
Value = int | float | str | None


@dataclass(frozen=True)
class Sheet:
    """One sheet: heading lines, a table (header, rows, a closing row), notes below."""

    title: str
    heading: Sequence[str]
    header: Sequence[str]
    rows: Sequence[Sequence[Value]]
    footer: Sequence[Value] = ()
    notes: Sequence[str] = ()
    # Number format for the floats of the table, e.g. "0.0".
    decimals: str = "0.0"


def write_xlsx(sheets: Sequence[Sheet], *, active: int = 0) -> bytes:
    """The sheets as an XLSX workbook; ``active`` is the sheet it opens on."""
    # Imported here: only the export needs it.
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    titles: set[str] = set()
    for sheet in sheets:
        _fill(book.create_sheet(_sheet_title(sheet.title, titles)), sheet)
    book.active = active
    book.properties.creator = "vcpbot"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(target: Worksheet, sheet: Sheet) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    row = 1
    for n, line in enumerate(sheet.heading):
        _put(target, row, 1, line).font = Font(bold=True, size=13) if n == 0 else Font()
        row += 1
    row += 1
    for column, name in enumerate(sheet.header, start=1):
        _put(target, row, column, name).font = bold
    for values in sheet.rows:
        row += 1
        for column, value in enumerate(values, start=1):
            _put(target, row, column, value, decimals=sheet.decimals)
    if sheet.footer:
        row += 1
        for column, value in enumerate(sheet.footer, start=1):
            _put(target, row, column, value, decimals=sheet.decimals).font = bold
    row += 1
    for line in sheet.notes:
        row += 1
        _put(target, row, 1, line)
    labels = [len(str(values[0] or "")) for values in sheet.rows] + [len(sheet.header[0])]
    target.column_dimensions["A"].width = min(max(labels, default=10) + 2, COLUMN_WIDTH_MAX)
    for letter in "BC":
        target.column_dimensions[letter].width = 18


def _put(target: Worksheet, row: int, column: int, value: Value, *, decimals: str = "0.0") -> Cell:
    """One cell: numbers as numbers, everything else as safe text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        value = None if value is None else safe_cell(_NOT_IN_XLSX.sub("", str(value)))
    cell = target.cell(row=row, column=column, value=value)
    if cell.data_type == "f":  # cannot happen after safe_cell; never write a formula
        raise ValueError("a workbook cell would hold a formula")
    if isinstance(value, float):
        cell.number_format = decimals
    return cell


def _sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name a spreadsheet accepts: no []:*?/\\, at most 31 characters, unique."""
    base = _NOT_IN_SHEET_TITLE.sub(" ", _NOT_IN_XLSX.sub("", title)).strip("' ") or "Sheet"
    base = base[:SHEET_TITLE_MAX]
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    taken.add(name.casefold())
    return name
