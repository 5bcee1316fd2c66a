"""Invitation DMs through an outbox: queued in the plan's transaction, sent by the leader.

A plan (``/intervisie plan``, inviting more people, a date poll turned into a
session) used to DM every invitee inside the coordinator's interaction, whose
token runs out after 15 minutes; for hundreds of people that was not enough.
Now the plan's own transaction writes one fan-out with one pending delivery per
person (``queue_invitations``): a committed plan always has its invitations
queued, a rolled-back one never does. The leading process sends them
(``_fanout_jobs``) in three committed steps, as reminders are sent:

1. **Claim**: a conditional ``UPDATE`` sets ``claimed_at`` and ``lease_until``; it
   succeeds only while ``outcome`` is NULL and no other claim's lease is running.
2. The DM goes out; its Yes / No / Maybe buttons carry the invitations' tokens.
3. **Mark**: ``outcome`` becomes ``sent`` or ``unreachable`` (``mark_invitation``).

A process that dies between 1 and 3 leaves that one delivery in doubt. Once its
lease has run out the next claimer gets it with ``in_doubt`` and looks for the DM
in the person's recent DMs before sending: only a DM whose send was still on its
way past the lease could arrive twice, and the lease is twice the send timeout.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.fanout import (
    DeliveryOutcome,
    IntervisieDelivery,
    IntervisieDeliveryItem,
    IntervisieFanout,
)
from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisieSeries,
    IntervisieSession,
    SessionStatus,
)
from vcpbot.services.intervisie._types import (
    FanoutProgress,
    InvitationToSend,
    Planned,
    SeriesView,
    SessionView,
    invitation_view,
    series_view,
    session_view,
)

# How long a claim keeps other processes off a delivery. The sender gives up on a DM
# after half of it (``_fanout_jobs.SEND_TIMEOUT_S``), so whatever was on its way has
# landed before anyone may take the delivery over and look for it.
INVITATION_LEASE = timedelta(seconds=60)

_OPEN = IntervisieDelivery.outcome.is_(None)
_ITEMS = IntervisieDeliveryItem.delivery_id == IntervisieDelivery.id
_INVITATIONS = IntervisieInvitation.id == IntervisieDeliveryItem.invitation_id


def _takeable(now: datetime) -> ColumnElement[bool]:
    """Nobody claimed it, or the last claim's lease has run out."""
    return or_(IntervisieDelivery.claimed_at.is_(None), IntervisieDelivery.lease_until <= now)


async def queue_invitations(
    session: AsyncSession, *, planned: Planned, now: datetime
) -> int | None:
    """In the plan's transaction: one pending invitation DM per invitee; the fan-out's id
    (None when nobody new is invited)."""
    people = planned.by_user()
    if not people:
        return None
    fanout = IntervisieFanout(
        session_id=planned.sessions[0].id,
        series_id=planned.series.id if planned.series else None,
        created_at=now,
    )
    session.add(fanout)
    await session.flush()
    deliveries = [IntervisieDelivery(fanout_id=fanout.id) for _ in people]
    session.add_all(deliveries)
    await session.flush()
    items = [
        {"delivery_id": delivery.id, "invitation_id": invitation.id}
        for delivery, invitations in zip(deliveries, people.values(), strict=True)
        for invitation in invitations
    ]
    await session.execute(insert(IntervisieDeliveryItem), items)
    return fanout.id


async def takeable_invitations(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Deliveries a sender could claim now, oldest first."""
    rows = await session.scalars(
        select(IntervisieDelivery.id)
        .where(_OPEN, _takeable(now))
        .order_by(IntervisieDelivery.id)
        .limit(limit)
    )
    return list(rows)


async def next_invitation_lease_end(session: AsyncSession) -> datetime | None:
    """When the soonest running claim runs out (a sender must look again then)."""
    return await session.scalar(
        select(func.min(IntervisieDelivery.lease_until)).where(
            _OPEN, IntervisieDelivery.claimed_at.is_not(None)
        )
    )


async def claim_invitations(
    session: AsyncSession, *, delivery_ids: Sequence[int], now: datetime
) -> list[InvitationToSend]:
    """Take the right to send these deliveries until ``now + INVITATION_LEASE``: the ones
    this caller got, ready to render. A delivery with nobody (left) to send to is
    settled as skipped instead."""
    rows = await session.execute(
        select(IntervisieDelivery.id, IntervisieDelivery.claimed_at).where(
            IntervisieDelivery.id.in_(list(delivery_ids)), _OPEN, _takeable(now)
        )
    )
    before = {delivery_id: earlier for delivery_id, earlier in rows}
    claimed: dict[int, bool] = {}
    for delivery_id, earlier in before.items():
        result = await execute_dml(
            session,
            update(IntervisieDelivery)
            .where(IntervisieDelivery.id == delivery_id, _OPEN, _takeable(now))
            .values(claimed_at=now, lease_until=now + INVITATION_LEASE)
            .execution_options(synchronize_session=False),
        )
        if result.rowcount == 1:
            claimed[delivery_id] = earlier is not None
    return await _to_send(session, claimed, now)


async def _to_send(
    session: AsyncSession, claimed: dict[int, bool], now: datetime
) -> list[InvitationToSend]:
    rows = await session.execute(
        select(IntervisieDelivery.id, IntervisieFanout.series_id, IntervisieInvitation)
        .join(IntervisieFanout, IntervisieFanout.id == IntervisieDelivery.fanout_id)
        .join(IntervisieDeliveryItem, _ITEMS)
        .join(IntervisieInvitation, _INVITATIONS)
        .where(IntervisieDelivery.id.in_(list(claimed)))
    )
    carried: dict[int, list[IntervisieInvitation]] = defaultdict(list)
    series_of: dict[int, int | None] = {}
    for delivery_id, series_id, invitation in rows:
        carried[delivery_id].append(invitation)
        series_of[delivery_id] = series_id
    sessions = await _sessions(session, [i.session_id for v in carried.values() for i in v])
    series = await _series(session, [s for s in series_of.values() if s is not None])
    ready: list[InvitationToSend] = []
    for delivery_id, in_doubt in claimed.items():
        invitations = sorted(
            (i for i in carried.get(delivery_id, []) if i.session_id in sessions),
            key=lambda i: (sessions[i.session_id].starts_at, i.id),
        )
        user_id = invitations[0].user_id if invitations else None
        if user_id is None:
            await _settle(session, delivery_id, DeliveryOutcome.SKIPPED, now)
            continue
        sid = series_of.get(delivery_id)
        ready.append(
            InvitationToSend(
                delivery_id=delivery_id,
                user_id=user_id,
                series=series.get(sid) if sid is not None else None,
                sessions=tuple(sessions[i.session_id] for i in invitations),
                invitations=tuple(invitation_view(i) for i in invitations),
                claimed_at=now,
                lease_until=now + INVITATION_LEASE,
                in_doubt=in_doubt,
            )
        )
    return ready


async def _sessions(session: AsyncSession, ids: list[int]) -> dict[int, SessionView]:
    """The still planned sessions among ``ids``: a cancelled one is not invited to."""
    rows = await session.scalars(
        select(IntervisieSession).where(
            IntervisieSession.id.in_(set(ids)), IntervisieSession.status == SessionStatus.PLANNED
        )
    )
    return {row.id: session_view(row) for row in rows}


async def _series(session: AsyncSession, ids: list[int]) -> dict[int, SeriesView]:
    rows = await session.scalars(select(IntervisieSeries).where(IntervisieSeries.id.in_(ids)))
    return {row.id: series_view(row) for row in rows}


async def _settle(session: AsyncSession, delivery_id: int, outcome: str, now: datetime) -> None:
    await session.execute(
        update(IntervisieDelivery)
        .where(IntervisieDelivery.id == delivery_id, _OPEN)
        .values(outcome=outcome, sent_at=now if outcome == DeliveryOutcome.SENT else None)
        .execution_options(synchronize_session=False)
    )


async def mark_invitation(
    session: AsyncSession, *, invitation: InvitationToSend, delivered: bool, now: datetime
) -> bool:
    """The claimed DM is in the person's DMs (``delivered``), or could not be delivered;
    False when this caller's claim was taken over meanwhile (nothing is written)."""
    outcome = DeliveryOutcome.SENT if delivered else DeliveryOutcome.UNREACHABLE
    result = await execute_dml(
        session,
        update(IntervisieDelivery)
        .where(
            IntervisieDelivery.id == invitation.delivery_id,
            _OPEN,
            IntervisieDelivery.claimed_at == invitation.claimed_at,
        )
        .values(outcome=outcome, sent_at=now if delivered else None)
        .execution_options(synchronize_session=False),
    )
    if result.rowcount != 1:
        return False
    await session.execute(
        update(IntervisieInvitation)
        .where(IntervisieInvitation.id.in_([i.id for i in invitation.invitations]))
        .values(dm_failed=not delivered)
        .execution_options(synchronize_session=False)
    )
    return True


async def fanout_progress(session: AsyncSession, *, fanout_id: int) -> FanoutProgress | None:
    """How far one plan's invitations are, with who could not be reached."""
    fanout = await session.get(IntervisieFanout, fanout_id)
    if fanout is None:
        return None
    return (await _progress(session, [fanout]))[0]


async def recent_fanouts(
    session: AsyncSession, *, since: datetime, limit: int = 5
) -> list[FanoutProgress]:
    """``/intervisie progress``: the latest plans' invitations, newest first."""
    rows = await session.scalars(
        select(IntervisieFanout)
        .where(IntervisieFanout.created_at >= since)
        .order_by(IntervisieFanout.id.desc())
        .limit(limit)
    )
    return await _progress(session, list(rows))


async def _progress(session: AsyncSession, fanouts: list[IntervisieFanout]) -> list[FanoutProgress]:
    ids = [f.id for f in fanouts]
    counts: Counter[tuple[int, str | None]] = Counter()
    for fanout_id, outcome, count in await session.execute(
        select(IntervisieDelivery.fanout_id, IntervisieDelivery.outcome, func.count())
        .where(IntervisieDelivery.fanout_id.in_(ids))
        .group_by(IntervisieDelivery.fanout_id, IntervisieDelivery.outcome)
    ):
        counts[(fanout_id, outcome)] = count
    unreachable: dict[int, set[int]] = defaultdict(set)
    for fanout_id, user_id in await session.execute(
        select(IntervisieDelivery.fanout_id, IntervisieInvitation.user_id)
        .join(IntervisieDeliveryItem, IntervisieDeliveryItem.delivery_id == IntervisieDelivery.id)
        .join(
            IntervisieInvitation,
            IntervisieInvitation.id == IntervisieDeliveryItem.invitation_id,
        )
        .where(
            IntervisieDelivery.fanout_id.in_(ids),
            IntervisieDelivery.outcome == DeliveryOutcome.UNREACHABLE,
            IntervisieInvitation.user_id.is_not(None),
        )
    ):
        if user_id is not None:
            unreachable[fanout_id].add(user_id)
    sessions = {
        row.id: row
        for row in await session.scalars(
            select(IntervisieSession).where(
                IntervisieSession.id.in_([f.session_id for f in fanouts if f.session_id])
            )
        )
    }
    result: list[FanoutProgress] = []
    for fanout in fanouts:
        first = sessions.get(fanout.session_id) if fanout.session_id else None
        outcomes = {o: counts[(fanout.id, o)] for o in (None, *_OUTCOMES)}
        result.append(
            FanoutProgress(
                fanout_id=fanout.id,
                title=first.title if first else "",
                starts_at=session_view(first).starts_at if first else None,
                people=sum(outcomes.values()),
                sent=outcomes[DeliveryOutcome.SENT],
                unreachable=outcomes[DeliveryOutcome.UNREACHABLE],
                unreachable_ids=tuple(sorted(unreachable[fanout.id])),
                skipped=outcomes[DeliveryOutcome.SKIPPED],
            )
        )
    return result


_OUTCOMES = (DeliveryOutcome.SENT, DeliveryOutcome.UNREACHABLE, DeliveryOutcome.SKIPPED)
