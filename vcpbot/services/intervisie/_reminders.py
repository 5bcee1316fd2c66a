"""Planned reminders: which are wanted, which are due, and settling each exactly once.

A reminder row is pending while ``outcome`` is NULL. It leaves that state by
one conditional ``UPDATE ... WHERE outcome IS NULL AND sent_at IS NULL``: to
``sent`` (claimed, about to be delivered), ``missed`` (too late to be useful),
``skipped`` (no longer wanted). Whoever's update changes the row owns it; a
second process, or the same process after a restart, finds nothing to do. The
claim is committed before the DM goes out, so a crash in between loses a
reminder rather than sending it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisiePreference,
    IntervisieReminder,
    IntervisieSession,
    ReminderOutcome,
    Rsvp,
    SessionStatus,
)
from vcpbot.services.intervisie._types import (
    CatchUp,
    MissedReminder,
    PendingReminder,
    Policy,
    ReminderToSend,
    session_view,
)
from vcpbot.services.when import Lead

_ATTENDING = (Rsvp.YES, Rsvp.MAYBE)


def wanted(lead: Lead, *, rsvp: Rsvp, reminders_enabled: bool, policy: Policy) -> bool:
    """Whether an invitee should get this reminder at all.

    No reminders after "No" (they told us; we do not nag), none when the VCP
    turned them off, and the attending-only ones (by default 1 hour before)
    only after "Yes" or "Maybe".
    """
    if not reminders_enabled or rsvp == Rsvp.NO:
        return False
    if lead.code in policy.attending_only:
        return rsvp in _ATTENDING
    return True


async def _reminders_enabled(session: AsyncSession, user_ids: Iterable[int | None]) -> set[int]:
    """The users among ``user_ids`` who turned reminders off."""
    ids = {u for u in user_ids if u is not None}
    if not ids:
        return set()
    rows = await session.scalars(
        select(IntervisiePreference.user_id).where(
            IntervisiePreference.user_id.in_(ids),
            IntervisiePreference.reminders_enabled.is_(False),
        )
    )
    return set(rows.all())


async def plan_for(
    session: AsyncSession,
    pairs: Iterable[tuple[IntervisieInvitation, IntervisieSession]],
    *,
    now: datetime,
    policy: Policy,
) -> None:
    """Bring the reminder rows of these invitations in line with answers and preferences.

    Idempotent: new rows for wanted reminders still ahead, pending rows that are
    no longer wanted become skipped, skipped ones that are wanted again (and
    still ahead) become pending. Delivered, missed and unreachable rows stay.
    """
    pairs = list(pairs)
    if not pairs:
        return
    opted_out = await _reminders_enabled(session, (i.user_id for i, _ in pairs))
    existing: dict[tuple[int, str, int], IntervisieReminder] = {}
    rows = await session.scalars(
        select(IntervisieReminder)
        .where(IntervisieReminder.invitation_id.in_([i.id for i, _ in pairs]))
        .execution_options(populate_existing=True)
    )
    for row in rows.all():
        existing[(row.invitation_id, row.lead, row.sequence)] = row
    for invitation, sess in pairs:
        active = (
            sess.status == SessionStatus.PLANNED
            and invitation.user_id is not None
            and sess.starts_at > now
        )
        zone = ZoneInfo(sess.zone)
        for lead in policy.leads:
            want = active and wanted(
                lead,
                rsvp=Rsvp(invitation.rsvp),
                reminders_enabled=invitation.user_id not in opted_out,
                policy=policy,
            )
            due = lead.before(sess.starts_at, zone)
            row = existing.get((invitation.id, lead.code, sess.sequence))
            if row is None:
                if want and due > now:
                    session.add(
                        IntervisieReminder(
                            invitation_id=invitation.id,
                            lead=lead.code,
                            sequence=sess.sequence,
                            due_at=due,
                        )
                    )
            elif row.outcome is None and not want:
                await _transition(session, row.id, None, ReminderOutcome.SKIPPED)
            elif row.outcome == ReminderOutcome.SKIPPED and want and row.due_at > now:
                await _transition(session, row.id, ReminderOutcome.SKIPPED, None)
    await session.flush()


async def _transition(
    session: AsyncSession,
    reminder_id: int,
    old: ReminderOutcome | None,
    new: ReminderOutcome | None,
) -> None:
    # Conditional, like the claim: a row a job has just claimed is left alone.
    current = (
        IntervisieReminder.outcome.is_(None) if old is None else IntervisieReminder.outcome == old
    )
    await session.execute(
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id, current, IntervisieReminder.sent_at.is_(None))
        .values(outcome=new)
        .execution_options(synchronize_session=False)
    )


async def skip_unsent(session: AsyncSession, session_ids: Iterable[int]) -> None:
    """Take the pending reminders of these sessions off the schedule (moved or cancelled).

    The rows stay, marked skipped: ids are never reused for a later reminder
    (SQLite would reuse the highest deleted rowid), and the history shows what
    was planned.
    """
    invitations = select(IntervisieInvitation.id).where(
        IntervisieInvitation.session_id.in_(list(session_ids))
    )
    await session.execute(
        update(IntervisieReminder)
        .where(
            IntervisieReminder.invitation_id.in_(invitations),
            IntervisieReminder.outcome.is_(None),
            IntervisieReminder.sent_at.is_(None),
        )
        .values(outcome=ReminderOutcome.SKIPPED)
        .execution_options(synchronize_session="fetch")
    )


async def plan_reminders(
    session: AsyncSession, *, invitation_id: int, now: datetime, policy: Policy
) -> None:
    """Re-plan one invitation's reminders (after an answer or a preference changed)."""
    found = (
        await session.execute(
            select(IntervisieInvitation, IntervisieSession)
            .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
            .where(IntervisieInvitation.id == invitation_id)
        )
    ).first()
    if found is not None:
        await plan_for(session, [(found[0], found[1])], now=now, policy=policy)


def _pending_query():
    return (
        select(IntervisieReminder, IntervisieInvitation, IntervisieSession)
        .join(IntervisieInvitation, IntervisieInvitation.id == IntervisieReminder.invitation_id)
        .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
        .where(IntervisieReminder.outcome.is_(None), IntervisieReminder.sent_at.is_(None))
    )


async def pending_reminders(session: AsyncSession) -> list[PendingReminder]:
    """Every reminder still to be settled, for rebuilding the scheduler's jobs."""
    rows = await session.execute(
        select(IntervisieReminder.id, IntervisieReminder.due_at)
        .where(IntervisieReminder.outcome.is_(None), IntervisieReminder.sent_at.is_(None))
        .order_by(IntervisieReminder.due_at, IntervisieReminder.id)
    )
    return [PendingReminder(id=rid, due_at=due) for rid, due in rows.all()]


async def pending_due_at(session: AsyncSession, *, reminder_id: int) -> datetime | None:
    """When this reminder is due, if it is still pending."""
    return await session.scalar(
        select(IntervisieReminder.due_at).where(
            IntervisieReminder.id == reminder_id,
            IntervisieReminder.outcome.is_(None),
            IntervisieReminder.sent_at.is_(None),
        )
    )


async def due_reminders(session: AsyncSession, *, now: datetime) -> list[PendingReminder]:
    return [r for r in await pending_reminders(session) if r.due_at <= now]


async def _settle(
    session: AsyncSession, reminder_id: int, outcome: ReminderOutcome, now: datetime | None
) -> bool:
    result = await session.execute(
        update(IntervisieReminder)
        .where(
            and_(
                IntervisieReminder.id == reminder_id,
                IntervisieReminder.outcome.is_(None),
                IntervisieReminder.sent_at.is_(None),
            )
        )
        .values(outcome=outcome, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def claim_reminder(session: AsyncSession, *, reminder_id: int, now: datetime) -> bool:
    """Take the right to send this reminder; True for exactly one caller, ever."""
    return await _settle(session, reminder_id, ReminderOutcome.SENT, now)


async def record_unreachable(session: AsyncSession, *, reminder_id: int) -> None:
    """The claimed reminder could not be delivered: keep that, and flag the invitee."""
    invitation_id = await session.scalar(
        select(IntervisieReminder.invitation_id).where(
            IntervisieReminder.id == reminder_id,
            IntervisieReminder.outcome == ReminderOutcome.SENT,
        )
    )
    if invitation_id is None:
        return
    await session.execute(
        update(IntervisieReminder)
        .where(IntervisieReminder.id == reminder_id)
        .values(outcome=ReminderOutcome.UNREACHABLE)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(IntervisieInvitation)
        .where(IntervisieInvitation.id == invitation_id)
        .values(dm_failed=True)
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


async def settle_reminder(
    session: AsyncSession, *, reminder_id: int, now: datetime, grace: timedelta
) -> ReminderToSend | MissedReminder | None:
    """The scheduler job's decision for one reminder.

    ``ReminderToSend`` when this caller claimed it and should deliver it now;
    ``MissedReminder`` when it was due too long ago (beyond ``grace``) or the
    session has started, and this caller recorded that; None when there is
    nothing to do (settled elsewhere, no longer wanted, or not due yet).
    """
    found = (
        await session.execute(_pending_query().where(IntervisieReminder.id == reminder_id))
    ).first()
    if found is None or now < found[0].due_at:
        return None
    reminder, invitation, sess = found
    user_id = invitation.user_id
    if sess.status != SessionStatus.PLANNED or user_id is None:
        await _settle(session, reminder_id, ReminderOutcome.SKIPPED, None)
        return None
    if not _useful(reminder, sess, now, grace):
        settled = await _settle(session, reminder_id, ReminderOutcome.MISSED, None)
        return _missed(reminder, user_id, sess) if settled else None
    if not await claim_reminder(session, reminder_id=reminder_id, now=now):
        return None
    return ReminderToSend(
        reminder_id=reminder.id,
        invitation_id=invitation.id,
        invitation_token=invitation.token,
        user_id=user_id,
        locale=invitation.locale,
        lead=reminder.lead,
        due_at=reminder.due_at,
        claimed_at=now,
        rsvp=Rsvp(invitation.rsvp),
        session=session_view(sess),
    )


async def catch_up(session: AsyncSession, *, now: datetime, grace: timedelta) -> CatchUp:
    """At start-up: every pending reminder whose time has passed is either still useful
    (returned to be run now) or recorded as missed (returned for the coordinator)."""
    rows = await session.execute(
        _pending_query().where(IntervisieReminder.due_at <= now).order_by(IntervisieReminder.id)
    )
    late: list[PendingReminder] = []
    missed: list[MissedReminder] = []
    for reminder, invitation, sess in rows.all():
        user_id = invitation.user_id
        if sess.status != SessionStatus.PLANNED or user_id is None:
            await _settle(session, reminder.id, ReminderOutcome.SKIPPED, None)
        elif _useful(reminder, sess, now, grace):
            late.append(PendingReminder(id=reminder.id, due_at=reminder.due_at))
        elif await _settle(session, reminder.id, ReminderOutcome.MISSED, None):
            missed.append(_missed(reminder, user_id, sess))
    return CatchUp(late=tuple(late), missed=tuple(missed))
