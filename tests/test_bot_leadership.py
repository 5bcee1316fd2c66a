"""The bot and leadership: timed work runs only in the process that leads, and the next
leader rebuilds it from the database. Two bots in one test process stand for two
processes (each with its own connection pool); they log in to the emulator but need
no gateway for this."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from discord_emulator import Emulator
from vcpbot.bot import create_bot
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.db.migrate import upgrade
from vcpbot.discord_endpoints import discord_endpoints
from vcpbot.services import intervisie, network
from vcpbot.services.intervisie import JOB_PREFIX
from vcpbot_harness import settings_for

pytestmark = pytest.mark.parametrize("databases", ["postgres"], indirect=True)

NOW = datetime.now(UTC)


@pytest.fixture
async def two_pools(databases) -> AsyncIterator[tuple[Database, Database]]:
    """Two connection pools on one migrated schema, as two processes would have."""
    url, options, schema = databases.url()
    admin = create_database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    first, second = create_database(url, **options), create_database(url, **options)
    await upgrade(first)
    yield first, second
    for db in (first, second):
        await db.dispose()
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def a_session_with_reminders(db: Database) -> int:
    """A session in eight days for one VCP: three reminders to send; returns how many."""
    async with db.sessions.begin() as session:
        asked = await network.request_join(
            session,
            guild_id=1,
            name="Tragos",
            short_name="Tragos",
            locale="nl",
            vcp_role_id=10,
            rules_channel_id=None,
            requested_by=2,
            now=NOW,
        )
        await network.add_vcp(
            session, guild_id=1, user_id=101, display_name="Sanne", actor_id=2, now=NOW
        )
    async with db.sessions.begin() as session:
        await network.decide_request(
            session,
            request_token=asked.association.request_token,
            approve=True,
            decided_by=7,
            now=NOW,
            zone=intervisie.Policy().zone,
        )
    async with db.sessions.begin() as session:
        await intervisie.plan_session(
            session,
            title="Intervisie",
            starts_at=NOW + timedelta(days=8),
            duration_minutes=60,
            location=intervisie.Location.room("Zaal 1"),
            agenda=None,
            invitees=intervisie.Invitees.everyone(),
            now=NOW,
            policy=intervisie.Policy(),
        )
        return len(await intervisie.pending_reminders(session))


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.02)


async def test_only_the_leading_process_runs_timed_work_and_the_next_one_rebuilds_it(
    two_pools: tuple[Database, Database],
) -> None:
    first_db, second_db = two_pools
    reminders = await a_session_with_reminders(first_db)
    assert reminders == 2  # a week and a day before; the hour before waits for a yes
    async with Emulator() as emulator:
        settings = settings_for(
            emulator,
            hub_guild_id=None,
            master_keys=generate_master_key(1),
            index_key=generate_index_key(),
            leadership={"retry_seconds": 0.2, "lost_after_seconds": 3},
        )
        with discord_endpoints(emulator.api_base, emulator.gateway_url):
            first, second = create_bot(settings, first_db), create_bot(settings, second_db)
            try:
                await first.login(emulator.token)  # runs setup_hook: cogs, leadership
                await second.login(emulator.token)
                assert first.leads and not second.leads
                assert not first.scheduler.paused and second.scheduler.paused
                assert len(first.scheduler.job_ids(JOB_PREFIX)) == reminders
                assert second.scheduler.job_ids(JOB_PREFIX) == []
                # The jobs of the cogs exist everywhere, and fire only where the lead is.
                assert "escalation:outbox" in second.scheduler.job_ids()

                await first.close()  # the leader stops: the other takes over
                await _until(lambda: second.leads)
                await _until(lambda: len(second.scheduler.job_ids(JOB_PREFIX)) == reminders)
                assert not second.scheduler.paused
            finally:
                await first.close()
                await second.close()
