"""Stopping the bot while a timed job runs (the escalation outbox every fraction of a
second, a reminder): the job finishes what it started, so no transaction, and on
SQLite no write lock, is left behind for the next start; a job that hangs is ended."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from vcpbot.scheduler import Scheduler


async def test_a_job_running_when_the_scheduler_stops_finishes_its_work() -> None:
    scheduler = Scheduler()
    scheduler.start()
    inside, finished = asyncio.Event(), []

    async def deliver() -> None:
        inside.set()
        await asyncio.sleep(0.2)  # a write transaction and a call to Discord
        finished.append(True)

    scheduler.at("job", datetime.now(UTC), deliver)
    await asyncio.wait_for(inside.wait(), 5)
    await scheduler.stop()
    assert finished == [True]
    assert not scheduler.running


async def test_a_job_that_hangs_is_ended_after_the_grace() -> None:
    scheduler = Scheduler()
    scheduler.start()
    inside, ended = asyncio.Event(), []

    async def hang() -> None:
        inside.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise

    scheduler.at("job", datetime.now(UTC), hang)
    await asyncio.wait_for(inside.wait(), 5)
    await scheduler.stop(grace=0.1)
    assert ended == ["cancelled"]
