"""What outlives a case: the counts and durations the team's yearly figures are made of.

When a case closes it is counted once, by the quarter it was reported in: one more
in ``escalation_counts`` (route, category, urgency, outcome) and, in
``escalation_durations``, one more case that took so many whole days to be
acknowledged and so many to be closed (per route). No case id and no association
is written, so retention can delete the case and everything it held while the
figures stay (``vcpbot.services.escalation._yearly`` reads them).

A case that opens again is taken out of the figures with ``sign=-1`` (while it
still carries its outcome and dates), and counted again when it closes again.
A leaf of the package: it imports no sibling, so ``_core`` can call it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import Case, CaseCount, CaseDuration, Measure


def quarter_of(day: date) -> str:
    """The quarter a day is in, as the figures name it: ``2026-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


async def count_closed(session: AsyncSession, case: Case, *, sign: int = 1) -> None:
    """Count a closed case in the figures (``sign=1``) or take it out again (``sign=-1``).

    ``case`` must carry its outcome and closing day. Raises ValueError for any other sign.
    """
    if sign not in (1, -1):
        raise ValueError("sign must be 1 or -1")
    if case.outcome is None or case.closed_on is None:
        raise ValueError("only a closed case is counted")
    period = quarter_of(case.created_on)
    keys: dict[str, Any] = {
        "period": period,
        "route": case.route,
        "category": case.category,
        "urgency": case.urgency,
        "outcome": case.outcome,
    }
    await _add(session, CaseCount, keys, sign)
    for measure, day in ((Measure.ACK, case.acknowledged_on), (Measure.CLOSE, case.closed_on)):
        if day is None or day < case.created_on:
            continue
        days = (day - case.created_on).days
        await _add(
            session,
            CaseDuration,
            {"period": period, "route": case.route, "measure": measure.value, "days": days},
            sign,
        )


async def _add(session: AsyncSession, model: type[Any], keys: dict[str, Any], sign: int) -> None:
    """``count += sign`` on the row with these keys, inserted when missing; race-free.
    A row taken back to 0 is deleted, so the tables hold only what happened."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**keys, count=max(sign, 0))
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={"count": model.count + sign}
    )
    await session.execute(statement)
    if sign < 0:
        where = [getattr(model, name) == value for name, value in keys.items()]
        await session.execute(delete(model).where(*where, model.count <= 0))
