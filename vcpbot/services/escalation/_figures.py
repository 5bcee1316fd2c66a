"""The figures that outlive a case: counted when it closes, taken back when it reopens.

``CaseCount`` is the one thing retention keeps of a case: a count per quarter of
reporting, route, category, urgency and outcome, with no case id. A case is
counted once, when it closes; a reporter who reopens their case takes it out
again (``sign=-1``), so the next close counts it with its new outcome.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import Case, CaseCount


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _keys(case: Case) -> dict[str, str]:
    if case.outcome is None:
        raise ValueError("only a closed case, with its outcome, is counted")
    return {
        "period": quarter_of(case.created_on),
        "route": case.route,
        "category": case.category,
        "urgency": case.urgency,
        "outcome": case.outcome,
    }


async def count_closed(session: AsyncSession, case: Case, *, sign: int = 1) -> None:
    """Count ``case`` (closed, with its outcome) in the aggregate, or with ``sign=-1``
    take it out again (a reopened case); a count that reaches 0 is deleted.
    Race-free on both databases: one upsert, or one update."""
    keys = _keys(case)
    if sign > 0:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(CaseCount).values(**keys, count=sign)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=list(keys), set_={"count": CaseCount.count + sign}
            )
        )
        return
    where = [getattr(CaseCount, name) == value for name, value in keys.items()]
    await session.execute(update(CaseCount).where(*where).values(count=CaseCount.count + sign))
    await session.execute(delete(CaseCount).where(*where, CaseCount.count <= 0))
