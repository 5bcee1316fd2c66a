"""Planning sessions and series, and inviting VCPs to them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import (
    IntervisieSeries,
    IntervisieSession,
    LocationKind,
    SessionStatus,
)
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.services.intervisie._invitees import add_invitations, resolve_invitees
from vcpbot.services.intervisie._types import (
    Details,
    Invitees,
    Location,
    Planned,
    Policy,
    invitation_view,
    new_token,
    series_view,
    session_view,
)
from vcpbot.services.when import DURATION_EXAMPLE, as_hours, resolve_local

TITLE_MAX = 100
ROOM_MAX = 100
LINK_MAX = 300
AGENDA_MAX = 1000
REASON_MAX = 300
MAX_OCCURRENCES = 52
_LINK = re.compile(r"^https://[^\s<>]+$")


def check_duration(minutes: int, policy: Policy) -> None:
    if minutes <= 0:
        raise InvalidInput("when.error.duration_too_short", example=DURATION_EXAMPLE)
    if minutes > policy.max_duration_minutes:
        raise InvalidInput(
            "when.error.duration_too_long",
            count=as_hours(policy.max_duration_minutes),
            example=DURATION_EXAMPLE,
        )


def check_details(
    *, title: str, duration_minutes: int, location: Location, agenda: str | None, policy: Policy
) -> Details:
    """Clean and check what the coordinator typed; refuse with what to fix."""
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput("intervisie.error.bad_title", limit=TITLE_MAX)
    check_duration(duration_minutes, policy)
    text = location.text.strip()
    if location.kind == LocationKind.ROOM and not 0 < len(text) <= ROOM_MAX:
        raise InvalidInput("intervisie.error.bad_room", limit=ROOM_MAX)
    if location.kind == LocationKind.ONLINE and not (len(text) <= LINK_MAX and _LINK.match(text)):
        raise InvalidInput(
            "intervisie.error.bad_link", example="https://maastrichtuniversity.zoom.us/j/123"
        )
    agenda = (agenda or "").strip() or None
    if agenda is not None and len(agenda) > AGENDA_MAX:
        raise InvalidInput("intervisie.error.agenda_too_long", limit=AGENDA_MAX)
    return Details(title, duration_minutes, Location(location.kind, text), agenda)


def check_future(starts_at: datetime, *, now: datetime, zone: ZoneInfo) -> None:
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    if starts_at <= now:
        raise InvalidInput("when.error.in_past", when=starts_at.astimezone(zone))


def _new_session(
    details: Details,
    *,
    starts_at: datetime,
    zone: ZoneInfo,
    now: datetime,
    series_id: int | None = None,
    position: int | None = None,
) -> IntervisieSession:
    return IntervisieSession(
        series_id=series_id,
        position=position,
        title=details.title,
        starts_at=starts_at.astimezone(UTC),
        zone=zone.key,
        duration_minutes=details.duration_minutes,
        location_kind=details.location.kind,
        location=details.location.text,
        agenda=details.agenda,
        status=SessionStatus.PLANNED,
        sequence=0,
        token=new_token(),
        created_at=now,
        updated_at=now,
    )


async def plan_session(
    session: AsyncSession,
    *,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    location: Location,
    agenda: str | None,
    invitees: Invitees,
    now: datetime,
    policy: Policy,
) -> Planned:
    """A one-off session: ``starts_at`` aware (as ``when.parse_start`` returns it)."""
    details = check_details(
        title=title,
        duration_minutes=duration_minutes,
        location=location,
        agenda=agenda,
        policy=policy,
    )
    check_future(starts_at, now=now, zone=policy.zone)
    people = await resolve_invitees(session, invitees)
    row = _new_session(details, starts_at=starts_at, zone=policy.zone, now=now)
    session.add(row)
    await session.flush()
    invitations = await add_invitations(session, [row], people, now=now, policy=policy)
    return Planned(
        series=None,
        sessions=(session_view(row),),
        invitations=tuple(invitation_view(i) for i in invitations),
    )


def occurrence_starts(
    first_start: datetime, *, interval_weeks: int, until: date, zone: ZoneInfo
) -> list[datetime]:
    """Every ``interval_weeks`` from ``first_start`` up to and including ``until``, at the
    same wall-clock time in ``zone`` (so the UTC instant shifts when DST does)."""
    if not 1 <= interval_weeks <= 52:
        raise InvalidInput("intervisie.error.bad_interval", count=52)
    local = first_start.astimezone(zone)
    if until < local.date():
        raise InvalidInput("intervisie.error.until_before_start", until=until)
    starts: list[datetime] = []
    day = local.date()
    while day <= until:
        if len(starts) == MAX_OCCURRENCES:
            raise InvalidInput("intervisie.error.series_too_long", count=MAX_OCCURRENCES)
        # Refuses (naming the date) a wall time that a DST change skips or repeats.
        starts.append(resolve_local(day, local.time(), zone))
        day += timedelta(weeks=interval_weeks)
    return starts


async def plan_series(
    session: AsyncSession,
    *,
    title: str,
    first_start: datetime,
    interval_weeks: int,
    until: date,
    duration_minutes: int,
    location: Location,
    agenda: str | None,
    invitees: Invitees,
    now: datetime,
    policy: Policy,
) -> Planned:
    """A series: one row for the rule, one session per occurrence, each invitee on each."""
    details = check_details(
        title=title,
        duration_minutes=duration_minutes,
        location=location,
        agenda=agenda,
        policy=policy,
    )
    zone = policy.zone
    check_future(first_start, now=now, zone=zone)
    starts = occurrence_starts(first_start, interval_weeks=interval_weeks, until=until, zone=zone)
    people = await resolve_invitees(session, invitees)
    local = starts[0].astimezone(zone)
    series = IntervisieSeries(
        title=details.title,
        local_time=local.time(),
        weekday=local.weekday(),
        interval_weeks=interval_weeks,
        first_date=local.date(),
        until=until,
        zone=zone.key,
        created_at=now,
    )
    session.add(series)
    await session.flush()
    rows = [
        _new_session(
            details, starts_at=start, zone=zone, now=now, series_id=series.id, position=index
        )
        for index, start in enumerate(starts)
    ]
    session.add_all(rows)
    await session.flush()
    invitations = await add_invitations(session, rows, people, now=now, policy=policy)
    return Planned(
        series=series_view(series),
        sessions=tuple(session_view(r) for r in rows),
        invitations=tuple(invitation_view(i) for i in invitations),
    )


async def planned_row(session: AsyncSession, session_id: int) -> IntervisieSession:
    """The session, refusing a cancelled one."""
    row = await session.get(IntervisieSession, session_id)
    if row is None:
        raise NotFound("intervisie.error.unknown_session")
    if row.status != SessionStatus.PLANNED:
        raise Conflict("intervisie.error.cancelled")
    return row


async def series_from(session: AsyncSession, row: IntervisieSession) -> list[IntervisieSession]:
    """This occurrence and the planned ones after it (just this one for a one-off)."""
    if row.series_id is None or row.position is None:
        return [row]
    later = await session.scalars(
        select(IntervisieSession)
        .where(
            IntervisieSession.series_id == row.series_id,
            IntervisieSession.position >= row.position,
            IntervisieSession.status == SessionStatus.PLANNED,
        )
        .order_by(IntervisieSession.position)
    )
    return list(later.all())


async def invite(
    session: AsyncSession,
    *,
    session_id: int,
    invitees: Invitees,
    now: datetime,
    policy: Policy,
    rest_of_series: bool = False,
) -> Planned:
    """Invite more people to a planned session (or to it and the rest of its series).

    Returns only the new invitations: who is invited already is left alone.
    """
    row = await planned_row(session, session_id)
    if row.starts_at <= now:
        raise Conflict("intervisie.error.already_started")
    targets = await series_from(session, row) if rest_of_series else [row]
    people = await resolve_invitees(session, invitees)
    invitations = await add_invitations(session, targets, people, now=now, policy=policy)
    return Planned(
        series=None,
        sessions=tuple(session_view(r) for r in targets),
        invitations=tuple(invitation_view(i) for i in invitations),
    )


async def set_discord_event(
    session: AsyncSession, *, session_id: int, event_id: int | None
) -> None:
    """Remember the hub's scheduled event for this occurrence (None when it is gone)."""
    row = await session.get(IntervisieSession, session_id)
    if row is None:
        raise NotFound("intervisie.error.unknown_session")
    row.discord_event_id = event_id
