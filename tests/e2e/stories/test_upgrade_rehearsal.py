"""The upgrade in docs/operator.md, rehearsed: a database the previous release left
(the previous migration head, with a case, its receipt and a planned intervisie
reminder in it) is refused by the new bot until `vcpbot db upgrade`; after it, the
reporter reads their case with the receipt they kept, and the reminder goes out once."""

from __future__ import annotations

from datetime import UTC

import pytest
from alembic.script import ScriptDirectory

from discord_emulator import Emulator
from tests.e2e.escalation.steps import escalate, open_case, receipt_in
from tests.e2e.intervisie.steps import at, form, network_with_vcps, plan, runner, start_clock
from vcpbot.bot import DatabaseNotReady
from vcpbot.db.migrate import alembic_config, downgrade, head_revisions, schema_diff, state, upgrade
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
START = at(9, 15, 19, 30)
WEEK_BEFORE = at(9, 8, 19, 30).astimezone(UTC)


def previous_head() -> str:
    """The head of the release before this one: the revision below today's head."""
    [head] = head_revisions()
    below = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(below, str), "the history is one line (test_migrations)"
    return below


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def test_a_database_of_the_previous_release_upgrades_with_everything_in_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    sanne = vcps["sanne"]
    tragos = world.association("tragos")
    await plan(emulator, world, TRAGOS, form(START))
    text = "Bij de borrel werd een eerstejaars onder druk gezet."
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=text)
    receipt = receipt_in(confirmation)

    # What the previous release left: its schema, this data.
    await harness.stop()
    await downgrade(harness.db, previous_head())
    # 3. Stop, 4. install: the new bot refuses the old database and says what to run.
    with pytest.raises(DatabaseNotReady, match="vcpbot db upgrade"):
        await harness.start(sync=False)
    # 5. `vcpbot db upgrade` (the same function), then the check's database part.
    await upgrade(harness.db)
    assert (await state(harness.db)).at_head
    assert await schema_diff(harness.db) == []
    # 7. Start the bot.
    await harness.start()

    case = await open_case(emulator, sanne, receipt)
    assert text in case.text
    clock.set(WEEK_BEFORE)
    await runner(harness).run_due()
    await runner(harness).run_due()
    reminders = [m for m in emulator.person(sanne).dms() if "Herinnering:" in m.text]
    assert len(reminders) == 1
