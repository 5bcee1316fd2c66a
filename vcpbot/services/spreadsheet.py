"""CSV files that people open in a spreadsheet: no cell may run as a formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some also after a leading tab or carriage return; a formula can
fetch a web address (``=HYPERLINK``, ``=WEBSERVICE``) or, in older programs, run
a command. Names in the bot's exports come from other people (a board names its
association, a VCP their Discord name, the coordinator a session or a period), so
every cell of every export goes through ``safe_cell``: such a cell gets a leading
apostrophe, which spreadsheets read as "this is text" (OWASP's advice on CSV
injection). Every CSV the bot produces is written with ``write_csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text, every cell made safe, the header as it is (fixed words)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
