"""The chart of a KMTM release, in the language asked for: PNG for Discord and print, SVG.

Draws only what the release publishes. A published count is a bar with its number; a
hidden one gets no bar at all, only the marker the table uses (``*``, or "fewer than
k" where that is what was published) at the foot of its line: a bar of any length
would hint at a size, and a full-width one made hidden rows look like the biggest.
Which rule hid a cell is never shown (``vcpbot.services.disclosure``). Above the
chart: the title, the period's dates, how many associations took part and the total
as the ledger released it; below it, how to read the chart and the release date.

The PNG is drawn at 300 dpi, 9 inches wide, so it prints sharply and Discord
previews it; the SVG keeps its text as text (searchable, editable for a poster).
``alt_text`` reads the chart out for a screen reader (Discord's attachment
description). A report posted for the team is drawn in the hub's language, an export
in the coordinator's (``cogs/kmtm/_preview.py``). Uses matplotlib's object API on the
Agg canvas, never ``pyplot``, so no figure state is shared between reports drawn at
the same time.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import replace
from typing import TYPE_CHECKING

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
    title,
)
from vcpbot.services.kmtm._types import Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAR = "#2f6f8f"
MARKER = "#555555"
LABEL_WIDTH = 30
NOTE_WIDTH = 140
# Print resolution; the figure is 9 inches wide, so 2700 pixels.
DPI = 300
WIDTH_INCHES = 9.0
# A bar per association, up to this many: two hundred bars make a picture nobody can
# read in Discord and take seconds to draw. The table and the exports hold every row.
CHART_ROWS_MAX = 40
# Discord's limit for an attachment's description.
ALT_TEXT_MAX = 1024


def render_png(report: Report, *, locale: Locale) -> bytes:
    """The chart as PNG bytes, 300 dpi."""
    buffer = io.BytesIO()
    draw(report, locale=locale).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def render_svg(report: Report, *, locale: Locale) -> bytes:
    """The chart as SVG, its text kept as text."""
    import matplotlib

    # Read when the SVG is written; always set to the same value, so charts drawn in
    # parallel threads cannot disturb each other.
    matplotlib.rcParams["svg.fonttype"] = "none"
    buffer = io.BytesIO()
    draw(report, locale=locale).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def draw(report: Report, *, locale: Locale) -> Figure:
    """The chart as a matplotlib figure on its own Agg canvas.

    Published bars carry the gid ``bar-<n>`` and hidden rows' markers ``hidden-<n>``
    (``n`` counts the rows drawn), which the SVG keeps as element ids.
    """
    # Imported here: matplotlib is heavy and only reports and exports need it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    year = report.dimension is Dimension.YEAR
    report, capped = _shown_rows(report, locale)
    below = _wrapped([*capped, *notes(report, locale, marker=_any_hidden(report))])
    plot = 3.0 if year else 0.42 * max(len(report.rows), 1)
    top = 0.85
    bottom = 0.16 * len(below) + 0.3 + (0.75 if year else 0.55)  # notes, then axis labels
    height = top + plot + bottom
    left = 0.08 if year else 0.30
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((left, bottom / height, 0.96 - left, plot / height))
    (_draw_years if year else _draw_bars)(axes, report, locale)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.text(0.015, 1 - 0.3 / height, title(report, locale), fontsize=12, fontweight="bold")
    subtitle = " · ".join(heading(report, locale))
    figure.text(0.015, 1 - 0.6 / height, subtitle, fontsize=10, color="#222222")
    figure.text(0.015, 0.12 / height, "\n".join(below), fontsize=8, color="#444444")
    # Names come from other people: a "$...$" in one must print as it is, not be
    # parsed as a formula (a malformed one would stop the chart from being drawn).
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    return figure


def alt_text(report: Report, *, locale: Locale) -> str:
    """The chart in words, for a screen reader: what it shows, then each row as drawn."""
    report, capped = _shown_rows(report, locale)
    head = [t("kmtm.chart.alt_kind", locale), title(report, locale), *_alt_heading(report, locale)]
    text = ". ".join(part.rstrip(".") for part in [*head, *capped]) + "."
    items = [
        f"{row_label(report, row, locale)}: {_alt_value(report, row, locale)}"
        for row in report.rows
    ]
    for shown in range(len(items), -1, -1):
        rest = len(items) - shown
        tail = [t("kmtm.chart.alt_more", locale, count=rest)] if rest else []
        candidate = " ".join([text, "; ".join([*items[:shown], *tail])]).strip()
        if len(candidate) <= ALT_TEXT_MAX:
            return candidate
    return text[:ALT_TEXT_MAX]


def _alt_heading(report: Report, locale: Locale) -> list[str]:
    """The heading with words for a hidden total: a screen reader reads "*" as "star"."""
    found = heading(report, locale)
    if report.total is Marker.SUPPRESSED:
        found[-1] = f"{t('kmtm.report.total', locale)}: {t('kmtm.chart.alt_hidden', locale)}"
    return found


def _alt_value(report: Report, row: ReportRow, locale: Locale) -> str:
    if row.value is Marker.SUPPRESSED:
        return t("kmtm.chart.alt_hidden", locale)
    text = row_shown(report, row, locale)
    if row.rate_per_1000 is not None:
        text += f" ({t('kmtm.report.rate', locale, rate=format_rate(row.rate_per_1000, locale))})"
    return text


def _shown_rows(report: Report, locale: Locale) -> tuple[Report, list[str]]:
    """The rows the chart draws, and the note that says so when they are not all."""
    if len(report.rows) <= CHART_ROWS_MAX or report.dimension is not Dimension.ASSOCIATION:
        return report, []
    note = t("kmtm.report.chart_largest", locale, shown=CHART_ROWS_MAX, rows=len(report.rows))
    return replace(report, rows=_largest(report.rows, CHART_ROWS_MAX)), [note]


def _largest(rows: tuple[ReportRow, ...], count: int) -> tuple[ReportRow, ...]:
    """The ``count`` largest published rows, in the table's order (hidden ones are left out)."""
    published = [row for row in rows if isinstance(row.value, int)]
    keep = {id(row) for row in sorted(published, key=lambda r: -int(r.value))[:count]}
    return tuple(row for row in rows if id(row) in keep)


def _any_hidden(report: Report) -> bool:
    return isinstance(report.total, Marker) or any(
        not isinstance(row.value, int) for row in report.rows
    )


def _wrap(text: str, width: int = LABEL_WIDTH) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _wrapped(lines: list[str]) -> list[str]:
    return [part for line in lines for part in textwrap.wrap(line, NOTE_WIDTH) or [line]]


def _draw_bars(axes: Axes, report: Report, locale: Locale) -> None:
    labels = [_wrap(row_label(report, row, locale)) for row in report.rows]
    positions = list(range(len(report.rows)))
    published = [row.value for row in report.rows if isinstance(row.value, int)]
    right = max([*published, report.k]) * 1.18
    for y, row in zip(positions, report.rows, strict=True):
        if isinstance(row.value, int):
            [bar] = axes.barh(y, row.value, color=BAR, height=0.65).patches
            bar.set_gid(f"bar-{y}")
            axes.text(row.value + right * 0.01, y, str(row.value), va="center", fontsize=9)
        else:
            axes.text(
                right * 0.01,
                y,
                row_shown(report, row, locale),
                va="center",
                fontsize=11,
                color=MARKER,
                gid=f"hidden-{y}",
            )
    axes.set_yticks(positions, labels, fontsize=9 if len(positions) <= 20 else 8)
    # Top to bottom in the table's order, half a line of room at either end.
    axes.set_ylim(max(len(positions), 1) - 0.5, -0.5)
    axes.set_xlim(0, right)
    axes.set_xlabel(t("kmtm.report.count_axis", locale))


def _draw_years(axes: Axes, report: Report, locale: Locale) -> None:
    positions = list(range(len(report.rows)))
    published = [row.value for row in report.rows if isinstance(row.value, int)]
    top = max([*published, report.k]) * 1.25
    for x, row in zip(positions, report.rows, strict=True):
        if isinstance(row.value, int):
            [bar] = axes.bar(x, row.value, color=BAR, width=0.6).patches
            bar.set_gid(f"bar-{x}")
            text = str(row.value)
            if row.rate_per_1000 is not None:
                rate = format_rate(row.rate_per_1000, locale)
                text += "\n" + t("kmtm.report.rate", locale, rate=rate)
            axes.text(x, row.value + top * 0.01, text, ha="center", va="bottom", fontsize=9)
        else:
            axes.text(
                x,
                top * 0.02,
                _wrap(row_shown(report, row, locale), 16),
                ha="center",
                va="bottom",
                fontsize=9,
                color=MARKER,
                gid=f"hidden-{x}",
            )
    axes.set_xticks(positions, [_wrap(row_label(report, row, locale)) for row in report.rows])
    axes.set_xlim(-0.6, len(positions) - 0.4)
    axes.set_ylim(0, top)
    axes.set_ylabel(t("kmtm.report.count_axis", locale))
