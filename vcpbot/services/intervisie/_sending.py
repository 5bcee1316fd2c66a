"""Sending planned reminders exactly once, also when the sending process dies.

A due reminder goes through three committed steps:

1. **Claim**: one conditional ``UPDATE`` sets ``claimed_at`` and ``lease_until``
   (now + ``REMINDER_LEASE``). It succeeds only while ``outcome`` is NULL and no other
   claim's lease is running, so exactly one process holds a reminder at a time,
   and a live holder is never raced.
2. The holder sends the DM. The DM's buttons end in the reminder's ``token``.
3. **Mark**: ``outcome`` becomes ``sent`` (or ``unreachable``).

A process that dies between 1 and 3 leaves a claim without an outcome. Once
its lease has run out the reminder is *in doubt*: the next process to run it
claims it again (``ReminderToSend.in_doubt``), looks for a DM carrying the
token in the person's DMs, and marks it sent if one is there. Only if none is
there does it decide afresh (``settle_unsent``): send it, or record it as
missed or skipped by the same rules as a reminder never tried.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisieReminder,
    IntervisieSession,
    ReminderOutcome,
    Rsvp,
    SessionStatus,
)
from vcpbot.services import languages
from vcpbot.services.intervisie._reminders import personal_leads, wanted
from vcpbot.services.intervisie._types import (
    CatchUp,
    MissedReminder,
    PendingReminder,
    Policy,
    ReminderToSend,
    session_view,
)
from vcpbot.services.when import Lead

# How long a claim keeps other processes off a reminder. The holder gives up on a
# send after half of it (``jobs.SEND_TIMEOUT_S``); the other half lets a request
# still on its way land before anyone looks for it.
REMINDER_LEASE = timedelta(seconds=60)

_OPEN = IntervisieReminder.outcome.is_(None)
_UNCLAIMED = IntervisieReminder.claimed_at.is_(None)


def _takeable(now: datetime) -> ColumnElement[bool]:
    """Nobody claimed it, or the last claim's lease has run out."""
    return or_(_UNCLAIMED, IntervisieReminder.lease_until <= now)


def _open_query() -> Select[IntervisieReminder, IntervisieInvitation, IntervisieSession]:
    return (
        select(IntervisieReminder, IntervisieInvitation, IntervisieSession)
        .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieReminder.invitation_id)
        .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
        .where(_OPEN)
    )


async def pending_reminders(
    session: AsyncSession, *, invitation_ids: Collection[int] | None = None
) -> list[PendingReminder]:
    """Every reminder still to be settled, claimed or not, for rebuilding the scheduler's
    jobs; with ``invitation_ids``, only those invitations' reminders."""
    query = select(IntervisieReminder.id, IntervisieReminder.due_at, IntervisieReminder.lease_until)
    if invitation_ids is not None:
        query = query.where(IntervisieReminder.invitation_id.in_(list(invitation_ids)))
    rows = await session.execute(
        query.where(_OPEN).order_by(IntervisieReminder.due_at, IntervisieReminder.id)
    )
    return [PendingReminder(id=rid, due_at=due, lease_until=lease) for rid, due, lease in rows]


async def reminder_ids_of(session: AsyncSession, *, invitation_ids: Collection[int]) -> set[int]:
    """Every reminder of these invitations, settled or not."""
    rows = await session.scalars(
        select(IntervisieReminder.id).where(
            IntervisieReminder.invitation_id.in_(list(invitation_ids))
        )
    )
    return set(rows)


async def next_run_at(session: AsyncSession, *, reminder_id: int) -> datetime | None:
    """When this reminder's job should run, if it is still to be settled."""
    row = (
        await session.execute(
            select(IntervisieReminder.due_at, IntervisieReminder.lease_until).where(
                IntervisieReminder.id == reminder_id, _OPEN
            )
        )
    ).first()
    return None if row is None else PendingReminder(reminder_id, row[0], row[1]).runs_at


async def due_reminders(session: AsyncSession, *, now: datetime) -> list[PendingReminder]:
    """What a job could act on now: due, and not held by a running claim."""
    return [r for r in await pending_reminders(session) if r.runs_at <= now]


async def claim_reminder(session: AsyncSession, *, reminder_id: int, now: datetime) -> bool:
    """Take the right to send this reminder until ``now + REMINDER_LEASE``.

    True for exactly one caller while that lease runs; after it, for the one
    caller who takes the reminder over (and must look for the earlier DM).
    """
    result = await execute_dml(
        session,
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id, _OPEN, _takeable(now))
        .values(claimed_at=now, lease_until=now + REMINDER_LEASE)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


async def _settle(
    session: AsyncSession,
    reminder_id: int,
    outcome: ReminderOutcome,
    *,
    claim: ColumnElement[bool] = _UNCLAIMED,
) -> bool:
    """Give an open reminder its outcome, if ``claim`` holds: by default, nobody claimed it."""
    result = await execute_dml(
        session,
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id, _OPEN, claim)
        .values(outcome=outcome)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


async def mark_sent(session: AsyncSession, *, reminder_id: int, now: datetime) -> bool:
    """The claimed reminder is in the person's DMs (sent now, or found from an earlier try)."""
    result = await execute_dml(
        session,
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id, _OPEN, ~_UNCLAIMED)
        .values(outcome=ReminderOutcome.SENT, sent_at=now)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


async def record_unreachable(session: AsyncSession, *, reminder_id: int) -> None:
    """The claimed reminder could not be delivered: keep that, and flag the invitee."""
    invitation_id = await session.scalar(
        select(IntervisieReminder.invitation_id).where(
            IntervisieReminder.id == reminder_id, _OPEN, ~_UNCLAIMED
        )
    )
    if invitation_id is None:
        return
    await _set_outcome(session, reminder_id, ReminderOutcome.UNREACHABLE)
    await session.execute(
        update(IntervisieInvitation)
        .where(IntervisieInvitation.id == invitation_id)
        .values(dm_failed=True)
        .execution_options(synchronize_session=False)
    )


async def _set_outcome(session: AsyncSession, reminder_id: int, outcome: ReminderOutcome) -> None:
    await session.execute(
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id, _OPEN)
        .values(outcome=outcome)
        .execution_options(synchronize_session=False)
    )


def _useful(
    reminder: IntervisieReminder, sess: IntervisieSession, now: datetime, grace: timedelta
) -> bool:
    return now - reminder.due_at <= grace and now < sess.starts_at


def _missed(reminder: IntervisieReminder, user_id: int, sess: IntervisieSession) -> MissedReminder:
    return MissedReminder(
        reminder_id=reminder.id,
        user_id=user_id,
        lead=reminder.lead,
        due_at=reminder.due_at,
        session=session_view(sess),
    )


async def _to_send(
    session: AsyncSession,
    reminder: IntervisieReminder,
    invitation: IntervisieInvitation,
    sess: IntervisieSession,
    *,
    user_id: int,
    now: datetime,
    in_doubt: bool,
) -> ReminderToSend:
    """The claimed reminder, in the language the person last used (``languages``)."""
    locale = await languages.remembered(session, user_id=user_id)
    return ReminderToSend(
        reminder_id=reminder.id,
        invitation_id=invitation.id,
        token=reminder.token,
        user_id=user_id,
        locale=locale,
        lead=reminder.lead,
        due_at=reminder.due_at,
        claimed_at=now,
        lease_until=now + REMINDER_LEASE,
        rsvp=Rsvp(invitation.rsvp),
        session=session_view(sess),
        in_doubt=in_doubt,
    )


async def settle_reminder(
    session: AsyncSession, *, reminder_id: int, now: datetime, grace: timedelta
) -> ReminderToSend | MissedReminder | None:
    """The scheduler job's decision for one reminder.

    ``ReminderToSend`` when this caller claimed it: send it now or, when it is
    ``in_doubt``, first look for the DM of the claim that ran out. ``MissedReminder``
    when it was due too long ago (beyond ``grace``) or the session has started,
    and this caller recorded that. None when there is nothing to do now (settled
    elsewhere, no longer wanted, not due yet, or another process holds it).
    """
    found = (
        await session.execute(_open_query().where(IntervisieReminder.id == reminder_id))
    ).first()
    if found is None or now < found[0].due_at:
        return None
    reminder, invitation, sess = found
    user_id = invitation.user_id
    if reminder.claimed_at is not None or user_id is None:
        return await _take_over(session, reminder, invitation, sess, now)
    if sess.status != SessionStatus.PLANNED:
        await _settle(session, reminder_id, ReminderOutcome.SKIPPED)
        return None
    if not _useful(reminder, sess, now, grace):
        settled = await _settle(session, reminder_id, ReminderOutcome.MISSED)
        return _missed(reminder, user_id, sess) if settled else None
    if not await claim_reminder(session, reminder_id=reminder_id, now=now):
        return None
    return await _to_send(
        session, reminder, invitation, sess, user_id=user_id, now=now, in_doubt=False
    )


async def _take_over(
    session: AsyncSession,
    reminder: IntervisieReminder,
    invitation: IntervisieInvitation,
    sess: IntervisieSession,
    now: datetime,
) -> ReminderToSend | None:
    """A claim ran out without an outcome: claim it again, to look for its DM first."""
    if invitation.user_id is None:
        # The person's data was erased: nobody to send it to, or to look for it with.
        await _settle(session, reminder.id, ReminderOutcome.SKIPPED, claim=_takeable(now))
        return None
    if not await claim_reminder(session, reminder_id=reminder.id, now=now):
        return None
    return await _to_send(
        session, reminder, invitation, sess, user_id=invitation.user_id, now=now, in_doubt=True
    )


async def settle_unsent(
    session: AsyncSession,
    *,
    reminder: ReminderToSend,
    now: datetime,
    grace: timedelta,
    policy: Policy,
) -> ReminderToSend | MissedReminder | None:
    """An in-doubt reminder whose DM is not in the person's DMs: decide it afresh.

    The same rules as for a reminder never tried, because while it was claimed
    nothing else could take it off the schedule: skipped when the session was
    cancelled or moved or the person no longer wants it, missed when it is too
    late, else a renewed claim to send it now. None also when this caller's
    claim was taken over meanwhile.
    """
    mine = IntervisieReminder.claimed_at == reminder.claimed_at
    found = (
        await session.execute(
            _open_query().where(IntervisieReminder.id == reminder.reminder_id, mine)
        )
    ).first()
    if found is None:
        return None
    row, invitation, sess = found
    user_id = invitation.user_id
    if user_id is None or not await _still_wanted(session, row, invitation, sess, policy):
        await _settle(session, row.id, ReminderOutcome.SKIPPED, claim=mine)
        return None
    if not _useful(row, sess, now, grace):
        settled = await _settle(session, row.id, ReminderOutcome.MISSED, claim=mine)
        return _missed(row, user_id, sess) if settled else None
    renewed = await execute_dml(
        session,
        update(IntervisieReminder)
        .where(IntervisieReminder.id == row.id, _OPEN, mine)
        .values(claimed_at=now, lease_until=now + REMINDER_LEASE)
        .execution_options(synchronize_session=False),
    )
    if renewed.rowcount != 1:
        return None
    return await _to_send(session, row, invitation, sess, user_id=user_id, now=now, in_doubt=False)


async def _still_wanted(
    session: AsyncSession,
    reminder: IntervisieReminder,
    invitation: IntervisieInvitation,
    sess: IntervisieSession,
    policy: Policy,
) -> bool:
    if sess.status != SessionStatus.PLANNED or reminder.sequence != sess.sequence:
        return False
    if invitation.user_id is None:
        return False
    leads = await personal_leads(session, [invitation.user_id], policy)
    return wanted(
        Lead.parse(reminder.lead),
        rsvp=Rsvp(invitation.rsvp),
        leads=leads[invitation.user_id],
        policy=policy,
    )


async def catch_up(session: AsyncSession, *, now: datetime, grace: timedelta) -> CatchUp:
    """At start-up: every pending reminder whose time has passed is either still useful
    (returned to be run now) or recorded as missed (returned for the coordinator).

    Claimed ones are not decided here: their DM may be out, so their job looks first.
    """
    rows = await session.execute(
        _open_query()
        .where(_UNCLAIMED, IntervisieReminder.due_at <= now)
        .order_by(IntervisieReminder.id)
    )
    late: list[PendingReminder] = []
    missed: list[MissedReminder] = []
    for reminder, invitation, sess in rows.all():
        user_id = invitation.user_id
        if sess.status != SessionStatus.PLANNED or user_id is None:
            await _settle(session, reminder.id, ReminderOutcome.SKIPPED)
        elif _useful(reminder, sess, now, grace):
            late.append(PendingReminder(id=reminder.id, due_at=reminder.due_at))
        elif await _settle(session, reminder.id, ReminderOutcome.MISSED):
            missed.append(_missed(reminder, user_id, sess))
    return CatchUp(late=tuple(late), missed=tuple(missed))
