"""iCalendar files for intervisie invitations, changes and cancellations (RFC 5545/5546).

Start times are written in the session's own zone (``DTSTART;TZID=Europe/Amsterdam``)
with a VTIMEZONE describing that zone's offsets, so calendars show 19:30 in
Amsterdam in summer and in winter. The UID stays the same for the life of an
occurrence and SEQUENCE goes up on every change, so a calendar updates or
removes the entry it already has instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//vcpbot//intervisie//EN"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    sequence: int
    title: str
    starts_at: datetime
    duration: timedelta
    zone: str
    location: str | None = None
    description: str | None = None
    url: str | None = None


def _timezone(zone: ZoneInfo, events: Sequence[IcsEvent]) -> icalendar.Timezone:
    # The transitions of the years the events fall in, a year either side.
    years = [e.starts_at.astimezone(zone).year for e in events]
    return icalendar.Timezone.from_tzinfo(
        zone,
        tzid=zone.key,
        first_date=date(min(years) - 1, 1, 1),
        last_date=date(max(years) + 1, 12, 31),
    )


def build_ics(
    events: Sequence[IcsEvent],
    *,
    method: Method,
    now: datetime,
    organizer: str | None = None,
) -> bytes:
    """One calendar file with ``events`` (all of the same zone or several), as bytes.

    ``organizer`` is a ``mailto:`` address; iTIP wants one for REQUEST and CANCEL,
    and some clients (Outlook) show the invitation more faithfully with it.
    """
    if not events:
        raise ValueError("an .ics file needs at least one event")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    for key in sorted({e.zone for e in events}):
        zone = ZoneInfo(key)
        calendar.add_component(_timezone(zone, [e for e in events if e.zone == key]))
    for item in events:
        calendar.add_component(_event(item, method=method, now=now, organizer=organizer))
    return calendar.to_ical()


def _event(
    item: IcsEvent, *, method: Method, now: datetime, organizer: str | None
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(ZoneInfo(item.zone)))
    event.add("duration", item.duration)
    event.add("summary", item.title)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    if organizer:
        event.add("organizer", organizer)
    event.add("status", "CANCELLED" if method == Method.CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
