"""Personal lead times: each VCP chooses which reminders they get (none, or some of the
lead times the coordinator offers); the reminders stay rows, planned per person, and
changing the choice re-plans only what was not sent yet."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.services.intervisie.steps import (
    AHMED,
    AMS,
    NOW,
    POLICY,
    SANNE,
    answer,
    build_network,
    plan,
    reminders_by_lead,
)
from vcpbot.db import Database
from vcpbot.db.intervisie import IntervisiePreference, IntervisieReminder, ReminderOutcome
from vcpbot.errors import InvalidInput
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Invitees, Rsvp
from vcpbot.services.privacy import erase_user

# Thursday 10 September 2026, 19:30 in Amsterdam (17:30 UTC).
START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)
WEEK_BEFORE = datetime(2026, 9, 3, 17, 30, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 9, 9, 17, 30, tzinfo=UTC)
THREE_HOURS_BEFORE = datetime(2026, 9, 10, 14, 30, tzinfo=UTC)
HOUR_BEFORE = datetime(2026, 9, 10, 16, 30, tzinfo=UTC)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _choose(
    db: Database, leads: list[str], *, user_id: int = SANNE, now: datetime = NOW
) -> intervisie.Preferences:
    async with db.sessions.begin() as session:
        return await intervisie.set_reminder_leads(
            session, user_id=user_id, leads=leads, now=now, policy=POLICY
        )


async def _outcomes(db: Database) -> dict[str, str | None]:
    async with db.sessions.begin() as session:
        rows = await session.execute(select(IntervisieReminder.lead, IntervisieReminder.outcome))
        return dict(rows.all())


async def test_the_coordinator_offers_the_short_list_and_nobody_chose_yet(
    world: Database,
) -> None:
    async with world.sessions.begin() as session:
        prefs = await intervisie.preferences(session, user_id=SANNE)
    # Until Sanne chooses, she gets what everyone gets; 3 hours is hers to add.
    assert POLICY.offered_codes == ("P7D", "PT24H", "PT3H", "PT1H")
    assert prefs.leads == ("P7D", "PT24H", "PT1H")
    assert not prefs.chosen


async def test_a_vcps_own_lead_times_plan_exactly_those_reminders(world: Database) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    prefs = await _choose(world, ["PT1H", "PT3H"])
    assert prefs.chosen
    # Kept longest first, whatever order they were picked in.
    assert prefs.leads == ("PT3H", "PT1H")
    assert await reminders_by_lead(world) == {"PT3H": THREE_HOURS_BEFORE, "PT1H": HOUR_BEFORE}
    # A session planned after the choice follows it too.
    await plan(world, START + timedelta(days=7))
    async with world.sessions.begin() as session:
        leads = (
            await session.scalars(
                select(IntervisieReminder.lead).where(IntervisieReminder.outcome.is_(None))
            )
        ).all()
    # The new one is unanswered, so its Yes/Maybe-only hour reminder waits for an answer.
    assert sorted(leads) == ["PT1H", "PT3H", "PT3H"]


async def test_choosing_none_means_no_reminders_while_another_vcp_keeps_theirs(
    world: Database,
) -> None:
    planned = await plan(world, START, invitees=Invitees.people(SANNE, AHMED))
    for invitation in planned.invitations:
        await answer(world, invitation, Rsvp.YES)
    prefs = await _choose(world, [])
    assert prefs.chosen and prefs.leads == ()
    async with world.sessions.begin() as session:
        rows = await session.execute(
            select(IntervisieReminder.lead).where(IntervisieReminder.outcome.is_(None))
        )
        assert sorted(r for (r,) in rows) == ["P7D", "PT1H", "PT24H"]


async def test_a_lead_time_the_coordinator_does_not_offer_is_refused_kindly(
    world: Database,
) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    with pytest.raises(InvalidInput) as refused:
        await _choose(world, ["PT24H", "PT30M"])
    assert refused.value.key == "intervisie.error.lead_not_offered"
    # Nothing changed: the reminders everyone gets are still planned.
    assert set(await reminders_by_lead(world)) == {"P7D", "PT24H", "PT1H"}
    async with world.sessions.begin() as session:
        assert not (await intervisie.preferences(session, user_id=SANNE)).chosen


async def test_changing_the_choice_re_plans_only_the_unsent_reminders(world: Database) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    await _choose(world, ["P7D", "PT24H"])
    # The week reminder goes out.
    async with world.sessions.begin() as session:
        [week] = (
            await session.scalars(
                select(IntervisieReminder.id).where(IntervisieReminder.lead == "P7D")
            )
        ).all()
        assert await intervisie.claim_reminder(session, reminder_id=week, now=WEEK_BEFORE)
        assert await intervisie.mark_sent(session, reminder_id=week, now=WEEK_BEFORE)
    after_week = WEEK_BEFORE + timedelta(hours=1)
    await _choose(world, ["PT1H"], now=after_week)
    assert await _outcomes(world) == {
        "P7D": ReminderOutcome.SENT,
        "PT24H": ReminderOutcome.SKIPPED,
        "PT1H": None,
    }
    # Back to all of them: the sent one is not planned again, the day one comes back.
    await _choose(world, ["P7D", "PT24H", "PT1H"], now=after_week)
    assert await _outcomes(world) == {
        "P7D": ReminderOutcome.SENT,
        "PT24H": None,
        "PT1H": None,
    }
    async with world.sessions.begin() as session:
        assert len((await session.scalars(select(IntervisieReminder.id))).all()) == 3


async def test_turning_reminders_on_again_restores_the_own_choice(world: Database) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    await _choose(world, ["PT3H"])
    async with world.sessions.begin() as session:
        await intervisie.set_reminders_enabled(
            session, user_id=SANNE, enabled=False, now=NOW, policy=POLICY
        )
    assert await reminders_by_lead(world) == {}
    async with world.sessions.begin() as session:
        await intervisie.set_reminders_enabled(
            session, user_id=SANNE, enabled=True, now=NOW, policy=POLICY
        )
    assert await reminders_by_lead(world) == {"PT3H": THREE_HOURS_BEFORE}


async def test_a_lead_time_the_coordinator_stops_offering_is_no_longer_planned(
    world: Database,
) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    await _choose(world, ["PT3H", "PT1H"])
    narrower = intervisie.Policy(optional=())
    async with world.sessions.begin() as session:
        await intervisie.plan_reminders(
            session, invitation_id=planned.invitations[0].id, now=NOW, policy=narrower
        )
        prefs = await intervisie.preferences(session, user_id=SANNE, policy=narrower)
    assert await reminders_by_lead(world) == {"PT1H": HOUR_BEFORE}
    assert prefs.leads == ("PT1H",)


async def test_erasure_removes_the_own_choice(world: Database) -> None:
    await _choose(world, ["PT3H"])
    async with world.sessions.begin() as session:
        removed = await erase_user(session, SANNE)
        assert "privacy.removed.intervisie_preferences" in removed
        assert await session.get(IntervisiePreference, SANNE) is None
        prefs = await intervisie.preferences(session, user_id=SANNE)
    assert not prefs.chosen
    assert prefs.leads == ("P7D", "PT24H", "PT1H")
