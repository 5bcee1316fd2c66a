"""The team's yearly figures (``/cases report``): release-safe, once, from what outlives cases.

**What is counted.** Cases reported in a calendar year and closed (the counts and
durations ``_figures`` writes at close; they survive retention). A case still open
is in none of the figures, and so not in the median days to close; a closed case
that was never acknowledged is in the median days to close, not in the one to
acknowledge. A year can be reported once it is over.

**Release-safe, as KMTM** (``vcpbot.services.disclosure``, ``vcpbot.services.kmtm``):
each breakdown (category, route, urgency, outcome) is a one-dimensional table with
the year's total, protected with the deployment's KMTM ``k``: small cells hidden,
then secondary suppression so no hidden cell can be worked out from the total and
the others. There is no association in these figures at all (the counts never
had one). Every case is its own contributor: a reporter or a handler who knows one
case is the insider the rule protects against, so the total is shown only when
the cases other than any one reach ``k``. If one breakdown cannot be protected with
the total shown, the total is hidden in all four, so it stays one number.

A median (days to acknowledge, days to close; over all routes, and per route) is
shown only when at least ``k`` cases count in it and the number it belongs to (the
total, or its route's count) is shown; otherwise "too few to show", the same words
either way. The cases in a route's median of days to close are exactly that route's
count, so "too few" beside a hidden route would tell that the hidden count is small:
with two routes, one small route hides both routes' medians, and the medians over
all routes are what the team reads.

**The ledger** (``escalation_releases``): the first report of a year records every
breakdown and the medians, with the settings of that moment, and every later
report returns exactly those, whatever the settings or the counts are by then (a
case reopened and closed again later). This is KMTM's rule (``kmtm_releases``);
the table is its own because KMTM's is keyed to a KMTM period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import (
    CaseCount,
    CaseDuration,
    CaseRelease,
    Category,
    Measure,
    Outcome,
    Route,
    Urgency,
)
from vcpbot.errors import InvalidInput
from vcpbot.services.disclosure import MIN_K, SUPPRESSED, Cell, Marker, Release, Rule, protect
from vcpbot.services.escalation._types import (
    Breakdown,
    FigureRow,
    FigureTable,
    YearFigures,
)

# The earliest year anyone could ask about: the bot did not exist before.
FIRST_YEAR = 2020


COUNTED: dict[Breakdown, tuple[str, ...]] = {
    Breakdown.CATEGORY: tuple(Category),
    Breakdown.ROUTE: tuple(Route),
    Breakdown.URGENCY: tuple(Urgency),
    Breakdown.OUTCOME: tuple(Outcome),
}


async def year_figures(
    session: AsyncSession,
    *,
    year: int,
    k: int,
    min_contributors: int = 3,
    round_to_5: bool = False,
    now: datetime,
    zone: ZoneInfo,
) -> YearFigures:
    """The release of ``year``'s figures: the recorded one, or a new one recorded now.

    Raises InvalidInput for a year that is not over yet (or before the bot), or a k
    below the minimum.
    """
    today = now.astimezone(zone).date()
    if not FIRST_YEAR <= year < today.year:
        raise InvalidInput("casereport.error.year_not_over", year=year, current=today.year)
    if k < MIN_K:
        raise InvalidInput("kmtm.error.bad_k", minimum=MIN_K)
    asked = (k, min_contributors, round_to_5)
    rows = await _recorded(session, year)
    from_ledger = len(rows) == len(Breakdown)
    if not from_ledger:
        await _release(session, year, rows, Rule(k, min_contributors, round_to_5), today)
        rows = await _recorded(session, year)
    first = rows[Breakdown.CATEGORY]
    used = (first.k, first.min_contributors, first.rounded)
    return YearFigures(
        year=year,
        tables=tuple(_table(b, rows[b].payload) for b in Breakdown),
        k=first.k,
        min_contributors=first.min_contributors,
        rounded=first.rounded,
        released_on=first.released_on,
        from_ledger=from_ledger,
        settings_differ=used != asked,
    )


# --- the ledger --------------------------------------------------------------


async def _recorded(session: AsyncSession, year: int) -> dict[Breakdown, CaseRelease]:
    found = await session.scalars(select(CaseRelease).where(CaseRelease.year == year))
    return {Breakdown(row.breakdown): row for row in found.all()}


async def _release(
    session: AsyncSession,
    year: int,
    done: dict[Breakdown, CaseRelease],
    rule: Rule,
    today: date,
) -> None:
    """Record every breakdown not in the ledger yet, around the total already released."""
    total: int | Marker | None = None
    if done:  # a release cut short: keep its settings and total
        earlier = next(iter(done.values()))
        rule = Rule(earlier.k, earlier.min_contributors, earlier.rounded)
        if earlier.breakdown != Breakdown.MEDIAN.value:
            found = _decode(earlier.payload["total"])
            total = found if isinstance(found, Marker) else int(found)
    releases = _protect_all({b: await _cells(session, year, b) for b in COUNTED}, rule, total)
    payloads: dict[Breakdown, dict[str, Any]] = {
        b: {
            "rows": [{"key": c.label, "value": _encode(c.value)} for c in r.cells],
            "total": _encode(r.total),
        }
        for b, r in releases.items()
    }
    medians = await _medians(session, year, releases[Breakdown.ROUTE], rule.k)
    payloads[Breakdown.MEDIAN] = {
        "rows": [{"key": key, "value": _encode(value)} for key, value in medians],
        "total": None,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for breakdown, payload in payloads.items():
        if breakdown in done:
            continue
        await session.execute(
            insert(CaseRelease)
            .values(
                year=year,
                breakdown=breakdown.value,
                k=rule.k,
                min_contributors=rule.min_contributors,
                rounded=rule.round_to_5,
                released_on=today,
                payload=payload,
            )
            .on_conflict_do_nothing(index_elements=["year", "breakdown"])
        )


def _protect_all(
    tables: dict[Breakdown, list[Cell]], rule: Rule, total: int | Marker | None
) -> dict[Breakdown, Release]:
    """Every breakdown with one total: hidden in all when one breakdown needs it hidden."""

    def run(released_total: int | Marker | None) -> dict[Breakdown, Release]:
        return {b: protect(c, rule, released_total=released_total) for b, c in tables.items()}

    releases = run(total)
    if len({r.total for r in releases.values()}) > 1:
        releases = run(SUPPRESSED)
    return releases


def _encode(value: int | float | Marker | None) -> int | float | str | None:
    return value.value if isinstance(value, Marker) else value


def _decode(value: int | float | str) -> int | float | Marker:
    return Marker(value) if isinstance(value, str) else value


def _table(breakdown: Breakdown, payload: dict[str, Any]) -> FigureTable:
    total = payload["total"]
    decoded = None if total is None else _decode(total)
    return FigureTable(
        breakdown=breakdown,
        rows=tuple(FigureRow(r["key"], _decode(r["value"])) for r in payload["rows"]),
        total=decoded if not isinstance(decoded, float) else int(decoded),
    )


# --- the counts and durations --------------------------------------------------


def _quarters(year: int) -> list[str]:
    return [f"{year}-Q{n}" for n in range(1, 5)]


async def _cells(session: AsyncSession, year: int, breakdown: Breakdown) -> list[Cell]:
    """One breakdown's cells; every case is its own contributor (numbered across the table)."""
    column = getattr(CaseCount, breakdown.value)
    result = await session.execute(
        select(column, CaseCount.count).where(
            CaseCount.period.in_(_quarters(year)), CaseCount.count > 0
        )
    )
    counts: dict[str, int] = defaultdict(int)
    for value, count in result.all():
        counts[value] += count
    cells, first = [], 0
    for value in COUNTED[breakdown]:
        n = counts.get(value, 0)
        cells.append(Cell(value, n, {first + i: 1 for i in range(n)}))
        first += n
    return cells


async def _medians(
    session: AsyncSession, year: int, routes: Release, k: int
) -> list[tuple[str, float | int | Marker]]:
    """Per route and measure: the median days, or the marker ("too few to show")."""
    result = await session.execute(
        select(CaseDuration.route, CaseDuration.measure, CaseDuration.days, CaseDuration.count)
        .where(CaseDuration.period.in_(_quarters(year)), CaseDuration.count > 0)
        .order_by(CaseDuration.days)
    )
    days: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for route, measure, n_days, count in result.all():
        days[(route, measure)].append((n_days, count))
        days[("all", measure)].append((n_days, count))
    shown: dict[str, int | Marker] = {"all": routes.total, **routes.values()}
    found: list[tuple[str, float | int | Marker]] = []
    for route in ("all", *Route):
        for measure in Measure:
            counted = _merged(days[(route, measure.value)])
            key = f"{route}.{measure.value}"
            if not isinstance(shown.get(route), int) or sum(n for _, n in counted) < k:
                found.append((key, SUPPRESSED))
            else:
                found.append((key, median(counted)))
    return found


def _merged(counted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: dict[int, int] = defaultdict(int)
    for n_days, count in counted:
        merged[n_days] += count
    return sorted(merged.items())


def median(counted: list[tuple[int, int]]) -> int | float:
    """The median of days given as (days, how many cases), sorted by days; .5 between two."""
    n = sum(count for _, count in counted)
    if n == 0:
        raise ValueError("no cases")

    def nth(index: int) -> int:
        seen = 0
        for value, count in counted:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    low, high = nth((n - 1) // 2), nth(n // 2)
    return low if low == high else (low + high) / 2
