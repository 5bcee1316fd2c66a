"""Revision 0017 (the handlers' desk) keeps every case whole on SQLite and PostgreSQL:
widening ``undelivered`` drops and re-adds that one column in place, never the table."""

from datetime import date

from sqlalchemy import text

from vcpbot.db import Database
from vcpbot.db.migrate import downgrade, upgrade


async def _case_with_a_message(db: Database, undelivered: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO escalation_cases (id, code, card_token, route, category, urgency,"
                " association_shown, status, created_on, nudged, pattern_signalled,"
                " key_version, wrapped_key, receipt_hash, receipt_index, reporter_tag,"
                " notice_detail, undelivered)"
                " VALUES (1, 'C-AAAA', 'tok', 'member', 'advice', 'routine', false, 'new', :day,"
                " false, false, 1, :blob, 'h', 'i', :blob, false, :undelivered)"
            ),
            {"day": date(2026, 9, 1), "blob": b"sealed", "undelivered": undelivered},
        )
        await conn.execute(
            text(
                "INSERT INTO escalation_messages (case_id, seq, author, body, created_on)"
                " VALUES (1, 1, 'reporter', :body, :day)"
            ),
            {"body": b"sealed", "day": date(2026, 9, 1)},
        )


async def _state(db: Database) -> tuple[str | None, int]:
    async with db.engine.connect() as conn:
        why = await conn.scalar(text("SELECT undelivered FROM escalation_cases"))
        messages = await conn.scalar(text("SELECT count(*) FROM escalation_messages"))
    return why, int(messages or 0)


async def test_a_waiting_case_keeps_its_reason_and_its_conversation_up_and_down(
    empty_db: Database,
) -> None:
    await upgrade(empty_db, "0016")
    await _case_with_a_message(empty_db, "route_off")
    await upgrade(empty_db)
    assert await _state(empty_db) == ("route_off", 1)
    async with empty_db.engine.begin() as conn:
        await conn.execute(text("UPDATE escalation_cases SET undelivered = 'no_vcps'"))
    await downgrade(empty_db, "0016")
    # The older code knows no 'no_vcps': the case waits as if the route were off.
    assert await _state(empty_db) == ("route_off", 1)
