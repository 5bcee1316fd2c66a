"""What invitees do and see: answering, their own sessions, reminder preferences,
and what the coordinator sees of the answers (counts, details, unreachable)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisiePreference,
    IntervisieReminder,
    IntervisieSeries,
    IntervisieSession,
    Rsvp,
    SessionStatus,
)
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.i18n import Locale
from vcpbot.services import languages
from vcpbot.services.intervisie._reminders import leads_of, plan_for
from vcpbot.services.intervisie._types import (
    Answered,
    InvitationView,
    MySession,
    Policy,
    Preferences,
    SessionDetails,
    SessionSummary,
    SessionView,
    invitation_view,
    series_view,
    session_view,
)
from vcpbot.services.intervisie._waitlist import seat_answer


async def rsvp(
    session: AsyncSession,
    *,
    token: str,
    user_id: int,
    answer: Rsvp,
    now: datetime,
    policy: Policy,
    locale: Locale | None = None,
) -> Answered:
    """A Yes / No / Maybe press. ``token`` comes from the button's custom_id: the
    invitation's own token, or, on a reminder DM, the reminder's. The invitation's
    own user is checked; answers can change until the start.

    ``locale`` (the language the presser reads) becomes the language of the direct
    messages the bot sends them later (``vcpbot.services.languages``).
    """
    found = (
        await session.execute(
            select(IntervisieInvitation, IntervisieSession)
            .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
            .where(
                or_(
                    IntervisieInvitation.token == token,
                    IntervisieInvitation.id
                    == select(IntervisieReminder.invitation_id)
                    .where(IntervisieReminder.token == token)
                    .scalar_subquery(),
                )
            )
            .with_for_update(of=IntervisieInvitation)
        )
    ).first()
    if found is None:
        raise NotFound("intervisie.error.unknown_invitation")
    invitation, sess = found
    if invitation.user_id != user_id:
        raise NotAllowed("intervisie.error.not_your_invitation")
    if sess.status != SessionStatus.PLANNED:
        raise Conflict("intervisie.error.cancelled")
    if sess.starts_at <= now:
        raise Conflict("intervisie.error.rsvp_closed")
    if answer == Rsvp.NONE:
        raise InvalidInput("intervisie.error.bad_answer")
    previous = Rsvp(invitation.rsvp)
    seating = await seat_answer(
        session,
        invitation=invitation,
        sess=sess,
        answer=answer,
        previous=previous,
        now=now,
        policy=policy,
    )
    if seating.waiting is None:
        invitation.rsvp = answer
        invitation.answered_at = now
    if locale is not None:
        await languages.remember(session, user_id=user_id, locale=locale)
    await session.flush()
    await plan_for(session, [(invitation, sess)], now=now, policy=policy)
    return Answered(
        session=session_view(sess),
        invitation=invitation_view(invitation),
        previous=previous,
        waiting=seating.waiting,
        offers=seating.offers,
        limited=seating.limited,
    )


async def my_sessions(session: AsyncSession, *, user_id: int, now: datetime) -> list[MySession]:
    """``/intervisie mine``: the VCP's upcoming sessions and their own answers, nobody else's."""
    rows = await session.execute(
        select(IntervisieSession, IntervisieInvitation)
        .join(IntervisieInvitation, IntervisieInvitation.session_id == IntervisieSession.id)
        .where(
            IntervisieInvitation.user_id == user_id,
            IntervisieSession.status == SessionStatus.PLANNED,
            IntervisieSession.starts_at > now,
        )
        .order_by(IntervisieSession.starts_at, IntervisieSession.id)
    )
    return [
        MySession(session=session_view(s), invitation=invitation_view(i)) for s, i in rows.all()
    ]


async def my_calendar(session: AsyncSession, *, user_id: int, now: datetime) -> list[SessionView]:
    """For the person's own calendar file: every session ahead they are invited to,
    cancelled ones too, so that importing the file again takes them out of a calendar."""
    rows = await session.scalars(
        select(IntervisieSession)
        .join(IntervisieInvitation, IntervisieInvitation.session_id == IntervisieSession.id)
        .where(IntervisieInvitation.user_id == user_id, IntervisieSession.starts_at > now)
        .order_by(IntervisieSession.starts_at, IntervisieSession.id)
    )
    return [session_view(row) for row in rows]


def _preferences(row: IntervisiePreference | None, policy: Policy) -> Preferences:
    return Preferences(
        reminders_enabled=row is None or row.reminders_enabled,
        leads=leads_of(row, policy),
        chosen=row is not None and row.reminder_leads is not None,
    )


async def preferences(
    session: AsyncSession, *, user_id: int, policy: Policy | None = None
) -> Preferences:
    """The person's intervisie settings: reminders are on, with the lead times everyone
    gets, until they turn them off or choose their own."""
    row = await session.get(IntervisiePreference, user_id)
    return _preferences(row, policy or Policy())


async def set_reminders_enabled(
    session: AsyncSession,
    *,
    user_id: int,
    enabled: bool,
    now: datetime,
    policy: Policy,
    locale: Locale | None = None,
) -> Preferences:
    """A VCP turns their reminders off or on (their own lead times come back with them);
    upcoming reminders follow at once."""
    row = await _own_row(session, user_id=user_id, now=now, locale=locale)
    row.reminders_enabled = enabled
    return await _replan_mine(session, row, now=now, policy=policy)


async def set_reminder_leads(
    session: AsyncSession,
    *,
    user_id: int,
    leads: Iterable[str],
    now: datetime,
    policy: Policy,
    locale: Locale | None = None,
) -> Preferences:
    """A VCP chooses their own lead times (none is a choice too) from what the coordinator
    offers; reminders not sent yet follow at once, sent ones stay as they were.

    Raises InvalidInput for a lead time that is not offered, and changes nothing then.
    """
    codes = {code.strip().upper() for code in leads}
    if not codes <= set(policy.offered_codes):
        raise InvalidInput("intervisie.error.lead_not_offered")
    row = await _own_row(session, user_id=user_id, now=now, locale=locale)
    row.reminder_leads = ",".join(c for c in policy.offered_codes if c in codes)
    row.reminders_enabled = True
    return await _replan_mine(session, row, now=now, policy=policy)


async def _own_row(
    session: AsyncSession, *, user_id: int, now: datetime, locale: Locale | None
) -> IntervisiePreference:
    if locale is not None:
        await languages.remember(session, user_id=user_id, locale=locale)
    row = await session.get(IntervisiePreference, user_id)
    if row is None:
        row = IntervisiePreference(user_id=user_id, reminders_enabled=True)
        session.add(row)
    row.updated_at = now
    return row


async def _replan_mine(
    session: AsyncSession, row: IntervisiePreference, *, now: datetime, policy: Policy
) -> Preferences:
    """Re-plan the person's upcoming reminders after their preferences changed."""
    await session.flush()
    pairs = (
        await session.execute(
            select(IntervisieInvitation, IntervisieSession)
            .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
            .where(
                IntervisieInvitation.user_id == row.user_id,
                IntervisieSession.status == SessionStatus.PLANNED,
                IntervisieSession.starts_at > now,
            )
        )
    ).all()
    await plan_for(session, [(i, s) for i, s in pairs], now=now, policy=policy)
    return _preferences(row, policy)


async def record_delivery(
    session: AsyncSession, *, invitation_ids: Iterable[int], delivered: bool
) -> None:
    """Whether the last DM (invitation, change, cancellation) reached these invitees."""
    ids = list(invitation_ids)
    if ids:
        await session.execute(
            update(IntervisieInvitation)
            .where(IntervisieInvitation.id.in_(ids))
            .values(dm_failed=not delivered)
            .execution_options(synchronize_session="fetch")
        )


# --- what the coordinator sees ------------------------------------------------


async def upcoming_sessions(
    session: AsyncSession, *, now: datetime, limit: int = 25
) -> list[SessionSummary]:
    """``/intervisie list``: planned sessions that have not ended, with answer counts."""
    rows = (
        await session.scalars(
            select(IntervisieSession)
            .where(
                IntervisieSession.status == SessionStatus.PLANNED,
                # No session is longer than a day; the rest is filtered on its end below.
                IntervisieSession.starts_at > now - timedelta(days=1),
            )
            .order_by(IntervisieSession.starts_at, IntervisieSession.id)
        )
    ).all()
    current = [r for r in rows if session_view(r).ends_at > now][:limit]
    counts: dict[tuple[int, str], int] = {}
    if current:
        counted = await session.execute(
            select(
                IntervisieInvitation.session_id,
                IntervisieInvitation.rsvp,
                func.count(IntervisieInvitation.id),
            )
            .where(IntervisieInvitation.session_id.in_([r.id for r in current]))
            .group_by(IntervisieInvitation.session_id, IntervisieInvitation.rsvp)
        )
        counts = {(sid, answer): n for sid, answer, n in counted.all()}
    summaries = []
    for row in current:
        by = {answer: counts.get((row.id, answer), 0) for answer in Rsvp}
        summaries.append(
            SessionSummary(
                session=session_view(row),
                invited=sum(by.values()),
                yes=by[Rsvp.YES],
                no=by[Rsvp.NO],
                maybe=by[Rsvp.MAYBE],
                unanswered=by[Rsvp.NONE],
            )
        )
    return summaries


async def session_details(session: AsyncSession, *, session_id: int) -> SessionDetails:
    """``/intervisie show``: the session, its series, and every invitee's answer."""
    row = await session.get(IntervisieSession, session_id)
    if row is None:
        raise NotFound("intervisie.error.unknown_session")
    series = None
    if row.series_id is not None:
        found = await session.get(IntervisieSeries, row.series_id)
        series = None if found is None else series_view(found)
    invitations = await session.scalars(
        select(IntervisieInvitation)
        .where(IntervisieInvitation.session_id == session_id)
        .order_by(IntervisieInvitation.id)
    )
    return SessionDetails(
        session=session_view(row),
        series=series,
        invitations=tuple(invitation_view(i) for i in invitations.all()),
    )


async def session_by_token(session: AsyncSession, *, token: str) -> SessionView:
    """The session behind a button's token.

    Raises NotFound when no session has that token.
    """
    row = await session.scalar(select(IntervisieSession).where(IntervisieSession.token == token))
    if row is None:
        raise NotFound("intervisie.error.unknown_session")
    return session_view(row)


async def unreachable_invitees(session: AsyncSession, *, session_id: int) -> list[InvitationView]:
    """Invitees whose last DM failed (closed DMs, left every shared server)."""
    return list((await session_details(session, session_id=session_id)).unreachable)
