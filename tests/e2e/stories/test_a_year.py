"""A whole academic year with the clock, as the privacy statement promises it ends.

August: the hub is set up, two associations join, their VCPs are registered, and the
introduction period's KMTM contacts are logged, closed and released. September: a VCP
asks the UM team about a case and closes it after the answer. Autumn: an intervisie
series runs across both changes of the clocks. A board hands over: the new board
replaces its VCP, and the VCP who leaves deletes her data. Winter: the escalation keys
are rotated, and the database is backed up and restored onto a new server. Spring: the
case passes its retention and is destroyed; a session after the clocks go forward.
Next August the database holds exactly what docs/privacy.md says may be kept after
such a year, and nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.e2e.escalation.steps import (
    card_for,
    code_in,
    escalate,
    open_case,
    receipt_in,
    wait_until,
)
from tests.e2e.intervisie.steps import (
    AMS,
    YEAR,
    at,
    form,
    network_with_vcps,
    plan,
    runner,
    start_clock,
)
from tests.e2e.kmtm.steps import close_period, create_period, log_contact, post_report
from tests.e2e.support.bot import escalation_values
from vcpbot.backup import backup, restore
from vcpbot.crypto import EscalationKeys, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.db.base import Base
from vcpbot.db.migrate import upgrade
from vcpbot.services import escalation
from vcpbot.settings import Settings, normalise_database_url
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student, settings_for

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
# Every eight weeks from late September to May: across both changes of the clocks.
FIRST = at(9, 23, 19, 30)
SERIES = TRAGOS | {"every_weeks": 8, "until": f"10-05-{YEAR + 1}"}
AUTUMN = FIRST + timedelta(weeks=8)  # 18 November, after the clocks went back
SPRING = at(4, 13, 19, 30, year=YEAR + 1)  # after the clocks go forward in March
RETENTION = timedelta(days=91)  # escalation.retention_days is 90
PERIOD = f"KMTM {YEAR}"


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()  # 17 August, the week the introduction period starts


@pytest.fixture
async def bots() -> AsyncIterator[list[BotHarness]]:
    running: list[BotHarness] = []
    yield running
    for bot in running:
        if bot.bot is not None:
            await bot.stop()
        await bot.db.dispose()


async def started(
    emulator: Emulator, settings: Settings, clock: ManualClock, bots: list[BotHarness]
) -> BotHarness:
    """The bot on its own database (a whole one: a backup copies a database, not a schema)."""
    db = create_database(settings.database_url)
    await upgrade(db)
    running = BotHarness(emulator, settings, db, clock=clock)
    bots.append(running)
    await running.start()
    return running


async def reminders_at(
    emulator: Emulator, harness: BotHarness, clock: ManualClock, user, start
) -> list[str]:
    """Run the reminder jobs a day before ``start``: the reminders the person got."""
    clock.set(start.astimezone(UTC) - timedelta(hours=24))
    await runner(harness).run_due()
    await runner(harness).run_due()
    return [m.text for m in emulator.person(user).dms() if "Herinnering:" in m.text]


async def user_ids_stored(db: Database) -> set[int]:
    """Every Discord user id in every column marked as one, in every table."""
    found: set[int] = set()
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if column.info.get("discord_user_id"):
                    rows = await conn.execute(
                        text(f'SELECT "{column.name}" FROM "{table.name}"')  # noqa: S608
                    )
                    found |= {value for (value,) in rows if value is not None}
    return found


async def row_counts(db: Database) -> dict[str, int]:
    counts = {}
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            result = await conn.execute(text(f'SELECT count(*) FROM "{table.name}"'))  # noqa: S608
            counts[table.name] = result.scalar_one()
    return {name: n for name, n in counts.items() if n}


async def test_a_year_ends_with_only_what_the_privacy_statement_keeps(
    *,
    emulator: Emulator,
    world: NetworkWorld,
    databases: Any,
    clock: ManualClock,
    bots: list[BotHarness],
    tmp_path: Path,
) -> None:
    values = escalation_values() | {"runtime_dir": tmp_path / "run"}
    url = await databases.create_url()
    live = settings_for(emulator, hub_guild_id=world.hub.id, database_url=url, **values)
    harness = await started(emulator, live, clock, bots)
    # --- August: the network, its VCPs, the introduction period ---------------------
    vcps = await network_with_vcps(
        emulator, world, {"sanne": ("tragos", "nl"), "liv": ("saurus", "en-US")}
    )
    sanne, liv = vcps["sanne"], vcps["liv"]
    tragos, saurus = world.association("tragos"), world.association("saurus")
    await create_period(emulator, world, PERIOD, f"17-08-{YEAR}", f"30-08-{YEAR}")
    for vcp, where in ((sanne, tragos.guild), (liv, saurus.guild)):
        for _ in range(3):
            await log_contact(emulator, vcp, where, "advice", "student", "listening_ear")
    clock.set(at(9, 1, 10))
    assert "afgesloten" in (await close_period(emulator, world, PERIOD)).text
    await post_report(emulator, world, "category", PERIOD)

    # --- September: a VCP asks the UM team; the team answers; she closes it -----------
    clock.set(at(9, 14, 10))
    text_of_case = "Een bestuurslid zet eerstejaars onder druk."
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=text_of_case)
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    card = await card_for(emulator, world, code)

    # --- Autumn: an intervisie series; its second session is after the clocks go back --
    await plan(emulator, world, SERIES, form(FIRST, title="Jaarreeks VCP-overleg"))
    local = [
        datetime.fromisoformat(e.scheduled_start_time).astimezone(AMS)
        for e in emulator.scheduled_events(world.hub)
    ]
    assert len(local) == 5 and {(t.hour, t.minute) for t in local} == {(19, 30)}
    assert local[-1].date() == date(YEAR + 1, 5, 4)  # summer time again
    autumn = await reminders_at(emulator, harness, clock, sanne, AUTUMN)
    assert len(autumn) == 1 and "Jaarreeks VCP-overleg" in autumn[0]
    assert f"<t:{int(AUTUMN.timestamp())}:F>" in autumn[0]  # 19:30 in Maastricht, winter time

    seen = await open_case(emulator, sanne, receipt)
    person = emulator.person(sanne)
    ask = (await person.press(seen, label="Mijn melding sluiten")).response.message
    assert ask is not None
    await (await person.press(ask, label="Ja, sluit mijn melding")).final()
    closed_on = clock.now

    # --- A board hands over; the VCP who leaves deletes her data ----------------------
    new_board = emulator.create_user("nieuw-bestuur", locale="nl")
    emulator.add_member(tragos.guild, new_board, permissions=perm.MANAGE_GUILD | perm.MANAGE_ROLES)
    emulator.remove_member(tragos.guild, tragos.admin)
    board = emulator.person(new_board)
    removed = await board.slash(tragos.guild, "vcp", {"member": sanne}, subcommand="remove")
    await removed.wait()
    bram = add_student(emulator, world, "tragos", "bram", locale="nl")
    await (await board.slash(tragos.guild, "vcp", {"member": bram}, subcommand="add")).wait()
    asked = await person.slash(tragos.guild, "privacy", subcommand="delete-my-data")
    question = (await asked.wait()).message
    assert question is not None
    await (await person.press(question, label="Ja, verwijder mijn gegevens")).final()

    # --- Winter: the escalation keys are rotated --------------------------------------
    old = harness.settings.master_keys
    assert old is not None
    both = f"{old.get_secret_value()},{generate_master_key(2)}"
    harness.settings = harness.settings.model_copy(update={"master_keys": SecretStr(both)})
    await harness.restart()
    async with harness.db.sessions.begin() as session:
        rotated = await escalation.rotate_keys(
            session, keys=EscalationKeys.from_settings(harness.settings)
        )
    assert rotated.versions_in_use == (2,)

    # --- January: the backup is restored onto a new database server ---------------------
    clock.set(at(1, 12, 10, year=YEAR + 1))
    copy = tmp_path / "winter.backup"
    await backup(harness.settings, copy, now=clock.now)
    await harness.stop()
    moved_to = normalise_database_url(await databases.create_url())
    fresh = harness.settings.model_copy(update={"database_url": moved_to})
    restored = await restore(fresh, copy, now=clock.now)
    assert restored.cases == 1  # closed, not yet past retention
    harness = BotHarness(emulator, fresh, create_database(moved_to), clock=clock)
    bots.append(harness)
    await harness.start()
    assert text_of_case in (await open_case(emulator, sanne, receipt)).text

    # --- Spring: retention, and intervisie after the clocks go forward ----------------
    clock.set(closed_on + RETENTION)
    await harness.bot.get_cog("EscalationCog").upkeep()  # the daily job
    await wait_until(emulator, lambda: card.deleted or _gone(emulator, world, code), "the card")
    await plan(emulator, world, TRAGOS, form(SPRING, title="Intervisie lente"))
    spring = await reminders_at(emulator, harness, clock, bram, SPRING)
    assert len(spring) == 1 and f"<t:{int(SPRING.timestamp())}:F>" in spring[0]

    # --- Next August: what is left ------------------------------------------------------
    clock.set(at(8, 17, 10, year=YEAR + 1))
    await harness.bot.get_cog("EscalationCog").upkeep()
    await harness.stop()
    kept = await row_counts(harness.db)
    # docs/privacy.md, per feature. Network: the hub, both associations, their VCPs and
    # the audit of joins and registrations; languages of the people written to.
    # Escalation: of the destroyed case only its count and how many days it took; no
    # case, message, post, outbox row, counter or block. KMTM: counts per association and
    # the released report.
    # Intervisie: the series, the sessions, invitations and reminders, and whether each
    # invitation DM went out (no automatic deletion yet, the retention table says so).
    # Rules: none were published.
    assert set(kept) == {
        "hub_config",
        "associations",
        "vcps",
        "audit_log",
        "user_languages",
        "escalation_counts",
        "escalation_durations",
        "kmtm_periods",
        "kmtm_by_category",
        "kmtm_by_relation",
        "kmtm_by_follow_up",
        "kmtm_releases",
        "intervisie_series",
        "intervisie_sessions",
        "intervisie_invitations",
        "intervisie_reminders",
        "intervisie_fanouts",
        "intervisie_deliveries",
        "intervisie_delivery_items",
    }, kept
    assert kept["escalation_counts"] == 1
    assert kept["escalation_durations"] >= 1  # days to close (and to acknowledge, if it was)
    assert kept["vcps"] == 2  # liv and bram
    stored = await user_ids_stored(harness.db)
    assert sanne.id not in stored, "she deleted her data: no table names her"
    assert stored <= {
        liv.id,
        bram.id,
        new_board.id,
        tragos.admin.id,  # the old board's /setup in the audit, until they ask
        saurus.admin.id,
        world.coordinator.id,
        world.hub_admin.id,
    }


def _gone(emulator: Emulator, world: NetworkWorld, code: str) -> bool:
    team = emulator.person(world.team_member)
    return not any(code in m.text for m in team.sees(world.escalations))
