"""Dates, times and durations as coordinators type them, in Dutch, English and ISO forms."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vcpbot.errors import InvalidInput
from vcpbot.i18n import t
from vcpbot.services.when import (
    Lead,
    local_kind,
    parse_date,
    parse_duration,
    parse_start,
    parse_time,
    resolve_local,
)

AMS = ZoneInfo("Europe/Amsterdam")
# Tuesday 1 September 2026, noon in Amsterdam.
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 9, 1)


def _refused(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    # Every refusal can be shown in both languages with the parameters it carries.
    for locale in ("nl", "en"):
        assert t(caught.value.key, locale, **caught.value.params)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-09-2026", date(2026, 9, 12)),
        ("12/09/2026", date(2026, 9, 12)),
        ("12.09.2026", date(2026, 9, 12)),
        ("2-9-2026", date(2026, 9, 2)),
        ("2026-09-12", date(2026, 9, 12)),
        ("12 september 2026", date(2026, 9, 12)),
        ("12 September, 2026", date(2026, 9, 12)),
        ("12 sep 2026", date(2026, 9, 12)),
        ("12 sept.", date(2026, 9, 12)),
        ("12 sep", date(2026, 9, 12)),
        ("September 12", date(2026, 9, 12)),
        ("3 maart", date(2027, 3, 3)),
        ("1 okt", date(2026, 10, 1)),
        ("1 oct", date(2026, 10, 1)),
        ("1 mei", date(2027, 5, 1)),
        ("12-09", date(2026, 9, 12)),
        ("31-08", date(2027, 8, 31)),
        ("vandaag", TODAY),
        ("today", TODAY),
        ("morgen", date(2026, 9, 2)),
        ("Tomorrow", date(2026, 9, 2)),
        ("overmorgen", date(2026, 9, 3)),
        ("donderdag", date(2026, 9, 3)),
        ("thursday", date(2026, 9, 3)),
        ("do", date(2026, 9, 3)),
        ("volgende vrijdag", date(2026, 9, 4)),
        # Today is a Tuesday: "dinsdag" is the next one, a week from now.
        ("dinsdag", date(2026, 9, 8)),
    ],
)
def test_dates_in_dutch_english_and_iso_forms(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("19u30", time(19, 30)),
        ("19h30", time(19, 30)),
        ("19u", time(19, 0)),
        ("19 uur", time(19, 0)),
        ("9:05", time(9, 5)),
        ("7:30 pm", time(19, 30)),
        ("7pm", time(19, 0)),
        ("7.30 p.m.", time(19, 30)),
        ("12 am", time(0, 0)),
        ("12:15 pm", time(12, 15)),
        ("0:00", time(0, 0)),
    ],
)
def test_times_in_common_forms(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-09-2026 19:30", datetime(2026, 9, 12, 19, 30, tzinfo=AMS)),
        ("2026-09-12 19:30", datetime(2026, 9, 12, 19, 30, tzinfo=AMS)),
        ("2026-09-12T19:30", datetime(2026, 9, 12, 19, 30, tzinfo=AMS)),
        ("morgen 19:30", datetime(2026, 9, 2, 19, 30, tzinfo=AMS)),
        ("morgen om 19.30", datetime(2026, 9, 2, 19, 30, tzinfo=AMS)),
        ("tomorrow at 7:30 pm", datetime(2026, 9, 2, 19, 30, tzinfo=AMS)),
        ("12 september 2026 om 19u30", datetime(2026, 9, 12, 19, 30, tzinfo=AMS)),
        ("vandaag 20:00", datetime(2026, 9, 1, 20, 0, tzinfo=AMS)),
    ],
)
def test_one_field_with_date_and_time_is_read_in_amsterdam(text: str, expected: datetime) -> None:
    result = parse_start(text, zone=AMS, now=NOW)
    assert result == expected
    assert result.utcoffset() == timedelta(hours=2)


def test_separate_date_and_time_fields() -> None:
    assert parse_start("12-09-2026", "19:30", zone=AMS, now=NOW) == datetime(
        2026, 9, 12, 19, 30, tzinfo=AMS
    )


@pytest.mark.parametrize(
    ("date_text", "time_text", "key"),
    [
        ("31-02-2026", "19:30", "when.error.date_impossible"),
        ("30-02", "19:30", "when.error.date_impossible"),
        ("29-02-2027", "19:30", "when.error.date_impossible"),
        ("12-13-2026", "19:30", "when.error.date_impossible"),
        ("volgende week", "19:30", "when.error.date_unreadable"),
        ("12 brumaire", "19:30", "when.error.date_unreadable"),
        ("", "19:30", "when.error.date_unreadable"),
        ("12-09-2026", "25:00", "when.error.time_impossible"),
        ("12-09-2026", "19:75", "when.error.time_impossible"),
        ("12-09-2026", "13 pm", "when.error.time_impossible"),
        ("12-09-2026", "half acht", "when.error.time_unreadable"),
        ("01-09-2026", "11:59", "when.error.in_past"),
        ("01-01-2020", "10:00", "when.error.in_past"),
    ],
)
def test_bad_dates_and_times_are_refused_with_what_to_fix(date_text, time_text, key) -> None:
    error = _refused(parse_start, date_text, time_text, zone=AMS, now=NOW)
    assert error.key == key
    if key != "when.error.in_past":
        assert error.params["example"]


def test_a_past_moment_names_the_moment() -> None:
    error = _refused(parse_start, "vandaag 09:00", zone=AMS, now=NOW)
    assert error.params == {"when": datetime(2026, 9, 1, 9, 0, tzinfo=AMS)}
    assert t(error.key, "nl", **error.params) == (
        "dinsdag 1 september 2026, 09:00 is al voorbij. Kies een moment in de toekomst."
    )


def test_one_field_without_a_time_asks_for_both() -> None:
    error = _refused(parse_start, "12-09-2026", zone=AMS, now=NOW)
    assert error.key == "when.error.datetime_unreadable"
    assert error.params["example"] == "24-09-2026 19:30"


def test_a_time_the_clocks_skip_in_spring_is_refused_with_the_gap() -> None:
    error = _refused(parse_start, "28-03-2027 02:30", zone=AMS, now=NOW)
    assert error.key == "when.error.time_does_not_exist"
    assert error.params == {
        "date": date(2027, 3, 28),
        "time": time(2, 30),
        "start": "02:00",
        "end": "03:00",
    }


def test_a_time_that_happens_twice_in_autumn_is_refused_as_ambiguous() -> None:
    error = _refused(parse_start, "25-10-2026 02:30", zone=AMS, now=NOW)
    assert error.key == "when.error.time_ambiguous"
    assert error.params == {
        "date": date(2026, 10, 25),
        "time": time(2, 30),
        "start": "02:00",
        "end": "03:00",
    }


def test_the_edges_of_the_dst_changes_are_fine() -> None:
    assert parse_start("28-03-2027 03:00", zone=AMS, now=NOW).utcoffset() == timedelta(hours=2)
    assert parse_start("28-03-2027 01:59", zone=AMS, now=NOW).utcoffset() == timedelta(hours=1)
    assert parse_start("25-10-2026 01:59", zone=AMS, now=NOW).utcoffset() == timedelta(hours=2)
    assert parse_start("25-10-2026 03:00", zone=AMS, now=NOW).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("90 min", 90),
        ("90 minuten", 90),
        ("1:30", 90),
        ("1.30", 90),
        ("1,5 uur", 90),
        ("1.5h", 90),
        ("2h", 120),
        ("2 uur", 120),
        ("2 hours", 120),
        ("1u30", 90),
        ("1h 30m", 90),
        ("8 uur", 480),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("8:01", "when.error.duration_too_long"),
        ("9 uur", "when.error.duration_too_long"),
        ("481", "when.error.duration_too_long"),
        ("0", "when.error.duration_too_short"),
        ("0:00", "when.error.duration_too_short"),
        ("anderhalf uur", "when.error.duration_unreadable"),
        ("1:75", "when.error.duration_unreadable"),
        ("", "when.error.duration_unreadable"),
    ],
)
def test_bad_durations(text: str, key: str) -> None:
    error = _refused(parse_duration, text)
    assert error.key == key
    if key == "when.error.duration_too_long":
        assert error.params["count"] == 8


def test_lead_days_are_calendar_days_and_hours_are_elapsed_time() -> None:
    # Sunday 25 October 2026, 19:30 in Amsterdam: the first evening of winter time.
    start = datetime(2026, 10, 25, 19, 30, tzinfo=AMS)
    assert Lead.parse("P7D").before(start, AMS) == datetime(2026, 10, 18, 17, 30, tzinfo=UTC)
    assert Lead.parse("P1D").before(start, AMS) == datetime(2026, 10, 24, 17, 30, tzinfo=UTC)
    assert Lead.parse("PT24H").before(start, AMS) == datetime(2026, 10, 24, 18, 30, tzinfo=UTC)
    assert Lead.parse("PT1H").before(start, AMS) == datetime(2026, 10, 25, 17, 30, tzinfo=UTC)
    assert Lead.parse("p1w").code == "P1W"
    # A week before 02:30 would be a wall time the clocks skip: it goes just after the jump.
    night = datetime(2027, 4, 4, 2, 30, tzinfo=AMS)
    assert Lead.parse("P1W").before(night, AMS) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "P", "PT", "7D", "P1H", "PT0M", "P1DT"])
def test_bad_lead_codes(text: str) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|zero"):
        Lead.parse(text)


# --- properties ----------------------------------------------------------------

MONTH_NAMES_NL = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip
MONTH_NAMES_EN = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip

FORMATS = [
    lambda d: d.strftime("%d-%m-%Y %H:%M"),
    lambda d: d.strftime("%d/%m/%Y %H.%M"),
    lambda d: d.strftime("%d.%m.%Y %Hu%M"),
    lambda d: d.strftime("%Y-%m-%d %H:%M"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M"),
    lambda d: f"{d.day} {MONTH_NAMES_NL[d.month - 1]} {d.year} om {d:%H.%M}",
    lambda d: f"{d.day} {MONTH_NAMES_EN[d.month - 1].title()} {d.year} at {d:%H:%M}",
    lambda d: f"{MONTH_NAMES_EN[d.month - 1][:3]} {d.day} {d.year} {d:%I:%M} {d:%p}".lower(),
]

# Naive on purpose: wall-clock times in Amsterdam, some of which do not exist.
local_moments = st.datetimes(
    min_value=datetime(2026, 9, 2),  # noqa: DTZ001
    max_value=datetime(2060, 12, 31),  # noqa: DTZ001
).map(lambda d: d.replace(second=0, microsecond=0))


@given(moment=local_moments, style=st.sampled_from(range(len(FORMATS))))
def test_every_accepted_format_reads_back_the_same_moment(moment: datetime, style: int) -> None:
    assume(local_kind(moment, AMS) == "ok")
    aware = moment.replace(tzinfo=AMS)
    assert parse_start(FORMATS[style](moment), zone=AMS, now=NOW) == aware


@given(moment=local_moments)
def test_a_local_time_is_either_resolved_exactly_or_refused(moment: datetime) -> None:
    try:
        resolved = resolve_local(moment.date(), moment.time(), AMS)
    except InvalidInput as error:
        assert error.key in ("when.error.time_does_not_exist", "when.error.time_ambiguous")
        assert local_kind(moment, AMS) != "ok"
    else:
        # Round trip through UTC gives the same wall time: it exists, exactly once.
        assert resolved.astimezone(UTC).astimezone(AMS).replace(tzinfo=None) == moment


@given(minutes=st.integers(min_value=1, max_value=480))
def test_durations_read_back_in_every_form(minutes: int) -> None:
    hours, rest = divmod(minutes, 60)
    assert parse_duration(str(minutes)) == minutes
    assert parse_duration(f"{hours}:{rest:02d}") == minutes
    assert parse_duration(f"{minutes} min") == minutes
    if rest == 0:
        assert parse_duration(f"{hours} uur") == minutes


@given(minutes=st.integers(min_value=481, max_value=10_000))
def test_anything_over_eight_hours_is_refused(minutes: int) -> None:
    assert _refused(parse_duration, str(minutes)).key == "when.error.duration_too_long"


# --- phrases people write (issue 19): this evening, next week's Tuesday, in two hours ---

# Tuesday 1 September 2026, noon in Amsterdam (NOW): next week's Monday is 7 September.
PHRASES = [
    ("vanavond 19:30", datetime(2026, 9, 1, 19, 30, tzinfo=AMS)),
    ("vanavond om 19.30", datetime(2026, 9, 1, 19, 30, tzinfo=AMS)),
    ("vanavond 8", datetime(2026, 9, 1, 20, 0, tzinfo=AMS)),  # an evening hour
    ("vanavond 10", datetime(2026, 9, 1, 22, 0, tzinfo=AMS)),
    ("tonight 7pm", datetime(2026, 9, 1, 19, 0, tzinfo=AMS)),
    ("tonight at 7:30", datetime(2026, 9, 1, 19, 30, tzinfo=AMS)),
    ("this evening 20:00", datetime(2026, 9, 1, 20, 0, tzinfo=AMS)),
    ("vanmiddag 3 uur", datetime(2026, 9, 1, 15, 0, tzinfo=AMS)),
    ("di 8 sep 19:30", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("volgende week dinsdag 19:30", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("dinsdag volgende week om 19:30", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("volgende week maandag 19:30", datetime(2026, 9, 7, 19, 30, tzinfo=AMS)),
    ("next week tuesday 7:30 pm", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("tuesday next week 19:30", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("volgende dinsdag 19:30", datetime(2026, 9, 8, 19, 30, tzinfo=AMS)),
    ("in 2 uur", datetime(2026, 9, 1, 14, 0, tzinfo=AMS)),
    ("over 2 uur", datetime(2026, 9, 1, 14, 0, tzinfo=AMS)),
    ("in 2 hours", datetime(2026, 9, 1, 14, 0, tzinfo=AMS)),
    ("in 90 minuten", datetime(2026, 9, 1, 13, 30, tzinfo=AMS)),
    ("in 1,5 uur", datetime(2026, 9, 1, 13, 30, tzinfo=AMS)),
    ("in 45 min", datetime(2026, 9, 1, 12, 45, tzinfo=AMS)),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES)
def test_phrases_people_write_are_read_as_they_mean_them(text: str, expected: datetime) -> None:
    assert parse_start(text, zone=AMS, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("vanochtend 9:00", "when.error.in_past"),
        ("in 0 uur", "when.error.duration_too_short"),
        ("in twee uur", "when.error.datetime_unreadable"),
        ("volgende week 19:30", "when.error.date_unreadable"),
        ("volgende week dinsdag", "when.error.datetime_unreadable"),
    ],
)
def test_phrases_that_cannot_be_read_or_have_passed_say_so(text: str, key: str) -> None:
    assert _refused(parse_start, text, zone=AMS, now=NOW).key == key


def test_tonight_at_an_evening_hour_that_passed_is_refused_as_past() -> None:
    late = datetime(2026, 9, 1, 20, 0, tzinfo=AMS).astimezone(UTC)
    refused = _refused(parse_start, "vanavond 19:30", zone=AMS, now=late)
    assert refused.key == "when.error.in_past"


@given(hours=st.integers(min_value=0, max_value=30), minutes=st.sampled_from([0, 15, 30, 45]))
def test_in_so_many_hours_is_that_long_after_now(hours: int, minutes: int) -> None:
    assume(hours or minutes)
    wanted = NOW + timedelta(hours=hours, minutes=minutes)
    total = hours * 60 + minutes
    for text in (f"in {hours}:{minutes:02d}", f"over {total} minuten", f"in {total} minutes"):
        assert parse_start(text, zone=AMS, now=NOW) == wanted.astimezone(AMS)


@given(day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)))
def test_next_weeks_day_is_in_the_calendar_week_after_this_one(day: date) -> None:
    now = datetime.combine(day, time(9, 0), tzinfo=AMS).astimezone(UTC)
    monday = day - timedelta(days=day.weekday()) + timedelta(days=7)
    for number, (dutch, english) in enumerate(
        zip(
            ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
    ):
        expected = monday + timedelta(days=number)
        assume(local_kind(datetime.combine(expected, time(19, 30)), AMS) == "ok")
        for text in (f"volgende week {dutch} 19:30", f"{english} next week 19:30"):
            assert parse_start(text, zone=AMS, now=now).date() == expected
