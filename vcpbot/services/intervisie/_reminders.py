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

from vcpbot.db.capacity import IntervisieWaitlist
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


def wanted(lead: Lead, *, rsvp: Rsvp, leads: frozenset[str], policy: Policy) -> bool:
    """Whether an invitee should get this reminder at all.

    Only the lead times the person gets (``leads``: their own choice, or what
    everyone gets; none when they turned reminders off), no reminders after "No"
    (they told us; we do not nag), and the attending-only ones (by default 1 hour
    before) only after "Yes" or "Maybe".
    """
    if lead.code not in leads or rsvp == Rsvp.NO:
        return False
    if lead.code in policy.attending_only:
        return rsvp in _ATTENDING
    return True


def leads_of(row: IntervisiePreference | None, policy: Policy) -> tuple[str, ...]:
    """The lead times a person gets, longest first: none when they turned reminders
    off, their own choice within what is offered, or what everyone gets."""
    if row is None or row.reminder_leads is None:
        return policy.default_codes if row is None or row.reminders_enabled else ()
    if not row.reminders_enabled:
        return ()
    chosen = set(row.reminder_leads.split(","))
    return tuple(code for code in policy.offered_codes if code in chosen)


async def personal_leads(
    session: AsyncSession, user_ids: Iterable[int | None], policy: Policy
) -> dict[int, frozenset[str]]:
    """The lead times each of ``user_ids`` gets (see ``leads_of``)."""
    ids = {u for u in user_ids if u is not None}
    rows: dict[int, IntervisiePreference] = {}
    if ids:
        found = await session.scalars(
            select(IntervisiePreference)
            .where(IntervisiePreference.user_id.in_(ids))
            .execution_options(populate_existing=True)
        )
        rows = {row.user_id: row for row in found.all()}
    return {u: frozenset(leads_of(rows.get(u), policy)) for u in ids}


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
    leads = await personal_leads(session, (i.user_id for i, _ in pairs), policy)
    offered = policy.offered_codes
    existing: dict[tuple[int, str, int], IntervisieReminder] = {}
    rows = await session.scalars(
        select(IntervisieReminder)
        .where(IntervisieReminder.invitation_id.in_([i.id for i, _ in pairs]))
        .execution_options(populate_existing=True)
    )
    for kept in rows.all():
        existing[(kept.invitation_id, kept.lead, kept.sequence)] = kept
    # Someone on a waiting list has no place yet: no reminders until they get one.
    waiting = set(
        (
            await session.scalars(
                select(IntervisieWaitlist.invitation_id).where(
                    IntervisieWaitlist.invitation_id.in_([i.id for i, _ in pairs])
                )
            )
        ).all()
    )
    for invitation, sess in pairs:
        active = (
            sess.status == SessionStatus.PLANNED
            and invitation.user_id is not None
            and sess.starts_at > now
            and invitation.id not in waiting
        )
        zone = ZoneInfo(sess.zone)
        mine = frozenset() if invitation.user_id is None else leads[invitation.user_id]
        for lead in policy.offered:
            want = active and wanted(lead, rsvp=Rsvp(invitation.rsvp), leads=mine, policy=policy)
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
        # A lead time the coordinator no longer offers is taken off the schedule.
        for (invitation_id, code, _), row in existing.items():
            if invitation_id == invitation.id and code not in offered and row.outcome is None:
                await _transition(session, row.id, None, ReminderOutcome.SKIPPED)
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
