"""Release-safe KMTM reports, and how a release is put into words.

A report covers one closed period and one breakdown (category, relation,
follow-up, association), network-wide, or compares the totals of the last few
closed periods (year by year). The numbers go through
``vcpbot.services.disclosure`` and come from the release ledger
(``vcpbot.services.kmtm._ledger``): the first report of a period releases the
whole period, and every later report of it returns those numbers, even when the
settings have changed since (it says so). There are no free date ranges: only
whole, closed periods.

Every report counts as a release the moment the coordinator sees it: the private
preview of ``/kmtm report`` (whether it is then posted or not, see
``kmtm_preview``) and an export sent privately to the coordinator alike, because
the coordinator has seen the numbers and decides where a file goes next. The files
themselves are made in ``kmtm_export``, the chart in ``kmtm_chart``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.kmtm import Dimension, KmtmRelease
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.i18n import Locale, category_label, formats, t
from vcpbot.services.disclosure import MIN_K, Marker, Rule
from vcpbot.services.kmtm._counting import parse_choice, period_by_name
from vcpbot.services.kmtm._ledger import (
    BREAKDOWNS,
    compared_periods,
    decode_value,
    lock,
    record_year,
    recorded,
    release_period,
    row_from,
)
from vcpbot.services.kmtm._types import PeriodView, Report, ReportRow

# Shown where a year's rate is missing (not every association gave its member count).
NO_RATE = "–"

__all__ = [
    "NO_RATE",
    "Report",
    "ReportRow",
    "format_rate",
    "heading",
    "notes",
    "period_reports",
    "released_otherwise",
    "report",
    "row_label",
    "row_shown",
    "shown",
    "title",
]


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
    row = await recorded(session, period.id, dimension)
    from_ledger = row is not None
    if row is None:
        for each in periods:
            await release_period(session, each, rule, released_on)
        if year:
            await record_year(session, period, periods, span, released_on)
        row = await recorded(session, period.id, dimension)
    if row is None:
        raise RuntimeError("the release ledger has no row right after recording one")
    associations = None if year else await released_associations(session, period)
    return from_row(period, row, asked, associations, from_ledger=from_ledger)


async def period_reports(
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
) -> list[Report]:
    """Every breakdown of a closed period, and the year-by-year table when that is asked for.

    The first breakdown releases the whole period (``kmtm_ledger``), so the others come
    from the ledger: asking for all of them releases nothing a single report would not.
    The year table releases earlier periods too, so it is only added when asked for.
    """
    asked = parse_choice(Dimension, dimension)
    wanted = [*BREAKDOWNS, Dimension.YEAR] if asked is Dimension.YEAR else list(BREAKDOWNS)
    if asked is not Dimension.YEAR:
        wanted.remove(asked)
        wanted.insert(0, asked)
    found = {}
    for each in wanted:
        found[each] = await report(
            session,
            period_name=period_name,
            dimension=each,
            k=k,
            min_contributors=min_contributors,
            round_to_5=round_to_5,
            year_periods=year_periods,
            now=now,
            zone=zone,
        )
    return [found[d] for d in (*BREAKDOWNS, Dimension.YEAR) if d in found]


async def released_associations(session: AsyncSession, period: PeriodView) -> int | None:
    """The associations the period's release lists by association, as released.

    Not the number that logged at least one contact: the association table hides small
    counts, zero among them, and that number would tell how many hidden cells are zero.
    """
    row = await recorded(session, period.id, Dimension.ASSOCIATION)
    return None if row is None else len(row.payload["rows"])


def from_row(
    period: PeriodView,
    row: KmtmRelease,
    asked: tuple[int, int, bool, int],
    associations: int | None,
    *,
    from_ledger: bool,
) -> Report:
    """A ledger row as a report; ``asked`` are the settings the reader asked for."""
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
        start_date=period.start_date,
        end_date=period.end_date,
        associations=associations,
        from_ledger=from_ledger,
        settings_differ=used != asked,
    )


# --- showing -----------------------------------------------------------------


def row_label(report: Report, row: ReportRow, locale: Locale) -> str:
    """A row's words in ``locale``: its own label, or the catalog's for its key (a
    category in the same words as anonymous reporting).
    """
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


def title(report: Report, locale: Locale) -> str:
    """The report's heading in ``locale``: what it counts, in which period."""
    return t(f"kmtm.report.title.{report.dimension.value}", locale, period=report.period_name)


def heading(report: Report, locale: Locale) -> list[str]:
    """What a reader needs beside the numbers: the period's dates, how many associations
    took part, and the total as released (hidden when the ledger has it hidden)."""
    dates = t("kmtm.report.dates", locale, start=report.start_date, end=report.end_date)
    if report.dimension is Dimension.YEAR:
        return [f"{report.period_name}: {dates}"]
    found = [dates]
    if report.associations is not None:
        found.append(t("kmtm.report.associations", locale, count=report.associations))
    if report.total is not None:
        found.append(f"{t('kmtm.report.total', locale)}: {shown(report, report.total, locale)}")
    return found


def notes(report: Report, locale: Locale, *, marker: bool = True) -> list[str]:
    """How to read a release: the marker, the rule, rounding, the release date."""
    found = [t("kmtm.marker.legend", locale, k=report.k)] if marker else []
    if report.total is Marker.SUPPRESSED:
        found.append(
            t("kmtm.marker.total_legend", locale, min_contributors=report.min_contributors)
        )
    by_whole = report.dimension in (Dimension.ASSOCIATION, Dimension.YEAR)
    key = "kmtm.report.rule_association" if by_whole else "kmtm.report.rule"
    found.append(t(key, locale, k=report.k, min_contributors=report.min_contributors))
    if report.associations is not None:
        found.append(t("kmtm.report.associations_note", locale))
    if any(
        isinstance(r.value, int) and r.rate_per_1000 is None
        for r in report.rows
        if report.dimension is Dimension.YEAR
    ):
        found.append(f"{NO_RATE}: {t('kmtm.report.no_rate', locale)}")
    if report.rounded:
        found.append(t("kmtm.report.rounded", locale))
    earlier = released_otherwise(report, locale)
    if earlier:
        found.append(t("kmtm.report.year_as_released", locale, periods=earlier))
    found.append(t("kmtm.report.released", locale, date=report.released_on))
    if report.settings_differ:
        found.append(t("kmtm.report.earlier_settings", locale))
    return found


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
