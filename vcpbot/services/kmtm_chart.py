"""A PNG chart of a KMTM release, in the reader's language.

Draws only what the release publishes: a bar for each published count, a
hatched grey stripe and the marker for each hidden one (no bar length, which
would hint at a size), the legend explaining the marker, and below the chart
the total, the rule used and the release date. Uses matplotlib's object API on
the Agg canvas, never ``pyplot``, so no global figure state is shared between
reports drawn at the same time.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import replace
from typing import TYPE_CHECKING

from vcpbot.db.kmtm import Dimension
from vcpbot.i18n import Locale, t
from vcpbot.services.disclosure import Marker
from vcpbot.services.kmtm_report import (
    Report,
    ReportRow,
    format_rate,
    released_otherwise,
    row_label,
    row_shown,
    shown,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAR = "#2f6f8f"
HIDDEN = "#c8c8c8"
LABEL_WIDTH = 30
DPI = 110
# A bar per association, up to this many: two hundred bars make a picture nobody can
# read in Discord and take seconds to draw. The table and the CSV hold every row.
CHART_ROWS_MAX = 40


def render_png(report: Report, *, locale: Locale) -> bytes:
    """The chart as PNG bytes."""
    buffer = io.BytesIO()
    draw(report, locale=locale).savefig(buffer, format="png")
    return buffer.getvalue()


def draw(report: Report, *, locale: Locale) -> Figure:
    """The chart as a matplotlib figure on its own Agg canvas."""
    # Imported here: matplotlib is heavy and only the report command needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    year = report.dimension is Dimension.YEAR
    notes = _notes(report, locale)
    if len(report.rows) > CHART_ROWS_MAX and report.dimension is Dimension.ASSOCIATION:
        notes.append(
            t("kmtm.report.chart_largest", locale, shown=CHART_ROWS_MAX, rows=len(report.rows))
        )
        report = replace(report, rows=_largest(report.rows, CHART_ROWS_MAX))
    plot = 3.0 if year else 0.42 * max(len(report.rows), 1)
    legend_top = 0.18 * len(notes) + 0.55  # notes, then the two legend lines
    bottom = legend_top + (0.75 if year else 0.55)  # room for the axis labels
    height = 0.6 + plot + bottom
    left = 0.08 if year else 0.30
    figure = Figure(figsize=(9.0, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((left, bottom / height, 0.96 - left, plot / height))
    if year:
        _draw_years(axes, report, locale)
    else:
        _draw_bars(axes, report, locale)
    axes.set_title(
        t(f"kmtm.report.title.{report.dimension.value}", locale, period=report.period_name),
        loc="left",
        fontsize=12,
        fontweight="bold",
    )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.legend(
        handles=[
            Patch(facecolor=BAR, label=t("kmtm.report.count_axis", locale)),
            Patch(
                facecolor=HIDDEN,
                hatch="///",
                edgecolor="#888888",
                label=t("kmtm.marker.legend", locale, k=report.k),
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(0.01, legend_top / height),
        frameon=False,
        fontsize=9,
    )
    figure.text(0.015, 0.12 / height, "\n".join(notes), fontsize=8, color="#444444")
    # Names come from other people: a "$...$" in one must print as it is, not be
    # parsed as a formula (a malformed one would stop the chart from being drawn).
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    return figure


def _largest(rows: tuple[ReportRow, ...], count: int) -> tuple[ReportRow, ...]:
    """The ``count`` largest published rows, in the table's order (hidden ones are left out)."""
    published = [row for row in rows if isinstance(row.value, int)]
    keep = {id(row) for row in sorted(published, key=lambda r: -int(r.value))[:count]}
    return tuple(row for row in rows if id(row) in keep)


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LABEL_WIDTH)) or text


def _draw_bars(axes: Axes, report: Report, locale: Locale) -> None:
    labels = [_wrap(row_label(report, row, locale)) for row in report.rows]
    positions = list(range(len(report.rows)))
    published = [row.value for row in report.rows if isinstance(row.value, int)]
    right = max([*published, report.k]) * 1.18
    for y, row in zip(positions, report.rows, strict=True):
        if isinstance(row.value, int):
            axes.barh(y, row.value, color=BAR, height=0.65)
            axes.text(row.value + right * 0.01, y, str(row.value), va="center", fontsize=9)
        else:
            axes.barh(
                y, right, color=HIDDEN, alpha=0.35, hatch="///", edgecolor="#999999", height=0.5
            )
            axes.text(right * 0.01, y, t("kmtm.marker", locale), va="center", fontsize=11)
    axes.set_yticks(positions, labels, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, right)
    axes.set_xlabel(t("kmtm.report.count_axis", locale))


def _draw_years(axes: Axes, report: Report, locale: Locale) -> None:
    positions = list(range(len(report.rows)))
    published = [row.value for row in report.rows if isinstance(row.value, int)]
    top = max([*published, report.k]) * 1.25
    for x, row in zip(positions, report.rows, strict=True):
        if isinstance(row.value, int):
            axes.bar(x, row.value, color=BAR, width=0.6)
            text = str(row.value)
            if row.rate_per_1000 is not None:
                rate = format_rate(row.rate_per_1000, locale)
                text += "\n" + t("kmtm.report.rate", locale, rate=rate)
            axes.text(x, row.value + top * 0.01, text, ha="center", va="bottom", fontsize=9)
        else:
            axes.bar(x, top, color=HIDDEN, alpha=0.45, hatch="///", edgecolor="#888888", width=0.6)
            axes.text(x, top * 0.5, _wrap(row_shown(report, row, locale)), ha="center", fontsize=9)
    axes.set_xticks(positions, [_wrap(row_label(report, row, locale)) for row in report.rows])
    axes.set_ylim(0, top)
    axes.set_ylabel(t("kmtm.report.count_axis", locale))


def _notes(report: Report, locale: Locale) -> list[str]:
    notes = []
    if report.total is not None:
        notes.append(f"{t('kmtm.report.total', locale)}: {shown(report, report.total, locale)}")
        if report.total is Marker.SUPPRESSED:
            notes.append(
                t("kmtm.marker.total_legend", locale, min_contributors=report.min_contributors)
            )
    key = (
        "kmtm.report.rule_association"
        if report.dimension
        in (
            Dimension.ASSOCIATION,
            Dimension.YEAR,
        )
        else "kmtm.report.rule"
    )
    notes.append(t(key, locale, k=report.k, min_contributors=report.min_contributors))
    without_rate = [
        row_label(report, row, locale)
        for row in report.rows
        if report.dimension is Dimension.YEAR
        and isinstance(row.value, int)
        and row.rate_per_1000 is None
    ]
    if without_rate:
        notes.append(f"{', '.join(without_rate)}: {t('kmtm.report.no_rate', locale)}")
    if report.rounded:
        notes.append(t("kmtm.report.rounded", locale))
    earlier = released_otherwise(report, locale)
    if earlier:
        notes.append(t("kmtm.report.year_as_released", locale, periods=", ".join(earlier)))
    notes.append(t("kmtm.report.released", locale, date=report.released_on.isoformat()))
    return notes
