"""Trainings on SQLite and PostgreSQL: a session planned as a training of a topic, its
attendance recording who is trained until when, the VCP's own record, the reminders
when it is due (each once), readiness counting trained VCPs, and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.services.intervisie.steps import AHMED, AMS, POLICY, SANNE, build_network, plan
from vcpbot.db import Database
from vcpbot.db.training import TrainingNotice, TrainingRecord
from vcpbot.errors import InvalidInput
from vcpbot.services import intervisie, readiness
from vcpbot.services.intervisie import Invitees, TrainingStage
from vcpbot.services.privacy import erase_user
from vcpbot.services.readiness import Gap

START = datetime(2026, 9, 15, 19, 30, tzinfo=AMS)
AFTER = datetime(2026, 9, 16, 9, 0, tzinfo=UTC)
BASIS = "Basistraining VCP"


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _training(
    db: Database, *, topic: str = BASIS, months: int | None = 12, start: datetime = START
) -> int:
    planned = await plan(db, start, invitees=Invitees.of_associations("Tragos"), title=topic)
    [sess] = planned.sessions
    async with db.sessions.begin() as session:
        await intervisie.make_training(
            session, session_ids=[sess.id], topic=topic, valid_months=months
        )
    return sess.id


async def _mark(db: Database, session_id: int, present: list[int], now: datetime = AFTER):
    async with db.sessions.begin() as session:
        return await intervisie.mark_attendance(
            session, session_id=session_id, attended=present, now=now, policy=POLICY
        )


async def _mine(db: Database, user_id: int) -> list[intervisie.TrainingRecordView]:
    async with db.sessions.begin() as session:
        return await intervisie.my_trainings(session, user_id=user_id)


async def _claim_one(db: Database, now: datetime) -> intervisie.TrainingNoticeToSend | None:
    async with db.sessions.begin() as session:
        return await intervisie.claim_training_notice(session, now=now)


async def _settle(db: Database, notice: intervisie.TrainingNoticeToSend) -> None:
    async with db.sessions.begin() as session:
        await intervisie.settle_training_notice(
            session, record_id=notice.record.id, stage=notice.stage, delivered=True
        )


async def _claim(db: Database, now: datetime) -> list[intervisie.TrainingNoticeToSend]:
    """What the leader sends at ``now``: each claimed, sent and settled in turn."""
    sent = []
    while (notice := await _claim_one(db, now)) is not None:
        await _settle(db, notice)
        sent.append(notice)
    return sent


async def test_attending_a_training_records_completion_until_its_refresh(world: Database) -> None:
    session_id = await _training(world, months=12)

    await _mark(world, session_id, [SANNE])

    [record] = await _mine(world, SANNE)
    assert record.topic == BASIS
    assert record.completed_at == START.astimezone(UTC)
    # Twelve months later, at the same wall time in Amsterdam.
    assert record.expires_at == datetime(2027, 9, 15, 19, 30, tzinfo=AMS).astimezone(UTC)
    assert await _mine(world, AHMED) == []

    # Marked again with Sanne absent: her record goes, Ahmed's comes.
    await _mark(world, session_id, [AHMED])
    assert await _mine(world, SANNE) == []
    assert [r.topic for r in await _mine(world, AHMED)] == [BASIS]


async def test_an_intervisie_session_records_no_training(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.of_associations("Tragos"))

    await _mark(world, planned.sessions[0].id, [SANNE, AHMED])

    assert await _mine(world, SANNE) == []


async def test_a_topic_keeps_the_validity_it_was_last_given(world: Database) -> None:
    await _training(world, topic="Let's Talk About Yes workshop", months=6)
    async with world.sessions.begin() as session:
        same = await intervisie.default_valid_months(
            session, topic="let's talk about yes  workshop"
        )
        other = await intervisie.default_valid_months(session, topic="Something new")
    assert (same, other) == (6, intervisie.DEFAULT_VALID_MONTHS)

    with pytest.raises(InvalidInput):
        await _training(world, topic="   ")
    with pytest.raises(InvalidInput):
        await _training(world, months=intervisie.VALID_MONTHS_MAX + 1)


async def test_a_due_training_is_reminded_once_before_and_once_at_expiry(world: Database) -> None:
    session_id = await _training(world, months=12)
    await _mark(world, session_id, [SANNE])
    [record] = await _mine(world, SANNE)

    assert await _claim(world, record.expires_at - intervisie.DUE_SOON - timedelta(minutes=1)) == []
    [soon] = await _claim(world, record.expires_at - intervisie.DUE_SOON)
    assert (soon.record.user_id, soon.stage) == (SANNE, TrainingStage.SOON)
    # Claimed once: a second look (another run, or after a restart) finds nothing new.
    assert await _claim(world, record.expires_at - timedelta(days=1)) == []

    [expired] = await _claim(world, record.expires_at)
    assert expired.stage is TrainingStage.EXPIRED
    assert await _claim(world, record.expires_at + timedelta(days=40)) == []


async def test_after_a_long_downtime_only_the_expiry_reminder_goes(world: Database) -> None:
    session_id = await _training(world, months=12)
    await _mark(world, session_id, [SANNE])
    [record] = await _mine(world, SANNE)

    [only] = await _claim(world, record.expires_at + timedelta(days=3))

    assert only.stage is TrainingStage.EXPIRED
    async with world.sessions.begin() as session:
        outcomes = dict(
            (await session.execute(select(TrainingNotice.stage, TrainingNotice.outcome))).all()
        )
    assert outcomes == {"soon": "skipped", "expired": "sent"}


async def test_a_reminder_whose_sender_stopped_is_in_doubt_after_its_lease(
    world: Database,
) -> None:
    session_id = await _training(world, months=12)
    await _mark(world, session_id, [SANNE])
    [record] = await _mine(world, SANNE)
    claimed_at = record.expires_at - intervisie.DUE_SOON

    # Claimed, and then the process stopped before it settled the reminder.
    first = await _claim_one(world, claimed_at)
    assert first is not None and not first.in_doubt

    lease = intervisie.TRAINING_LEASE
    assert await _claim_one(world, claimed_at + lease - timedelta(seconds=1)) is None
    again = await _claim_one(world, claimed_at + lease)
    assert again is not None and again.in_doubt
    assert (again.record.id, again.stage) == (record.id, TrainingStage.SOON)
    await _settle(world, again)
    assert await _claim_one(world, claimed_at + 2 * lease) is None


async def test_a_newer_completion_ends_the_old_records_reminders(world: Database) -> None:
    first = await _training(world, months=12)
    await _mark(world, first, [SANNE])
    [old] = await _mine(world, SANNE)
    again = datetime(2027, 9, 1, 19, 30, tzinfo=AMS)
    second = await _training(world, months=12, start=again)
    await _mark(world, second, [SANNE], now=again + timedelta(hours=3))

    [current] = await _mine(world, SANNE)

    assert current.completed_at == again.astimezone(UTC)
    assert await _claim(world, old.expires_at + timedelta(days=1)) == []


async def test_readiness_counts_current_trainings_only(world: Database) -> None:
    session_id = await _training(world, months=12)
    await _mark(world, session_id, [SANNE])
    [record] = await _mine(world, SANNE)

    async def tragos(now: datetime):
        async with world.sessions.begin() as session:
            lines = await readiness.readiness(session, now=now, members={})
        return next(line for line in lines if line.short_name == "Tragos")

    before = await tragos(record.expires_at - timedelta(days=1))
    after = await tragos(record.expires_at)

    assert (before.vcps, before.trained) == (2, 1) and Gap.TRAINING in before.gaps
    assert after.trained == 0
    # A training's attendance is not intervisie attendance.
    assert before.attendance_percent is None


async def test_a_person_who_asks_has_their_training_record_erased(world: Database) -> None:
    session_id = await _training(world, months=12)
    await _mark(world, session_id, [SANNE, AHMED])
    [record] = await _mine(world, SANNE)
    await _claim(world, record.expires_at)

    async with world.sessions.begin() as session:
        removed = await erase_user(session, SANNE)

    assert "privacy.removed.training_records" in removed
    assert await _mine(world, SANNE) == []
    assert [r.topic for r in await _mine(world, AHMED)] == [BASIS]
    async with world.sessions.begin() as session:
        notices = await session.scalar(select(func.count()).select_from(TrainingNotice))
        records = await session.scalar(select(func.count()).select_from(TrainingRecord))
    assert (notices, records) == (2, 1)  # Ahmed's two reminders stay with his record
