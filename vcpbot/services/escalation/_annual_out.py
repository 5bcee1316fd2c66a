"""The yearly figures in words, as a table, a chart (PNG) and a workbook (XLSX).

Shows only what the release (``_annual``) publishes: a hidden count is the same
marker KMTM uses, a hidden median "too few to show", and a hidden cell never gets
a bar (a bar of any length would hint at a size). Every output carries the notes
on how to read it: what is counted, how open cases count, the rule, the release
date. Drawn with matplotlib's object API on the Agg canvas, as KMTM's charts are.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from vcpbot.i18n import Locale, category_label, formats, t
from vcpbot.services.disclosure import Marker
from vcpbot.services.escalation._types import Breakdown, FigureRow, FigureTable, YearFigures
from vcpbot.services.spreadsheet import Sheet, Value, write_xlsx

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BAR = "#2f6f8f"
MARKER = "#555555"
DPI = 150
WIDTH_INCHES = 9.0
NOTE_WIDTH = 130


def breakdown_name(breakdown: Breakdown, locale: Locale) -> str:
    """What a table breaks the year down by, in ``locale``."""
    return t(f"casereport.breakdown.{breakdown.value}", locale)


def row_name(breakdown: Breakdown, row: FigureRow, locale: Locale) -> str:
    """A row's words: a category as in the report form, a route, an urgency, an outcome."""
    if breakdown is Breakdown.CATEGORY:
        return category_label(row.key, locale)
    if breakdown is Breakdown.MEDIAN:
        route, measure = row.key.split(".")
        where = t("casereport.route.all" if route == "all" else f"escalation.route.{route}", locale)
        return t(f"casereport.median.{measure}", locale, route=where)
    if breakdown is Breakdown.URGENCY:
        return t(f"casereport.urgency.{row.key}", locale)
    return t(f"escalation.{breakdown.value}.{row.key}", locale)


def value_text(figures: YearFigures, value: int | float | Marker | None, locale: Locale) -> str:
    """A published number as text; a marker as the words the notes explain."""
    if value is None:
        return ""
    if value is Marker.FEWER_THAN_K:
        return t("kmtm.report.fewer_than", locale, k=figures.k)
    if isinstance(value, Marker):
        return t("kmtm.marker", locale)
    if isinstance(value, float):
        return formats.one_decimal(value, locale)
    return str(value)


def row_text(figures: YearFigures, table: FigureTable, row: FigureRow, locale: Locale) -> str:
    """A row's value as shown: days for a median ("too few to show" when hidden)."""
    if table.breakdown is Breakdown.MEDIAN:
        if isinstance(row.value, Marker):
            return t("casereport.median.hidden", locale)
        return value_text(figures, row.value, locale)
    return value_text(figures, row.value, locale)


def title(figures: YearFigures, locale: Locale) -> str:
    """The heading: which year."""
    return t("casereport.title", locale, year=figures.year)


def total_line(figures: YearFigures, locale: Locale) -> str:
    """The year's total as released (the marker when it is hidden)."""
    total = figures.table(Breakdown.CATEGORY).total
    return t("casereport.total", locale, total=value_text(figures, total, locale))


def notes(figures: YearFigures, locale: Locale) -> list[str]:
    """How to read the figures: what counts, open cases, the markers, the rule, the release."""
    found = [
        t("casereport.note.counted", locale, year=figures.year, date=figures.released_on),
        t("casereport.note.open", locale),
        t("kmtm.marker.legend", locale, k=figures.k),
        t("casereport.note.median", locale, k=figures.k),
        t("casereport.note.rule", locale, k=figures.k),
    ]
    if figures.table(Breakdown.CATEGORY).total is Marker.SUPPRESSED:
        found.append(t("casereport.note.total_hidden", locale))
    if figures.rounded:
        found.append(t("kmtm.report.rounded", locale))
    found.append(t("kmtm.report.released", locale, date=figures.released_on))
    if figures.settings_differ:
        found.append(t("kmtm.report.earlier_settings", locale))
    return found


def table_lines(figures: YearFigures, table: FigureTable, locale: Locale) -> list[str]:
    """One breakdown as fixed-width lines: the number first, then the label."""
    cells = [
        (row_text(figures, table, r, locale), row_name(table.breakdown, r, locale))
        for r in table.rows
    ]
    width = max(len(number) for number, _ in cells)
    return [f"{number.rjust(width)}  {label}" for number, label in cells]


# --- the chart ---------------------------------------------------------------


def render_png(figures: YearFigures, *, locale: Locale) -> bytes:
    """The four breakdowns as bar charts, one under the other, and the medians as text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    counted = [table for table in figures.tables if table.breakdown is not Breakdown.MEDIAN]
    heights = [0.35 * len(table.rows) + 0.9 for table in counted]
    medians = figures.table(Breakdown.MEDIAN)
    below = [
        f"{row_name(medians.breakdown, r, locale)}: {row_text(figures, medians, r, locale)}"
        for r in medians.rows
    ] + [part for line in notes(figures, locale) for part in textwrap.wrap(line, NOTE_WIDTH)]
    top, bottom = 0.9, 0.17 * len(below) + 0.4
    height = top + sum(heights) + bottom
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(figure)
    y = height - top
    for table, size in zip(counted, heights, strict=True):
        y -= size
        axes = figure.add_axes((0.38, (y + 0.35) / height, 0.58, (size - 0.75) / height))
        _bars(axes, figures, table, locale)
    figure.text(0.015, 1 - 0.3 / height, title(figures, locale), fontsize=12, fontweight="bold")
    figure.text(0.015, 1 - 0.6 / height, total_line(figures, locale), fontsize=10)
    figure.text(0.015, 0.12 / height, "\n".join(below), fontsize=8, color="#444444")
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _bars(axes: Axes, figures: YearFigures, table: FigureTable, locale: Locale) -> None:
    published = [int(r.value) for r in table.rows if isinstance(r.value, int)]
    right = max([*published, figures.k]) * 1.2
    for y, row in enumerate(table.rows):
        if isinstance(row.value, int):
            axes.barh(y, row.value, color=BAR, height=0.65)
            axes.text(row.value + right * 0.01, y, str(row.value), va="center", fontsize=8)
        else:
            shown = value_text(figures, row.value, locale)
            axes.text(right * 0.01, y, shown, va="center", fontsize=9, color=MARKER)
    labels = [textwrap.shorten(row_name(table.breakdown, r, locale), 45) for r in table.rows]
    axes.set_yticks(range(len(table.rows)), labels, fontsize=8)
    axes.set_ylim(len(table.rows) - 0.5, -0.5)
    axes.set_xlim(0, right)
    axes.set_title(breakdown_name(table.breakdown, locale), fontsize=9, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def alt_text(figures: YearFigures, *, locale: Locale) -> str:
    """The chart in a few words, for a screen reader (the table says the rest)."""
    return t("casereport.chart_alt", locale, year=figures.year)[:1024]


# --- the workbook ------------------------------------------------------------


def export_xlsx(figures: YearFigures, *, locale: Locale) -> bytes:
    """A sheet per breakdown (and one for the medians), with the notes on each sheet."""
    return write_xlsx(sheets(figures, locale=locale))


def sheets(figures: YearFigures, *, locale: Locale) -> list[Sheet]:
    """The workbook's sheets, for a workbook that holds more (the year pack)."""
    return [_sheet(figures, table, locale) for table in figures.tables]


def _sheet(figures: YearFigures, table: FigureTable, locale: Locale) -> Sheet:
    name = breakdown_name(table.breakdown, locale)
    median = table.breakdown is Breakdown.MEDIAN
    column = t("casereport.median.column" if median else "casereport.count", locale)
    rows: list[list[Value]] = []
    for row in table.rows:
        value: Value = row.value if isinstance(row.value, int | float) else None
        shown = value if value is not None else row_text(figures, table, row, locale)
        rows.append([row_name(table.breakdown, row, locale), shown])
    footer: list[Value] = []
    if table.total is not None:
        total = table.total
        footer = [
            t("kmtm.report.total", locale),
            total if isinstance(total, int) else value_text(figures, total, locale),
        ]
    return Sheet(
        title=name,
        heading=[title(figures, locale), total_line(figures, locale)],
        header=[name, column],
        rows=rows,
        footer=footer,
        notes=notes(figures, locale),
    )
