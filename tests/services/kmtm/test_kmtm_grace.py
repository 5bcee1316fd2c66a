"""A contact from the last evening of a KMTM period, logged the next days, on SQLite and
PostgreSQL: it counts toward the period until the coordinator closes it, within the
configured grace window (``kmtm.grace_days``); nothing counts after the close."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from vcpbot.db import Database
from vcpbot.db.kmtm import COUNTER_TABLES
from vcpbot.errors import NotAllowed
from vcpbot.services import kmtm, network
from vcpbot.settings import KmtmSettings

AMS = ZoneInfo("Europe/Amsterdam")
GUILD, COORDINATOR = 1001, 22
GRACE = 3
# KMTM 2026 runs 10 to 30 August; the next period starts on 2 September.
LAST_EVENING = datetime(2026, 8, 30, 21, 30, tzinfo=AMS)
NEXT_MORNING = datetime(2026, 8, 31, 9, 0, tzinfo=AMS)
LAST_GRACE_DAY = datetime(2026, 9, 2, 23, 30, tzinfo=AMS)
AFTER_GRACE = datetime(2026, 9, 3, 0, 30, tzinfo=AMS)


async def _world(db: Database) -> None:
    async with db.sessions.begin() as session:
        joined = await network.request_join(
            session,
            guild_id=GUILD,
            name="Tragos",
            short_name="Tragos",
            locale="nl",
            vcp_role_id=500,
            rules_channel_id=None,
            requested_by=11,
            now=datetime(2026, 6, 1, tzinfo=UTC),
        )
    async with db.sessions.begin() as session:
        await network.decide_request(
            session,
            request_token=joined.association.request_token,
            approve=True,
            decided_by=COORDINATOR,
            now=datetime(2026, 6, 2, tzinfo=UTC),
            zone=AMS,
        )
        await kmtm.create_period(
            session, name="KMTM 2026", start_date=date(2026, 8, 10), end_date=date(2026, 8, 30)
        )


async def _log(
    db: Database, now: datetime, *, grace_days: int = GRACE, period_id: int | None = None
) -> kmtm.LoggedContact:
    async with db.sessions.begin() as session:
        return await kmtm.log_contact(
            session,
            guild_id=GUILD,
            category="stalking",
            relation="student",
            follow_up="listening_ear",
            now=now,
            zone=AMS,
            grace_days=grace_days,
            period_id=period_id,
        )


async def _counted(db: Database) -> dict[str, int]:
    async with db.sessions.begin() as session:
        counts = {}
        for dimension, table in COUNTER_TABLES.items():
            counts[dimension.value] = (
                await session.scalar(select(func.coalesce(func.sum(table.count), 0)))
            ) or 0
        return counts


async def _close(db: Database, now: datetime) -> None:
    async with db.sessions.begin() as session:
        await kmtm.close_period(session, name="KMTM 2026", now=now, zone=AMS)


def test_the_default_grace_window_is_three_days_and_can_be_switched_off() -> None:
    assert KmtmSettings().grace_days == 3
    assert KmtmSettings(grace_days=0).grace_days == 0
    with pytest.raises(ValueError, match="grace_days"):
        KmtmSettings(grace_days=15)


async def test_the_last_evenings_contact_logged_next_morning_counts_toward_the_period(
    db: Database,
) -> None:
    await _world(db)
    on_the_evening = await _log(db, LAST_EVENING)
    next_morning = await _log(db, NEXT_MORNING)
    last_day = await _log(db, LAST_GRACE_DAY)
    assert {c.period_name for c in (on_the_evening, next_morning, last_day)} == {"KMTM 2026"}
    assert await _counted(db) == {"category": 3, "relation": 3, "follow_up": 3}


async def test_after_the_grace_window_nothing_is_logged(db: Database) -> None:
    await _world(db)
    with pytest.raises(NotAllowed) as refused:
        await _log(db, AFTER_GRACE)
    assert refused.value.key == "kmtm.error.no_open_period"
    assert await _counted(db) == {"category": 0, "relation": 0, "follow_up": 0}


async def test_without_a_grace_window_the_day_after_the_period_is_refused(db: Database) -> None:
    await _world(db)
    with pytest.raises(NotAllowed):
        await _log(db, NEXT_MORNING, grace_days=0)
    assert (await _log(db, LAST_EVENING, grace_days=0)).period_name == "KMTM 2026"


async def test_once_the_coordinator_closes_the_period_nothing_more_is_counted(
    db: Database,
) -> None:
    await _world(db)
    contact = await _log(db, NEXT_MORNING)
    await _close(db, NEXT_MORNING)
    # Within the grace window, by a VCP who opened the form for it before the close, or not.
    for period_id in (None, contact.period_id):
        with pytest.raises(NotAllowed):
            await _log(db, NEXT_MORNING, period_id=period_id)
    assert await _counted(db) == {"category": 1, "relation": 1, "follow_up": 1}


async def test_which_period_takes_contacts_says_whether_it_is_late(db: Database) -> None:
    await _world(db)
    async with db.sessions.begin() as session:
        during = await kmtm.open_period_on(session, day=date(2026, 8, 30), grace_days=GRACE)
        after = await kmtm.open_period_on(session, day=date(2026, 9, 2), grace_days=GRACE)
        beyond = await kmtm.open_period_on(session, day=date(2026, 9, 3), grace_days=GRACE)
    assert during is not None and after is not None and beyond is None
    assert during.status(date(2026, 8, 30), grace_days=GRACE) is kmtm.PeriodStatus.OPEN
    assert after.status(date(2026, 9, 2), grace_days=GRACE) is kmtm.PeriodStatus.LATE
    assert after.status(date(2026, 9, 3), grace_days=GRACE) is kmtm.PeriodStatus.ENDED
    assert after.late_until(GRACE) == date(2026, 9, 2)


async def test_a_new_period_takes_its_own_days_and_the_form_keeps_the_period_it_showed(
    db: Database,
) -> None:
    """Periods may follow each other closely: on the new period's first day a new contact
    belongs to it, but a form opened for the old one (the last evening's contact) still
    counts where it said it would, while the old period takes late contacts."""
    await _world(db)
    async with db.sessions.begin() as session:
        autumn = await kmtm.create_period(
            session, name="Najaar 2026", start_date=date(2026, 9, 1), end_date=date(2026, 9, 30)
        )
        old = await kmtm.period_by_name(session, name="KMTM 2026")
        first_day = await kmtm.open_period_on(session, day=date(2026, 9, 1), grace_days=GRACE)
    assert first_day is not None and first_day.id == autumn.id
    in_autumn = await _log(db, datetime(2026, 9, 1, 10, 0, tzinfo=AMS))
    assert in_autumn.period_name == "Najaar 2026"
    late = await _log(db, datetime(2026, 9, 1, 10, 5, tzinfo=AMS), period_id=old.id)
    assert late.period_name == "KMTM 2026"
    # A form for the old period, sent after its grace window: refused, nothing counted.
    with pytest.raises(NotAllowed) as refused:
        await _log(db, AFTER_GRACE, period_id=old.id)
    assert refused.value.key == "kmtm.error.period_not_taking"
    assert refused.value.params["name"] == "KMTM 2026"
    assert await _counted(db) == {"category": 2, "relation": 2, "follow_up": 2}
