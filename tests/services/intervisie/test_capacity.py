"""Capacity at the service level, on SQLite and PostgreSQL: Yes presses for the last
place at the same moment give it to exactly one person, and a maximum that cannot be
used is refused with the range that can."""

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.services.intervisie.steps import (
    AHMED,
    AMS,
    LIV,
    SANNE,
    answer,
    build_network,
    plan,
)
from vcpbot.db import Database
from vcpbot.db.capacity import IntervisiePlaces
from vcpbot.errors import InvalidInput
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Invitees, Rsvp

START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _session_with_places(db: Database, places: int) -> intervisie.Planned:
    planned = await plan(db, START, invitees=Invitees.people(SANNE, AHMED, LIV))
    async with db.sessions.begin() as session:
        await intervisie.set_places(
            session, session_ids=[s.id for s in planned.sessions], places=places
        )
    return planned


async def _taken(db: Database) -> int:
    async with db.sessions.begin() as session:
        return (await session.scalars(select(IntervisiePlaces.taken))).one()


async def test_two_yes_presses_for_the_last_place_at_once_give_it_to_exactly_one(
    world: Database,
) -> None:
    planned = await _session_with_places(world, 2)
    by_user = {i.user_id: i for i in planned.invitations}
    first = await answer(world, by_user[SANNE], Rsvp.YES)
    assert first.waiting is None
    # Ahmed and Liv press Yes for the one place left at the same moment.
    results = await asyncio.gather(
        answer(world, by_user[AHMED], Rsvp.YES), answer(world, by_user[LIV], Rsvp.YES)
    )
    assert sorted(r.waiting is None for r in results) == [False, True]
    [waiting] = [r for r in results if r.waiting is not None]
    assert waiting.waiting == 1
    assert waiting.invitation.rsvp is not Rsvp.YES
    assert await _taken(world) == 2


async def test_many_presses_for_one_place_at_once_give_it_to_one_and_number_the_rest(
    world: Database,
) -> None:
    planned = await _session_with_places(world, 1)
    results = await asyncio.gather(*(answer(world, i, Rsvp.YES) for i in planned.invitations))
    assert sorted(r.waiting or 0 for r in results) == [0, 1, 2]
    assert await _taken(world) == 1


@pytest.mark.parametrize("places", [0, -1, intervisie.PLACES_MAX + 1])
async def test_a_maximum_outside_the_range_is_refused_and_nothing_is_saved(
    world: Database, places: int
) -> None:
    planned = await plan(world, START, invitees=Invitees.people(SANNE))
    with pytest.raises(InvalidInput) as refused:
        async with world.sessions.begin() as session:
            await intervisie.set_places(
                session, session_ids=[s.id for s in planned.sessions], places=places
            )
    assert refused.value.key == "capacity.error.places"
    assert refused.value.params == {"low": 1, "high": intervisie.PLACES_MAX, "given": places}
    async with world.sessions.begin() as session:
        assert (await session.scalars(select(IntervisiePlaces))).all() == []
