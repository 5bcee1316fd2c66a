"""The .ics attachment for sessions, built from their views."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from vcpbot.db.intervisie import LocationKind, SessionStatus
from vcpbot.services.ics import IcsEvent, Method, build_ics
from vcpbot.services.intervisie._types import SessionView


def ics_event(view: SessionView, *, description: str | None = None) -> IcsEvent:
    online = view.location_kind == LocationKind.ONLINE
    return IcsEvent(
        uid=view.ics_uid,
        sequence=view.sequence,
        title=view.title,
        starts_at=view.starts_at,
        duration=timedelta(minutes=view.duration_minutes),
        zone=view.zone,
        location=view.location,
        description=description if description is not None else view.agenda,
        url=view.location if online else None,
    )


def calendar_file(
    sessions: Sequence[SessionView],
    *,
    now: datetime,
    description: str | None = None,
    organizer: str | None = None,
) -> bytes:
    """METHOD:REQUEST for planned (or moved) sessions, METHOD:CANCEL for cancelled ones.

    ``description`` (already in the invitee's language) replaces the agenda as
    the calendar entry's text when given.
    """
    cancelled = {s.status == SessionStatus.CANCELLED for s in sessions}
    if len(cancelled) != 1:
        raise ValueError("put planned and cancelled sessions in separate files")
    method = Method.CANCEL if cancelled.pop() else Method.REQUEST
    return build_ics(
        [ics_event(s, description=description) for s in sessions],
        method=method,
        now=now,
        organizer=organizer,
    )
