"""One release per period: the KMTM release ledger.

The breakdowns of a period share its total, and two differently suppressed
releases of one number can be subtracted from each other. So the first report of
a period, of whatever breakdown, releases the whole period: all four breakdowns
are computed with the settings of that moment and recorded together (the
counters of a closed period never change, and associations are never deleted).
Every later request returns those numbers, whatever the settings are by then.
If one breakdown cannot be protected with the total shown (see
``vcpbot.services.disclosure``, rule 4), the total is hidden in all four, so it
stays one number. The year-by-year table shows each period's total as that
period's own release has it, releasing the periods that have none yet, and notes
each period's settings with its row.

Periods released before the ledger worked this way keep the total their first
release showed (a breakdown table, or an earlier year table); their missing
breakdowns are released around that total, with that release's settings.

Rates per 1000 members (year by year) are given for a period only when its total
is published and every association that logged contacts in it registered a
member count; the denominator is the sum of all member counts registered for
the period. The rate is computed from the published (possibly rounded) total, so
it tells nothing the total does not; it is worked out when a year table is
released, so a later year table follows corrected member counts.

The ledger stores what was shown (numbers and markers), never why a cell is
hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

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
from vcpbot.services.disclosure import SUPPRESSED, Cell, Marker, Release, Rule, protect
from vcpbot.services.kmtm._types import PeriodView, ReportRow, Settings

VALUES: dict[Dimension, tuple[str, ...]] = {
    Dimension.CATEGORY: tuple(Category),
    Dimension.RELATION: tuple(Relation),
    Dimension.FOLLOW_UP: tuple(FollowUp),
}
# What one release of a period holds; the year-by-year table is recorded on its own.
BREAKDOWNS = (Dimension.CATEGORY, Dimension.RELATION, Dimension.FOLLOW_UP, Dimension.ASSOCIATION)


async def compared_periods(
    session: AsyncSession, period: PeriodView, span: int
) -> list[PeriodView]:
    """The closed periods a year table compares, oldest first, ending with ``period``."""
    rows = (
        await session.scalars(
            select(KmtmPeriod)
            .where(KmtmPeriod.closed_on.is_not(None), KmtmPeriod.start_date <= period.start_date)
            .order_by(KmtmPeriod.start_date.desc())
            .limit(span)
        )
    ).all()
    return [
        PeriodView(
            id=r.id,
            name=r.name,
            start_date=r.start_date,
            end_date=r.end_date,
            closed_on=r.closed_on,
        )
        for r in reversed(rows)
    ]


async def lock(session: AsyncSession, periods: Sequence[PeriodView]) -> None:
    """Two first reports of one period at once: the second waits and finds the first's.

    Oldest first, the same order for every request. (SQLite's BEGIN IMMEDIATE
    already serialises writers.)
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(KmtmPeriod.id)
            .where(KmtmPeriod.id.in_([p.id for p in periods]))
            .order_by(KmtmPeriod.start_date)
            .with_for_update()
        )


# --- releasing a period ------------------------------------------------------


async def release_period(
    session: AsyncSession, period: PeriodView, rule: Rule, released_on: date
) -> None:
    """Record every breakdown of ``period`` not in the ledger yet (see the module docstring)."""
    done = set(
        (
            await session.scalars(
                select(KmtmRelease.dimension).where(
                    KmtmRelease.period_id == period.id,
                    KmtmRelease.dimension != Dimension.YEAR.value,
                )
            )
        ).all()
    )
    if done >= {d.value for d in BREAKDOWNS}:
        return
    earlier = await _first_release(session, period)
    settings, total = earlier if earlier is not None else (_settings(rule), None)
    rule = Rule(k=settings[0], min_contributors=settings[1], round_to_5=settings[2])
    tables = {d: await _cells(session, period.id, d) for d in BREAKDOWNS}
    releases = _protect_all(tables, rule, total)
    for dimension, release in releases.items():
        if dimension.value in done:
            continue
        names = tables[dimension][1]
        rows = [ReportRow(c.label, names.get(c.label), c.value) for c in release.cells]
        await _insert(session, period, dimension, settings, 1, rows, release.total, released_on)


def _protect_all(
    tables: dict[Dimension, tuple[list[Cell], dict[str, str]]],
    rule: Rule,
    total: int | Marker | None,
) -> dict[Dimension, Release]:
    """Every breakdown with one total: hidden in all when one breakdown needs it hidden."""

    def run(released_total: int | Marker | None) -> dict[Dimension, Release]:
        return {
            d: protect(cells, _rule_for(d, rule), released_total=released_total)
            for d, (cells, _) in tables.items()
        }

    releases = run(total)
    if len({r.total for r in releases.values()}) > 1:
        releases = run(SUPPRESSED)
    return releases


def _rule_for(dimension: Dimension, rule: Rule) -> Rule:
    if dimension is not Dimension.ASSOCIATION:
        return rule
    return Rule(
        k=rule.k,
        min_contributors=rule.min_contributors,
        round_to_5=rule.round_to_5,
        by_association=True,
    )


def _settings(rule: Rule) -> Settings:
    return (rule.k, rule.min_contributors, rule.round_to_5)


async def _first_release(
    session: AsyncSession, period: PeriodView
) -> tuple[Settings, int | Marker] | None:
    """The settings and total of the first release that showed this period's total.

    Its own breakdowns, or (from before one release covered a whole period) a
    year-by-year table that listed it.
    """
    rows = (
        await session.scalars(
            select(KmtmRelease)
            .where(
                (KmtmRelease.period_id == period.id)
                | (KmtmRelease.dimension == Dimension.YEAR.value)
            )
            .order_by(KmtmRelease.id)
        )
    ).all()
    for row in rows:
        if row.dimension != Dimension.YEAR.value:
            return (row.k, row.min_contributors, row.rounded), decode_value(row.payload["total"])
        for entry in row.payload["rows"]:
            if entry["key"] == period.name:
                settings = entry.get("rule") or (row.k, row.min_contributors, row.rounded)
                return (settings[0], settings[1], bool(settings[2])), decode_value(entry["value"])
    return None


# --- the counts --------------------------------------------------------------


async def _cells(
    session: AsyncSession, period_id: int, dimension: Dimension
) -> tuple[list[Cell], dict[str, str]]:
    """A breakdown's cells, and the names of the associations by cell label (by association)."""
    if dimension is Dimension.ASSOCIATION:
        return await _association_cells(session, period_id)
    return await _counter_cells(session, period_id, dimension), {}


async def _counter_cells(session: AsyncSession, period_id: int, dimension: Dimension) -> list[Cell]:
    table = COUNTER_TABLES[dimension]
    result = await session.execute(
        select(table.value, table.association_id, table.count).where(
            table.period_id == period_id, table.count > 0
        )
    )
    shares: dict[str, dict[int, int]] = defaultdict(dict)
    for value, association_id, count in result.all():
        shares[value][association_id] = count
    return [Cell(v, sum(shares[v].values()), shares[v]) for v in VALUES[dimension]]


async def _per_association(session: AsyncSession, period_id: int) -> dict[int, int]:
    """Each association's own total for the period (from the category counters)."""
    result = await session.execute(
        select(KmtmByCategory.association_id, func.sum(KmtmByCategory.count))
        .where(KmtmByCategory.period_id == period_id, KmtmByCategory.count > 0)
        .group_by(KmtmByCategory.association_id)
    )
    return {association_id: int(n) for association_id, n in result.all()}


async def _association_cells(
    session: AsyncSession, period_id: int
) -> tuple[list[Cell], dict[str, str]]:
    """Every association that logged or registered members for the period, by name."""
    totals = await _per_association(session, period_id)
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
        count = totals.get(association_id, 0)
        cells.append(Cell(str(association_id), count, {association_id: count} if count else {}))
    return cells, {str(i): names[i] for i in ids}


# --- the year-by-year table ----------------------------------------------------


async def record_year(
    session: AsyncSession,
    period: PeriodView,
    periods: Sequence[PeriodView],
    span: int,
    released_on: date,
) -> None:
    """Each period's released total side by side; the table takes ``period``'s settings."""
    rows = []
    settings: Settings | None = None
    for each in periods:
        earlier = await _first_release(session, each)
        if earlier is None:
            raise RuntimeError(f"period {each.id} has no release right after releasing it")
        settings, value = earlier
        rows.append(
            ReportRow(each.name, each.name, value, await _rate(session, each, value), settings)
        )
    if settings is None:
        raise RuntimeError("a year table without its own period")
    await _insert(session, period, Dimension.YEAR, settings, span, rows, None, released_on)


async def _rate(session: AsyncSession, period: PeriodView, value: int | Marker) -> float | None:
    if not isinstance(value, int):
        return None
    logged = await _per_association(session, period.id)
    members = dict(
        (
            await session.execute(
                select(KmtmMembers.association_id, KmtmMembers.members).where(
                    KmtmMembers.period_id == period.id
                )
            )
        ).all()
    )
    if not members or not set(logged) <= set(members):
        return None
    return round(value * 1000 / sum(members.values()), 1)


# --- the ledger --------------------------------------------------------------


def _encode(value: int | Marker | None) -> int | str | None:
    return value.value if isinstance(value, Marker) else value


def decode_value(value: int | str) -> int | Marker:
    return Marker(value) if isinstance(value, str) else value


async def recorded(
    session: AsyncSession, period_id: int, dimension: Dimension
) -> KmtmRelease | None:
    return await session.scalar(
        select(KmtmRelease).where(
            KmtmRelease.period_id == period_id, KmtmRelease.dimension == dimension.value
        )
    )


async def _insert(  # noqa: PLR0917 - one ledger row, column by column
    session: AsyncSession,
    period: PeriodView,
    dimension: Dimension,
    settings: Settings,
    span: int,
    rows: list[ReportRow],
    total: int | Marker | None,
    released_on: date,
) -> None:
    k, min_contributors, rounded = settings
    payload: dict[str, Any] = {
        "period": period.name,
        "rows": [_row_payload(r) for r in rows],
        "total": _encode(total),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
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


def _row_payload(row: ReportRow) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": row.key,
        "label": row.label,
        "value": _encode(row.value),
        "rate": row.rate_per_1000,
    }
    if row.released_with is not None:
        entry["rule"] = list(row.released_with)
    return entry


def row_from(entry: dict[str, Any]) -> ReportRow:
    rule = entry.get("rule")
    return ReportRow(
        entry["key"],
        entry["label"],
        decode_value(entry["value"]),
        entry["rate"],
        None if rule is None else (rule[0], rule[1], bool(rule[2])),
    )
