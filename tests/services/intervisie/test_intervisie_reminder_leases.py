"""Reminders are sent exactly once, also when the process that claimed one dies before
marking it sent. A claim is a lease; once it runs out, the next runner looks for the
DM in the person's DMs (here: what the fake outbox delivered) before sending."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

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
)
from vcpbot.db import Database
from vcpbot.db.intervisie import IntervisieReminder
from vcpbot.errors import NotAllowed
from vcpbot.scheduler import Scheduler
from vcpbot.services import intervisie
from vcpbot.services.intervisie import REMINDER_LEASE, Invitees, ReminderOutcome, Rsvp
from vcpbot.services.intervisie._jobs import ReminderRunner

START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)
DAY_BEFORE = datetime(2026, 9, 9, 17, 30, tzinfo=UTC)
# Planned after the week-before time: each invitee has one reminder, the day before.
PLANNED_AT = datetime(2026, 9, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


def _runner(
    db: Database, clock: Clock, outbox: Outbox, scheduler: Scheduler | None = None
) -> ReminderRunner:
    return ReminderRunner(
        sessions=db.sessions,
        scheduler=scheduler or Scheduler(timezone="UTC"),
        policy=POLICY,
        send=outbox.send,
        find=outbox.find,
        report=outbox.report,
        clock=clock,
    )


async def _day_before_reminder(db: Database) -> int:
    await plan(db, START, now=PLANNED_AT)
    [reminder] = await pending(db)
    assert reminder.due_at == DAY_BEFORE
    return reminder.id


async def _claim_and_die(
    db: Database, reminder_id: int, now: datetime
) -> intervisie.ReminderToSend:
    """A process claims the reminder (committed) and dies before marking it."""
    async with db.sessions.begin() as session:
        decision = await intervisie.settle_reminder(
            session, reminder_id=reminder_id, now=now, grace=POLICY.grace
        )
    assert isinstance(decision, intervisie.ReminderToSend) and not decision.in_doubt
    return decision


async def _outcomes(db: Database) -> Counter[str | None]:
    async with db.sessions.begin() as session:
        return Counter((await session.scalars(select(IntervisieReminder.outcome))).all())


async def test_a_dm_sent_by_a_process_that_died_before_marking_it_is_found_not_sent_again(
    world: Database,
) -> None:
    reminder_id = await _day_before_reminder(world)
    dm_channel = Outbox()  # what Sanne's DMs hold, whoever sent it
    claimed = await _claim_and_die(world, reminder_id, DAY_BEFORE)
    await dm_channel.send(claimed)  # the DM went out; then the process was killed

    clock = Clock(DAY_BEFORE + REMINDER_LEASE - timedelta(seconds=1))
    scheduler = Scheduler(timezone="UTC")
    successor = _runner(world, clock, dm_channel, scheduler)
    await successor.start()
    # While the lease runs, the claim may still be alive: nobody looks, nobody sends.
    assert await successor.run(reminder_id) is None
    assert dm_channel.looked_for == []
    assert [r.runs_at for r in await pending(world)] == [DAY_BEFORE + REMINDER_LEASE]
    assert intervisie.job_id(reminder_id) in scheduler.job_ids()

    clock.now = DAY_BEFORE + REMINDER_LEASE
    assert await successor.run(reminder_id) is ReminderOutcome.SENT
    [looked_for] = dm_channel.looked_for
    assert looked_for.in_doubt and looked_for.token == claimed.token
    assert len(dm_channel.sent) == 1
    assert await pending(world) == []
    assert await successor.run(reminder_id) is None
    assert len(dm_channel.sent) == 1 and dm_channel.reports == []


async def test_a_reminder_claimed_by_a_process_that_died_before_the_dm_is_sent_once(
    world: Database,
) -> None:
    reminder_id = await _day_before_reminder(world)
    await _claim_and_die(world, reminder_id, DAY_BEFORE)

    clock, outbox = Clock(DAY_BEFORE + timedelta(minutes=5)), Outbox()
    successor = _runner(world, clock, outbox)
    assert await successor.run_due() == [ReminderOutcome.SENT]
    [looked_for] = outbox.looked_for
    [sent] = outbox.sent
    assert looked_for.token == sent.token and not sent.in_doubt
    # Five minutes after its time it is on time still; the claim that failed did not count.
    assert not sent.late
    assert await successor.run_due() == []
    assert len(outbox.sent) == 1
    assert await _outcomes(world) == {"sent": 1}


async def test_two_processes_over_fifty_due_reminders_send_each_exactly_once(
    world: Database,
) -> None:
    people = tuple(range(1000, 1050))
    await plan(world, START, invitees=Invitees.people(*people), now=PLANNED_AT)
    reminders = await pending(world)
    assert len(reminders) == 50
    clock, dm_channels = Clock(DAY_BEFORE), Outbox()
    first, second = _runner(world, clock, dm_channels), _runner(world, clock, dm_channels)
    # Every job fires in both processes at once, and each process also sweeps.
    results = await asyncio.gather(
        *(runner.run(r.id) for r in reminders for runner in (first, second)),
        first.run_due(),
        second.run_due(),
    )
    outcomes = Counter(
        outcome
        for result in results
        for outcome in (result if isinstance(result, list) else [result])
    )
    assert outcomes[ReminderOutcome.SENT] == 50
    assert Counter(r.user_id for r in dm_channels.sent) == dict.fromkeys(people, 1)
    assert await _outcomes(world) == {"sent": 50}


async def test_a_send_that_fails_in_an_unknown_way_is_tried_again_when_the_lease_ends(
    world: Database,
) -> None:
    reminder_id = await _day_before_reminder(world)

    class Flaky(Outbox):
        down = True

        async def send(self, reminder: intervisie.ReminderToSend) -> bool:
            if self.down:
                raise RuntimeError("Discord answered 503")
            return await super().send(reminder)

    clock, outbox = Clock(DAY_BEFORE), Flaky()
    scheduler = Scheduler(timezone="UTC")
    runner = _runner(world, clock, outbox, scheduler)
    assert await runner.run(reminder_id) is None
    # Not recorded as unreachable: it may have arrived. Its job comes back after the lease.
    assert outbox.unreachable == []
    assert intervisie.job_id(reminder_id) in scheduler.job_ids()
    assert [r.runs_at for r in await pending(world)] == [DAY_BEFORE + REMINDER_LEASE]

    outbox.down = False
    clock.now = DAY_BEFORE + REMINDER_LEASE
    assert await runner.run(reminder_id) is ReminderOutcome.SENT
    assert len(outbox.looked_for) == 1 and len(outbox.sent) == 1
    assert outbox.reports == []


async def test_in_doubt_past_the_grace_a_found_dm_counts_as_sent_and_a_missing_one_as_missed(
    world: Database,
) -> None:
    await plan(world, START, invitees=Invitees.people(SANNE, 1001), now=PLANNED_AT)
    dm_channels = Outbox()
    found, lost = (r.id for r in await pending(world))
    await dm_channels.send(await _claim_and_die(world, found, DAY_BEFORE))
    await _claim_and_die(world, lost, DAY_BEFORE)

    # The bot was down for three hours: past the two hours' grace.
    clock = Clock(DAY_BEFORE + timedelta(hours=3))
    runner = _runner(world, clock, dm_channels)
    caught_up = await runner.start()
    assert caught_up.missed == ()  # claimed ones are looked for first, not written off
    assert await runner.run_due() == [ReminderOutcome.SENT, ReminderOutcome.MISSED]
    assert len(dm_channels.sent) == 1
    [missed] = dm_channels.missed
    assert missed.reminder_id == lost


async def test_an_in_doubt_reminder_no_longer_wanted_is_not_sent(world: Database) -> None:
    planned = await plan(world, START, now=PLANNED_AT)
    [reminder] = await pending(world)
    await _claim_and_die(world, reminder.id, DAY_BEFORE)
    # While the claim was held, Sanne said No: planning leaves a claimed row alone.
    await answer(world, planned.invitations[0], Rsvp.NO, now=DAY_BEFORE)
    assert [r.id for r in await pending(world)] == [reminder.id]

    clock, outbox = Clock(DAY_BEFORE + REMINDER_LEASE), Outbox()
    assert await _runner(world, clock, outbox).run(reminder.id) is None
    assert len(outbox.looked_for) == 1 and outbox.sent == []
    assert await _outcomes(world) == {"skipped": 1}


async def test_a_claim_is_held_until_its_lease_ends(world: Database) -> None:
    reminder_id = await _day_before_reminder(world)
    async with world.sessions.begin() as session:
        assert await intervisie.claim_reminder(session, reminder_id=reminder_id, now=DAY_BEFORE)
    async with world.sessions.begin() as session:
        almost = DAY_BEFORE + REMINDER_LEASE - timedelta(microseconds=1)
        assert not await intervisie.claim_reminder(session, reminder_id=reminder_id, now=almost)
        assert await intervisie.due_reminders(session, now=almost) == []
    async with world.sessions.begin() as session:
        ended = DAY_BEFORE + REMINDER_LEASE
        assert [r.id for r in await intervisie.due_reminders(session, now=ended)] == [reminder_id]
        assert await intervisie.claim_reminder(session, reminder_id=reminder_id, now=ended)
        assert await intervisie.mark_sent(session, reminder_id=reminder_id, now=ended)
    async with world.sessions.begin() as session:
        later = DAY_BEFORE + 3 * REMINDER_LEASE
        assert not await intervisie.claim_reminder(session, reminder_id=reminder_id, now=later)


async def test_the_reminder_buttons_answer_for_the_invitation(world: Database) -> None:
    planned = await plan(world, START, now=NOW)
    [invitation] = planned.invitations
    clock, outbox = Clock(DAY_BEFORE), Outbox()
    await _runner(world, clock, outbox).run_due()
    [sent] = outbox.sent
    assert sent.token != invitation.token
    async with world.sessions.begin() as session:
        answered = await intervisie.rsvp(
            session,
            token=sent.token,
            user_id=SANNE,
            answer=Rsvp.YES,
            now=DAY_BEFORE,
            policy=POLICY,
        )
    assert answered.invitation.id == invitation.id and answered.invitation.rsvp is Rsvp.YES
    async with world.sessions.begin() as session:
        with pytest.raises(NotAllowed):
            await intervisie.rsvp(
                session,
                token=sent.token,
                user_id=AHMED,
                answer=Rsvp.NO,
                now=DAY_BEFORE,
                policy=POLICY,
            )
