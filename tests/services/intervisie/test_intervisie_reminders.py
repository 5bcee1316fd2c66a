"""Reminders: planned as rows, delivered exactly once, caught up after downtime or
reported as missed. The clock is moved by hand; jobs are run by calling them."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.intervisie.steps import (
    AHMED,
    AMS,
    NOW,
    POLICY,
    SANNE,
    Clock,
    Outbox,
    answer,
    build_network,
    pending,
    plan,
    reminders_by_lead,
)
from vcpbot.db import Database
from vcpbot.scheduler import Scheduler
from vcpbot.services import intervisie, languages
from vcpbot.services.intervisie import Invitees, ReminderOutcome, Rsvp
from vcpbot.services.intervisie._jobs import ReminderRunner

# Thursday 10 September 2026, 19:30 in Amsterdam (17:30 UTC).
START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)
WEEK_BEFORE = datetime(2026, 9, 3, 17, 30, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 9, 9, 17, 30, tzinfo=UTC)
HOUR_BEFORE = datetime(2026, 9, 10, 16, 30, tzinfo=UTC)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


def _runner(db: Database, clock: Clock, outbox: Outbox, scheduler: Scheduler | None = None):
    return ReminderRunner(
        sessions=db.sessions,
        scheduler=scheduler or Scheduler(timezone="UTC"),
        policy=POLICY,
        send=outbox.send,
        find=outbox.find,
        report=outbox.report,
        clock=clock,
    )


async def _planned_with_yes(db: Database, start: datetime = START) -> intervisie.Planned:
    planned = await plan(db, start)
    await answer(db, planned.invitations[0], Rsvp.YES)
    return planned


async def _id_of(db: Database, due_at: datetime) -> int:
    [reminder] = [r for r in await pending(db) if r.due_at == due_at]
    return reminder.id


async def _running_until_the_week_reminder(db: Database, clock: Clock, outbox: Outbox) -> None:
    """The bot runs and sends the week-before reminder on time."""
    runner = _runner(db, clock, outbox)
    await runner.start()
    clock.now = WEEK_BEFORE
    assert await runner.run(await _id_of(db, WEEK_BEFORE)) is ReminderOutcome.SENT


async def test_reminders_are_planned_from_the_configured_leads(world: Database) -> None:
    planned = await plan(world, START)
    # No answer yet: the week and day reminders, not the Yes/Maybe-only hour one.
    assert await reminders_by_lead(world) == {
        "P7D": WEEK_BEFORE,
        "PT24H": DAY_BEFORE,
    }
    await answer(world, planned.invitations[0], Rsvp.MAYBE)
    assert (await reminders_by_lead(world))["PT1H"] == HOUR_BEFORE


async def test_a_reminder_whose_time_passed_before_planning_is_not_planned(
    world: Database,
) -> None:
    await plan(world, datetime(2026, 9, 3, 19, 30, tzinfo=AMS))
    assert set(await reminders_by_lead(world)) == {"PT24H"}


async def test_no_means_no_reminders_and_yes_brings_them_back(world: Database) -> None:
    planned = await _planned_with_yes(world)
    [invitation] = planned.invitations
    await answer(world, invitation, Rsvp.NO)
    assert await reminders_by_lead(world) == {}
    await answer(world, invitation, Rsvp.YES)
    assert set(await reminders_by_lead(world)) == {"P7D", "PT24H", "PT1H"}
    # Past the week reminder's time, only the later ones come back.
    await answer(world, invitation, Rsvp.NO, now=datetime(2026, 9, 5, tzinfo=UTC))
    await answer(world, invitation, Rsvp.YES, now=datetime(2026, 9, 5, tzinfo=UTC))
    assert set(await reminders_by_lead(world)) == {"PT24H", "PT1H"}


async def test_a_vcp_can_turn_reminders_off_and_on(world: Database) -> None:
    await _planned_with_yes(world)
    async with world.sessions.begin() as session:
        prefs = await intervisie.set_reminders_enabled(
            session, user_id=SANNE, enabled=False, now=NOW, policy=POLICY
        )
    assert not prefs.reminders_enabled
    assert await reminders_by_lead(world) == {}
    # Also for sessions planned while they are off.
    await plan(world, START + timedelta(days=7))
    assert await reminders_by_lead(world) == {}
    async with world.sessions.begin() as session:
        await intervisie.set_reminders_enabled(
            session, user_id=SANNE, enabled=True, now=NOW, policy=POLICY, locale="en"
        )
        prefs = await intervisie.preferences(session, user_id=SANNE)
        assert await languages.remembered(session, user_id=SANNE) == "en"
    assert prefs.reminders_enabled
    assert len(await pending(world)) == 3 + 2


async def test_reminders_fall_at_the_right_instants_across_the_dst_change(
    world: Database,
) -> None:
    # Sunday 25 October 2026, 19:30: the clocks went back at 03:00 that morning.
    start = datetime(2026, 10, 25, 19, 30, tzinfo=AMS)
    await _planned_with_yes(world, start)
    leads = await reminders_by_lead(world)
    # A week before: the same wall-clock time, still in summer time.
    assert leads["P7D"] == datetime(2026, 10, 18, 17, 30, tzinfo=UTC)
    assert leads["P7D"].astimezone(AMS).strftime("%H:%M %Z") == "19:30 CEST"
    # 24 hours before is 24 elapsed hours: 20:30 summer time on the Saturday.
    assert leads["PT24H"] == datetime(2026, 10, 24, 18, 30, tzinfo=UTC)
    assert leads["PT1H"] == datetime(2026, 10, 25, 17, 30, tzinfo=UTC)

    clock, outbox = Clock(), Outbox()
    scheduler = Scheduler(timezone="UTC")
    runner = _runner(world, clock, outbox, scheduler)
    scheduler.start()
    try:
        await runner.start()
        # The jobs are set for exactly those instants.
        assert sorted(
            scheduler.next_run(j) for j in scheduler.job_ids(intervisie.JOB_PREFIX)
        ) == sorted(leads.values())
    finally:
        scheduler.shutdown()
    day_before = await _id_of(world, leads["PT24H"])
    clock.now = leads["PT24H"] - timedelta(seconds=1)
    assert await runner.run(day_before) is None
    clock.now = leads["PT24H"]
    assert await runner.run(day_before) is ReminderOutcome.SENT
    [sent] = outbox.sent
    assert sent.lead == "PT24H" and not sent.late
    assert sent.session.local_start.strftime("%d-%m %H:%M %Z") == "25-10 19:30 CET"


async def test_a_restart_between_planning_and_the_reminder_sends_it_once(
    world: Database,
) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    before = _runner(world, clock, outbox)
    jobs = await before.start()
    assert jobs.late == () and jobs.missed == ()
    # The bot restarts: a new scheduler is rebuilt from the rows, with the same job ids.
    scheduler = Scheduler(timezone="UTC")
    after = _runner(world, clock, outbox, scheduler)
    await after.start()
    assert scheduler.job_ids() == sorted(r.job_id for r in await pending(world))
    assert len(scheduler.job_ids()) == 3
    # Both the old job (it was already queued) and the rebuilt one fire.
    reminder_id = await _id_of(world, DAY_BEFORE)
    clock.now = DAY_BEFORE
    results = [await before.run(reminder_id), await after.run(reminder_id)]
    assert results == [ReminderOutcome.SENT, None]
    assert [r.reminder_id for r in outbox.sent] == [reminder_id]
    # Once settled, a refresh drops its job.
    await after.refresh()
    assert intervisie.job_id(reminder_id) not in scheduler.job_ids()


async def test_two_processes_running_the_same_job_at_once_send_it_once(
    world: Database,
) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(DAY_BEFORE), Outbox()
    reminder_id = await _id_of(world, DAY_BEFORE)
    first, second = _runner(world, clock, outbox), _runner(world, clock, outbox)
    results = await asyncio.gather(first.run(reminder_id), second.run(reminder_id))
    assert sorted(results, key=str) == sorted([ReminderOutcome.SENT, None], key=str)
    assert len(outbox.sent) == 1


async def test_two_claimers_in_open_transactions_exactly_one_wins(world: Database) -> None:
    await _planned_with_yes(world)
    reminder_id = await _id_of(world, DAY_BEFORE)
    async with world.sessions.begin() as first:
        assert await intervisie.claim_reminder(first, reminder_id=reminder_id, now=DAY_BEFORE)

        async def second_process() -> bool:
            async with world.sessions.begin() as second:
                return await intervisie.claim_reminder(
                    second, reminder_id=reminder_id, now=DAY_BEFORE
                )

        # The second claimer waits for the first transaction (row lock on PostgreSQL,
        # the write lock on SQLite), then finds the reminder taken.
        contender = asyncio.create_task(second_process())
        await asyncio.sleep(0.3)
        assert not contender.done()
    assert await contender is False
    async with world.sessions.begin() as session:
        assert not await intervisie.claim_reminder(session, reminder_id=reminder_id, now=DAY_BEFORE)
        due = await intervisie.due_reminders(session, now=DAY_BEFORE)
    assert reminder_id not in [r.id for r in due]


async def test_down_across_a_reminder_and_back_within_the_grace_sends_it_late_once(
    world: Database,
) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    await _running_until_the_week_reminder(world, clock, outbox)
    # The bot stops before the day-before reminder and comes back 90 minutes after it.
    clock.now = DAY_BEFORE + timedelta(minutes=90)
    scheduler = Scheduler(timezone="UTC")
    restarted = _runner(world, clock, outbox, scheduler)
    caught_up = await restarted.start()
    reminder_id = await _id_of(world, DAY_BEFORE)
    assert [r.id for r in caught_up.late] == [reminder_id]
    assert caught_up.missed == () and outbox.reports == []
    # Its job is due at once; run it (and a stray second run) by hand.
    assert intervisie.job_id(reminder_id) in scheduler.job_ids()
    assert await restarted.run(reminder_id) is ReminderOutcome.SENT
    assert await restarted.run(reminder_id) is None
    week, day = outbox.sent
    assert not week.late
    assert day.late and day.due_at == DAY_BEFORE


async def test_down_beyond_the_grace_records_the_reminder_as_missed_and_reports_it(
    world: Database,
) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    await _running_until_the_week_reminder(world, clock, outbox)
    clock.now = DAY_BEFORE + POLICY.grace + timedelta(minutes=1)
    restarted = _runner(world, clock, outbox)
    caught_up = await restarted.start()
    assert caught_up.late == ()
    [missed] = caught_up.missed
    assert missed.lead == "PT24H" and missed.user_id == SANNE
    assert outbox.missed == [missed]
    assert await restarted.run(missed.reminder_id) is None
    assert [r.lead for r in outbox.sent] == ["P7D"]
    # A second process starting up at the same time does not report it again.
    again = await _runner(world, clock, outbox).start()
    assert again.missed == () and len(outbox.missed) == 1
    # The hour-before reminder is still ahead and still planned.
    assert [r.due_at for r in await pending(world)] == [HOUR_BEFORE]


async def test_a_late_reminder_is_never_sent_after_the_start(world: Database) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(START + timedelta(minutes=10)), Outbox()
    caught_up = await _runner(world, clock, outbox).start()
    # The hour-before one is within the grace but the session has begun.
    assert {m.lead for m in caught_up.missed} == {"P7D", "PT24H", "PT1H"}
    assert outbox.sent == []


async def test_a_job_that_runs_late_decides_the_same_way(world: Database) -> None:
    """APScheduler runs a late job whatever its lateness; the row decides."""
    await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    runner = _runner(world, clock, outbox)
    reminder_id = await _id_of(world, DAY_BEFORE)
    clock.now = DAY_BEFORE + POLICY.grace + timedelta(seconds=1)
    assert await runner.run(reminder_id) is ReminderOutcome.MISSED
    assert [m.reminder_id for m in outbox.missed] == [reminder_id]


async def test_closed_dms_are_recorded_and_reported_not_retried(world: Database) -> None:
    planned = await _planned_with_yes(world)
    clock, outbox = Clock(DAY_BEFORE), Outbox(deliver=False)
    runner = _runner(world, clock, outbox)
    reminder_id = await _id_of(world, DAY_BEFORE)
    assert await runner.run(reminder_id) is ReminderOutcome.UNREACHABLE
    assert await runner.run(reminder_id) is None
    assert [u.reminder_id for u in outbox.unreachable] == [reminder_id]
    async with world.sessions.begin() as session:
        unreachable = await intervisie.unreachable_invitees(
            session, session_id=planned.sessions[0].id
        )
    assert [i.user_id for i in unreachable] == [SANNE]


async def test_a_sender_that_keeps_failing_is_not_silent(world: Database) -> None:
    """A send that fails in an unknown way is retried after each lease (the DM may have
    arrived, so each retry looks first); once the grace is over it is reported missed."""
    await _planned_with_yes(world)

    class Broken(Outbox):
        async def send(self, reminder: intervisie.ReminderToSend) -> bool:
            raise RuntimeError("Discord is down")

    outbox, clock = Broken(), Clock(DAY_BEFORE)
    runner = _runner(world, clock, outbox)
    reminder_id = await _id_of(world, DAY_BEFORE)
    assert await runner.run(reminder_id) is None
    clock.now = DAY_BEFORE + intervisie.REMINDER_LEASE
    assert await runner.run(reminder_id) is None
    assert len(outbox.looked_for) == 1 and outbox.reports == []
    clock.now = DAY_BEFORE + POLICY.grace + timedelta(minutes=5)
    assert await runner.run(reminder_id) is ReminderOutcome.MISSED
    assert [m.reminder_id for m in outbox.missed] == [reminder_id]
    assert outbox.unreachable == []


async def test_moving_replans_and_cancelling_removes_the_reminders(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.people(SANNE, AHMED))
    sanne = next(i for i in planned.invitations if i.user_id == SANNE)
    await answer(world, sanne, Rsvp.YES)
    clock, outbox = Clock(), Outbox()
    scheduler = Scheduler(timezone="UTC")
    runner = _runner(world, clock, outbox, scheduler)
    await runner.start()
    old_jobs = set(scheduler.job_ids())
    assert len(old_jobs) == 5

    async with world.sessions.begin() as session:
        await intervisie.move_session(
            session,
            session_id=planned.sessions[0].id,
            starts_at=START + timedelta(hours=1),
            now=NOW,
            policy=POLICY,
        )
    await runner.refresh()
    new_jobs = set(scheduler.job_ids())
    assert len(new_jobs) == 5 and not old_jobs & new_jobs
    assert sorted({r.due_at for r in await pending(world)}) == [
        datetime(2026, 9, 3, 18, 30, tzinfo=UTC),
        DAY_BEFORE + timedelta(hours=1),
        HOUR_BEFORE + timedelta(hours=1),
    ]
    # A job of the old time that still fires finds nothing to send.
    clock.now = DAY_BEFORE
    for job in old_jobs:
        assert await runner.run(int(job.rsplit(":", 1)[1])) is None
    assert outbox.sent == []

    async with world.sessions.begin() as session:
        await intervisie.cancel_session(
            session, session_id=planned.sessions[0].id, reason=None, now=NOW
        )
    await runner.refresh()
    assert scheduler.job_ids() == [] and await pending(world) == []


async def test_a_reminder_sent_before_a_move_is_kept_and_the_new_time_gets_its_own(
    world: Database,
) -> None:
    planned = await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    runner = _runner(world, clock, outbox)
    week_before = await _id_of(world, WEEK_BEFORE)
    clock.now = WEEK_BEFORE
    assert await runner.run(week_before) is ReminderOutcome.SENT
    async with world.sessions.begin() as session:
        await intervisie.move_session(
            session,
            session_id=planned.sessions[0].id,
            starts_at=datetime(2026, 9, 17, 19, 30, tzinfo=AMS),
            now=clock.now,
            policy=POLICY,
        )
    # Moved to another day: the answer is asked again, so no Yes-only reminder yet.
    assert await reminders_by_lead(world) == {
        "P7D": datetime(2026, 9, 10, 17, 30, tzinfo=UTC),
        "PT24H": datetime(2026, 9, 16, 17, 30, tzinfo=UTC),
    }
    assert [r.lead for r in outbox.sent] == ["P7D"]


async def test_reminders_really_fire_on_the_scheduler(world: Database) -> None:
    """One real run of APScheduler: a reminder due in a moment is delivered once."""
    now = datetime.now(UTC)
    planned = await plan(world, now + timedelta(hours=1, seconds=1), now=now)
    await answer(world, planned.invitations[0], Rsvp.YES, now=now)
    # Planned "now", the week and day reminders were already past; the hour-before
    # one is due a second from now.
    outbox = Outbox()
    scheduler = Scheduler(timezone="UTC")
    runner = ReminderRunner(
        sessions=world.sessions,
        scheduler=scheduler,
        policy=POLICY,
        send=outbox.send,
        find=outbox.find,
        report=outbox.report,
        clock=lambda: datetime.now(UTC),
    )
    scheduler.start()
    try:
        await runner.start()
        for _ in range(60):
            if outbox.sent:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
    finally:
        scheduler.shutdown()
    assert [r.lead for r in outbox.sent] == ["PT1H"]


async def test_a_sweep_that_runs_reminders_drops_their_jobs(world: Database) -> None:
    await _planned_with_yes(world)
    clock, outbox = Clock(), Outbox()
    scheduler = Scheduler(timezone="UTC")
    runner = _runner(world, clock, outbox, scheduler)
    await runner.start()
    day_before = await _id_of(world, DAY_BEFORE)
    # Added before the scheduler runs: no next run time yet, and no error asking for it.
    assert scheduler.next_run(intervisie.job_id(day_before)) is None
    clock.now = DAY_BEFORE
    # The week-before one is long past its grace: missed; the day-before one goes out.
    assert await runner.run_due() == [ReminderOutcome.MISSED, ReminderOutcome.SENT]
    assert scheduler.job_ids() == [intervisie.job_id(await _id_of(world, HOUR_BEFORE))]
