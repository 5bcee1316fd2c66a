"""A year's KMTM periods as the ledger holds them, for the year pack: read only.

The year pack (``/network year``) shows KMTM's tables exactly as released. It reads
``kmtm_releases`` and nothing else: a period whose breakdowns are not all in the
ledger (still open, or closed but never reported) is "not released", never counted
here, because a table computed now with other settings could differ from the one
``/kmtm report`` will release and the two could be subtracted from each other.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.services.kmtm._counting import list_periods
from vcpbot.services.kmtm._ledger import BREAKDOWNS, recorded
from vcpbot.services.kmtm._report import from_row, released_associations
from vcpbot.services.kmtm._types import PeriodView, Report


async def released_in_year(
    session: AsyncSession, *, year: int
) -> list[tuple[PeriodView, tuple[Report, ...] | None]]:
    """Every period that ends in ``year``, oldest first, with its released breakdowns.

    None for a period whose release is not (wholly) in the ledger. Writes nothing.
    """
    found: list[tuple[PeriodView, tuple[Report, ...] | None]] = []
    for period in await list_periods(session):
        if period.end_date.year != year:
            continue
        rows = [await recorded(session, period.id, d) for d in BREAKDOWNS]
        if not period.closed or any(row is None for row in rows):
            found.append((period, None))
            continue
        associations = await released_associations(session, period)
        reports = tuple(
            from_row(
                period,
                row,
                (row.k, row.min_contributors, row.rounded, row.span),
                associations,
                from_ledger=True,
            )
            for row in rows
            if row is not None
        )
        found.append((period, reports))
    return sorted(found, key=lambda pair: pair[0].start_date)
