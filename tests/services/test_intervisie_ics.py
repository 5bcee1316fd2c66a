"""The .ics attachment: read back with icalendar, it says 19:30 in Amsterdam in summer
and in winter, keeps its UID, and counts changes in SEQUENCE."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from vcpbot.services import intervisie
from vcpbot.services.ics import IcsEvent, Method, build_ics
from vcpbot.services.intervisie import LocationKind, SessionStatus, SessionView

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


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


def _read(data: bytes) -> icalendar.Calendar:
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    return icalendar.Calendar.from_ical(data)


@pytest.mark.parametrize(
    ("starts_at", "offset"),
    [
        (datetime(2026, 10, 20, 17, 30, tzinfo=UTC), timedelta(hours=2)),
        (datetime(2026, 10, 27, 18, 30, tzinfo=UTC), timedelta(hours=1)),
    ],
)
def test_the_start_is_in_amsterdam_time_with_the_right_offset(starts_at, offset) -> None:
    calendar = _read(intervisie.calendar_file([_view(starts_at)], now=NOW))
    [event] = calendar.events
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.start.tzinfo is not None
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert event.start.strftime("%Y-%m-%d %H:%M") == f"2026-10-{starts_at.day} 19:30"
    assert event.start.utcoffset() == offset
    assert event.start.astimezone(UTC) == starts_at
    assert event.duration == timedelta(minutes=90)
    assert str(event["UID"]) == "tok3n@intervisie.vcpbot"
    assert str(event["LOCATION"]) == "Tapijnkazerne; zaal 2"
    assert str(event["DESCRIPTION"]) == "Casus bespreken\nzonder namen"


def test_a_vtimezone_for_amsterdam_is_included_with_both_offsets() -> None:
    data = intervisie.calendar_file([_view(datetime(2026, 10, 27, 18, 30, tzinfo=UTC))], now=NOW)
    calendar = _read(data)
    [timezone] = calendar.timezones
    assert str(timezone["TZID"]) == "Europe/Amsterdam"
    offsets = {
        (str(part.name), part["TZOFFSETTO"].td)
        for part in timezone.walk()
        if part.name in ("STANDARD", "DAYLIGHT")
    }
    assert ("STANDARD", timedelta(hours=1)) in offsets
    assert ("DAYLIGHT", timedelta(hours=2)) in offsets
    assert calendar.get_missing_tzids() == set()
    # The time zone comes before the event that uses it.
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_a_move_keeps_the_uid_and_raises_the_sequence() -> None:
    before = _read(
        intervisie.calendar_file([_view(datetime(2026, 10, 20, 17, 30, tzinfo=UTC))], now=NOW)
    )
    moved = _view(datetime(2026, 10, 22, 18, 0, tzinfo=UTC), sequence=1)
    after = _read(intervisie.calendar_file([moved], now=NOW))
    assert before.events[0]["UID"] == after.events[0]["UID"]
    assert int(after.events[0]["SEQUENCE"]) == 1
    assert after.events[0].start.astimezone(UTC) == moved.starts_at


def test_a_cancellation_is_method_cancel_with_status_cancelled() -> None:
    cancelled = _view(
        datetime(2026, 10, 20, 17, 30, tzinfo=UTC), status=SessionStatus.CANCELLED, sequence=2
    )
    calendar = _read(intervisie.calendar_file([cancelled], now=NOW))
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.events
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2


def test_an_online_session_carries_its_link() -> None:
    online = _view(
        datetime(2026, 10, 20, 17, 30, tzinfo=UTC),
        location_kind=LocationKind.ONLINE,
        location="https://maastrichtuniversity.zoom.us/j/123",
    )
    [event] = _read(intervisie.calendar_file([online], now=NOW)).events
    assert str(event["URL"]) == "https://maastrichtuniversity.zoom.us/j/123"


def test_a_series_file_holds_every_occurrence_across_the_dst_change() -> None:
    starts = [
        datetime(2026, 10, 20, 17, 30, tzinfo=UTC),
        datetime(2026, 10, 27, 18, 30, tzinfo=UTC),
    ]
    views = [_view(s, id=i, token=f"t{i}") for i, s in enumerate(starts)]
    calendar = _read(intervisie.calendar_file(views, now=NOW))
    assert [e.start.strftime("%H:%M") for e in calendar.events] == ["19:30", "19:30"]
    assert [e.start.utcoffset() for e in calendar.events] == [
        timedelta(hours=2),
        timedelta(hours=1),
    ]
    assert len({str(e["UID"]) for e in calendar.events}) == 2


def test_planned_and_cancelled_do_not_share_a_file() -> None:
    start = datetime(2026, 10, 20, 17, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="separate"):
        intervisie.calendar_file(
            [_view(start), _view(start, id=2, status=SessionStatus.CANCELLED)], now=NOW
        )


def test_the_builder_writes_an_organizer_when_given() -> None:
    event = IcsEvent(
        uid="u@x",
        sequence=0,
        title="T",
        starts_at=datetime(2027, 1, 5, 18, 0, tzinfo=UTC),
        duration=timedelta(hours=1),
        zone="Europe/Amsterdam",
    )
    data = build_ics([event], method=Method.REQUEST, now=NOW, organizer="mailto:vcp@example.org")
    [parsed] = _read(data).events
    assert str(parsed["ORGANIZER"]) == "mailto:vcp@example.org"
    assert parsed.start.utcoffset() == timedelta(hours=1)
    with pytest.raises(ValueError, match="at least one"):
        build_ics([], method=Method.REQUEST, now=NOW)


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
    data = intervisie.calendar_file([view], now=NOW)
    [event] = _read(data).events
    assert "ATTACH" not in event
    lines = data.decode().split("\r\n")
    assert not [line for line in lines if line.startswith("ATTACH")]
    for field in ("SUMMARY", "LOCATION"):
        assert str(event[field]).strip() == text.replace("\r", "").strip()
