"""Delivery to Discord through a transactional outbox.

A case's outbox rows are written in the case's own transaction, so a committed
case always has its card queued and a rolled-back one never does. A worker
(the escalation cog, on a timer) then loops::

    async with db.sessions.begin() as s:            # commit the lease first
        batch = await claim_deliveries(s, now=now)
    for item in batch:
        if item.attempts:                           # an earlier try may have posted;
            ...look for item.delivery_key in the channel's recent messages...
        try:
            message = await post(item)              # with allowed_mentions none
        except (429, 5xx, timeout) as e:
            async with db.sessions.begin() as s:
                await mark_failed(s, delivery=item, now=now, retry_after=e.retry_after)
            continue
        async with db.sessions.begin() as s:
            first = await mark_delivered(s, delivery=item, channel_id=..., message_id=...)
        if not first:                               # another worker posted it too
            ...delete our message...

A lease stops two workers from taking the same row; a crash between posting
and marking leaves the row to be claimed again when the lease runs out, and the
``delivery_key`` (put into the posted message, e.g. in a button's custom_id)
lets the next worker see that it was already posted. Delivered rows are
deleted: the card's message reference moves to ``escalation_cards`` (a message
of the bot in a team channel, not a person's), and the instants a waiting row
needs for its retries do not outlive the wait.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from vcpbot.db.escalation import CardMessage, Case, MemberRoute, OutboxItem, OutboxKind, Place
from vcpbot.db.network import Association
from vcpbot.services.escalation_core import EscalationConfig, open_dm_link

LEASE = timedelta(seconds=60)
BACKOFF_FIRST_S = 5.0
BACKOFF_MAX_S = 900.0


@dataclass(frozen=True)
class Delivery:
    id: int
    kind: OutboxKind
    place: Place
    case_id: int | None
    payload: Mapping[str, Any]
    delivery_key: str
    # Earlier claims of this row. More than 0: an earlier try (perhaps one that
    # crashed) may have posted it; look for ``delivery_key`` before posting again.
    attempts: int
    lease_token: str


@dataclass(frozen=True)
class CardRef:
    channel_id: int
    message_id: int


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


def _free(now: datetime) -> Any:
    return or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until <= now)


async def claim_deliveries(
    session: AsyncSession, *, now: datetime, limit: int = 10, lease: timedelta = LEASE
) -> list[Delivery]:
    """Lease up to ``limit`` due rows, oldest first; commit before posting them.

    The lease is taken with a conditional UPDATE, so of two processes claiming at
    once each row goes to one. A card update waits until the card exists.
    """
    create = aliased(OutboxItem)
    card_pending = exists().where(
        create.case_id == OutboxItem.case_id,
        create.place == OutboxItem.place,
        create.kind == OutboxKind.CASE_CARD_CREATE.value,
    )
    candidates = (
        await session.scalars(
            select(OutboxItem.id)
            .where(
                OutboxItem.available_at <= now,
                _free(now),
                ~and_(OutboxItem.kind == OutboxKind.CASE_CARD_UPDATE.value, card_pending),
            )
            .order_by(OutboxItem.id)
            .limit(limit)
            # PostgreSQL: skip rows another worker is claiming right now, so it
            # takes the next ones instead of waiting for them and finding none.
            .with_for_update(skip_locked=True, of=OutboxItem)
        )
    ).all()
    if not candidates:
        return []
    token = secrets.token_hex(16)
    # Counting attempts at the claim, not at a failure, is what lets the next worker
    # know that a crashed one may already have posted.
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(candidates), _free(now))
        .values(lease_until=now + lease, lease_token=token, attempts=OutboxItem.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.scalars(
        select(OutboxItem)
        .where(OutboxItem.lease_token == token)
        .order_by(OutboxItem.id)
        .execution_options(populate_existing=True)
    )
    return [_delivery(row) for row in rows.all()]


async def release_leases(session: AsyncSession, *, now: datetime) -> int:
    """Make every leased row claimable now; returns how many were leased.

    For a process that has just taken the lead: only the leader delivers, so a
    lease still running belongs to a leader that died (or stepped down and
    stopped). Its rows go out again at once instead of when the lease ends; each
    was claimed before, so the next worker looks for its message first.
    """
    result = await session.execute(
        update(OutboxItem)
        .where(OutboxItem.lease_until > now)
        .values(lease_until=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def mark_delivered(
    session: AsyncSession,
    *,
    delivery: Delivery,
    channel_id: int | None = None,
    message_id: int | None = None,
) -> bool:
    """Posted (or nothing to post any more). False: it was already delivered by
    someone else, so what this worker posted is a duplicate to delete.

    For a card, pass the posted message's channel and id; they are kept in
    ``escalation_cards`` for later edits.
    """
    result = await session.execute(
        delete(OutboxItem)
        .where(OutboxItem.id == delivery.id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        return False
    if (
        delivery.kind is OutboxKind.CASE_CARD_CREATE
        and delivery.case_id is not None
        and channel_id is not None
        and message_id is not None
    ):
        card = await session.get(CardMessage, (delivery.case_id, delivery.place.value))
        if card is None:
            card = CardMessage(case_id=delivery.case_id, place=delivery.place.value)
            session.add(card)
        card.channel_id, card.message_id = channel_id, message_id
        await session.flush()
    return True


async def mark_failed(
    session: AsyncSession,
    *,
    delivery: Delivery,
    now: datetime,
    retry_after: float | None = None,
) -> float:
    """Not posted (429, 5xx, timeout): try again later, backing off (or after
    Discord's ``retry_after``). Never given up: every committed case must reach the
    hub. Returns the seconds until the next try.
    """
    wait = retry_after or min(BACKOFF_FIRST_S * 2**delivery.attempts, BACKOFF_MAX_S)
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == delivery.id, OutboxItem.lease_token == delivery.lease_token)
        .values(available_at=now + timedelta(seconds=wait), lease_until=None, lease_token=None)
        .execution_options(synchronize_session=False)
    )
    return wait


async def card_message(session: AsyncSession, *, case_id: int, place: Place) -> CardRef | None:
    """The bot's card for a case, to edit; None when it was never posted."""
    card = await session.get(CardMessage, (case_id, place.value))
    return None if card is None else CardRef(card.channel_id, card.message_id)


async def association_channel(session: AsyncSession, *, case_id: int) -> int | None:
    """Where a member case's card goes: the association's VCP channel."""
    return await session.scalar(
        select(MemberRoute.channel_id)
        .join(Case, Case.association_id == MemberRoute.association_id)
        .where(Case.id == case_id)
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


async def pending_deliveries(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(OutboxItem)) or 0
