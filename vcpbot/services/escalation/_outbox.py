"""Delivery to Discord through a transactional outbox.

A case's outbox rows are written in the case's own transaction, so a committed
case always has its card queued and a rolled-back one never does. Only the
leading process delivers (``vcpbot.leadership``); its worker (the escalation
cog's Courier) loops::

    async with db.sessions.begin() as s:            # commit the lease first
        batch = await claim_deliveries(s, token=my_token, skip=waiting, with_held=due)
    for item in batch:
        if item.attempts:                           # an earlier try may have posted;
            ...look for item.delivery_key in the channel's recent messages...
        try:
            message = await post(item)              # with allowed_mentions none
        except (429, 5xx, timeout) as e:
            async with db.sessions.begin() as s:
                await mark_failed(s, delivery=item)
            waiting[item.id] = now + retry_delay(item.attempts, e.retry_after)
            continue
        async with db.sessions.begin() as s:
            first = await mark_delivered(s, config=..., delivery=item, posted=MessageRef(...))
        if not first:                               # another worker posted it too
            ...delete our message...

No row holds a time. A lease is the claiming worker's token: a leader that takes
over releases every lease it finds (its predecessor died or stepped down), so a
crash between posting and marking leaves the row to the next leader, and the
``delivery_key`` (put into the posted message, e.g. in a button's custom_id)
lets it see that the row was already posted. A retry's back-off, and the moment
the next batch of ``held`` rows goes, live in the worker's memory; a new leader
simply tries at once. Delivered rows are deleted; a message the bot posted about
a case is kept, sealed, in ``escalation_posts``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from vcpbot.db.dml import execute_dml
from vcpbot.db.escalation import (
    Case,
    CaseStatus,
    MemberRoute,
    OutboxItem,
    OutboxKind,
    Place,
    PostKind,
    Undelivered,
)
from vcpbot.db.network import Association
from vcpbot.services.escalation._core import deleted_on, notify_reporter, open_dm_link
from vcpbot.services.escalation._posts import card_ref, record_post
from vcpbot.services.escalation._types import Delivery, EscalationConfig, MessageRef

BACKOFF_FIRST_S = 5.0
BACKOFF_MAX_S = 900.0
_POSTED_AS = {
    OutboxKind.CASE_CARD_CREATE: PostKind.CARD,
    OutboxKind.OVERDUE_NUDGE: PostKind.NUDGE,
    OutboxKind.PATTERN_SIGNAL: PostKind.NOTICE,
}


def _delivery(row: OutboxItem) -> Delivery:
    return Delivery(
        id=row.id,
        kind=OutboxKind(row.kind),
        place=Place(row.place),
        case_id=row.case_id,
        payload=json.loads(row.payload),
        delivery_key=row.delivery_key,
        attempts=row.attempts - 1,
        lease_token=row.lease_token or "",
    )


async def claim_deliveries(
    session: AsyncSession,
    *,
    token: str,
    limit: int = 10,
    skip: Collection[int] = (),
    with_held: bool = False,
) -> list[Delivery]:
    """Lease up to ``limit`` free rows, oldest first, under ``token``; commit before
    posting them. ``skip``: rows waiting out a back-off. Held rows only ``with_held``
    (the batch is due). A card update waits until its card exists.

    The lease is taken with a conditional UPDATE, so of two claims at once each row
    goes to one.
    """
    create = aliased(OutboxItem)
    card_pending = exists().where(
        create.case_id == OutboxItem.case_id,
        create.place == OutboxItem.place,
        create.kind == OutboxKind.CASE_CARD_CREATE.value,
    )
    query = select(OutboxItem.id).where(
        OutboxItem.lease_token.is_(None),
        ~and_(OutboxItem.kind == OutboxKind.CASE_CARD_UPDATE.value, card_pending),
    )
    if not with_held:
        query = query.where(OutboxItem.held.is_(False))
    if skip:
        query = query.where(OutboxItem.id.not_in(list(skip)))
    candidates = (
        await session.scalars(
            query.order_by(OutboxItem.id)
            .limit(limit)
            # PostgreSQL: skip rows another worker is claiming right now, so it
            # takes the next ones instead of waiting for them and finding none.
            .with_for_update(skip_locked=True, of=OutboxItem)
        )
    ).all()
    if not candidates:
        return []
    # Counting attempts at the claim, not at a failure, is what lets the next worker
    # know that a crashed one may already have posted. A held row claimed is past its
    # batch: if it has to be tried again, it need not wait for another one.
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(candidates), OutboxItem.lease_token.is_(None))
        .values(lease_token=token, attempts=OutboxItem.attempts + 1, held=False)
        .execution_options(synchronize_session=False)
    )
    rows = await session.scalars(
        select(OutboxItem)
        .where(OutboxItem.id.in_(candidates), OutboxItem.lease_token == token)
        .order_by(OutboxItem.id)
        .execution_options(populate_existing=True)
    )
    return [_delivery(row) for row in rows.all()]


async def held_waiting(session: AsyncSession) -> bool:
    """Is anything waiting for the next batch?"""
    found = await session.scalar(
        select(OutboxItem.id)
        .where(OutboxItem.held.is_(True), OutboxItem.lease_token.is_(None))
        .limit(1)
    )
    return found is not None


async def release_leases(session: AsyncSession, *, token: str | None = None) -> int:
    """Make leased rows claimable again; returns how many were leased.

    Without ``token``, every lease: for a process that has just taken the lead. Only
    the leader delivers, so a lease it finds belongs to a leader that died (or
    stepped down and stopped). Its rows go out again at once; each was claimed
    before, so the next worker looks for its message first. With ``token``, a
    worker's own leases from a round that broke off.
    """
    query = update(OutboxItem).where(OutboxItem.lease_token.is_not(None))
    if token is not None:
        query = query.where(OutboxItem.lease_token == token)
    result = await execute_dml(
        session, query.values(lease_token=None).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def mark_delivered(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    delivery: Delivery,
    posted: MessageRef | None = None,
) -> bool:
    """Posted (or nothing to post any more). False: it was already delivered by
    someone else, so what this worker posted is a duplicate to delete.

    For a card, a nudge or a pattern notice, pass the posted message: it is kept,
    sealed, for later edits and for its deletion when the case is destroyed.
    """
    result = await execute_dml(
        session,
        delete(OutboxItem)
        .where(OutboxItem.id == delivery.id)
        .execution_options(synchronize_session=False),
    )
    if not result.rowcount:
        return False
    kind = _POSTED_AS.get(delivery.kind)
    if posted is not None and kind is not None:
        for case in await _cases_posted_about(session, delivery):
            await record_post(session, config, case, kind=kind, place=delivery.place, ref=posted)
    return True


async def _cases_posted_about(session: AsyncSession, delivery: Delivery) -> list[Case]:
    """The case of a card or nudge; every case a pattern notice names."""
    if delivery.kind is OutboxKind.PATTERN_SIGNAL:
        codes = [str(code) for code in delivery.payload.get("codes", [])]
        return list((await session.scalars(select(Case).where(Case.code.in_(codes)))).all())
    case = await session.get(Case, delivery.case_id) if delivery.case_id is not None else None
    return [] if case is None else [case]


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before trying a failed row again: Discord's ``retry_after``, or a back-off
    from 5 s, doubling per earlier attempt, to at most 15 minutes."""
    return retry_after or min(BACKOFF_FIRST_S * 2**attempts, BACKOFF_MAX_S)


async def mark_failed(session: AsyncSession, *, delivery: Delivery) -> None:
    """Not posted (429, 5xx, timeout, a refusal to report): free the row again. Never
    given up: the worker keeps it aside until its back-off ends."""
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == delivery.id, OutboxItem.lease_token == delivery.lease_token)
        .values(lease_token=None)
        .execution_options(synchronize_session=False)
    )


async def mark_undelivered(
    session: AsyncSession, *, delivery: Delivery, reason: Undelivered
) -> None:
    """A member case's card cannot reach the association's VCPs (the route is off, or the
    channel is gone): drop it and tell the reporter, who chooses in ``/my-case`` (send it
    to the UM team, or close it). Its clock stops: nobody can act on it meanwhile.
    """
    await session.execute(
        delete(OutboxItem)
        .where(OutboxItem.id == delivery.id)
        .execution_options(synchronize_session=False)
    )
    case = await session.get(Case, delivery.case_id) if delivery.case_id is not None else None
    if case is None or case.status == CaseStatus.CLOSED or case.undelivered is not None:
        return
    case.undelivered = reason.value
    case.ack_due = None
    notify_reporter(session, case, reason="undelivered")
    await session.flush()


async def card_message(
    session: AsyncSession, *, config: EscalationConfig, case_id: int, place: Place
) -> MessageRef | None:
    """The bot's card for a case, to edit or to post next to; None when never posted."""
    case = await session.get(Case, case_id)
    return None if case is None else await card_ref(session, config, case, place)


async def case_code(session: AsyncSession, *, case_id: int) -> str | None:
    """The case's code, for telling the team which card Discord refused."""
    return await session.scalar(select(Case.code).where(Case.id == case_id))


async def association_channel(session: AsyncSession, *, case_id: int) -> int | None:
    """Where a member case's card goes: the association's VCP channel, while the
    member route is on. None: the VCPs cannot receive it."""
    return await session.scalar(
        select(MemberRoute.channel_id)
        .join(Case, Case.association_id == MemberRoute.association_id)
        .where(Case.id == case_id, MemberRoute.enabled.is_(True))
    )


async def association_of_case(session: AsyncSession, *, case_id: int) -> int | None:
    """The guild id of the association a case is about (None for a hub-only case).

    The outbox reads it from the database, not from Discord's cache: the leading
    process delivers for every guild, including those on other processes' shards.
    """
    return await session.scalar(
        select(Association.guild_id)
        .join(Case, Case.association_id == Association.id)
        .where(Case.id == case_id)
    )


async def notice_recipient(
    session: AsyncSession, *, config: EscalationConfig, delivery: Delivery
) -> int | None:
    """For a reply notice: the reporter's user id, opened from the DM link (runtime key).

    Use it to send the DM and forget it; never log it. None when the reporter
    stopped notices or the case is gone: then mark the delivery done.
    """
    row = await session.get(OutboxItem, delivery.id)
    if row is None or row.dm_link is None or row.case_id is None:
        return None
    if await session.get(Case, row.case_id) is None:
        return None
    # None too when the link was sealed under an earlier runtime key (a reboot).
    return open_dm_link(config, row.case_id, row.dm_link)


async def notice_deletion_day(
    session: AsyncSession, *, config: EscalationConfig, delivery: Delivery
) -> date | None:
    """For a notice about a closed case: the day retention deletes it, to say until when
    the reporter can read it. None while the case is open, or gone."""
    case = await session.get(Case, delivery.case_id) if delivery.case_id is not None else None
    return None if case is None else deleted_on(case, config.policy)


async def pending_deliveries(session: AsyncSession) -> int:
    """How many messages about cases are waiting in the outbox, leased or not."""
    return await session.scalar(select(func.count()).select_from(OutboxItem)) or 0


async def waiting_delivery_ids(session: AsyncSession) -> list[int]:
    """The ids of the rows due for delivery, for the metrics' outbox depth and age: the
    rows hold no time, so the age is how long the reader has seen a row waiting. A card
    held for its batch is left out: when its wait began would say when it was sent."""
    query = select(OutboxItem.id).where(OutboxItem.held.is_(False)).order_by(OutboxItem.id)
    return list((await session.scalars(query)).all())
