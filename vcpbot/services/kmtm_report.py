"""Release-safe KMTM reports and the CSV export.

A report covers one closed period and one breakdown (category, relation,
follow-up, association), network-wide, or compares the totals of the last few
closed periods (year by year). The numbers go through
``vcpbot.services.disclosure`` and come from the release ledger
(``vcpbot.services.kmtm_ledger``): the first report of a period releases the
whole period, and every later report of it returns those numbers, even when the
settings have changed since (it says so). There are no free date ranges: only
whole, closed periods.

Every report counts as a release: one posted in a channel and an export sent
privately to the coordinator alike, because the coordinator decides where a file
goes next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.kmtm import Dimension, KmtmRelease
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.i18n import Locale, category_label, formats, t
from vcpbot.services.disclosure import MIN_K, Marker, Rule
from vcpbot.services.kmtm import PeriodView, parse_choice, period_by_name
from vcpbot.services.kmtm_ledger import (
    ReportRow,
    Settings,
    compared_periods,
    decode_value,
    lock,
    record_year,
    recorded,
    release_period,
    row_from,
)
from vcpbot.services.spreadsheet import write_csv

__all__ = [
    "Report",
    "ReportRow",
    "export_csv",
    "format_rate",
    "released_otherwise",
    "report",
    "row_label",
    "row_shown",
    "shown",
]


@dataclass(frozen=True)
class Report:
    period_name: str
    dimension: Dimension
    rows: tuple[ReportRow, ...]
    # The published total; None in the year-by-year table, which has none.
    total: int | Marker | None
    k: int
    min_contributors: int
    rounded: bool
    span: int
    released_on: date
    # True when this is an earlier release returned from the ledger.
    from_ledger: bool
    # True when that earlier release used other settings than the ones asked for.
    settings_differ: bool = False

    @property
    def settings(self) -> Settings:
        return (self.k, self.min_contributors, self.rounded)


async def report(
    session: AsyncSession,
    *,
    period_name: str,
    dimension: Dimension | str,
    k: int,
    min_contributors: int = 3,
    round_to_5: bool = False,
    year_periods: int = 5,
    now: datetime,
    zone: ZoneInfo,
) -> Report:
    """The release for a closed period and a breakdown: the recorded one, or a new one."""
    dimension = parse_choice(Dimension, dimension)
    if k < MIN_K:
        raise InvalidInput("kmtm.error.bad_k", minimum=MIN_K)
    if min_contributors < MIN_K:
        raise InvalidInput("kmtm.error.bad_min_contributors", minimum=MIN_K)
    if year_periods < 1:
        raise ValueError("year_periods must be at least 1")
    period = await period_by_name(session, name=period_name)
    if not period.closed:
        raise Conflict("kmtm.error.report_open_period", name=period.name)
    span = year_periods if dimension is Dimension.YEAR else 1
    asked = (k, min_contributors, round_to_5, span)
    rule = Rule(k=k, min_contributors=min_contributors, round_to_5=round_to_5)
    released_on = now.astimezone(zone).date()

    year = dimension is Dimension.YEAR
    periods = await compared_periods(session, period, span) if year else [period]
    await lock(session, periods)
    earlier = await recorded(session, period.id, dimension)
    if earlier is not None:
        return _from_row(period, earlier, asked, from_ledger=True)
    for each in periods:
        await release_period(session, each, rule, released_on)
    if year:
        await record_year(session, period, periods, span, released_on)
    row = await recorded(session, period.id, dimension)
    if row is None:
        raise RuntimeError("the release ledger has no row right after recording one")
    return _from_row(period, row, asked, from_ledger=False)


def _from_row(
    period: PeriodView, row: KmtmRelease, asked: tuple[int, int, bool, int], *, from_ledger: bool
) -> Report:
    used = (row.k, row.min_contributors, row.rounded, row.span)
    total = row.payload["total"]
    return Report(
        period_name=period.name,
        dimension=Dimension(row.dimension),
        rows=tuple(row_from(entry) for entry in row.payload["rows"]),
        total=None if total is None else decode_value(total),
        k=row.k,
        min_contributors=row.min_contributors,
        rounded=row.rounded,
        span=row.span,
        released_on=row.released_on,
        from_ledger=from_ledger,
        settings_differ=used != asked,
    )


# --- showing -----------------------------------------------------------------


def row_label(report: Report, row: ReportRow, locale: Locale) -> str:
    if row.label is not None:
        return row.label
    if report.dimension is Dimension.CATEGORY:
        return category_label(row.key, locale)  # the same words as anonymous reporting
    return t(f"kmtm.{report.dimension.value}.{row.key}", locale)


def shown(
    report: Report, value: int | Marker | None, locale: Locale, *, k: int | None = None
) -> str:
    """A published number as text: the number, the marker, or "fewer than k"."""
    if value is None:
        return ""
    if value is Marker.SUPPRESSED:
        return t("kmtm.marker", locale)
    if value is Marker.FEWER_THAN_K:
        return t("kmtm.report.fewer_than", locale, k=report.k if k is None else k)
    return str(value)


def row_shown(report: Report, row: ReportRow, locale: Locale) -> str:
    """A row's number as text, "fewer than k" with the k of the release that made it."""
    k = None if row.released_with is None else row.released_with[0]
    return shown(report, row.value, locale, k=k)


def released_otherwise(report: Report, locale: Locale) -> list[str]:
    """Year by year: the periods whose own release used other settings than the table."""
    return [
        row_label(report, row, locale)
        for row in report.rows
        if row.released_with is not None and row.released_with != report.settings
    ]


def format_rate(rate: float, locale: Locale) -> str:
    """One decimal, with the language's decimal sign (CLDR): 12,5 in Dutch, 12.5 in English."""
    return formats.one_decimal(rate, locale)


def export_csv(report: Report, *, locale: Locale) -> str:
    """The release as CSV: the same published numbers, one row per cell, then the total.

    ``status`` says in fixed English words what ``count`` holds, for spreadsheets:
    published, suppressed or fewer_than_k. Rates use a decimal point in both
    languages, so a spreadsheet reads them as numbers. Names (of associations and
    periods) are written so that a spreadsheet never runs one as a formula.
    """

    def line(key: str, label: str, value: int | Marker, text: str, rate: float | None) -> list:
        status = value.value if isinstance(value, Marker) else "published"
        rate_text = "" if rate is None else f"{rate:.1f}"
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
    header = ["period", "breakdown", "key", "label", "count", "status", "per_1000_members"]
    return write_csv(header, lines)
