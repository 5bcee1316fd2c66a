"""Delivering announcements: the leading process's worker claims copies, posts, marks.

The same shape as the escalation outbox (``vcpbot.services.escalation``): a claim is a
lease under the worker's token, committed before anything is posted, and counts an
attempt; a new leader releases every lease it finds; a copy claimed before is looked
for in its channel by its ``delivery_key`` before it is posted again; marking it
delivered is conditional on the lease, so of two workers one wins and the other
deletes its duplicate. Back-offs live in the worker's memory.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.announce import Announcement, AnnouncementDelivery
from vcpbot.db.dml import execute_dml
from vcpbot.services.announce._types import (
    BACKOFF_FIRST_S,
    BACKOFF_MAX_S,
    Delivery,
    Draft,
    Reason,
    State,
)

_PENDING = State.PENDING.value


async def claim_copies(
    session: AsyncSession, *, token: str, limit: int = 10, skip: Collection[int] = ()
) -> list[Delivery]:
    """Lease up to ``limit`` copies waiting to be posted, oldest first, under ``token``;
    commit before posting them. ``skip``: copies waiting out a back-off."""
    query = select(AnnouncementDelivery.id).where(
        AnnouncementDelivery.state == _PENDING, AnnouncementDelivery.lease_token.is_(None)
    )
    if skip:
        query = query.where(AnnouncementDelivery.id.not_in(list(skip)))
    candidates = (
        await session.scalars(
            query.order_by(AnnouncementDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=AnnouncementDelivery)
        )
    ).all()
    if not candidates:
        return []
    await session.execute(
        update(AnnouncementDelivery)
        .where(AnnouncementDelivery.id.in_(candidates), AnnouncementDelivery.lease_token.is_(None))
        .values(lease_token=token, attempts=AnnouncementDelivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(AnnouncementDelivery, Announcement)
        .join(Announcement, Announcement.id == AnnouncementDelivery.announcement_id)
        .where(AnnouncementDelivery.id.in_(candidates), AnnouncementDelivery.lease_token == token)
        .order_by(AnnouncementDelivery.id)
        .execution_options(populate_existing=True)
    )
    return [_delivery(copy, announcement) for copy, announcement in rows.all()]


def _delivery(copy: AnnouncementDelivery, announcement: Announcement) -> Delivery:
    return Delivery(
        id=copy.id,
        channel_id=copy.channel_id or 0,
        role_id=copy.role_id,
        locale=copy.locale,
        delivery_key=copy.delivery_key,
        attempts=copy.attempts - 1,
        lease_token=copy.lease_token or "",
        draft=Draft(announcement.title, announcement.text_nl, announcement.text_en),
    )


async def release_copies(session: AsyncSession, *, token: str | None = None) -> int:
    """Make leased copies claimable again; returns how many. Without ``token``: all (a
    process that has just taken the lead); with it: a worker's own, after a broken round."""
    query = update(AnnouncementDelivery).where(AnnouncementDelivery.lease_token.is_not(None))
    if token is not None:
        query = query.where(AnnouncementDelivery.lease_token == token)
    result = await execute_dml(
        session, query.values(lease_token=None).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def _finish(session: AsyncSession, delivery: Delivery, **values: object) -> bool:
    result = await execute_dml(
        session,
        update(AnnouncementDelivery)
        .where(
            AnnouncementDelivery.id == delivery.id,
            AnnouncementDelivery.state == _PENDING,
            AnnouncementDelivery.lease_token == delivery.lease_token,
        )
        .values(lease_token=None, **values)
        .execution_options(synchronize_session=False),
    )
    return bool(result.rowcount)


async def mark_copy_delivered(
    session: AsyncSession, *, delivery: Delivery, message_id: int
) -> bool:
    """Posted as ``message_id``. False: the lease was lost (another worker has the copy),
    so what this worker posted is a duplicate to delete."""
    return await _finish(
        session, delivery, state=State.DELIVERED.value, message_id=message_id, reason=None
    )


async def mark_copy_failed(session: AsyncSession, *, delivery: Delivery, reason: Reason) -> None:
    """Discord will not take this copy (the channel is gone, no permission, refused):
    the report says so; it is not tried again."""
    await _finish(session, delivery, state=State.FAILED.value, reason=reason.value)


async def free_copy(session: AsyncSession, *, delivery: Delivery) -> None:
    """Not posted this time (429, 5xx, a timeout): claimable again once its back-off ends."""
    await _finish(session, delivery)


def copy_retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before a copy is tried again: Discord's ``retry_after``, or a back-off from
    5 s, doubling per earlier attempt, to at most 15 minutes."""
    return retry_after or min(BACKOFF_FIRST_S * 2**attempts, BACKOFF_MAX_S)


async def copies_waiting(session: AsyncSession) -> int:
    """How many copies are still to be posted, leased or not."""
    query = select(func.count()).where(AnnouncementDelivery.state == _PENDING)
    return await session.scalar(query) or 0
