"""The restore drill an operator does once per term, with the real bot: a backup taken while
reports come in, restored into a fresh database, the bot started on it.

What was acknowledged before the backup is all there (each report opens with its receipt;
the KMTM contact, the published rules version, the planned intervisie and its pending
reminder); what was being written during the backup is there whole or not at all; and
the reminder goes out once after the restore, not again after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from discord_emulator import Emulator
from tests.e2e.escalation.steps import escalate, open_case, receipt_in
from tests.e2e.intervisie.steps import (
    YEAR,
    at,
    form,
    network_with_vcps,
    plan,
    reminder_job_times,
    runner,
    start_clock,
    three_association_world,
)
from tests.e2e.kmtm.steps import create_period, log_contact
from tests.e2e.rules.steps import HOUSE_RULES_NL, publish, upload
from tests.e2e.support.bot import escalation_values
from vcpbot.backup import backup, restore
from vcpbot.db import Database, create_database
from vcpbot.db.escalation import Case
from vcpbot.db.intervisie import IntervisieReminder
from vcpbot.db.kmtm import KmtmByCategory
from vcpbot.db.migrate import upgrade
from vcpbot.db.rules import RulesVersion
from vcpbot.services.intervisie import ReminderOutcome
from vcpbot.settings import normalise_database_url
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, settings_for

START = at(9, 15, 19, 30)
WEEK_BEFORE = at(9, 8, 19, 30).astimezone(UTC)
VCPS = {
    "sanne": ("tragos", "nl"),
    "ahmed": ("tragos", "nl"),
    "kim": ("koko", "nl"),
    "noor": ("koko", "nl"),
}
BEFORE = ("sanne", "kim")  # their reports are acknowledged before the backup starts


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def opened(url: str) -> Database:
    return create_database(normalise_database_url(url))


@pytest.fixture
def settings_of(emulator: Emulator, world: NetworkWorld, tmp_path: Path) -> Any:
    values = escalation_values() | {"runtime_dir": tmp_path / "run"}

    def settings(url: str) -> Any:
        return settings_for(emulator, hub_guild_id=world.hub.id, database_url=url, **values)

    return settings


async def started(emulator: Emulator, settings: Any, clock: ManualClock) -> BotHarness:
    running = BotHarness(emulator, settings, opened(settings.database_url), clock=clock)
    await running.start()
    return running


@pytest.fixture
async def bots() -> AsyncIterator[list[BotHarness]]:
    running: list[BotHarness] = []
    yield running
    for bot in running:
        if bot.bot is not None:
            await bot.stop()
        await bot.db.dispose()


async def publish_rules(emulator: Emulator, world: NetworkWorld) -> None:
    """Saurus's board registers with a rules channel and publishes its house rules."""
    saurus = world.association("saurus")
    asked = await emulator.person(saurus.admin).slash(
        saurus.guild,
        "setup",
        {
            "name": saurus.guild.name,
            "short_name": "Saurus",
            "language": "nl",
            "vcp_role": saurus.vcp_role,
            "rules_channel": saurus.rules,
        },
    )
    await asked.final()
    await upload(emulator, saurus, "nl", HOUSE_RULES_NL)
    done = await publish(emulator, saurus, "Eerste versie")
    assert "Version 1 of the house rules is published" in done.text


async def report(emulator: Emulator, world: NetworkWorld, vcps: dict[str, Any], name: str) -> str:
    key = VCPS[name][0]
    _, confirmation = await escalate(
        emulator, vcps[name], world.association(key).guild, text=f"Report by {name}'s friend."
    )
    return receipt_in(confirmation)


async def count(url: str, query: Any) -> int:
    db = opened(url)
    try:
        async with db.reading.begin() as session:
            return int(await session.scalar(query) or 0)
    finally:
        await db.dispose()


async def committed(url: str, query: Any, expected: int, within: float = 20.0) -> None:
    """Wait until ``query`` counts ``expected`` in the live database."""
    for _ in range(int(within / 0.05)):
        if await count(url, query) >= expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the database never counted {expected}")


async def test_a_backup_taken_during_reports_restores_whole_and_reminds_once(
    *,
    emulator: Emulator,
    world: NetworkWorld,
    databases: Any,
    clock: ManualClock,
    settings_of: Any,
    bots: list[BotHarness],
    tmp_path: Path,
) -> None:
    live = settings_of(await databases.create_url())
    db = opened(live.database_url)
    await upgrade(db)
    await db.dispose()
    bots.append(await started(emulator, live, clock))

    vcps = await network_with_vcps(emulator, world, VCPS)
    await publish_rules(emulator, world)
    await create_period(emulator, world, "KMTM drill", f"10-08-{YEAR}", f"30-08-{YEAR}")
    logged = await log_contact(
        emulator,
        vcps["sanne"],
        world.association("tragos").guild,
        "bullying",
        "student",
        "nothing_yet",
    )
    assert logged.ephemeral, logged.text
    await plan(
        emulator, world, {"invitees": "associations", "associations": "Tragos, Koko"}, form(START)
    )
    for user in vcps.values():
        await emulator.person(user).wait_for_dm(contains="Uitnodiging")
    acknowledged = {name: await report(emulator, world, vcps, name) for name in BEFORE}

    # Ahmed's report is committed before the backup starts, though his receipt may not
    # be on his screen yet; Noor's is on its way while the backup runs.
    cases = select(func.count()).select_from(Case)
    ahmed = asyncio.create_task(report(emulator, world, vcps, "ahmed"))
    await committed(live.database_url, cases, len(BEFORE) + 1)
    noor = asyncio.create_task(report(emulator, world, vcps, "noor"))
    copy = tmp_path / "drill.backup"
    await backup(live, copy, now=clock())
    receipts_during = {"ahmed": await ahmed, "noor": await noor}
    await bots[0].stop()

    fresh = settings_of(await databases.create_url())
    restored = await restore(fresh, copy, now=clock())
    assert restored.cases >= len(BEFORE)
    bots.append(await started(emulator, fresh, clock))

    for name, receipt in acknowledged.items():
        shown = await open_case(emulator, vcps[name], receipt)
        assert f"Report by {name}'s friend." in shown.text
    whole = [
        name
        for name, receipt in receipts_during.items()
        if f"Report by {name}'s friend." in (await open_case(emulator, vcps[name], receipt)).text
    ]
    assert "ahmed" in whole
    assert await count(fresh.database_url, cases) == len(BEFORE) + len(whole)
    assert await count(fresh.database_url, select(func.sum(KmtmByCategory.count))) == 1
    assert await count(fresh.database_url, select(func.max(RulesVersion.number))) == 1
    pending = select(func.count()).where(
        IntervisieReminder.lead == "P7D", IntervisieReminder.outcome.is_(None)
    )
    assert await count(fresh.database_url, pending) == len(VCPS)

    # The restored bot planned the reminders from the restored rows; each goes out once.
    assert WEEK_BEFORE in reminder_job_times(bots[1])
    clock.set(WEEK_BEFORE)
    assert await runner(bots[1]).run_due() == [ReminderOutcome.SENT] * len(VCPS)
    assert await runner(bots[1]).run_due() == []
    await bots[1].restart()
    assert await runner(bots[1]).run_due() == []
    for user in vcps.values():
        reminders = [m for m in emulator.person(user).dms() if "Herinnering:" in m.text]
        assert len(reminders) == 1
