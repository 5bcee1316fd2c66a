"""Capacity: a session with a maximum, and the waiting list behind it.

A Yes takes a place while one is free; a Yes past the maximum puts the person on
the waiting list, in the order they said Yes. When a place comes free (a No or
Maybe from someone with a place, or a place that was offered and passed on or not
taken in time), it is offered to the first on the list, who has until
``offer_until`` to take it; only then does the next one hear. A place on offer
stays held, so nobody who says Yes meanwhile can take it over.

Places are counted in ``intervisie_places.taken`` and change only by conditional
``UPDATE``: two Yes presses for the last place, in two processes at once, give it
to exactly one. Every change first locks the session's places row, so a No that
frees a place and a Yes that joins the list cannot pass each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.capacity import IntervisiePlaces, IntervisieWaitlist
from vcpbot.db.dml import execute_dml
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, Rsvp, SessionStatus
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services import languages
from vcpbot.services.intervisie._reminders import plan_for
from vcpbot.services.intervisie._types import (
    OfferLapsed,
    PlaceOffer,
    PlacesView,
    Policy,
    Seating,
    invitation_view,
    new_token,
    session_view,
)

# The largest maximum a coordinator can set: more than any intervisie room holds.
PLACES_MAX = 500


def check_places(places: int | None) -> None:
    """Raises InvalidInput unless ``places`` is None (no maximum) or 1 to PLACES_MAX."""
    if places is not None and not 1 <= places <= PLACES_MAX:
        raise InvalidInput("capacity.error.places", low=1, high=PLACES_MAX, given=places)


async def set_places(session: AsyncSession, *, session_ids: Iterable[int], places: int) -> None:
    """Give each of these just-planned sessions the same maximum (each its own places)."""
    check_places(places)
    for session_id in session_ids:
        session.add(IntervisiePlaces(session_id=session_id, places=places, taken=0))
    await session.flush()


async def locked_places(session: AsyncSession, session_id: int) -> IntervisiePlaces | None:
    """The session's places row, locked until the commit (PostgreSQL; SQLite has one
    writer at a time): every change to its places and list goes one after the other."""
    return await session.scalar(
        select(IntervisiePlaces)
        .where(IntervisiePlaces.session_id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _entry_of(session: AsyncSession, invitation_id: int) -> IntervisieWaitlist | None:
    return await session.scalar(
        select(IntervisieWaitlist).where(IntervisieWaitlist.invitation_id == invitation_id)
    )


async def _position(session: AsyncSession, entry: IntervisieWaitlist) -> int:
    ahead = await session.scalar(
        select(func.count())
        .select_from(IntervisieWaitlist)
        .where(
            IntervisieWaitlist.session_id == entry.session_id,
            (IntervisieWaitlist.joined_at < entry.joined_at)
            | (
                (IntervisieWaitlist.joined_at == entry.joined_at)
                & (IntervisieWaitlist.id < entry.id)
            ),
        )
    )
    return int(ahead or 0) + 1


async def take_place(session: AsyncSession, session_id: int) -> bool:
    """One place more held, if one is free: the conditional update that decides.
    True when this call got it."""
    result = await execute_dml(
        session,
        update(IntervisiePlaces)
        .where(
            IntervisiePlaces.session_id == session_id,
            IntervisiePlaces.taken < IntervisiePlaces.places,
        )
        .values(taken=IntervisiePlaces.taken + 1)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


async def seat_answer(
    session: AsyncSession,
    *,
    invitation: IntervisieInvitation,
    sess: IntervisieSession,
    answer: Rsvp,
    previous: Rsvp,
    now: datetime,
    policy: Policy,
) -> Seating:
    """What an answer does to the places (called by ``rsvp`` before it is saved): the
    person's place on the waiting list when their Yes found no place (the answer is then
    not saved as Yes), and the offers to send for a place it freed."""
    if await locked_places(session, sess.id) is None:
        return Seating(None, (), limited=False)
    entry = await _entry_of(session, invitation.id)
    if answer == Rsvp.YES:
        waiting = await _seat_yes(session, invitation, sess, entry, previous=previous, now=now)
        return Seating(waiting, (), limited=True)
    if entry is not None:
        offered = entry.offer_until is not None
        await session.delete(entry)
        await session.flush()
        freed = offered
    else:
        freed = previous == Rsvp.YES
    offers = await _free_place(session, sess, now=now, policy=policy) if freed else ()
    return Seating(None, offers, limited=True)


async def _seat_yes(
    session: AsyncSession,
    invitation: IntervisieInvitation,
    sess: IntervisieSession,
    entry: IntervisieWaitlist | None,
    *,
    previous: Rsvp,
    now: datetime,
) -> int | None:
    """A Yes: a place (None), or the person's number on the waiting list."""
    if previous == Rsvp.YES or (entry is not None and entry.offer_until is not None):
        # Already holding a place, or taking the one on offer with the invitation's Yes.
        if entry is not None:
            await session.delete(entry)
        return None
    if entry is None:
        # A free place goes to whoever says Yes, unless people are waiting for one: then
        # the next Yes waits behind them (the leader offers the place in order).
        if await first_waiting(session, sess.id) is None and await take_place(session, sess.id):
            return None
        entry = IntervisieWaitlist(session_id=sess.id, invitation_id=invitation.id, joined_at=now)
        session.add(entry)
        await session.flush()
    return await _position(session, entry)


async def first_waiting(
    session: AsyncSession, session_id: int
) -> tuple[IntervisieWaitlist, int] | None:
    """The first on the list who has not been offered a place yet, with their user id."""
    first = (
        await session.execute(
            select(IntervisieWaitlist, IntervisieInvitation.user_id)
            .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieWaitlist.invitation_id)
            .where(
                IntervisieWaitlist.session_id == session_id,
                IntervisieWaitlist.offer_until.is_(None),
                IntervisieInvitation.user_id.is_not(None),
            )
            .order_by(IntervisieWaitlist.joined_at, IntervisieWaitlist.id)
            .limit(1)
        )
    ).first()
    if first is None or first[1] is None:
        return None
    return first[0], first[1]


async def _free_place(
    session: AsyncSession, sess: IntervisieSession, *, now: datetime, policy: Policy
) -> tuple[PlaceOffer, ...]:
    """A held place is given up: offered to the first still waiting, or released."""
    if sess.status == SessionStatus.PLANNED and sess.starts_at > now:
        first = await first_waiting(session, sess.id)
        if first is not None:
            return await offer_place(session, *first, sess, now=now, policy=policy)
    await session.execute(
        update(IntervisiePlaces)
        .where(IntervisiePlaces.session_id == sess.id, IntervisiePlaces.taken > 0)
        .values(taken=IntervisiePlaces.taken - 1)
        .execution_options(synchronize_session=False)
    )
    return ()


async def offer_place(
    session: AsyncSession,
    entry: IntervisieWaitlist,
    user_id: int,
    sess: IntervisieSession,
    *,
    now: datetime,
    policy: Policy,
) -> tuple[PlaceOffer, ...]:
    """Offer the place held for it to this waiting person (its DM is the leader's)."""
    # The set time, or half the time left until the start when that is sooner.
    entry.offer_until = min(now + policy.offer_window, now + (sess.starts_at - now) / 2)
    entry.offer_token = new_token()
    await session.flush()
    offer = await _offer_view(session, entry, user_id, sess)
    return () if offer is None else (offer,)


async def _offer_view(
    session: AsyncSession, entry: IntervisieWaitlist, user_id: int, sess: IntervisieSession
) -> PlaceOffer | None:
    if entry.offer_until is None or entry.offer_token is None:
        return None  # not on offer (any more)
    return PlaceOffer(
        entry_id=entry.id,
        user_id=user_id,
        token=entry.offer_token,
        until=entry.offer_until,
        session=session_view(sess),
        locale=await languages.remembered(session, user_id=user_id),
    )


async def _current(session: AsyncSession, entry_id: int) -> IntervisieWaitlist | None:
    """The row as it is now, after a lock: another transaction may have settled it."""
    return await session.scalar(
        select(IntervisieWaitlist)
        .where(IntervisieWaitlist.id == entry_id)
        .execution_options(populate_existing=True)
    )


async def _offered(
    session: AsyncSession, *, token: str, user_id: int, now: datetime
) -> tuple[IntervisieWaitlist, IntervisieInvitation, IntervisieSession]:
    found = (
        await session.execute(
            select(IntervisieWaitlist, IntervisieInvitation, IntervisieSession)
            .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieWaitlist.invitation_id)
            .join(IntervisieSession, IntervisieSession.id == IntervisieWaitlist.session_id)
            .where(IntervisieWaitlist.offer_token == token)
            # The invitation first, then the places: the order an answer takes them in.
            .with_for_update(of=IntervisieInvitation)
        )
    ).first()
    if found is None:
        raise NotFound("capacity.error.offer_gone")
    found_entry, invitation, sess = found
    if invitation.user_id != user_id:
        raise NotAllowed("intervisie.error.not_your_invitation")
    if sess.status != SessionStatus.PLANNED:
        raise Conflict("intervisie.error.cancelled")
    await locked_places(session, sess.id)
    entry = await _current(session, found_entry.id)
    if entry is None or entry.offer_until is None:
        raise Conflict("capacity.error.offer_gone")
    if entry.offer_until <= now or sess.starts_at <= now:
        raise Conflict("capacity.error.offer_gone")
    return entry, invitation, sess


async def take_offer(
    session: AsyncSession, *, token: str, user_id: int, now: datetime, policy: Policy
) -> PlaceOffer:
    """The person takes the place offered to them: their answer becomes Yes.

    Raises NotFound/Conflict ``capacity.error.offer_gone`` when the offer ran out or
    was passed on, NotAllowed for someone else's offer.
    """
    entry, invitation, sess = await _offered(session, token=token, user_id=user_id, now=now)
    offer = PlaceOffer(
        entry_id=entry.id,
        user_id=user_id,
        token=token,
        until=entry.offer_until or now,
        session=session_view(sess),
        locale=None,
    )
    await session.delete(entry)
    invitation.rsvp = Rsvp.YES
    invitation.answered_at = now
    await session.flush()
    await plan_for(session, [(invitation, sess)], now=now, policy=policy)
    return offer


async def pass_offer(
    session: AsyncSession, *, token: str, user_id: int, now: datetime, policy: Policy
) -> tuple[PlaceOffer, ...]:
    """The person lets the offered place go (and leaves the list); the next is offered it."""
    entry, _invitation, sess = await _offered(session, token=token, user_id=user_id, now=now)
    await session.delete(entry)
    await session.flush()
    return await _free_place(session, sess, now=now, policy=policy)


async def lapse_offer(
    session: AsyncSession,
    *,
    entry_id: int,
    now: datetime,
    policy: Policy,
    undeliverable: bool = False,
) -> OfferLapsed | None:
    """An offer not taken in time (or, ``undeliverable``, whose DM could not reach the
    person) leaves the list; the next is offered the place. None when there was
    nothing to lapse: answered, taken over by another run, or not yet due."""
    entry = await session.get(IntervisieWaitlist, entry_id)
    if entry is None:
        return None
    sess = await session.get(IntervisieSession, entry.session_id)
    await locked_places(session, entry.session_id)
    entry = await _current(session, entry_id)
    if sess is None or entry is None or entry.offer_until is None:
        return None
    if entry.offer_until > now and not undeliverable:
        return None
    user_id = await session.scalar(
        select(IntervisieInvitation.user_id).where(IntervisieInvitation.id == entry.invitation_id)
    )
    lapsed = None if user_id is None else await _offer_view(session, entry, user_id, sess)
    await session.delete(entry)
    await session.flush()
    offers = await _free_place(session, sess, now=now, policy=policy)
    return None if lapsed is None else OfferLapsed(offer=lapsed, offers=offers)


async def unsent_offers(session: AsyncSession) -> list[int]:
    """The open offers whose DM nobody has taken to send yet (ids, oldest first)."""
    ids = await session.scalars(
        select(IntervisieWaitlist.id)
        .where(
            IntervisieWaitlist.offer_until.is_not(None), IntervisieWaitlist.offer_sent_at.is_(None)
        )
        .order_by(IntervisieWaitlist.id)
    )
    return list(ids.all())


async def claim_offer_dm(
    session: AsyncSession, *, entry_id: int, now: datetime
) -> PlaceOffer | None:
    """Take the one right to send this offer's DM (a conditional update: one process,
    once); the DM to send, or None when it is taken, answered, over or the session is
    no longer planned. Commit before sending: a DM is never sent twice, and one lost
    with a dying process lets the offer run out, and the place goes on to the next."""
    claimed = await execute_dml(
        session,
        update(IntervisieWaitlist)
        .where(
            IntervisieWaitlist.id == entry_id,
            IntervisieWaitlist.offer_sent_at.is_(None),
            IntervisieWaitlist.offer_until > now,
        )
        .values(offer_sent_at=now)
        .execution_options(synchronize_session=False),
    )
    if claimed.rowcount != 1:
        return None
    found = (
        await session.execute(
            select(IntervisieWaitlist, IntervisieInvitation.user_id, IntervisieSession)
            .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieWaitlist.invitation_id)
            .join(IntervisieSession, IntervisieSession.id == IntervisieWaitlist.session_id)
            .where(IntervisieWaitlist.id == entry_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if found is None:
        return None
    entry, user_id, sess = found
    if user_id is None or sess.status != SessionStatus.PLANNED:
        return None
    return await _offer_view(session, entry, user_id, sess)


async def open_offers(session: AsyncSession) -> list[tuple[int, datetime]]:
    """Every place on offer and when the offer runs out (for the leader's jobs)."""
    rows = await session.execute(
        select(IntervisieWaitlist.id, IntervisieWaitlist.offer_until)
        .where(IntervisieWaitlist.offer_until.is_not(None))
        .order_by(IntervisieWaitlist.id)
    )
    return [(entry_id, until) for entry_id, until in rows.all() if until is not None]


async def places_of(session: AsyncSession, *, session_ids: Iterable[int]) -> dict[int, PlacesView]:
    """For the coordinator: each of these sessions' maximum, places held, and who waits
    (first on the list first). Sessions without a maximum are left out."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = (
        await session.scalars(select(IntervisiePlaces).where(IntervisiePlaces.session_id.in_(ids)))
    ).all()
    waiting = await session.execute(
        select(IntervisieWaitlist.session_id, IntervisieInvitation)
        .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieWaitlist.invitation_id)
        .where(IntervisieWaitlist.session_id.in_(ids))
        .order_by(IntervisieWaitlist.joined_at, IntervisieWaitlist.id)
    )
    lists: dict[int, list[IntervisieInvitation]] = {}
    for session_id, invitation in waiting.all():
        lists.setdefault(session_id, []).append(invitation)
    return {
        row.session_id: PlacesView(
            session_id=row.session_id,
            places=row.places,
            taken=row.taken,
            waiting=tuple(invitation_view(i) for i in lists.get(row.session_id, [])),
        )
        for row in rows
    }
