"""Revision 0020 backfills the durations of the closed cases still stored, so the first
yearly figures after the upgrade have medians for them too (issue 18)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from vcpbot.db import Database
from vcpbot.db.migrate import upgrade

CASE = (
    "INSERT INTO escalation_cases (id, code, card_token, route, category, urgency,"
    " association_shown, status, outcome, created_on, acknowledged_on, closed_on, nudged,"
    " pattern_signalled, notice_detail, key_version, wrapped_key, receipt_hash, receipt_index,"
    " reporter_tag) VALUES (:id, :code, :code, :route, 'advice', 'routine', false, :status,"
    " :outcome, :created, :acked, :closed, false, false, false, 1, :blob, 'h', :code, :blob)"
)


async def test_the_upgrade_counts_the_days_of_closed_cases_and_not_of_open_ones(
    empty_db: Database,
) -> None:
    await upgrade(empty_db, "0016")
    cases = [
        # id, route, created, acknowledged, closed
        (1, "vcp", date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 12)),
        (2, "vcp", date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 9)),
        (3, "member", date(2026, 8, 1), None, date(2026, 8, 4)),  # closed unacknowledged
        (4, "vcp", date(2026, 9, 1), date(2026, 9, 2), None),  # still open
    ]
    async with empty_db.engine.begin() as conn:
        for case_id, route, created, acked, closed in cases:
            await conn.execute(
                text(CASE),
                {
                    "id": case_id,
                    "code": f"C-{case_id}",
                    "route": route,
                    "status": "closed" if closed else "acknowledged",
                    "outcome": "advice_given" if closed else None,
                    "created": created,
                    "acked": acked,
                    "closed": closed,
                    "blob": b"x",
                },
            )

    await upgrade(empty_db)

    async with empty_db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT period, route, measure, days, count FROM escalation_durations"
                " ORDER BY period, route, measure, days"
            )
        )
        found = [tuple(r) for r in rows]
    assert found == [
        ("2026-Q1", "vcp", "ack", 1, 2),
        ("2026-Q1", "vcp", "close", 10, 2),
        ("2026-Q3", "member", "close", 3, 1),
    ]
