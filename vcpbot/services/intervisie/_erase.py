"""Deleting a person's intervisie data on request.

Invitations whose attendance was never recorded (upcoming sessions, or past
ones nobody marked) are deleted with their reminders. Where attendance was
recorded, the row stays without the person: no user id, association, answer
time or button token, only the answer and the attended flag. The coordinator's
session totals ("9 of 12 came") stay right, and nothing links them back to
the person. Their preferences are deleted. Places they held on sessions with a
maximum become free, and they leave every waiting list (``_waitlist_upkeep``).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.intervisie import IntervisieInvitation, IntervisiePreference, IntervisieReminder
from vcpbot.db.polls import IntervisiePollAnswer, IntervisiePollInvitee
from vcpbot.services.intervisie._types import new_token
from vcpbot.services.intervisie._waitlist_upkeep import release_places_of
from vcpbot.services.privacy import eraser


@eraser("intervisie", "intervisie_invitations", "intervisie_reminders", "intervisie_preferences")
async def erase_intervisie_data(session: AsyncSession, user_id: int) -> list[str]:
    removed = []
    await release_places_of(session, user_id=user_id)
    mine = select(IntervisieInvitation.id).where(IntervisieInvitation.user_id == user_id)
    await session.execute(
        delete(IntervisieReminder)
        .where(IntervisieReminder.invitation_id.in_(mine))
        .execution_options(synchronize_session=False)
    )
    deleted = await execute_dml(
        session,
        delete(IntervisieInvitation)
        .where(IntervisieInvitation.user_id == user_id, IntervisieInvitation.attended.is_(None))
        .execution_options(synchronize_session=False),
    )
    kept = (
        await session.scalars(
            select(IntervisieInvitation).where(IntervisieInvitation.user_id == user_id)
        )
    ).all()
    for invitation in kept:
        invitation.user_id = None
        invitation.association_id = None
        invitation.answered_at = None
        invitation.dm_failed = False
        invitation.token = new_token()
    if deleted.rowcount or kept:
        removed.append("privacy.removed.intervisie_invitations")
    preference = await execute_dml(
        session,
        delete(IntervisiePreference)
        .where(IntervisiePreference.user_id == user_id)
        .execution_options(synchronize_session=False),
    )
    if preference.rowcount:
        removed.append("privacy.removed.intervisie_preferences")
    await session.flush()
    return removed


@eraser("intervisie_polls", "intervisie_poll_invitees", "intervisie_poll_answers")
async def erase_poll_answers(session: AsyncSession, user_id: int) -> list[str]:
    """A person's place in date polls, with every answer they gave, is deleted whole."""
    mine = select(IntervisiePollInvitee.id).where(IntervisiePollInvitee.user_id == user_id)
    await session.execute(
        delete(IntervisiePollAnswer)
        .where(IntervisiePollAnswer.invitee_id.in_(mine))
        .execution_options(synchronize_session=False)
    )
    deleted = await execute_dml(
        session,
        delete(IntervisiePollInvitee)
        .where(IntervisiePollInvitee.user_id == user_id)
        .execution_options(synchronize_session=False),
    )
    return ["privacy.removed.intervisie_polls"] if deleted.rowcount else []
