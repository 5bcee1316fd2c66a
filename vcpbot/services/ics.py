"""iCalendar files for intervisie sessions that Outlook, Google Calendar and Apple Calendar
all import the same way (RFC 5545, published per RFC 5546).

What the file is, and why:

- **METHOD:PUBLISH, never REQUEST or CANCEL.** REQUEST and CANCEL are iTIP messages
  from an ORGANIZER to ATTENDEEs: a calendar answers them by mail. These files come
  through Discord, name nobody, and nobody could receive a reply, so Outlook showed
  Accept/Decline buttons it then refused to use. A published entry is simply added.
  RFC 5546 lists ORGANIZER for PUBLISH too, but calendars import PUBLISH without one,
  and any address here would be invented or would be a person's: there is none.
- **One session per file, no RRULE.** Outlook imports only the first event of a file
  with several. A series as one RRULE would need EXDATE for a cancelled date and a
  RECURRENCE-ID override for a moved one, and the coordinator can also move "this
  date and the rest", which changes the rule part-way and would mean splitting the
  series into two UIDs; imports of overrides differ between Outlook, Google and
  Apple, and reminders, answers and changes are per date in the product anyway. So
  each occurrence is its own entry with its own UID, and its own file.
- **The same UID for the life of a session, SEQUENCE up on every change.** A later
  file (moved, or STATUS:CANCELLED) replaces the entry the calendar already has
  instead of adding a second one. DTSTAMP says when the file was made.
- **A VTIMEZONE of one STANDARD and one DAYLIGHT rule (yearly RRULE).** Outlook keeps
  one rule each way per zone (MS-OXCICAL 2.1.3.1.1.19) and reads RRULEs; a list of
  RDATEs or a second STANDARD part can put its entry an hour off. When the zone's
  changes do not follow one rule in the years around the session (rare), the full
  list from ``icalendar`` is used instead, which other calendars read correctly.
- **Nothing about the people it goes to.** No ATTENDEE, no ORGANIZER, no name: every
  invitee gets the same bytes. CLASS:PRIVATE, because an intervisie entry in a
  calendar someone shares (family, a board) would tell who is a VCP.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//vcpbot//intervisie//EN"
METHOD = "PUBLISH"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


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
    cancelled: bool = False


def build_ics(event: IcsEvent, *, now: datetime) -> bytes:
    """One published calendar entry, with the VTIMEZONE its start refers to, as bytes."""
    zone = ZoneInfo(event.zone)
    calendar_ = icalendar.Calendar()
    calendar_.add("prodid", PRODID)
    calendar_.add("version", "2.0")
    calendar_.add("calscale", "GREGORIAN")
    calendar_.add("method", METHOD)
    calendar_.add_component(timezone(zone, event.starts_at.astimezone(zone).year))
    calendar_.add_component(_event(event, zone=zone, now=now))
    ical: bytes = calendar_.to_ical()  # icalendar is untyped
    return ical


def build_calendar(events: Sequence[IcsEvent], *, now: datetime, name: str) -> bytes:
    """Several published entries in one file, each exactly as in its own file (same UID
    and SEQUENCE), for a person's own calendar: Google and Apple open it, Outlook
    imports it (File > Open & Export > Import); an entry already there is replaced.

    One VTIMEZONE per zone, built for the first entry's year: its yearly rules hold
    for the years around it (``timezone``).
    """
    calendar_ = icalendar.Calendar()
    calendar_.add("prodid", PRODID)
    calendar_.add("version", "2.0")
    calendar_.add("calscale", "GREGORIAN")
    calendar_.add("method", METHOD)
    calendar_.add("x-wr-calname", name)
    ordered = sorted(events, key=lambda e: e.starts_at)
    zones: dict[str, ZoneInfo] = {}
    for event in ordered:
        if event.zone not in zones:
            zones[event.zone] = ZoneInfo(event.zone)
            year = event.starts_at.astimezone(zones[event.zone]).year
            calendar_.add_component(timezone(zones[event.zone], year))
    for event in ordered:
        calendar_.add_component(_event(event, zone=zones[event.zone], now=now))
    ical: bytes = calendar_.to_ical()  # icalendar is untyped
    return ical


def _event(item: IcsEvent, *, zone: ZoneInfo, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("duration", item.duration)
    event.add("summary", item.title)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    return event


# --- the time zone -------------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """One change of offset: the wall-clock time it happens (in the old offset)."""

    onset: datetime
    before: timedelta
    after: timedelta
    name: str
    daylight: bool


def timezone(zone: ZoneInfo, year: int) -> icalendar.Timezone:
    """``zone`` as Outlook reads it, checked against the changes of ``year`` and either side."""
    years = (year - 1, year, year + 1)
    changes = [change for y in years for change in _changes(zone, y)]
    if not changes:
        return _fixed(zone, year)
    rules = _rules(changes, years)
    if rules is None:
        return icalendar.Timezone.from_tzinfo(
            zone, tzid=zone.key, first_date=date(year - 1, 1, 1), last_date=date(year + 1, 12, 31)
        )
    result = icalendar.Timezone()
    result.add("tzid", zone.key)
    for change, rule in rules:
        part = icalendar.TimezoneDaylight() if change.daylight else icalendar.TimezoneStandard()
        part.add("dtstart", change.onset)
        part.add("rrule", rule)
        part.add("tzname", change.name)
        part.add("tzoffsetfrom", change.before)
        part.add("tzoffsetto", change.after)
        result.add_component(part)
    return result


def _fixed(zone: ZoneInfo, year: int) -> icalendar.Timezone:
    """A zone without changes: one STANDARD part and no rule."""
    moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
    offset = moment.utcoffset() or timedelta(0)
    result = icalendar.Timezone()
    result.add("tzid", zone.key)
    part = icalendar.TimezoneStandard()
    part.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - VTIMEZONE onsets are local
    part.add("tzname", moment.tzname() or zone.key)
    part.add("tzoffsetfrom", offset)
    part.add("tzoffsetto", offset)
    result.add_component(part)
    return result


def _changes(zone: ZoneInfo, year: int) -> tuple[_Change, ...]:
    return _changes_of(zone.key, year)


@functools.cache
def _changes_of(key: str, year: int) -> tuple[_Change, ...]:
    """Every change of UTC offset in ``year``: found by the day, then to the second."""
    zone = ZoneInfo(key)
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        after_day = day + timedelta(days=1)
        if _offset(zone, day) != _offset(zone, after_day):
            found.append(_change_within(zone, day, after_day))
        day = after_day
    return tuple(found)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _change_within(zone: ZoneInfo, low: datetime, high: datetime) -> _Change:
    before = _offset(zone, low)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    instant = high.replace(microsecond=0)
    local = instant.astimezone(zone)
    return _Change(
        onset=(instant + before).replace(tzinfo=None),
        before=before,
        after=_offset(zone, instant),
        name=local.tzname() or zone.key,
        # Clocks forward is "daylight" to a calendar, also where the law calls winter
        # time the exception (Europe/Dublin).
        daylight=_offset(zone, instant) > before,
    )


def _rules(
    changes: list[_Change], years: tuple[int, ...]
) -> list[tuple[_Change, dict[str, object]]] | None:
    """A yearly RRULE for each direction of change, or None if one rule does not fit."""
    rules = []
    for daylight in (True, False):
        group = [c for c in changes if c.daylight == daylight]
        if len(group) != len(years) or len({(c.before, c.after, c.name) for c in group}) != 1:
            return None
        rule = _yearly(group)
        if rule is None:
            return None
        rules.append((group[0], rule))
    return rules


def _yearly(group: list[_Change]) -> dict[str, object] | None:
    """``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` when every year's change is on that day and time."""
    onsets = [c.onset for c in group]
    if len({(o.month, o.weekday(), o.time()) for o in onsets}) != 1:
        return None
    last = {o.day + 7 > calendar.monthrange(o.year, o.month)[1] for o in onsets}
    nth = {(o.day - 1) // 7 + 1 for o in onsets}
    if last == {True}:
        position = -1
    elif len(nth) == 1:
        position = nth.pop()
    else:
        return None
    weekday = _WEEKDAYS[onsets[0].weekday()]
    return {"freq": "yearly", "bymonth": onsets[0].month, "byday": f"{position}{weekday}"}
