"""The .ics attachment of one session: how a session becomes a calendar entry, and the
file's name. Why one file per session and METHOD:PUBLISH: ``vcpbot.services.ics``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from vcpbot.db.intervisie import LocationKind, SessionStatus
from vcpbot.services.ics import IcsEvent, build_calendar, build_ics
from vcpbot.services.intervisie._types import CalendarFile, SessionView


def ics_event(view: SessionView) -> IcsEvent:
    """The session as a calendar entry, with its UID and SEQUENCE; cancelled when the
    session is."""
    online = view.location_kind == LocationKind.ONLINE
    return IcsEvent(
        uid=view.ics_uid,
        sequence=view.sequence,
        title=view.title,
        starts_at=view.starts_at,
        duration=timedelta(minutes=view.duration_minutes),
        zone=view.zone,
        location=view.location,
        description=view.agenda,
        url=view.location if online else None,
        cancelled=view.status == SessionStatus.CANCELLED,
    )


def calendar_file(view: SessionView, *, now: datetime) -> CalendarFile:
    """The file every invitee of ``view`` gets (the same bytes for all of them).

    Named by the session's local date and time (``intervisie-2026-10-20-1930.ics``):
    in ISO order, so nobody reads 10-07 as July, and the files of a series sort by date.
    """
    local = view.local_start
    return CalendarFile(
        name=f"intervisie-{local:%Y-%m-%d-%H%M}.ics",
        data=build_ics(ics_event(view), now=now),
    )


def calendar_feed(views: Sequence[SessionView], *, now: datetime) -> CalendarFile:
    """A person's sessions in one file (``/intervisie mine``): each entry as in its own
    invitation's file, so importing it again moves and cancels what changed."""
    return CalendarFile(
        name="intervisie.ics",
        data=build_calendar([ics_event(view) for view in views], now=now, name="Intervisie"),
    )
