"""Planned reminders: which are wanted, and keeping their rows in line with answers,
preferences, moves and cancellations.

A reminder row is pending while ``outcome`` is NULL and nobody has claimed it.
Planning only ever changes pending rows (by a conditional ``UPDATE``): a row a
process has claimed to send is left to that process, or, if it died, to the one
that settles it (``_sending``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
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
from vcpbot.services.intervisie._types import Policy, new_token
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


async def opted_out(session: AsyncSession, user_ids: Iterable[int | None]) -> set[int]:
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
    still ahead) become pending. Claimed, delivered, missed and unreachable rows stay.
    """
    pairs = list(pairs)
    if not pairs:
        return
    off = await opted_out(session, (i.user_id for i, _ in pairs))
    existing: dict[tuple[int, str, int], IntervisieReminder] = {}
    rows = await session.scalars(
        select(IntervisieReminder)
        .where(IntervisieReminder.invitation_id.in_([i.id for i, _ in pairs]))
        .execution_options(populate_existing=True)
    )
    for kept in rows.all():
        existing[(kept.invitation_id, kept.lead, kept.sequence)] = kept
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
                reminders_enabled=invitation.user_id not in off,
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
                            token=new_token(),
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
        .where(
            IntervisieReminder.id == reminder_id,
            current,
            IntervisieReminder.claimed_at.is_(None),
        )
        .values(outcome=new)
        .execution_options(synchronize_session=False)
    )


async def skip_unsent(session: AsyncSession, session_ids: Iterable[int]) -> None:
    """Take the pending reminders of these sessions off the schedule (moved or cancelled).

    The rows stay, marked skipped: ids are never reused for a later reminder
    (SQLite would reuse the highest deleted rowid), and the history shows what
    was planned. A claimed one is settled by its sender, who checks the session.
    """
    invitations = select(IntervisieInvitation.id).where(
        IntervisieInvitation.session_id.in_(list(session_ids))
    )
    await session.execute(
        update(IntervisieReminder)
        .where(
            IntervisieReminder.invitation_id.in_(invitations),
            IntervisieReminder.outcome.is_(None),
            IntervisieReminder.claimed_at.is_(None),
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
