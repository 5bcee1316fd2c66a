"""Stored times are days: nothing the bot keeps about a case (its rows, and on SQLite the
database file and its write-ahead log) tells the time of day it was submitted or posted.
The only exception is the urgent case's acknowledgement hour, on the hour."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    wait_until,
)
from tests.e2e.support.sqlite_wal import wal_of
from vcpbot.db.base import Base
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

# The one time finer than a day that a case keeps, and why: the urgent clock counts hours.
HOUR_COLUMNS = {("escalation_cases", "ack_due")}


def bot_posts(emulator: Emulator, world: NetworkWorld) -> list[int]:
    return [
        m.id
        for m in emulator.channel_messages(world.escalations, viewer=emulator.bot_user)
        if m.author is emulator.bot_user and not m.ephemeral
    ]


def database_files(database: Path) -> bytes:
    """What an attacker copies: the database file and its write-ahead log."""
    wal = wal_of(database)
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def stored_values(harness: BotHarness) -> list[tuple[str, str, object]]:
    assert harness.bot is not None
    values = []
    async with harness.bot.db.sessions.begin() as session:
        for table in Base.metadata.sorted_tables:
            if not table.name.startswith("escalation_"):
                continue
            for row in (await session.execute(select(table))).mappings().all():
                values.extend((table.name, column, value) for column, value in row.items())
    return values


@pytest.mark.threat("T6")
async def test_no_stored_value_of_a_case_carries_its_time_of_day(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    # Registered first: the registry and the audit log keep when a VCP was added.
    vcps = {}
    for name in ("sanne", "ahmed"):
        vcps[name] = await add_vcp(emulator, world, "tragos", name, locale="nl")
    clock.advance(timedelta(minutes=7, seconds=13, microseconds=421_337))
    submitted_at = clock().strftime("%H:%M:%S")
    codes = []
    for name, urgency in (("sanne", "routine"), ("ahmed", "urgent")):
        vcp = vcps[name]
        _, confirmation = await escalate(
            emulator, vcp, tragos.guild, text=f"Iets ({name}).", urgency=urgency
        )
        codes.append(code_in(confirmation))
    for code in codes:
        await card_for(emulator, world, code)
    await wait_until(emulator, lambda: len(bot_posts(emulator, world)) >= 3, "the pattern notice")
    posted = bot_posts(emulator, world)

    for table, column, value in await stored_values(harness):
        if isinstance(value, datetime):
            assert (table, column) in HOUR_COLUMNS, (table, column, value)
            assert value == value.replace(minute=0, second=0, microsecond=0), (column, value)
        assert value not in posted, (table, column)
        if isinstance(value, str | bytes):
            text = value if isinstance(value, str) else value.decode("latin-1")
            assert not any(str(message) in text for message in posted), (table, column)

    assert harness.bot is not None
    if harness.bot.db.is_sqlite:
        files = database_files(Path(str(harness.bot.db.engine.url.database)))
        assert submitted_at.encode() not in files
        for message in posted:
            assert struct.pack(">q", message) not in files
            assert str(message).encode() not in files
