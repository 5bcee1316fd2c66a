"""Date polls in the service: the coordinator offers dates, each person answers per date
until the deadline, the tally names people only to the coordinator, the best date
becomes a session, one reminder goes to who has not answered every date, and the
poll is deleted when it became a session or 30 days after its deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.services.intervisie.steps import (
    AHMED,
    AMS,
    LIV,
    NOW,
    POLICY,
    SANNE,
    Clock,
    build_network,
)
from vcpbot.db import Database
from vcpbot.db.polls import IntervisiePoll, IntervisiePollAnswer, IntervisiePollInvitee
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.scheduler import Scheduler
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Invitees, PollAnswer, PollReminderRunner
from vcpbot.services.privacy import erase_user

OPTIONS = [datetime(2026, 9, d, 19, 30, tzinfo=AMS) for d in (15, 16, 17)]
DEADLINE = datetime(2026, 9, 10, 12, 0, tzinfo=AMS)
REMIND_AT = DEADLINE.astimezone(UTC) - timedelta(hours=24)
PEOPLE = Invitees.people(SANNE, AHMED, LIV)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _create(db: Database, starts=OPTIONS, *, deadline=DEADLINE, invitees=PEOPLE):
    async with db.sessions.begin() as session:
        return await intervisie.create_poll(
            session,
            title="Intervisie najaar",
            starts=starts,
            duration_minutes=90,
            location=intervisie.Location.room("Tapijnkazerne"),
            agenda=None,
            invitees=invitees,
            deadline=deadline,
            remind_before=timedelta(hours=24),
            now=NOW,
            policy=POLICY,
        )


async def _answer(db, created, user_id, position, answer, *, now=NOW):
    token = next(i.token for i in created.invitees if i.user_id == user_id)
    async with db.sessions.begin() as session:
        return await intervisie.answer_poll(
            session, token=token, user_id=user_id, position=position, answer=answer, now=now
        )


async def _tally(db, poll_id):
    async with db.sessions.begin() as session:
        return await intervisie.poll_tally(session, poll_id=poll_id)


async def test_answers_change_and_the_tally_counts_the_last_one(world: Database) -> None:
    created = await _create(world)
    assert [o.position for o in created.poll.options] == [1, 2, 3]
    assert {i.user_id for i in created.invitees} == {SANNE, AHMED, LIV}
    await _answer(world, created, SANNE, 1, PollAnswer.NO)
    changed = await _answer(world, created, SANNE, 1, PollAnswer.YES)
    assert changed.mine == {1: PollAnswer.YES}
    await _answer(world, created, SANNE, 2, PollAnswer.MAYBE)
    await _answer(world, created, AHMED, 2, PollAnswer.YES)
    await _answer(world, created, LIV, 2, PollAnswer.YES)
    tally = await _tally(world, created.poll.id)
    counts = [(len(t.yes), len(t.maybe), len(t.no)) for t in tally.options]
    assert counts == [(1, 0, 0), (2, 1, 0), (0, 0, 0)]
    assert set(tally.options[1].yes) == {AHMED, LIV} and tally.options[1].maybe == (SANNE,)
    assert tally.best == 2
    assert set(tally.incomplete) == {SANNE, AHMED, LIV}


async def test_only_the_invitee_answers_and_only_before_the_deadline(world: Database) -> None:
    created = await _create(world)
    token = created.invitees[0].token
    async with world.sessions.begin() as session:
        with pytest.raises(NotFound):
            await intervisie.answer_poll(
                session, token=token, user_id=999, position=1, answer=PollAnswer.YES, now=NOW
            )
    with pytest.raises(Conflict):
        await _answer(world, created, SANNE, 1, PollAnswer.YES, now=DEADLINE.astimezone(UTC))


@pytest.mark.parametrize(
    ("starts", "deadline", "key"),
    [
        (OPTIONS[:1], DEADLINE, "intervisie.poll.error.option_count"),
        ([OPTIONS[0]] * 2, DEADLINE, "intervisie.poll.error.duplicate_option"),
        (OPTIONS, OPTIONS[1], "intervisie.poll.error.deadline_after_option"),
        ([*OPTIONS, NOW - timedelta(days=1)], DEADLINE, "when.error.in_past"),
        (OPTIONS, NOW + timedelta(hours=2), "intervisie.poll.error.reminder_past"),
    ],
)
async def test_bad_polls_are_refused_with_what_to_fix(
    world: Database, starts, deadline, key
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _create(world, starts, deadline=deadline)
    assert refused.value.key == key


async def test_the_best_date_becomes_a_session_for_everyone_asked_and_the_poll_is_gone(
    world: Database,
) -> None:
    created = await _create(world)
    await _answer(world, created, SANNE, 3, PollAnswer.YES)
    await _answer(world, created, AHMED, 3, PollAnswer.MAYBE)
    async with world.sessions.begin() as session:
        closed = await intervisie.close_poll(
            session, poll_id=created.poll.id, position=None, now=NOW, policy=POLICY
        )
    assert closed.chosen.position == 3
    [planned] = closed.planned.sessions
    assert planned.starts_at == OPTIONS[2].astimezone(UTC) and planned.title == "Intervisie najaar"
    assert set(closed.planned.by_user()) == {SANNE, AHMED, LIV}
    async with world.sessions.begin() as session:
        for table in (IntervisiePoll, IntervisiePollInvitee, IntervisiePollAnswer):
            assert await session.scalar(select(func.count()).select_from(table)) == 0


async def test_one_reminder_to_who_has_not_answered_every_date_once_also_after_a_restart(
    world: Database,
) -> None:
    created = await _create(world)
    for position in (1, 2, 3):
        await _answer(world, created, SANNE, position, PollAnswer.YES)
    await _answer(world, created, AHMED, 1, PollAnswer.YES)
    sent = []

    async def send(item):
        sent.append(item.user_id)
        return True

    async def find(item):
        return item.user_id in sent

    clock = Clock(REMIND_AT - timedelta(minutes=1))
    scheduler = Scheduler(timezone="UTC")
    runner = PollReminderRunner(
        sessions=world.sessions, scheduler=scheduler, send=send, find=find, clock=clock
    )
    assert await runner.refresh() == [f"intervisie:poll:{created.poll.id}"]
    assert scheduler.job_ids("intervisie:poll:") == [f"intervisie:poll:{created.poll.id}"]
    assert await runner.run_due() == []
    clock.now = REMIND_AT
    assert sorted(await runner.run_due()) == ["sent", "sent"]
    assert sorted(sent) == sorted([AHMED, LIV])
    restarted = PollReminderRunner(
        sessions=world.sessions,
        scheduler=Scheduler(timezone="UTC"),
        send=send,
        find=find,
        clock=clock,
    )
    assert await restarted.refresh() == []
    assert await restarted.run_due() == []
    assert sorted(sent) == sorted([AHMED, LIV])


async def test_a_reminder_claimed_by_a_process_that_died_is_found_not_sent_twice(
    world: Database,
) -> None:
    created = await _create(world, invitees=Invitees.people(SANNE))
    async with world.sessions.begin() as session:
        [due] = await intervisie._poll_reminders.due_poll_reminders(
            session, poll_id=created.poll.id, now=REMIND_AT
        )
    async with world.sessions.begin() as session:
        claimed = await intervisie._poll_reminders.claim_poll_reminder(
            session, invitee_id=due, now=REMIND_AT
        )
    assert claimed is not None and not claimed.in_doubt
    delivered = [claimed.token]  # the DM went out; the process died before marking it
    sends = []

    async def send(item):
        sends.append(item)
        return True

    async def find(item):
        return item.token in delivered

    clock = Clock(REMIND_AT + timedelta(seconds=30))
    runner = PollReminderRunner(
        sessions=world.sessions,
        scheduler=Scheduler(timezone="UTC"),
        send=send,
        find=find,
        clock=clock,
    )
    assert await runner.run_due() == []  # the claim may still be alive
    clock.now = claimed.lease_until
    assert await runner.run_due() == ["sent"]
    assert sends == []


async def test_a_poll_is_deleted_30_days_after_its_deadline_and_a_person_on_request(
    world: Database,
) -> None:
    created = await _create(world)
    await _answer(world, created, LIV, 1, PollAnswer.YES)
    async with world.sessions.begin() as session:
        assert await erase_user(session, LIV)
    tally = await _tally(world, created.poll.id)
    assert tally.invited == 2 and all(not t.yes for t in tally.options)
    async with world.sessions.begin() as session:
        later = DEADLINE.astimezone(UTC) + timedelta(days=30)
        assert await intervisie.purge_polls(session, now=later - timedelta(seconds=1)) == 0
        assert await intervisie.purge_polls(session, now=later) == 1
    async with world.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(IntervisiePollInvitee)) == 0
