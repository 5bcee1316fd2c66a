"""Release-safe KMTM reports, the release ledger, and the CSV export.

A report covers one closed period and one breakdown (category, relation,
follow-up, association), network-wide, or compares the totals of the last few
closed periods (year by year). The numbers go through
``vcpbot.services.disclosure`` and are recorded in the release ledger: asking
again returns the recorded release, even when the settings have changed since,
because two differently suppressed releases of one table could be subtracted
from each other. There are no free date ranges: only whole, closed periods.

Rates per 1000 members (year by year) are given for a period only when its total
is published and every association that logged contacts in it registered a
member count; the denominator is the sum of all member counts registered for
the period. The rate is computed from the published (possibly rounded) total, so
it tells nothing the total does not.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.kmtm import (
    COUNTER_TABLES,
    Category,
    Dimension,
    FollowUp,
    KmtmByCategory,
    KmtmMembers,
    KmtmPeriod,
    KmtmRelease,
    Relation,
)
from vcpbot.db.network import Association
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.i18n import Locale, formats, t
from vcpbot.services.disclosure import MIN_K, Cell, Marker, Rule, protect, protect_total
from vcpbot.services.kmtm import PeriodView, parse_choice, period_by_name

VALUES: dict[Dimension, tuple[str, ...]] = {
    Dimension.CATEGORY: tuple(Category),
    Dimension.RELATION: tuple(Relation),
    Dimension.FOLLOW_UP: tuple(FollowUp),
}


@dataclass(frozen=True)
class ReportRow:
    # A category, relation or follow-up key; an association's id; a period's name.
    key: str
    # A proper name (association, period) as it was at release; None for the fixed
    # lists, whose label comes from the catalog (``row_label``).
    label: str | None
    value: int | Marker
    rate_per_1000: float | None = None


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

    recorded = await _recorded(session, period.id, dimension)
    if recorded is not None:
        return _from_row(period, recorded, asked, from_ledger=True)
    rule = Rule(k=k, min_contributors=min_contributors, round_to_5=round_to_5)
    rows, total = await _compute(session, period, dimension, rule, span)
    released_on = now.astimezone(zone).date()
    inserted = await _record(
        session,
        period=period,
        dimension=dimension,
        asked=asked,
        rows=rows,
        total=total,
        released_on=released_on,
    )
    recorded = await _recorded(session, period.id, dimension)
    if recorded is None:
        raise RuntimeError("the release ledger has no row right after recording one")
    return _from_row(period, recorded, asked, from_ledger=not inserted)


# --- computing ---------------------------------------------------------------


async def _compute(
    session: AsyncSession, period: PeriodView, dimension: Dimension, rule: Rule, span: int
) -> tuple[list[ReportRow], int | Marker | None]:
    if dimension is Dimension.YEAR:
        return await _year_rows(session, period, rule, span), None
    if dimension is Dimension.ASSOCIATION:
        cells, names = await _association_cells(session, period.id)
        rule = Rule(
            k=rule.k,
            min_contributors=rule.min_contributors,
            round_to_5=rule.round_to_5,
            cell_contributor_rule=False,
        )
    else:
        cells, names = await _counter_cells(session, period.id, dimension), {}
    release = protect(cells, rule)
    rows = [ReportRow(c.label, names.get(c.label), c.value) for c in release.cells]
    return rows, release.total


async def _counter_cells(session: AsyncSession, period_id: int, dimension: Dimension) -> list[Cell]:
    table = COUNTER_TABLES[dimension]
    result = await session.execute(
        select(table.value, table.association_id, table.count).where(
            table.period_id == period_id, table.count > 0
        )
    )
    counts: dict[str, int] = defaultdict(int)
    contributors: dict[str, set[int]] = defaultdict(set)
    for value, association_id, count in result.all():
        counts[value] += count
        contributors[value].add(association_id)
    return [Cell(v, counts[v], frozenset(contributors[v])) for v in VALUES[dimension]]


async def _association_cells(
    session: AsyncSession, period_id: int
) -> tuple[list[Cell], dict[str, str]]:
    """Every association that logged or registered members for the period, by name."""
    totals = dict(
        (
            await session.execute(
                select(KmtmByCategory.association_id, func.sum(KmtmByCategory.count))
                .where(KmtmByCategory.period_id == period_id)
                .group_by(KmtmByCategory.association_id)
            )
        ).all()
    )
    registered = set(
        (
            await session.scalars(
                select(KmtmMembers.association_id).where(KmtmMembers.period_id == period_id)
            )
        ).all()
    )
    ids = set(totals) | registered
    names: dict[int, str] = {}
    if ids:
        found = await session.execute(
            select(Association.id, Association.name).where(Association.id.in_(ids))
        )
        names = {row.id: row.name for row in found}
    cells = []
    for association_id in sorted(ids, key=lambda i: (names[i].casefold(), i)):
        count = int(totals.get(association_id) or 0)
        who = frozenset({association_id}) if count else frozenset()
        cells.append(Cell(str(association_id), count, who))
    return cells, {str(i): names[i] for i in ids}


async def _year_rows(
    session: AsyncSession, period: PeriodView, rule: Rule, span: int
) -> list[ReportRow]:
    periods = (
        await session.scalars(
            select(KmtmPeriod)
            .where(KmtmPeriod.closed_on.is_not(None), KmtmPeriod.start_date <= period.start_date)
            .order_by(KmtmPeriod.start_date.desc())
            .limit(span)
        )
    ).all()
    rows = []
    for row in reversed(periods):
        per_association = dict(
            (
                await session.execute(
                    select(KmtmByCategory.association_id, func.sum(KmtmByCategory.count))
                    .where(KmtmByCategory.period_id == row.id, KmtmByCategory.count > 0)
                    .group_by(KmtmByCategory.association_id)
                )
            ).all()
        )
        members = dict(
            (
                await session.execute(
                    select(KmtmMembers.association_id, KmtmMembers.members).where(
                        KmtmMembers.period_id == row.id
                    )
                )
            ).all()
        )
        value = protect_total(int(sum(per_association.values())), per_association, rule)
        rate = None
        if isinstance(value, int) and members and set(per_association) <= set(members):
            rate = round(value * 1000 / sum(members.values()), 1)
        rows.append(ReportRow(row.name, row.name, value, rate))
    return rows


# --- the ledger --------------------------------------------------------------


def _encode(value: int | Marker | None) -> int | str | None:
    return value.value if isinstance(value, Marker) else value


def _decode(value: int | str | None) -> int | Marker | None:
    return Marker(value) if isinstance(value, str) else value


async def _recorded(
    session: AsyncSession, period_id: int, dimension: Dimension
) -> KmtmRelease | None:
    return await session.scalar(
        select(KmtmRelease).where(
            KmtmRelease.period_id == period_id, KmtmRelease.dimension == dimension.value
        )
    )


async def _record(
    session: AsyncSession,
    *,
    period: PeriodView,
    dimension: Dimension,
    asked: tuple[int, int, bool, int],
    rows: list[ReportRow],
    total: int | Marker | None,
    released_on: date,
) -> bool:
    """Record the release; False when a racing request recorded it first (theirs stands)."""
    k, min_contributors, rounded, span = asked
    payload: dict[str, Any] = {
        "period": period.name,
        "rows": [
            {"key": r.key, "label": r.label, "value": _encode(r.value), "rate": r.rate_per_1000}
            for r in rows
        ],
        "total": _encode(total),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(KmtmRelease)
        .values(
            period_id=period.id,
            dimension=dimension.value,
            k=k,
            min_contributors=min_contributors,
            rounded=rounded,
            span=span,
            released_on=released_on,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["period_id", "dimension"])
    )
    return bool(result.rowcount)


def _from_row(
    period: PeriodView, row: KmtmRelease, asked: tuple[int, int, bool, int], *, from_ledger: bool
) -> Report:
    used = (row.k, row.min_contributors, row.rounded, row.span)
    return Report(
        period_name=period.name,
        dimension=Dimension(row.dimension),
        rows=tuple(
            ReportRow(r["key"], r["label"], _decode(r["value"]), r["rate"])
            for r in row.payload["rows"]
        ),
        total=_decode(row.payload["total"]),
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
    return t(f"kmtm.{report.dimension.value}.{row.key}", locale)


def shown(report: Report, value: int | Marker | None, locale: Locale) -> str:
    """A published number as text: the number, the marker, or "fewer than k"."""
    if value is None:
        return ""
    if value is Marker.SUPPRESSED:
        return t("kmtm.marker", locale)
    if value is Marker.FEWER_THAN_K:
        return t("kmtm.report.fewer_than", locale, k=report.k)
    return str(value)


def format_rate(rate: float, locale: Locale) -> str:
    """One decimal, with the language's decimal sign (CLDR): 12,5 in Dutch, 12.5 in English."""
    return formats.one_decimal(rate, locale)


def export_csv(report: Report, *, locale: Locale) -> str:
    """The release as CSV: the same published numbers, one row per cell, then the total.

    ``status`` says in fixed English words what ``count`` holds, for spreadsheets:
    published, suppressed or fewer_than_k. Rates use a decimal point in both
    languages, so a spreadsheet reads them as numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "breakdown", "key", "label", "count", "status", "per_1000_members"])

    def line(key: str, label: str, value: int | Marker, rate: float | None) -> None:
        status = value.value if isinstance(value, Marker) else "published"
        writer.writerow(
            [
                report.period_name,
                report.dimension.value,
                key,
                label,
                shown(report, value, locale),
                status,
                "" if rate is None else f"{rate:.1f}",
            ]
        )

    for row in report.rows:
        line(row.key, row_label(report, row, locale), row.value, row.rate_per_1000)
    if report.total is not None:
        line("total", t("kmtm.report.total", locale), report.total, None)
    return out.getvalue()
