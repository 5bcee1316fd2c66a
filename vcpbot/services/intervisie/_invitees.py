"""Who an invitation goes to: resolving "all VCPs", associations and people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, Rsvp
from vcpbot.db.network import Association, AssociationStatus, Vcp
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services.intervisie._reminders import plan_for
from vcpbot.services.intervisie._types import Invitee, Invitees, Policy, new_token

# The most people one plan invites. Invitations go out from the leader's outbox, no
# longer inside the coordinator's 15-minute interaction; this bounds one transaction.
MAX_INVITEES = 1000


async def resolve_invitees(session: AsyncSession, invitees: Invitees) -> list[Invitee]:
    """Who ``invitees`` means now, each person once, with their association.

    Reads the network's tables directly: ``network.all_vcps`` does not say
    whether an association is approved and present, and only those count.
    """
    active = (Association.status == AssociationStatus.APPROVED) & Association.present.is_(True)
    found: dict[int, int | None] = {}

    def take(user_id: int, association: Association | None) -> None:
        if user_id not in found:
            found[user_id] = association.id if association else None

    query = (
        select(Vcp.user_id, Association)
        .join(Association, Association.id == Vcp.association_id)
        .where(active)
        .order_by(Association.name, Vcp.display_name)
    )
    if invitees.all_active:
        for user_id, association in (await session.execute(query)).all():
            take(user_id, association)
    if invitees.associations:
        chosen = await _associations_by_name(session, invitees.associations)
        rows = await session.execute(query.where(Association.id.in_([a.id for a in chosen])))
        for user_id, association in rows.all():
            take(user_id, association)
    if invitees.user_ids:
        rows = await session.execute(query.where(Vcp.user_id.in_(invitees.user_ids)))
        for user_id, association in rows.all():
            take(user_id, association)
        for user_id in invitees.user_ids:
            # Not a VCP of an active association, e.g. a UM confidential adviser.
            take(user_id, None)
    if not found:
        raise InvalidInput("intervisie.error.no_invitees")
    if len(found) > MAX_INVITEES:
        raise InvalidInput("intervisie.error.too_many_invitees", count=MAX_INVITEES)
    return [Invitee(user_id, association_id) for user_id, association_id in found.items()]


async def _associations_by_name(session: AsyncSession, names: Sequence[str]) -> list[Association]:
    rows = (await session.scalars(select(Association))).all()
    chosen = []
    for name in names:
        wanted = name.strip().casefold()
        match = next(
            (a for a in rows if wanted in (a.name.casefold(), a.short_name.casefold())), None
        )
        if match is None:
            raise NotFound("intervisie.error.unknown_association", name=name.strip()[:100])
        if match.status != AssociationStatus.APPROVED or not match.present:
            raise InvalidInput("intervisie.error.association_inactive", name=match.name)
        chosen.append(match)
    return chosen


async def add_invitations(
    session: AsyncSession,
    sessions: Sequence[IntervisieSession],
    people: Sequence[Invitee],
    *,
    now: datetime,
    policy: Policy,
) -> list[IntervisieInvitation]:
    """Invite each person to each session (skipping who is invited already) and plan reminders."""
    already = set(
        (
            await session.execute(
                select(IntervisieInvitation.session_id, IntervisieInvitation.user_id).where(
                    IntervisieInvitation.session_id.in_([s.id for s in sessions])
                )
            )
        ).all()
    )
    created: list[tuple[IntervisieInvitation, IntervisieSession]] = []
    for sess in sessions:
        for person in people:
            if (sess.id, person.user_id) in already:
                continue
            row = IntervisieInvitation(
                session_id=sess.id,
                user_id=person.user_id,
                association_id=person.association_id,
                rsvp=Rsvp.NONE,
                dm_failed=False,
                token=new_token(),
                invited_at=now,
            )
            session.add(row)
            created.append((row, sess))
    await session.flush()
    await plan_for(session, created, now=now, policy=policy)
    return [row for row, _ in created]
