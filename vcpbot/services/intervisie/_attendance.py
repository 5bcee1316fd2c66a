"""Attendance after a session, per-VCP summaries and the CSV export (coordinator only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, Rsvp, SessionStatus
from vcpbot.db.network import Association, Vcp
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.services.intervisie._answers import session_details
from vcpbot.services.intervisie._invitees import add_invitations, resolve_invitees
from vcpbot.services.intervisie._training import record_completions
from vcpbot.services.intervisie._types import (
    Export,
    Invitees,
    Policy,
    SessionDetails,
    SessionView,
    VcpAttendance,
    session_view,
)
from vcpbot.services.spreadsheet import Value, write_csv


async def mark_attendance(
    session: AsyncSession,
    *,
    session_id: int,
    attended: Iterable[int],
    now: datetime,
    policy: Policy,
) -> SessionDetails:
    """After the start: ``attended`` (user ids) were there, every other invitee was not.

    Someone who came without an invitation is added, marked present, so the
    numbers match the room. Erased invitees keep whatever was marked before.
    """
    row = await session.get(IntervisieSession, session_id)
    if row is None:
        raise NotFound("intervisie.error.unknown_session")
    if row.status != SessionStatus.PLANNED:
        raise Conflict("intervisie.error.cancelled")
    if row.starts_at > now:
        raise Conflict("intervisie.error.not_started")
    present = set(attended)
    invitations = (
        await session.scalars(
            select(IntervisieInvitation).where(IntervisieInvitation.session_id == session_id)
        )
    ).all()
    invited = {i.user_id for i in invitations if i.user_id is not None}
    walk_ins = sorted(present - invited)
    if walk_ins:
        people = await resolve_invitees(session, Invitees.people(*walk_ins))
        invitations = [
            *invitations,
            *await add_invitations(session, [row], people, now=now, policy=policy),
        ]
    for invitation in invitations:
        if invitation.user_id is not None:
            invitation.attended = invitation.user_id in present
    await session.flush()
    # A training: who came is now trained in its topic (vcpbot.db.training).
    await record_completions(session, session_id=session_id, now=now)
    return await session_details(session, session_id=session_id)


async def recent_sessions(
    session: AsyncSession, *, now: datetime, limit: int = 25
) -> list[SessionView]:
    """Planned sessions that have started, the most recent first: those whose attendance
    the coordinator can mark."""
    rows = await session.scalars(
        select(IntervisieSession)
        .where(
            IntervisieSession.status == SessionStatus.PLANNED,
            IntervisieSession.starts_at <= now,
        )
        .order_by(IntervisieSession.starts_at.desc(), IntervisieSession.id.desc())
        .limit(limit)
    )
    return [session_view(r) for r in rows.all()]


async def _held(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[IntervisieSession, IntervisieInvitation | None]]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("period bounds must be timezone-aware")
    if end <= start:
        raise InvalidInput("intervisie.error.bad_period")
    rows = await session.execute(
        select(IntervisieSession, IntervisieInvitation)
        .outerjoin(IntervisieInvitation, IntervisieInvitation.session_id == IntervisieSession.id)
        .where(IntervisieSession.starts_at >= start, IntervisieSession.starts_at < end)
        .order_by(IntervisieSession.starts_at, IntervisieSession.id, IntervisieInvitation.id)
    )
    return [(s, i) for s, i in rows.all()]


async def _names(
    session: AsyncSession, user_ids: Sequence[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Display name and association per user, from the VCP registry when they are in it."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(Vcp.user_id, Vcp.display_name, Association.name)
        .join(Association, Association.id == Vcp.association_id)
        .where(Vcp.user_id.in_(list(user_ids)))
        .order_by(Association.name)
    )
    names: dict[int, tuple[str | None, str | None]] = {}
    for user_id, display_name, association in rows.all():
        names.setdefault(user_id, (display_name, association))
    return names


async def attendance_summary(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[VcpAttendance]:
    """Per person, over sessions held in [start, end): invited, present, absent, not marked."""
    tally: dict[int, list[int]] = {}
    for sess, invitation in await _held(session, start, end):
        if sess.status != SessionStatus.PLANNED or invitation is None:
            continue
        if invitation.user_id is None:
            continue
        counts = tally.setdefault(invitation.user_id, [0, 0, 0, 0])
        counts[0] += 1
        counts[1 if invitation.attended else 2 if invitation.attended is False else 3] += 1
    names = await _names(session, list(tally))
    summary = [
        VcpAttendance(
            user_id=user_id,
            display_name=names.get(user_id, (None, None))[0],
            association_name=names.get(user_id, (None, None))[1],
            invited=invited,
            attended=present,
            absent=absent,
            unmarked=unmarked,
        )
        for user_id, (invited, present, absent, unmarked) in tally.items()
    ]
    return sorted(
        summary, key=lambda a: (a.association_name or "~", a.display_name or "~", a.user_id)
    )


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


SESSION_COLUMNS = (
    "date",
    "start",
    "end",
    "time_zone",
    "title",
    "series_occurrence",
    "status",
    "cancel_reason",
    "location_type",
    "location",
    "invited",
    "yes",
    "maybe",
    "no",
    "no_answer",
    "attended",
    "absent",
    "not_marked",
)
ATTENDANCE_COLUMNS = (
    "date",
    "start",
    "title",
    "status",
    "user_id",
    "name",
    "association",
    "answer",
    "attended",
)


def _session_row(
    sess: IntervisieSession, invitations: Sequence[IntervisieInvitation]
) -> list[Value]:
    view = session_view(sess)
    local = view.local_start
    answers = [Rsvp(i.rsvp) for i in invitations]
    marks = [i.attended for i in invitations]
    return [
        local.strftime("%Y-%m-%d"),
        local.strftime("%H:%M"),
        view.ends_at.astimezone(local.tzinfo).strftime("%H:%M"),
        view.zone,
        view.title,
        "" if view.position is None else view.position + 1,
        view.status.value,
        view.cancel_reason,
        view.location_kind.value,
        view.location,
        len(invitations),
        answers.count(Rsvp.YES),
        answers.count(Rsvp.MAYBE),
        answers.count(Rsvp.NO),
        answers.count(Rsvp.NONE),
        marks.count(True),
        marks.count(False),
        marks.count(None),
    ]


def _attendance_rows(
    sess: IntervisieSession,
    invitations: Sequence[IntervisieInvitation],
    names: dict[int, tuple[str | None, str | None]],
) -> list[list[Value]]:
    view = session_view(sess)
    local = view.local_start
    rows: list[list[Value]] = []
    for invitation in invitations:
        name, association = names.get(invitation.user_id or 0, (None, None))
        rows.append(
            [
                local.strftime("%Y-%m-%d"),
                local.strftime("%H:%M"),
                view.title,
                view.status.value,
                invitation.user_id,
                name,
                association,
                invitation.rsvp,
                _yes_no(invitation.attended),
            ]
        )
    return rows


async def export_csv(session: AsyncSession, *, start: datetime, end: datetime) -> Export:
    """Two CSV files over sessions starting in [start, end), times in each session's zone.

    Sessions: one row each with answer and attendance counts. Attendance: one
    row per invitee with their answer and whether they came; people who had
    their data erased appear without id or name, so the totals still add up.
    """
    sessions: dict[int, tuple[IntervisieSession, list[IntervisieInvitation]]] = {}
    for sess, invitation in await _held(session, start, end):
        entry = sessions.setdefault(sess.id, (sess, []))
        if invitation is not None:
            entry[1].append(invitation)
    user_ids = sorted({i.user_id for _, invs in sessions.values() for i in invs if i.user_id})
    names = await _names(session, user_ids)
    return Export(
        sessions_csv=write_csv(
            SESSION_COLUMNS, (_session_row(s, invs) for s, invs in sessions.values())
        ),
        attendance_csv=write_csv(
            ATTENDANCE_COLUMNS,
            (row for s, invs in sessions.values() for row in _attendance_rows(s, invs, names)),
        ),
    )
