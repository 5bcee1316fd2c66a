"""Where a freed place goes: a Yes turned Maybe frees it for the first on the list; a
place passed on goes to the next; someone who leaves the list moves the others up; an
offer is shorter when the session is near, and a place that comes free once the
session has started is offered to nobody. On SQLite and PostgreSQL."""

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.services.intervisie.steps import (
    AHMED,
    AMS,
    LIV,
    NOW,
    POLICY,
    SANNE,
    answer,
    build_network,
    plan,
)
from vcpbot.db import Database
from vcpbot.db.capacity import IntervisiePlaces
from vcpbot.errors import NotAllowed, UserError
from vcpbot.scheduler import Scheduler
from vcpbot.services import intervisie, privacy
from vcpbot.services.intervisie import Invitees, OfferRunner, PlaceOffer, Rsvp
from vcpbot.services.intervisie._waitlist import lapse_offer

START = datetime(2026, 9, 10, 19, 30, tzinfo=AMS)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _full(db: Database, starts_at: datetime = START) -> dict[int, intervisie.InvitationView]:
    """One place: Sanne has it, Ahmed is first on the list, Liv second."""
    planned = await plan(db, starts_at, invitees=Invitees.people(SANNE, AHMED, LIV))
    async with db.sessions.begin() as session:
        await intervisie.set_places(session, session_ids=[planned.sessions[0].id], places=1)
    by_user = {i.user_id: i for i in planned.invitations if i.user_id is not None}
    assert (await answer(db, by_user[SANNE], Rsvp.YES)).waiting is None
    assert (await answer(db, by_user[AHMED], Rsvp.YES)).waiting == 1
    assert (await answer(db, by_user[LIV], Rsvp.YES)).waiting == 2
    return by_user


async def _places(db: Database) -> intervisie.PlacesView:
    async with db.sessions.begin() as session:
        [view] = (
            await intervisie.places_of(
                session, session_ids=(await session.scalars(select(IntervisiePlaces.session_id)))
            )
        ).values()
    return view


async def test_a_yes_turned_maybe_offers_the_place_to_the_first_who_can_pass_it_on(
    world: Database,
) -> None:
    people = await _full(world)
    freed = await answer(world, people[SANNE], Rsvp.MAYBE)
    [offer] = freed.offers
    assert offer.user_id == AHMED and offer.until == NOW + timedelta(hours=24)
    # Someone else cannot answer Ahmed's offer.
    with pytest.raises(NotAllowed):
        async with world.sessions.begin() as session:
            await intervisie.take_offer(
                session, token=offer.token, user_id=LIV, now=NOW, policy=POLICY
            )
    async with world.sessions.begin() as session:
        [next_offer] = await intervisie.pass_offer(
            session, token=offer.token, user_id=AHMED, now=NOW, policy=POLICY
        )
    assert next_offer.user_id == LIV
    async with world.sessions.begin() as session:
        taken = await intervisie.take_offer(
            session, token=next_offer.token, user_id=LIV, now=NOW, policy=POLICY
        )
    assert taken.session.id == offer.session.id
    places = await _places(world)
    assert (places.taken, places.waiting) == (1, ())


async def test_someone_who_leaves_the_list_moves_the_others_up(world: Database) -> None:
    people = await _full(world)
    left = await answer(world, people[AHMED], Rsvp.NO)
    assert left.offers == () and left.invitation.rsvp is Rsvp.NO
    # Liv presses Yes again: now first.
    assert (await answer(world, people[LIV], Rsvp.YES)).waiting == 1
    assert [i.user_id for i in (await _places(world)).waiting] == [LIV]


async def test_the_offer_is_shorter_when_the_session_is_near(world: Database) -> None:
    people = await _full(world, starts_at=NOW + timedelta(hours=6))
    [offer] = (await answer(world, people[SANNE], Rsvp.NO)).offers
    # Half the time left until the start, not the usual 24 hours.
    assert offer.until == NOW + timedelta(hours=3)


async def test_an_offer_that_runs_out_goes_to_the_next_and_a_late_take_is_refused(
    world: Database,
) -> None:
    people = await _full(world)
    [offer] = (await answer(world, people[SANNE], Rsvp.NO)).offers
    sent: list[PlaceOffer] = []

    async def send(item: PlaceOffer) -> bool:
        sent.append(item)
        return True

    clock = [NOW]
    runner = OfferRunner(
        sessions=world.sessions,
        scheduler=Scheduler(timezone="UTC"),
        policy=POLICY,
        send=send,
        clock=lambda: clock[0],
    )
    # The leader sends Ahmed's DM, and plans the offer's end.
    assert await runner.refresh() == [f"intervisie:offer:{offer.entry_id}"]
    assert sent == [offer]
    later = offer.until + timedelta(seconds=1)
    clock[0] = later
    told: list[PlaceOffer] = []

    async def tell(item: PlaceOffer) -> bool:
        told.append(item)
        return True

    # A freshly started process (its own scheduler) settles it from the rows.
    runner = OfferRunner(
        sessions=world.sessions,
        scheduler=Scheduler(timezone="UTC"),
        policy=POLICY,
        send=send,
        clock=lambda: clock[0],
        tell_lapsed=tell,
    )
    [next_offer] = await runner.run_due()
    assert next_offer.user_id == LIV and sent == [offer, next_offer]
    # Ahmed hears that his offer ran out, once: running the same job again (a second
    # process) finds nothing left to do.
    assert told == [offer]
    assert await runner.run(offer.entry_id) == ()
    assert told == [offer]
    with pytest.raises(UserError) as late:
        async with world.sessions.begin() as session:
            await intervisie.take_offer(
                session, token=offer.token, user_id=AHMED, now=later, policy=POLICY
            )
    assert late.value.key == "capacity.error.offer_gone"
    # Liv's offer runs out after the start: the place is offered to nobody.
    after_start = START + timedelta(minutes=1)
    async with world.sessions.begin() as session:
        lapsed = await lapse_offer(
            session, entry_id=next_offer.entry_id, now=after_start, policy=POLICY
        )
    assert lapsed is not None and lapsed.offer.user_id == LIV and lapsed.offers == ()
    assert (await _places(world)).taken == 0


def _runner(db: Database, sent: list[PlaceOffer], *, reachable: bool = True) -> OfferRunner:
    async def send(item: PlaceOffer) -> bool:
        sent.append(item)
        return reachable

    return OfferRunner(
        sessions=db.sessions,
        scheduler=Scheduler(timezone="UTC"),
        policy=POLICY,
        send=send,
        clock=lambda: NOW,
    )


async def test_two_processes_refreshing_at_once_send_each_offer_once(world: Database) -> None:
    people = await _full(world)
    [offer] = (await answer(world, people[SANNE], Rsvp.NO)).offers
    sent: list[PlaceOffer] = []
    first, second = _runner(world, sent), _runner(world, sent)
    await asyncio.gather(first.refresh(), second.refresh(), first.refresh())
    assert sent == [offer]


async def test_an_offer_that_cannot_reach_the_person_goes_to_the_next_at_once(
    world: Database,
) -> None:
    people = await _full(world)
    [offer] = (await answer(world, people[SANNE], Rsvp.NO)).offers
    assert offer.user_id == AHMED
    sent: list[PlaceOffer] = []
    # Ahmed's DMs are closed: his offer is passed on without waiting 24 hours.
    await _runner(world, sent, reachable=False).refresh()
    assert [o.user_id for o in sent] == [AHMED]
    assert [i.user_id for i in (await _places(world)).waiting] == [LIV]
    await _runner(world, sent).refresh()
    assert [o.user_id for o in sent] == [AHMED, LIV]


async def test_someone_who_has_their_data_erased_frees_their_place_for_the_first_waiting(
    world: Database,
) -> None:
    people = await _full(world)
    # Liv, second on the list, and Sanne, who has the place, have their data erased.
    for user_id in (LIV, SANNE):
        async with world.sessions.begin() as session:
            await privacy.erase_user(session, user_id)
    assert (await _places(world)).waiting == (people[AHMED],)
    sent: list[PlaceOffer] = []
    # The leader offers the free place to Ahmed, now the only one waiting.
    await _runner(world, sent).refresh()
    assert [o.user_id for o in sent] == [AHMED]
    places = await _places(world)
    assert places.taken == 1


async def test_taking_the_place_as_the_offer_runs_out_settles_it_one_way_only(
    world: Database,
) -> None:
    people = await _full(world)
    [offer] = (await answer(world, people[SANNE], Rsvp.NO)).offers

    async def take() -> str:
        try:
            async with world.sessions.begin() as session:
                await intervisie.take_offer(
                    session,
                    token=offer.token,
                    user_id=AHMED,
                    now=offer.until - timedelta(seconds=1),
                    policy=POLICY,
                )
        except UserError as exc:
            return exc.key
        return "taken"

    async def lapse() -> tuple[PlaceOffer, ...]:
        async with world.sessions.begin() as session:
            lapsed = await lapse_offer(
                session, entry_id=offer.entry_id, now=offer.until, policy=POLICY
            )
        return () if lapsed is None else lapsed.offers

    took, passed_on = await asyncio.gather(take(), lapse())
    places = await _places(world)
    assert places.taken == 1
    if took == "taken":
        assert passed_on == () and [i.user_id for i in places.waiting] == [LIV]
    else:
        assert took == "capacity.error.offer_gone"
        assert [o.user_id for o in passed_on] == [LIV]
