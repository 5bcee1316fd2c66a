"""A small KMTM world for the output tests: associations in the network, a period, logged
contacts, member counts, and the release a coordinator asks for."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from vcpbot.db import Database
from vcpbot.services import kmtm, network
from vcpbot.services.kmtm import _report as kmtm_report

AMS = ZoneInfo("Europe/Amsterdam")
COORDINATOR = 22
DURING = datetime(2026, 8, 20, 14, 0, tzinfo=UTC)
AFTER = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
# guild id: (name, members)
ASSOCIATIONS = {
    1001: ("Tragos", 420),
    1002: ("Circumflex", 310),
    1003: ("Saurus", 260),
    1004: ("Koko", 180),
    1005: ("Scopus", 95),
}
RULE = {"k": 5, "min_contributors": 3, "round_to_5": False, "year_periods": 5}


async def join(db: Database, guild_id: int, name: str) -> int:
    """The association asks to join and the coordinator approves; its id."""
    async with db.sessions.begin() as session:
        asked = await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=name[:8],
            locale="nl",
            vcp_role_id=500,
            rules_channel_id=None,
            requested_by=11,
            now=DURING - timedelta(days=60),
        )
    async with db.sessions.begin() as session:
        await network.decide_request(
            session,
            request_token=asked.association.request_token,
            approve=True,
            decided_by=COORDINATOR,
            now=DURING - timedelta(days=59),
            zone=AMS,
        )
    return asked.association.id


async def network_of_five(db: Database) -> dict[int, int]:
    return {guild: await join(db, guild, name) for guild, (name, _) in ASSOCIATIONS.items()}


async def period(
    db: Database,
    name: str = "KMTM 2026",
    start: date = date(2026, 8, 1),
    end: date = date(2026, 9, 30),
) -> None:
    async with db.sessions.begin() as session:
        await kmtm.create_period(session, name=name, start_date=start, end_date=end)


async def log(
    db: Database, guild_id: int, category: str = "advice", *, now: datetime = DURING
) -> None:
    async with db.sessions.begin() as session:
        await kmtm.log_contact(
            session,
            guild_id=guild_id,
            category=category,
            relation="student",
            follow_up="listening_ear",
            now=now,
            zone=AMS,
        )


async def log_plan(db: Database, plan: Iterable[tuple[int, str]], *, now: datetime = DURING):
    for guild_id, category in plan:
        await log(db, guild_id, category, now=now)


async def members(db: Database, guild_id: int, count: int, name: str = "KMTM 2026") -> None:
    async with db.sessions.begin() as session:
        await kmtm.set_member_count(session, guild_id=guild_id, period_name=name, members=count)


async def close(db: Database, name: str = "KMTM 2026", now: datetime = AFTER) -> None:
    async with db.sessions.begin() as session:
        await kmtm.close_period(session, name=name, now=now, zone=AMS)


async def release(db: Database, by: str, name: str = "KMTM 2026") -> kmtm.Report:
    async with db.sessions.begin() as session:
        return await kmtm_report.report(
            session, period_name=name, dimension=by, now=AFTER, zone=AMS, **RULE
        )


# Fourteen contacts from five associations: sexual_physical (7) is published, the
# seven others hidden, spread so that no association holds more than two of them.
SMALL_PLAN = (
    [(1001, "sexual_physical")] * 3
    + [(1002, "sexual_physical")] * 2
    + [(1003, "sexual_physical")] * 2
    + [(1003, "advice"), (1004, "advice"), (1005, "advice"), (1001, "stalking")]
    + [(1002, "improper"), (1004, "improper"), (1005, "improper")]
)


async def small_closed_period(db: Database) -> None:
    await network_of_five(db)
    await period(db)
    await log_plan(db, SMALL_PLAN)
    await close(db)
