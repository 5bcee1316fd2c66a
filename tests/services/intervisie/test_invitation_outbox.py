"""Invitations queued in the plan's transaction are claimed with a lease, marked once,
and, when a claim runs out unmarked, handed to the next sender as in doubt."""

from datetime import UTC, datetime

import pytest

from tests.services.intervisie.steps import AHMED, AMS, SANNE, build_network, plan
from vcpbot.db import Database
from vcpbot.services import intervisie
from vcpbot.services.intervisie import INVITATION_LEASE, Invitees
from vcpbot.services.intervisie._fanout import (
    claim_invitations,
    mark_invitation,
    takeable_invitations,
)

START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _queued(db: Database) -> int:
    planned = await plan(db, START, invitees=Invitees.people(SANNE, AHMED), now=NOW)
    async with db.sessions.begin() as session:
        fanout = await intervisie.queue_invitations(session, planned=planned, now=NOW)
    assert fanout is not None
    return fanout


async def _claim(db: Database, now: datetime) -> list[intervisie.InvitationToSend]:
    async with db.sessions.begin() as session:
        ids = await takeable_invitations(session, now=now, limit=10)
        return await claim_invitations(session, delivery_ids=ids, now=now)


async def test_a_claimed_invitation_is_nobody_elses_until_its_lease_runs_out(
    world: Database,
) -> None:
    fanout = await _queued(world)
    first = await _claim(world, NOW)
    assert sorted(i.user_id for i in first) == sorted([SANNE, AHMED])
    assert not any(i.in_doubt for i in first)
    assert await _claim(world, NOW + INVITATION_LEASE / 2) == []

    # Sanne's DM is marked; Ahmed's claim runs out unmarked: it comes back, in doubt.
    sanne = next(i for i in first if i.user_id == SANNE)
    async with world.sessions.begin() as session:
        assert await mark_invitation(session, invitation=sanne, delivered=True, now=NOW)
    later = NOW + INVITATION_LEASE
    [again] = await _claim(world, later)
    assert again.user_id == AHMED and again.in_doubt

    # The first claimer, back too late, cannot settle what is no longer theirs.
    ahmed = next(i for i in first if i.user_id == AHMED)
    async with world.sessions.begin() as session:
        assert not await mark_invitation(session, invitation=ahmed, delivered=True, now=later)
        assert await mark_invitation(session, invitation=again, delivered=False, now=later)
    async with world.reading.begin() as session:
        progress = await intervisie.fanout_progress(session, fanout_id=fanout)
    assert progress is not None and progress.done
    assert (progress.sent, progress.unreachable, progress.unreachable_ids) == (1, 1, (AHMED,))


async def test_nobody_new_queues_nothing(world: Database) -> None:
    planned = await plan(db := world, START, invitees=Invitees.people(SANNE), now=NOW)
    empty = intervisie.Planned(series=None, sessions=planned.sessions, invitations=())
    async with db.sessions.begin() as session:
        assert await intervisie.queue_invitations(session, planned=empty, now=NOW) is None
