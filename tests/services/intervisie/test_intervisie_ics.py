"""The .ics attachment: one session per file, METHOD:PUBLISH, read back with icalendar and
checked against RFC 5545's rules. It says 19:30 in Amsterdam in summer and in winter,
also to a calendar that reads the file's own VTIMEZONE the way Outlook does, keeps its
UID, counts changes in SEQUENCE, and carries nothing about the people it is sent to."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.helpers.ics_rules import problems
from vcpbot.services import intervisie
from vcpbot.services.ics import IcsEvent, build_ics
from vcpbot.services.intervisie import LocationKind, SessionStatus, SessionView

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
SUMMER = datetime(2026, 10, 20, 17, 30, tzinfo=UTC)  # 19:30 CEST
WINTER = datetime(2026, 10, 27, 18, 30, tzinfo=UTC)  # 19:30 CET


def _view(starts_at: datetime, **changes) -> SessionView:
    values = dict(
        id=1,
        token="tok3n",
        series_id=None,
        position=None,
        title="Intervisie, blok 1",
        starts_at=starts_at,
        zone="Europe/Amsterdam",
        duration_minutes=90,
        location_kind=LocationKind.ROOM,
        location="Tapijnkazerne; zaal 2",
        agenda="Casus bespreken\nzonder namen",
        status=SessionStatus.PLANNED,
        cancel_reason=None,
        discord_event_id=None,
        sequence=0,
    )
    values.update(changes)
    return SessionView(**values)


def _data(view: SessionView) -> bytes:
    return intervisie.calendar_file(view, now=NOW).data


def _read(data: bytes) -> icalendar.Calendar:
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert problems(data) == []
    return icalendar.Calendar.from_ical(data)


def _event(data: bytes) -> icalendar.Event:
    [event] = _read(data).events
    return event


@pytest.mark.parametrize(("starts_at", "offset"), [(SUMMER, 2), (WINTER, 1)])
def test_the_start_is_in_amsterdam_time_with_the_right_offset(starts_at, offset) -> None:
    calendar = _read(_data(_view(starts_at)))
    [event] = calendar.events
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert event.start.tzinfo is not None
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert event.start.strftime("%Y-%m-%d %H:%M") == f"2026-10-{starts_at.day} 19:30"
    assert event.start.utcoffset() == timedelta(hours=offset)
    assert event.start.astimezone(UTC) == starts_at
    assert event.duration == timedelta(minutes=90)
    assert str(event["UID"]) == "tok3n@intervisie.vcpbot"
    assert str(event["LOCATION"]) == "Tapijnkazerne; zaal 2"
    assert str(event["DESCRIPTION"]) == "Casus bespreken\nzonder namen"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTAMP"].dt == NOW


def test_the_vtimezone_is_one_yearly_rule_each_way_as_outlook_reads_it() -> None:
    """Outlook keeps one standard and one daylight rule per zone, from RRULEs (MS-OXCICAL
    2.1.3.1.1.19); a list of RDATEs or a second STANDARD part can put it an hour off."""
    data = _data(_view(WINTER))
    calendar = _read(data)
    [timezone] = calendar.timezones
    assert str(timezone["TZID"]) == "Europe/Amsterdam"
    parts = {part.name: part for part in timezone.subcomponents}
    assert len(timezone.subcomponents) == 2 and set(parts) == {"STANDARD", "DAYLIGHT"}
    for name, month, offset in (("DAYLIGHT", 3, 2), ("STANDARD", 10, 1)):
        rule = parts[name]["RRULE"]
        assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTH"] == [month]
        assert [str(day) for day in rule["BYDAY"]] == ["-1SU"]
        assert parts[name]["TZOFFSETTO"].td == timedelta(hours=offset)
        assert "RDATE" not in parts[name]
    assert calendar.get_missing_tzids() == set()
    # The time zone comes before the event that uses it.
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


@pytest.mark.parametrize(
    "starts_at",
    [
        SUMMER,
        WINTER,
        datetime(2027, 3, 27, 18, 30, tzinfo=UTC),  # the evening before summer time
        datetime(2027, 3, 29, 17, 30, tzinfo=UTC),  # the evening after
        datetime(2026, 12, 31, 18, 30, tzinfo=UTC),  # a year turns
    ],
)
def test_a_calendar_that_reads_only_the_files_own_zone_gets_the_same_moment(starts_at) -> None:
    """Not every calendar knows "Europe/Amsterdam": the VTIMEZONE in the file must say it."""
    calendar = _read(_data(_view(starts_at)))
    [timezone] = calendar.timezones
    own = timezone.to_tz(lookup_tzid=False)
    wall = calendar.events[0]["DTSTART"].dt.replace(tzinfo=None)
    assert wall.replace(tzinfo=own).astimezone(UTC) == starts_at


def test_a_move_keeps_the_uid_and_raises_the_sequence() -> None:
    before = _event(_data(_view(SUMMER)))
    moved = _view(datetime(2026, 10, 22, 18, 0, tzinfo=UTC), sequence=1)
    after = _event(_data(moved))
    assert before["UID"] == after["UID"]
    assert int(after["SEQUENCE"]) == 1
    assert after.start.astimezone(UTC) == moved.starts_at


def test_a_cancellation_is_published_as_the_same_entry_with_status_cancelled() -> None:
    """METHOD:CANCEL is an iTIP message from an organizer to attendees, and these files
    have neither: calendars drop it or refuse it. A PUBLISH of the same UID with a higher
    SEQUENCE and STATUS:CANCELLED updates the entry the calendar already has."""
    planned = _event(_data(_view(SUMMER, sequence=1)))
    cancelled_view = _view(SUMMER, status=SessionStatus.CANCELLED, sequence=2)
    calendar = _read(_data(cancelled_view))
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.events
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == planned["UID"]
    assert int(event["SEQUENCE"]) == 2 > int(planned["SEQUENCE"])


def test_an_online_session_carries_its_link() -> None:
    online = _view(
        SUMMER,
        location_kind=LocationKind.ONLINE,
        location="https://maastrichtuniversity.zoom.us/j/123",
    )
    event = _event(_data(online))
    assert str(event["URL"]) == "https://maastrichtuniversity.zoom.us/j/123"
    assert str(event["LOCATION"]) == "https://maastrichtuniversity.zoom.us/j/123"


def test_each_occurrence_of_a_series_is_its_own_file_named_by_its_date() -> None:
    """Outlook imports only the first event of a file with several; one file per date
    imports everywhere, and each date keeps its own UID for later changes."""
    views = [
        _view(SUMMER, id=1, token="t1", series_id=9, position=0),
        _view(WINTER, id=2, token="t2", series_id=9, position=1),
    ]
    files = [intervisie.calendar_file(v, now=NOW) for v in views]
    assert [f.name for f in files] == [
        "intervisie-2026-10-20-1930.ics",
        "intervisie-2026-10-27-1930.ics",
    ]
    events = [_event(f.data) for f in files]
    assert [e.start.strftime("%H:%M") for e in events] == ["19:30", "19:30"]
    assert [e.start.utcoffset() for e in events] == [timedelta(hours=2), timedelta(hours=1)]
    assert len({str(e["UID"]) for e in events}) == 2
    assert not any("RRULE" in e for e in events)


def test_the_file_names_no_person_and_is_private_in_a_shared_calendar() -> None:
    data = _data(_view(SUMMER))
    for word in (b"ATTENDEE", b"ORGANIZER", b"CN=", b"mailto:", b"X-"):
        assert word not in data
    # A calendar someone shares (with family, a board) shows a private entry as busy only:
    # an intervisie session tells who is a VCP.
    assert str(_event(data)["CLASS"]) == "PRIVATE"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"status": SessionStatus.CANCELLED, "sequence": 3},
        {"location_kind": LocationKind.ONLINE, "location": "https://example.org/a,b;c"},
        {
            "title": "Intervisie — ‘wat doe je als…’, deel 2; " + "é" * 60,
            "agenda": "Punten: één, twee; drie\\vier\n" + "ü" * 700,
            "location": "Zaal A; B, C" + "ß" * 80,
        },
        {"agenda": None},
    ],
)
def test_every_file_keeps_rfc_5545s_rules(changes) -> None:
    data = _data(_view(WINTER, **changes))
    assert problems(data) == []
    event = _event(data)
    assert str(event["SUMMARY"]) == changes.get("title", "Intervisie, blok 1")


def test_the_rule_checker_catches_what_calendars_refuse() -> None:
    good = _data(_view(SUMMER))
    assert problems(good) == []
    broken = {
        "LF line ends": good.replace(b"\r\n", b"\n"),
        "a long line": good.replace(b"SUMMARY:Intervisie", b"SUMMARY:" + b"x" * 80, 1),
        "a fold inside a character": good.replace(
            b"SUMMARY:Intervisie",
            b"SUMMARY:" + b"x" * 65 + "é".encode()[:1] + b"\r\n " + "é".encode()[1:],
        ),
        "no DTSTAMP": good.replace(b"DTSTAMP:", b"X-STAMP:"),
        "two METHODs": good.replace(b"METHOD:PUBLISH", b"METHOD:PUBLISH\r\nMETHOD:PUBLISH"),
        "an unknown zone": good.replace(b"TZID=Europe/Amsterdam", b"TZID=Europe/Maastricht"),
        "a bare comma": good.replace(b"SUMMARY:Intervisie\\,", b"SUMMARY:Intervisie,"),
        "a local DTSTAMP": good.replace(b"DTSTAMP:20260901T100000Z", b"DTSTAMP:20260901T100000"),
        "an END that does not match": good.replace(b"END:VEVENT", b"END:VTODO"),
        "two events, one UID": good.replace(
            b"END:VCALENDAR\r\n",
            good[good.index(b"BEGIN:VEVENT") : good.index(b"END:VCALENDAR")] + b"END:VCALENDAR\r\n",
        ),
    }
    for what, data in broken.items():
        assert data != good, what
        assert problems(data), what


@pytest.mark.parametrize(
    ("zone", "year"),
    [
        ("America/New_York", 2027),  # second Sunday of March, first of November
        ("Australia/Sydney", 2027),  # summer time across the new year
        ("Europe/Dublin", 2027),  # winter time is the legal exception
        ("Asia/Dubai", 2027),  # no summer time at all
        ("America/Mexico_City", 2022),  # summer time abolished that year: no single rule
    ],
)
def test_a_deployment_in_another_zone_still_gets_the_right_moment(zone, year) -> None:
    """The zone is a setting: whatever its rules, the file's own VTIMEZONE must agree."""
    tz = ZoneInfo(zone)
    for month in (1, 4, 7, 10, 12):
        starts_at = datetime(year, month, 15, 19, 30, tzinfo=tz).astimezone(UTC)
        event = IcsEvent(
            uid="u@x",
            sequence=0,
            title="T",
            starts_at=starts_at,
            duration=timedelta(hours=1),
            zone=zone,
        )
        calendar = _read(build_ics(event, now=NOW))
        [timezone] = calendar.timezones
        own = timezone.to_tz(lookup_tzid=False)
        wall = calendar.events[0]["DTSTART"].dt.replace(tzinfo=None)
        assert wall == datetime(year, month, 15, 19, 30), zone  # noqa: DTZ001
        assert wall.replace(tzinfo=own).astimezone(UTC) == starts_at, (zone, month)


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://example.org","Open")',
        "+31 6 12345678",
        "-1+2",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r\nATTACH:https://example.org/x.exe",
    ],
)
def test_a_title_place_or_agenda_stays_text_in_its_own_property(text: str) -> None:
    """The calendar file is an export too: whatever the coordinator typed, each field is
    one property of the one event, and a line break cannot start a property of its own."""
    view = _view(datetime(2026, 10, 20, 17, 30, tzinfo=UTC), title=text, location=text)
    view = SessionView(**{**view.__dict__, "agenda": text})
    data = intervisie.calendar_file(view, now=NOW).data
    [event] = _read(data).events
    assert "ATTACH" not in event
    lines = data.decode().split("\r\n")
    assert not [line for line in lines if line.startswith("ATTACH")]
    for field in ("SUMMARY", "LOCATION"):
        assert str(event[field]).strip() == text.replace("\r", "").strip()


# --- one file with all of a VCP's sessions (/intervisie mine) --------------------------


def test_a_persons_calendar_holds_each_session_as_its_own_file_does() -> None:
    moved = _view(WINTER, id=2, token="m0ved", sequence=1)
    cancelled = _view(SUMMER, id=3, token="c4ncel", status=SessionStatus.CANCELLED, sequence=1)
    planned = _view(SUMMER, id=1, token="pl4n")
    feed = intervisie.calendar_feed([planned, cancelled, moved], now=NOW)
    assert feed.name == "intervisie.ics"
    calendar = _read(feed.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(calendar.walk("VTIMEZONE")) == 1
    events = {str(e["UID"]): e for e in calendar.events}
    for view in (planned, cancelled, moved):
        [alone] = _read(_data(view)).events
        together = events[str(alone["UID"])]
        for field in ("SEQUENCE", "STATUS", "SUMMARY", "LOCATION", "DESCRIPTION", "CLASS"):
            assert together[field] == alone[field], field
        assert together.start == alone.start
        assert together.duration == alone.duration
    assert str(events["c4ncel@intervisie.vcpbot"]["STATUS"]) == "CANCELLED"
    assert int(events["m0ved@intervisie.vcpbot"]["SEQUENCE"]) == 1


def test_a_calendar_for_summer_and_winter_sessions_gives_each_its_offset() -> None:
    feed = intervisie.calendar_feed(
        [_view(SUMMER, token="a"), _view(WINTER, id=2, token="b")], now=NOW
    )
    starts = sorted(e.start for e in _read(feed.data).events)
    assert [s.strftime("%H:%M") for s in starts] == ["19:30", "19:30"]
    assert [s.utcoffset() for s in starts] == [timedelta(hours=2), timedelta(hours=1)]
