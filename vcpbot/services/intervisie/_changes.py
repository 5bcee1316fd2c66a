"""Moving and cancelling sessions: one occurrence, or it and the rest of its series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisieSeries,
    IntervisieSession,
    Rsvp,
    SessionStatus,
)
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.services.intervisie._planning import (
    REASON_MAX,
    check_duration,
    check_future,
    planned_row,
    series_from,
)
from vcpbot.services.intervisie._reminders import plan_for, skip_unsent
from vcpbot.services.intervisie._types import (
    Cancelled,
    Moved,
    MovedSession,
    Policy,
    invitation_view,
    session_view,
)
from vcpbot.services.when import resolve_local


async def _invitations(
    session: AsyncSession, sessions: Sequence[IntervisieSession]
) -> list[IntervisieInvitation]:
    rows = await session.scalars(
        select(IntervisieInvitation)
        .where(IntervisieInvitation.session_id.in_([s.id for s in sessions]))
        .order_by(IntervisieInvitation.session_id, IntervisieInvitation.id)
    )
    return list(rows.all())


async def _not_started(session: AsyncSession, session_id: int, now: datetime) -> IntervisieSession:
    row = await planned_row(session, session_id)
    if row.starts_at <= now:
        raise Conflict("intervisie.error.already_started")
    return row


async def _new_starts(
    session: AsyncSession,
    row: IntervisieSession,
    targets: Sequence[IntervisieSession],
    starts_at: datetime,
) -> list[datetime]:
    """Where each target goes: the chosen start for ``row``; for later occurrences the
    same wall-clock time, the series' interval further on."""
    if len(targets) == 1:
        return [starts_at]
    series = await session.get(IntervisieSeries, row.series_id)
    if series is None or row.position is None:  # pragma: no cover - guarded by the FK
        return [starts_at]
    zone = ZoneInfo(series.zone)
    local = starts_at.astimezone(zone)
    starts = []
    for target in targets:
        offset = timedelta(weeks=series.interval_weeks * ((target.position or 0) - row.position))
        starts.append(resolve_local(local.date() + offset, local.time(), zone))
    # The rule changes from here on: remember it as the series' weekday and time.
    series.local_time = local.time()
    series.weekday = local.weekday()
    series.until = max(series.until, starts[-1].astimezone(zone).date())
    return starts


async def move_session(
    session: AsyncSession,
    *,
    session_id: int,
    starts_at: datetime,
    now: datetime,
    policy: Policy,
    rest_of_series: bool = False,
    duration_minutes: int | None = None,
) -> Moved:
    """Move one occurrence (or it and the later ones of its series) to ``starts_at``.

    Each moved session's .ics sequence goes up and its reminders are planned
    afresh. Answers are kept when the session stays on the same day (in its own
    zone) and cleared when it moves to another day: a Yes for Tuesday says
    nothing about Thursday.
    """
    row = await _not_started(session, session_id, now)
    check_future(starts_at, now=now, zone=policy.zone)
    if duration_minutes is not None:
        check_duration(duration_minutes, policy)
    targets = await series_from(session, row) if rest_of_series else [row]
    starts = await _new_starts(session, row, targets, starts_at)
    moves = []
    reset_ids = []
    for target, start in zip(targets, starts, strict=True):
        before = session_view(target)
        zone = ZoneInfo(target.zone)
        answers_reset = start.astimezone(zone).date() != before.local_start.date()
        target.starts_at = start.astimezone(UTC)
        target.sequence += 1
        target.updated_at = now
        if duration_minutes is not None:
            target.duration_minutes = duration_minutes
        if answers_reset:
            reset_ids.append(target.id)
        moves.append((before, target, answers_reset))
    if reset_ids:
        await session.execute(
            update(IntervisieInvitation)
            .where(IntervisieInvitation.session_id.in_(reset_ids))
            .values(rsvp=Rsvp.NONE, answered_at=None)
            .execution_options(synchronize_session="fetch")
        )
    await session.flush()
    await skip_unsent(session, [t.id for t in targets])
    invitations = await _invitations(session, targets)
    by_id = {t.id: t for t in targets}
    await plan_for(session, [(i, by_id[i.session_id]) for i in invitations], now=now, policy=policy)
    return Moved(
        moves=tuple(
            MovedSession(before=b, after=session_view(t), answers_reset=r) for b, t, r in moves
        ),
        invitations=tuple(invitation_view(i) for i in invitations if i.user_id is not None),
    )


async def cancel_session(
    session: AsyncSession,
    *,
    session_id: int,
    reason: str | None,
    now: datetime,
    rest_of_series: bool = False,
) -> Cancelled:
    """Cancel one occurrence (or it and the rest of its series); returns who to tell.

    Reminders not yet sent are removed; the .ics sequence goes up so the
    METHOD:CANCEL file replaces the invitation in people's calendars.
    """
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > REASON_MAX:
        raise InvalidInput("intervisie.error.reason_too_long", limit=REASON_MAX)
    row = await _not_started(session, session_id, now)
    targets = await series_from(session, row) if rest_of_series else [row]
    for target in targets:
        target.status = SessionStatus.CANCELLED
        target.cancel_reason = reason
        target.sequence += 1
        target.updated_at = now
    await session.flush()
    await skip_unsent(session, [t.id for t in targets])
    invitations = await _invitations(session, targets)
    return Cancelled(
        sessions=tuple(session_view(t) for t in targets),
        reason=reason,
        invitations=tuple(invitation_view(i) for i in invitations if i.user_id is not None),
    )
