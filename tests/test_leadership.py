"""One leader among processes: PostgreSQL's advisory lock, SQLite's single process.

The PostgreSQL tests use one connection pool per "process", as separate processes
would, in a schema of the test's own (the lock and the wake-up channel are per
schema, so test runs that share the server do not share a leader).

The bot passes each change of the lead on to the cogs that have the leadership hooks;
a cog whose hooks are wrong (a misspelt name, one missing, one not async) is refused
when it is added, instead of silently never hearing the lead change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from discord.ext import commands
from sqlalchemy import text

from vcpbot.bot import VCPBotBase, create_bot
from vcpbot.db import Database, create_database
from vcpbot.leadership import (
    AlreadyRunning,
    Leadership,
    LeadershipHooks,
    PostgresLeadership,
    SoleProcess,
    leadership_for,
    lock_key,
    sqlite_file,
)
from vcpbot.settings import LeadershipSettings, Settings

FAST = LeadershipSettings(retry_seconds=0.2, lost_after_seconds=3)
REPETITIONS = 50
POSTGRES_ONLY = pytest.mark.parametrize("databases", ["postgres"], indirect=True)

Processes = Callable[[int], list[Database]]


@pytest.fixture
async def processes(databases) -> AsyncIterator[Processes]:
    """``processes(n)``: n connection pools on one PostgreSQL schema of this test's own."""
    url, options, schema = databases.url()
    admin = create_database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    made: list[Database] = []

    def make(n: int) -> list[Database]:
        made.extend(create_database(url, **options) for _ in range(n))
        return made[-n:]

    yield make
    for db in made:
        await db.dispose()
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


def _candidates(dbs: list[Database], settings: LeadershipSettings = FAST) -> list[Leadership]:
    return [PostgresLeadership(db.engine, settings) for db in dbs]


async def _holders(db: Database, key: int) -> int:
    """Sessions holding the advisory lock of ``key``, as PostgreSQL sees them."""
    async with db.engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"
            ),
            {"key": key},
        )
    return int(found or 0)


async def _until(condition: Callable[[], bool], within: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


@POSTGRES_ONLY
async def test_of_two_processes_started_at_once_exactly_one_leads(processes: Processes) -> None:
    first_db, second_db, observer = processes(3)
    for _ in range(REPETITIONS):
        pair = _candidates([first_db, second_db])
        await asyncio.gather(*(candidate.start() for candidate in pair))
        try:
            assert sorted(candidate.is_leader for candidate in pair) == [False, True]
            leader = next(candidate for candidate in pair if candidate.is_leader)
            assert isinstance(leader, PostgresLeadership) and leader.key is not None
            assert await _holders(observer, leader.key) == 1
        finally:
            await asyncio.gather(*(candidate.stop() for candidate in pair))


@POSTGRES_ONLY
async def test_when_the_leader_stops_another_leads_within_retry_seconds(
    processes: Processes,
) -> None:
    first, second = _candidates(processes(2))
    elected: list[str] = []

    async def second_elected() -> None:
        elected.append("second")

    second.on_elected = second_elected
    await first.start()
    await second.start()
    try:
        assert first.is_leader and not second.is_leader
        await first.stop()
        took = await _until(lambda: second.is_leader, within=5)
        assert took < FAST.retry_seconds + 0.5
        assert elected == ["second"]
    finally:
        await second.stop()


@POSTGRES_ONLY
async def test_a_leader_whose_session_ends_steps_down_and_another_takes_over(
    processes: Processes,
) -> None:
    first_db, second_db, admin = processes(3)
    first, second = _candidates([first_db, second_db])
    deposed: list[str] = []

    async def first_deposed() -> None:
        deposed.append("first")

    first.on_deposed = first_deposed
    await first.start()
    await second.start()
    try:
        assert isinstance(first, PostgresLeadership) and first.key is not None
        key = first.key
        # As when PostgreSQL drops a leader's connection (restart, network, idle timeout).
        async with admin.engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": key},
            )
        await _until(lambda: deposed == ["first"], within=5)
        await _until(lambda: first.is_leader != second.is_leader, within=5)
        assert await _holders(admin, key) == 1
    finally:
        await first.stop()
        await second.stop()


@POSTGRES_ONLY
async def test_a_wake_up_from_another_process_reaches_the_leader(processes: Processes) -> None:
    leader, follower = _candidates(processes(2))
    heard: list[str] = []

    async def wake(topic: str) -> None:
        heard.append(topic)

    leader.on_wake = follower.on_wake = wake
    await leader.start()
    await follower.start()
    try:
        await follower.wake("intervisie")
        await follower.wake("outbox")
        await _until(lambda: sorted(heard) == ["intervisie", "outbox"], within=5)
    finally:
        await leader.stop()
        await follower.stop()


@POSTGRES_ONLY
async def test_a_process_that_may_not_lead_never_does_but_can_wake_the_leader(
    processes: Processes,
) -> None:
    never_db, leader_db = processes(2)
    never = PostgresLeadership(never_db.engine, FAST, candidate=False)
    leader = PostgresLeadership(leader_db.engine, FAST)
    heard: list[str] = []

    async def wake(topic: str) -> None:
        heard.append(topic)

    leader.on_wake = wake
    await never.start()  # first: the lock is free, and still it does not take it
    await leader.start()
    try:
        assert leader.is_leader and not never.is_leader
        await never.wake("outbox")
        await _until(lambda: heard == ["outbox"], within=5)
    finally:
        await never.stop()
        await leader.stop()


@POSTGRES_ONLY
async def test_the_leaders_connection_asks_postgresql_to_notice_a_vanished_leader(
    processes: Processes,
) -> None:
    [db] = processes(1)
    settings = LeadershipSettings(retry_seconds=5, lost_after_seconds=30)
    leader = PostgresLeadership(db.engine, settings)
    await leader.start()
    try:
        conn = leader._conn  # the session whose end frees the lock
        idle = int(await conn.fetchval("SHOW tcp_keepalives_idle"))
        interval = int(await conn.fetchval("SHOW tcp_keepalives_interval"))
        count = int(await conn.fetchval("SHOW tcp_keepalives_count"))
        # Over TCP; PostgreSQL ignores these on a Unix socket, where no machine can vanish.
        assert idle + count * interval <= settings.lost_after_seconds
        assert idle + count * interval > 2 * settings.retry_seconds
    finally:
        await leader.stop()


def test_the_lock_key_is_a_fixed_64_bit_number_per_schema() -> None:
    assert lock_key("public") == lock_key("public")
    assert lock_key("public") != lock_key("other")
    assert -(2**63) <= lock_key("public") < 2**63


# --- SQLite --------------------------------------------------------------------------------


async def test_a_second_process_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "vcpbot.db"
    first = SoleProcess(database, lead=True)
    second = SoleProcess(database, lead=True)
    await first.start()
    try:
        assert first.is_leader
        with pytest.raises(AlreadyRunning) as refused:
            second.reserve()
        assert str(refused.value) == (
            f"another vcpbot process is using {database}; SQLite serves one process "
            "— use PostgreSQL for several"
        )
        assert not second.is_leader
    finally:
        await first.stop()
    await second.start()  # once the first has stopped
    assert second.is_leader
    await second.stop()


async def test_sqlite_in_memory_takes_no_lock_and_leads(tmp_path: Path) -> None:
    settings = Settings.load(config_file=None, env_file=None)
    for url in ("sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"):
        assert sqlite_file(url) is None
        db = create_database(url)
        try:
            leadership = leadership_for(settings, db)
            await leadership.start()
            assert leadership.is_leader
            await leadership.stop()
        finally:
            await db.dispose()


async def test_with_the_scheduler_off_a_sqlite_process_never_leads_but_still_locks(
    tmp_path: Path,
) -> None:
    database = tmp_path / "vcpbot.db"
    serving = SoleProcess(database, lead=False)
    await serving.start()
    try:
        assert not serving.is_leader
        with pytest.raises(AlreadyRunning):
            SoleProcess(database, lead=True).reserve()
    finally:
        await serving.stop()


# --- the bot's hooks in the cogs (vcpbot.leadership.LeadershipHooks) ------------------------


class _Heard(commands.Cog):
    """A feature with timed work: it hears each change of the lead."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def lead_taken(self) -> None:
        self.heard.append("taken")

    async def lead_lost(self) -> None:
        self.heard.append("lost")

    async def leader_woken(self, topic: str) -> None:
        self.heard.append(f"woken:{topic}")


class _Misspelt(commands.Cog):
    """Its author meant ``lead_lost``: the process would keep sending after losing the lead."""

    async def lead_taken(self) -> None: ...

    async def lead_lots(self) -> None: ...

    async def leader_woken(self, topic: str) -> None: ...


class _OnlyTaken(commands.Cog):
    """Takes the lead and never lets go of the work it started."""

    async def lead_taken(self) -> None: ...


class _NotAwaitable(commands.Cog):
    async def lead_taken(self) -> None: ...

    def lead_lost(self) -> None: ...

    async def leader_woken(self, topic: str) -> None: ...


@pytest.fixture
async def bot() -> AsyncIterator[VCPBotBase]:
    db = create_database("sqlite+aiosqlite://")
    made = create_bot(Settings.load(config_file=None, env_file=None), db)
    yield made
    await db.dispose()


async def test_every_cog_with_the_hooks_hears_the_lead_change_and_the_others_are_left_be(
    bot: VCPBotBase,
) -> None:
    heard = _Heard()
    await bot.add_cog(heard)
    await bot.add_cog(commands.Cog())  # a feature without timed work
    assert isinstance(heard, LeadershipHooks)
    assert bot.leadership.on_wake is not None and bot.leadership.on_deposed is not None
    await bot.leadership.on_wake("outbox")
    await bot.leadership.on_deposed()
    assert heard.heard == ["woken:outbox", "lost"]


@pytest.mark.parametrize(
    ("cog", "told"),
    [
        (_Misspelt, "_Misspelt: lead_lots looks like lead_lost; lead_lost is missing"),
        (_OnlyTaken, "_OnlyTaken: lead_lost, leader_woken are missing"),
        (_NotAwaitable, "_NotAwaitable: lead_lost is not async"),
    ],
)
async def test_a_cog_whose_leadership_hooks_are_wrong_is_refused_when_added_not_skipped(
    bot: VCPBotBase, cog: type[commands.Cog], told: str
) -> None:
    with pytest.raises(TypeError) as refused:
        await bot.add_cog(cog())
    assert told in str(refused.value)
    assert "vcpbot.leadership.LeadershipHooks" in str(refused.value)
    assert bot.cogs == {}
