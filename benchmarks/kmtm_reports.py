"""KMTM reports over many periods and associations: the report service and the chart,
timed in this process, and ``/kmtm report`` through the bot.

The data is seeded straight into the bot's database: associations join and are
approved, periods are created and closed through the services
(``vcpbot.services.network``, ``vcpbot.services.kmtm``); in between, the counter
rows that logging 0 to 4 contacts per association would leave, and member
counts, are inserted in bulk (logging 4,000 contacts one by one took over a
minute on a busy machine; the report reads only these rows). Reports are released once per
period and breakdown (later requests return the recorded release), so each
timed report is a first release: half the periods are timed here, the other
half through the bot. The baseline for a ratio is the same report for one
period in which 10 associations logged; the goal (under 1 second) is absolute.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.flows import until_shown
from benchmarks.report import Figure
from benchmarks.world import ZONE, BenchWorld
from discord_emulator import Emulator
from vcpbot.db import create_database
from vcpbot.db.kmtm import COUNTER_TABLES, Category, Dimension, FollowUp, KmtmMembers, Relation
from vcpbot.db.network import Association
from vcpbot.services import kmtm, network
from vcpbot.services.kmtm import render_png

GOAL_S = 1.0
SMALL_ASSOCIATIONS = 10
CONTACTS_MAX = 4  # per association and period, 0 to this many
# The defaults of KmtmSettings, as the bot reports with them.
RULE = {"k": 5, "min_contributors": 3, "round_to_5": False, "year_periods": 5}
BOT_REPORT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Seeded:
    periods: list[str]  # oldest first
    small: str  # the baseline: one period, SMALL_ASSOCIATIONS associations
    # Like ``small``; reported first, cold, by each process (its chart imports matplotlib).
    cold: str


def period_dates(year: int) -> tuple[date, date]:
    return date(year, 8, 10), date(year, 8, 30)


async def seed(url: str, *, periods: int, associations: int) -> Seeded:
    """Associations, closed periods in past years, and contacts logged in each."""
    rng = random.Random(2023)
    db = create_database(url)
    first_year = datetime.now(UTC).year - 40
    try:
        async with db.sessions.begin() as session:
            guilds = [10**15 + i for i in range(associations)]
            for i, guild_id in enumerate(guilds):
                joined = await network.request_join(
                    session,
                    guild_id=guild_id,
                    name=f"Vereniging {i:03d}",
                    short_name=f"V{i:03d}",
                    locale="nl",
                    vcp_role_id=guild_id + 1,
                    rules_channel_id=None,
                    requested_by=1,
                    now=datetime.now(UTC),
                )
                await network.decide_request(
                    session,
                    request_token=await _token(session, joined.association.id),
                    approve=True,
                    decided_by=1,
                    now=datetime.now(UTC),
                    zone=ZONE,
                )
        names = [f"KMTM bench {first_year + 1 + p}" for p in range(periods)]
        small = f"KMTM bench {first_year} (small)"
        cold = f"KMTM bench {first_year - 1} (first)"
        plan = [
            (cold, first_year - 1, guilds[:SMALL_ASSOCIATIONS]),
            (small, first_year, guilds[:SMALL_ASSOCIATIONS]),
        ] + [(name, first_year + 1 + p, guilds) for p, name in enumerate(names)]
        for name, year, logging in plan:
            start, end = period_dates(year)
            async with db.sessions.begin() as session:
                period = await kmtm.create_period(
                    session, name=name, start_date=start, end_date=end
                )
                ids = await association_ids(session, logging)
                await counters(session, period.id, ids, rng)
                await kmtm.close_period(
                    session, name=name, now=datetime(year, 9, 1, 12, tzinfo=ZONE), zone=ZONE
                )
        return Seeded(periods=names, small=small, cold=cold)
    finally:
        await db.dispose()


async def association_ids(session: AsyncSession, guilds: list[int]) -> list[int]:
    found = await session.execute(
        select(Association.guild_id, Association.id).where(Association.guild_id.in_(guilds))
    )
    by_guild = dict(found.all())
    return [by_guild[g] for g in guilds]


async def counters(
    session: AsyncSession, period_id: int, associations: list[int], rng: random.Random
) -> None:
    """The rows ``kmtm.log_contact`` leaves for 0 to CONTACTS_MAX contacts per association
    (one count per period, association and value in each table), and member counts."""
    values = (list(Category), list(Relation), list(FollowUp))
    tables = list(COUNTER_TABLES.values())
    rows: list[list[dict[str, object]]] = [[] for _ in tables]
    for association_id in associations:
        counted: list[dict[str, int]] = [{} for _ in tables]
        for _ in range(rng.randint(0, CONTACTS_MAX)):
            for tally, choices in zip(counted, values, strict=True):
                value = rng.choice(choices).value
                tally[value] = tally.get(value, 0) + 1
        for table_rows, tally in zip(rows, counted, strict=True):
            table_rows += [
                {"period_id": period_id, "association_id": association_id, "value": v, "count": n}
                for v, n in tally.items()
            ]
    for table, table_rows in zip(tables, rows, strict=True):
        if table_rows:
            await session.execute(insert(table), table_rows)
    await session.execute(
        insert(KmtmMembers),
        [
            {"period_id": period_id, "association_id": a, "members": rng.randint(50, 500)}
            for a in associations
        ],
    )


async def _token(session: AsyncSession, association_id: int) -> str:
    """The join request's token, as the coordinator's Approve button carries it."""
    token = await session.scalar(
        select(Association.request_token).where(Association.id == association_id)
    )
    assert token is not None
    return str(token)


async def time_service(url: str, period: str, dimension: Dimension) -> tuple[float, float]:
    """Seconds for the first release of one report, and for drawing its chart."""
    db = create_database(url)
    try:
        started = time.perf_counter()
        async with db.sessions.begin() as session:
            released = await kmtm.report(
                session,
                period_name=period,
                dimension=dimension,
                now=datetime.now(UTC),
                zone=ZONE,
                **RULE,
            )
        reported = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.to_thread(render_png, released, locale="nl")
        return reported, time.perf_counter() - started
    finally:
        await db.dispose()


async def time_bot(em: Emulator, bench: BenchWorld, period: str, dimension: Dimension) -> float:
    """Seconds from the coordinator's ``/kmtm report`` to the report (or answer) showing."""
    world = bench.network
    person = em.person(world.coordinator)
    result = await person.slash(
        world.hub,
        "kmtm",
        {"period": period, "by": dimension.value},
        subcommand="report",
        channel=world.hub_general,
        wait=False,
    )
    shown_after = await until_shown(em, result.interaction, BOT_REPORT_TIMEOUT_S)
    return float("nan") if shown_after is None else shown_after


@dataclass
class ReportTimes:
    """Per breakdown: the service's seconds for the big periods and the small one, the chart's,
    and through the bot; and the first report in each process, cold."""

    service: dict[Dimension, list[float]]
    chart: dict[Dimension, list[float]]
    small_service: dict[Dimension, float]
    small_chart: dict[Dimension, float]
    bot: dict[Dimension, list[float]]
    cold_chart: float = math.nan
    cold_bot: float = math.nan


def _split(seeded: Seeded) -> tuple[list[str], list[str]]:
    """The periods timed in this process, and those asked of the bot."""
    half = max(1, len(seeded.periods) // 2)
    return seeded.periods[:half], seeded.periods[half:] or seeded.periods[:1]


async def measure_vcpbot(em: Emulator, bench: BenchWorld, url: str, seeded: Seeded) -> ReportTimes:
    here, through_bot = _split(seeded)
    times = ReportTimes({}, {}, {}, {}, {})
    # Both processes draw their first chart cold; that is timed apart, then the rest warm.
    _, times.cold_chart = await time_service(url, seeded.cold, Dimension.CATEGORY)
    times.cold_bot = await time_bot(em, bench, seeded.cold, Dimension.RELATION)
    for dimension in Dimension:
        pairs = [await time_service(url, period, dimension) for period in here]
        times.service[dimension] = [p[0] for p in pairs]
        times.chart[dimension] = [p[1] for p in pairs]
        times.small_service[dimension], times.small_chart[dimension] = await time_service(
            url, seeded.small, dimension
        )
        times.bot[dimension] = [await time_bot(em, bench, p, dimension) for p in through_bot]
    return times


async def measure_baseline(
    em: Emulator, bench: BenchWorld, seeded: Seeded
) -> dict[Dimension, float]:
    period = _split(seeded)[1][0]
    await time_bot(em, bench, seeded.cold, Dimension.RELATION)
    return {d: await time_bot(em, bench, period, d) for d in Dimension}


def figures(
    name: str, plan_size: str, times: ReportTimes, baseline: dict[Dimension, float]
) -> list[Figure]:
    small = f"1 period x {SMALL_ASSOCIATIONS} associations"
    rows = [
        Figure(
            name,
            "first KMTM chart in a process (cold: imports matplotlib)",
            small,
            times.cold_chart * 1000,
            None,
            "ms",
            goal="< 1000 ms",
            met=times.cold_chart < GOAL_S,
        ),
        Figure(
            name,
            "first /kmtm report after start-up: until posted (cold)",
            small,
            times.cold_bot * 1000,
            None,
            "ms",
            goal="< 1000 ms",
            met=times.cold_bot < GOAL_S,
        ),
    ]
    for dimension in Dimension:
        worst = max(
            s + c for s, c in zip(times.service[dimension], times.chart[dimension], strict=True)
        )
        small_total = times.small_service[dimension] + times.small_chart[dimension]
        rows.append(
            Figure(
                name,
                f"KMTM report by {dimension.value}: service + chart (worst)",
                plan_size,
                worst * 1000,
                small_total * 1000,
                "ms",
                goal="< 1000 ms",
                met=worst < GOAL_S,
            )
        )
        via_bot = max(times.bot[dimension])
        rows.append(
            Figure(
                name,
                f"/kmtm report by {dimension.value}: until posted (worst)",
                plan_size,
                via_bot * 1000,
                baseline[dimension] * 1000,
                "ms",
                goal="< 1000 ms",
                met=via_bot < GOAL_S,
            )
        )
    return rows


def describe(times: ReportTimes) -> str:
    """The service and chart times apart, so the table's sums can be read."""
    parts = []
    for dimension in Dimension:
        service = max(times.service[dimension]) * 1000
        chart = max(times.chart[dimension]) * 1000
        parts.append(f"{dimension.value} {service:.0f}+{chart:.0f} ms")
    return "  report service + chart, worst of the timed periods: " + ", ".join(parts)
