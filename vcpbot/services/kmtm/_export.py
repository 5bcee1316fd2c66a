"""The coordinator's KMTM files: a workbook of the whole period and a CSV of one table.

Every export is a release, like a report: the numbers come from the release ledger
(``kmtm_report.period_reports``), and the coordinator decides where a file goes next.

**The workbook** (XLSX) has every breakdown of the period on its own sheet (and the
year-by-year table when that was asked for). Counts and rates are numbers a
spreadsheet can add up; a hidden cell holds the marker the table shows, as text.
Every sheet carries the period's dates, how many associations took part, the total
as released and the notes on how to read it, so a sheet copied on its own still says
what was hidden and why it may be.

**The CSV** is one table. It opens correctly in the Excel of the reader's language:
UTF-8 with a byte-order mark (so accented names stay whole); in Dutch with
semicolons between the cells and decimal commas, which is what Dutch Excel expects,
in English with commas and decimal points. There is no ``sep=`` line: Excel then
ignores the byte-order mark, and every other program reads it as data. Someone whose
Excel speaks the other language opens the workbook, which looks the same everywhere.
The column names stay fixed English words for scripts.
"""

from __future__ import annotations

from collections.abc import Sequence

from vcpbot.db.kmtm import Dimension
from vcpbot.i18n import Locale, t
from vcpbot.services.disclosure import Marker
from vcpbot.services.kmtm._report import (
    ReportRow,
    format_rate,
    heading,
    notes,
    row_label,
    row_shown,
    shown,
    title,
)
from vcpbot.services.kmtm._types import Report
from vcpbot.services.spreadsheet import Sheet, Value, write_csv, write_xlsx

CSV_COLUMNS = ("period", "breakdown", "key", "label", "count", "status", "per_1000_members")
CSV_SEPARATOR: dict[Locale, str] = {"nl": ";", "en": ","}


def export_xlsx(
    reports: Sequence[Report], *, locale: Locale, active: Dimension | None = None
) -> bytes:
    """The releases as one workbook, a sheet each; it opens on ``active``'s sheet."""
    dimensions = [r.dimension for r in reports]
    first = dimensions.index(active) if active in dimensions else 0
    return write_xlsx(export_sheets(reports, locale=locale), active=first)


def export_sheets(reports: Sequence[Report], *, locale: Locale) -> list[Sheet]:
    """The workbook's sheets, a release each, for a workbook that holds more (the year pack)."""
    return [_sheet(report, locale) for report in reports]


def _sheet(report: Report, locale: Locale) -> Sheet:
    year = report.dimension is Dimension.YEAR
    header = [t(f"kmtm.dimension.{report.dimension.value}", locale)]
    header.append(t("kmtm.report.count_axis", locale))
    if year:
        header.append(t("kmtm.report.rate_column", locale))
    rows: list[list[Value]] = []
    for row in report.rows:
        cells: list[Value] = [row_label(report, row, locale), _number(report, row, locale)]
        if year:
            cells.append(row.rate_per_1000)
        rows.append(cells)
    footer: list[Value] = []
    if report.total is not None:
        total = report.total
        shown_total = total if isinstance(total, int) else shown(report, total, locale)
        footer = [t("kmtm.report.total", locale), shown_total]
    return Sheet(
        title=header[0],
        heading=[title(report, locale), *heading(report, locale)],
        header=header,
        rows=rows,
        footer=footer,
        notes=notes(report, locale),
    )


def _number(report: Report, row: ReportRow, locale: Locale) -> Value:
    return row.value if isinstance(row.value, int) else row_shown(report, row, locale)


def export_csv(report: Report, *, locale: Locale) -> bytes:
    """The release as CSV bytes: the same published numbers, one row per cell, then the total.

    ``status`` says in fixed English words what ``count`` holds: published,
    suppressed or fewer_than_k. Names (of associations and periods) are written so
    that a spreadsheet never runs one as a formula.
    """

    def line(key: str, label: str, value: int | Marker, text: str, rate: float | None) -> list[str]:
        status = value.value if isinstance(value, Marker) else "published"
        rate_text = "" if rate is None else format_rate(rate, locale)
        return [report.period_name, report.dimension.value, key, label, text, status, rate_text]

    lines = [
        line(
            r.key,
            row_label(report, r, locale),
            r.value,
            row_shown(report, r, locale),
            r.rate_per_1000,
        )
        for r in report.rows
    ]
    if report.total is not None:
        total = shown(report, report.total, locale)
        lines.append(line("total", t("kmtm.report.total", locale), report.total, total, None))
    text = write_csv(CSV_COLUMNS, lines, delimiter=CSV_SEPARATOR[locale])
    return text.encode("utf-8-sig")
