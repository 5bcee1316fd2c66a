"""Keeping places and waiting lists right when something other than an answer changes
them: a person who has their data erased gives up their place or their number, and the
leader offers any place that is free while people wait (``fill_free_places``), in the
order they said Yes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.capacity import IntervisiePlaces, IntervisieWaitlist
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, Rsvp, SessionStatus
from vcpbot.services.intervisie._types import PlaceOffer, Policy
from vcpbot.services.intervisie._waitlist import (
    first_waiting,
    locked_places,
    offer_place,
    take_place,
)


def _with_free_places(now: datetime) -> Select[IntervisieSession]:
    """Planned, upcoming sessions with a free place and someone waiting for one."""
    waiting = exists().where(
        IntervisieWaitlist.session_id == IntervisiePlaces.session_id,
        IntervisieWaitlist.offer_until.is_(None),
    )
    return (
        select(IntervisieSession)
        .join(IntervisiePlaces, IntervisiePlaces.session_id == IntervisieSession.id)
        .where(
            IntervisiePlaces.taken < IntervisiePlaces.places,
            IntervisieSession.status == SessionStatus.PLANNED,
            IntervisieSession.starts_at > now,
            waiting,
        )
        .order_by(IntervisieSession.id)
    )


async def any_free_places(session: AsyncSession, *, now: datetime) -> bool:
    """Whether ``fill_free_places`` has anything to do: a read, so the leader's refresh
    after every answer takes no write lock when no place came free."""
    return await session.scalar(_with_free_places(now).limit(1)) is not None


async def fill_free_places(
    session: AsyncSession, *, now: datetime, policy: Policy
) -> tuple[PlaceOffer, ...]:
    """Offer every free place of a planned, upcoming session to the first still waiting
    (the leader's refresh; the offers' DMs go out after the commit)."""
    rows = await session.scalars(_with_free_places(now))
    offers: list[PlaceOffer] = []
    for sess in rows.all():
        await locked_places(session, sess.id)
        while (first := await first_waiting(session, sess.id)) is not None:
            if not await take_place(session, sess.id):
                break
            offers.extend(await offer_place(session, *first, sess, now=now, policy=policy))
    return tuple(offers)


async def release_places_of(session: AsyncSession, *, user_id: int) -> None:
    """Before a person's invitations are erased: the places they hold become free (the
    leader offers them to the next, ``fill_free_places``) and they leave every list."""
    rows = await session.execute(
        select(IntervisieInvitation, IntervisieWaitlist)
        .join(IntervisiePlaces, IntervisiePlaces.session_id == IntervisieInvitation.session_id)
        .outerjoin(IntervisieWaitlist, IntervisieWaitlist.invitation_id == IntervisieInvitation.id)
        .where(IntervisieInvitation.user_id == user_id)
    )
    for invitation, entry in rows.all():
        await locked_places(session, invitation.session_id)
        if entry is None:
            holds = invitation.rsvp == Rsvp.YES
        else:
            holds = entry.offer_until is not None
            await session.delete(entry)
        if holds:
            await session.execute(
                update(IntervisiePlaces)
                .where(
                    IntervisiePlaces.session_id == invitation.session_id,
                    IntervisiePlaces.taken > 0,
                )
                .values(taken=IntervisiePlaces.taken - 1)
                .execution_options(synchronize_session=False)
            )
    await session.flush()
