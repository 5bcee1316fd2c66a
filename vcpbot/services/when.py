"""Reading dates, times and durations the way people type them, in Dutch or English.

Pure functions: nothing here touches the database or the clock; ``now`` and the
zone are passed in. Every refusal is an ``InvalidInput`` whose catalog key
(``when.error.*``) and parameters say what to type instead.

Local wall times are checked against the zone's DST changes with PEP 495's
``fold``: a time that does not exist (the spring-forward gap) does not survive a
round trip through UTC, and an ambiguous one (the fall-back hour) has a
different UTC offset for ``fold=0`` and ``fold=1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from vcpbot.errors import InvalidInput

# The day is above 12, so the example cannot be read month first.
DATE_EXAMPLE = "24-09-2026"
TIME_EXAMPLE = "19:30"
DURATION_EXAMPLE = "1:30"
DEFAULT_MAX_DURATION_MINUTES = 8 * 60
FROM_NOW_MAX_MINUTES = 7 * 24 * 60  # "in 2 uur" reaches a week ahead; after that, a date

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "january", "jan"),
        ("februari", "february", "feb"),
        ("maart", "march", "mrt", "mar"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("augustus", "august", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("maandag", "monday", "ma", "mon"),
        ("dinsdag", "tuesday", "di", "tue", "tues"),
        ("woensdag", "wednesday", "wo", "wed"),
        ("donderdag", "thursday", "do", "thu", "thur", "thurs"),
        ("vrijdag", "friday", "vr", "fri"),
        ("zaterdag", "saturday", "za", "sat"),
        ("zondag", "sunday", "zo", "sun"),
    )
):
    for _name in _names:
        WEEKDAYS[_name] = _number

RELATIVE_DAYS = {
    "vandaag": 0,
    "today": 0,
    "vanochtend": 0,
    "this morning": 0,
    "vanmiddag": 0,
    "this afternoon": 0,
    "vanavond": 0,
    "tonight": 0,
    "this evening": 0,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
    "day after tomorrow": 2,
}

# A bare hour after these words is in the afternoon or evening: "vanavond 8" is 20:00.
LATER_TODAY = {
    "vanmiddag": 6,
    "this afternoon": 6,
    "vanavond": 11,
    "tonight": 11,
    "this evening": 11,
}
# "volgende week dinsdag", "dinsdag volgende week", "next week tuesday", "tuesday next week":
# that weekday in the calendar week (Monday to Sunday) after this one.
_NEXT_WEEK = re.compile(
    r"(?:(?:volgende|next) week (?P<before>[a-z]+)|(?P<after>[a-z]+) (?:volgende|next) week)"
)
# "in 2 uur", "over 90 minuten", "in 1,5 hours": from now.
_FROM_NOW = re.compile(r"(?:in|over)\s+(?P<amount>.+)", re.IGNORECASE)
_AMPM = re.compile(r"(?:am|pm|a\.m\.|p\.m\.)\s*$")

_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})(?:[-/.](?P<y>\d{4}))?")
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})\s*(?P<month>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?")
_MONTH_DAY = re.compile(r"(?P<month>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:\s+(?P<y>\d{4}))?")
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:\s*(?:[:.hu])\s*(?P<m>\d{2})|\s*(?:u|h|uur))?"
    r"(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?(?:\s*uur)?"
)
# A time at the end of a combined input, after an optional "om" / "at" / ISO "T".
_TRAILING_TIME = re.compile(
    r"^(?P<date>.*?)(?:\s+(?:om|at)\s+|\s+|t)"
    r"(?P<time>\d{1,2}(?:\s*[:.hu]\s*\d{2}|\s*(?:u|h|uur))?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?"
    r"(?:\s*uur)?)$"
)


def _clean(text: str) -> str:
    return " ".join(text.strip().lower().replace(",", " ").split())


def _unreadable_date(text: str) -> InvalidInput:
    return InvalidInput("when.error.date_unreadable", text=text.strip()[:40], example=DATE_EXAMPLE)


def _unreadable_time(text: str) -> InvalidInput:
    return InvalidInput("when.error.time_unreadable", text=text.strip()[:40], example=TIME_EXAMPLE)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            "when.error.date_impossible", text=text.strip()[:40], example=DATE_EXAMPLE
        ) from None


def _without_year(month: int, day: int, today: date, text: str) -> date:
    """``12 sep`` means the next 12 September: this year's, or next year's once it has passed."""
    if month == 2 and day == 29:
        # The next 29 February may be years away; ask for the year instead of guessing.
        for year in range(today.year, today.year + 5):
            try:
                candidate = date(year, 2, 29)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
    candidate = _make_date(today.year, month, day, text)
    if candidate < today:
        candidate = _make_date(today.year + 1, month, day, text)
    return candidate


def parse_date(text: str, *, today: date) -> date:
    """A calendar date: ``12-09-2026``, ``12/09/2026``, ``2026-09-12``, ``12 september 2026``,
    ``maandag 7 december 2026``, ``12 sep``, ``morgen``, ``tomorrow``, ``vrijdag`` (the next
    one, never today)."""
    if match := _NEXT_WEEK.fullmatch(_clean(text)):
        weekday = WEEKDAYS.get(match["before"] or match["after"])
        if weekday is None:
            raise _unreadable_date(text)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=weekday)
    cleaned = re.sub(r"^(?:volgende|next)\s+", "", _clean(text))
    if cleaned in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[cleaned])
    if cleaned in WEEKDAYS:
        ahead = (WEEKDAYS[cleaned] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    first, _, rest = cleaned.partition(" ")
    if first in WEEKDAYS and rest:
        # "maandag 7 december 2026", as the bot writes dates: the weekday must agree.
        found = _calendar_date(rest, text, today)
        if found.weekday() != WEEKDAYS[first]:
            raise InvalidInput("when.error.weekday_mismatch", text=text.strip()[:40], date=found)
        return found
    return _calendar_date(cleaned, text, today)


def _calendar_date(cleaned: str, text: str, today: date) -> date:
    if match := _ISO_DATE.fullmatch(cleaned):
        return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), text)
    if match := _NUMERIC_DATE.fullmatch(cleaned):
        day, month = int(match["d"]), int(match["m"])
        if match["y"] is None:
            return _without_year(month, day, today, text)
        return _make_date(int(match["y"]), month, day, text)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        match = pattern.fullmatch(cleaned)
        if match and match["month"] in MONTHS:
            day, month = int(match["d"]), MONTHS[match["month"]]
            if match["y"] is None:
                return _without_year(month, day, today, text)
            return _make_date(int(match["y"]), month, day, text)
    raise _unreadable_date(text)


def parse_time(text: str) -> time:
    """A clock time: ``19:30``, ``19.30``, ``19u30``, ``19u``, ``19h30``, ``7:30 pm``, ``7pm``."""
    match = _TIME.fullmatch(_clean(text))
    if match is None:
        raise _unreadable_time(text)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise InvalidInput(
                "when.error.time_impossible", text=text.strip()[:40], example=TIME_EXAMPLE
            )
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(
            "when.error.time_impossible", text=text.strip()[:40], example=TIME_EXAMPLE
        )
    return time(hour, minute)


LocalKind = Literal["ok", "gap", "ambiguous"]


def local_kind(moment: datetime, zone: ZoneInfo) -> LocalKind:
    """Whether a naive local wall time exists once, never (gap) or twice (fall-back) in ``zone``."""
    naive = moment.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "ok"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return "gap"
    return "ambiguous"


def _transition_window(naive: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The local wall-clock hour that is skipped or repeated around ``naive``, as ``HH:MM``."""
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    low, high = min(low, high), max(low, high)
    before = low.astimezone(zone).utcoffset()
    # Binary search to the minute for the instant the offset changes.
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    change = high.replace(second=0, microsecond=0)
    old = (change + before).replace(tzinfo=None) if before is not None else change
    new = change.astimezone(zone).replace(tzinfo=None)
    first, last = min(old, new), max(old, new)
    return first.strftime("%H:%M"), last.strftime("%H:%M")


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` on the wall clock of ``zone``, or a clear refusal at a DST change."""
    naive = datetime.combine(day, at)
    kind = local_kind(naive, zone)
    if kind == "ok":
        return naive.replace(tzinfo=zone)
    start, end = _transition_window(naive, zone)
    params = {
        "date": day,
        "time": at,
        "start": start,
        "end": end,
    }
    if kind == "gap":
        raise InvalidInput("when.error.time_does_not_exist", **params)
    raise InvalidInput("when.error.time_ambiguous", **params)


def parse_start(
    date_text: str, time_text: str | None = None, *, zone: ZoneInfo, now: datetime
) -> datetime:
    """The start of something in the future, aware in ``zone``.

    With ``time_text`` the two fields of a form; without it one field holding both,
    as in ``12-09-2026 19:30``, ``2026-09-12T19:30``, ``morgen om 19.30``.
    """
    if time_text is None:
        if match := _FROM_NOW.fullmatch(date_text.strip()):
            return _from_now(match["amount"], date_text, zone=zone, now=now)
        cleaned = _clean(date_text)
        match = _TRAILING_TIME.fullmatch(cleaned)
        if match is None or not match["date"].strip():
            raise InvalidInput(
                "when.error.datetime_unreadable",
                text=date_text.strip()[:40],
                example=f"{DATE_EXAMPLE} {TIME_EXAMPLE}",
            )
        date_text, time_text = match["date"], match["time"]
    today = now.astimezone(zone).date()
    at = _later_today(parse_time(time_text), time_text, _clean(date_text))
    moment = resolve_local(parse_date(date_text, today=today), at, zone)
    if moment <= now:
        raise InvalidInput("when.error.in_past", when=moment.astimezone(zone))
    return moment


def _later_today(at: time, time_text: str, day_text: str) -> time:
    """ "vanavond 8" is 20:00: a bare hour after an afternoon or evening word is pm."""
    latest = LATER_TODAY.get(day_text)
    if latest is None or _AMPM.search(time_text.strip().lower()) or not 1 <= at.hour <= latest:
        return at
    return at.replace(hour=at.hour + 12)


def _from_now(amount: str, text: str, *, zone: ZoneInfo, now: datetime) -> datetime:
    """ "in 2 uur": now plus a duration, on the minute (never a moment already passed)."""
    try:
        minutes = parse_duration(amount, max_minutes=FROM_NOW_MAX_MINUTES)
    except InvalidInput as refused:
        if refused.key == "when.error.duration_too_short":
            raise
        raise InvalidInput(
            "when.error.datetime_unreadable",
            text=text.strip()[:40],
            example=f"{DATE_EXAMPLE} {TIME_EXAMPLE}",
        ) from None
    moment = now + timedelta(minutes=minutes)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment.astimezone(zone)


_DURATION_PARTS = re.compile(
    r"(?:(?P<h>\d+(?:[.,]\d+)?)\s*(?:h|u|uur|hours?|hrs?))?\s*"
    r"(?:(?P<m>\d+)\s*(?:m|min|mins|minuten|minutes?)?)?"
)


def parse_duration(text: str, *, max_minutes: int = DEFAULT_MAX_DURATION_MINUTES) -> int:
    """Minutes from ``90``, ``90 min``, ``1:30``, ``1,5 uur``, ``1.5h``, ``2h``, ``1u30``."""
    cleaned = "".join(text.lower().split())
    minutes: float | None = None
    if match := re.fullmatch(r"(\d{1,2})[:.](\d{2})", cleaned):
        if int(match[2]) < 60:
            minutes = int(match[1]) * 60 + int(match[2])
    elif (match := _DURATION_PARTS.fullmatch(cleaned)) and (match["h"] or match["m"]):
        hours = float(match["h"].replace(",", ".")) if match["h"] else 0.0
        minutes = hours * 60 + int(match["m"] or 0)
    if minutes is None:
        raise InvalidInput(
            "when.error.duration_unreadable", text=text.strip()[:40], example=DURATION_EXAMPLE
        )
    rounded = round(minutes)
    if rounded <= 0:
        raise InvalidInput("when.error.duration_too_short", example=DURATION_EXAMPLE)
    if rounded > max_minutes:
        raise InvalidInput(
            "when.error.duration_too_long",
            count=as_hours(max_minutes),
            example=DURATION_EXAMPLE,
        )
    return rounded


def as_hours(minutes: int) -> int | float:
    """Whole hours as an int (8), otherwise a fraction (1.5), for a text to write."""
    whole, rest = divmod(minutes, 60)
    return whole if rest == 0 else minutes / 60


# --- nominal durations (reminder lead times) ------------------------------------

_ISO_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)?"
)


@dataclass(frozen=True, order=True)
class Lead:
    """How long before a start, as an ISO 8601 duration, read the way RFC 5545 reads it.

    Days and weeks are *nominal*: ``P7D`` is the same wall-clock time seven days
    earlier, whatever DST did in between. Hours and minutes are *exact*:
    ``PT24H`` is 24 elapsed hours, which across a DST change is 23 or 25 on the
    wall clock. That is what calendar programs do with the same notation.
    """

    days: int
    exact: timedelta
    code: str

    @classmethod
    def parse(cls, text: str) -> Lead:
        code = text.strip().upper()
        match = _ISO_DURATION.fullmatch(code)
        if match is None or code in ("P", "PT") or code.endswith("T"):
            raise ValueError(f"{text!r} is not an ISO 8601 duration such as P7D, PT24H or PT30M")
        days = int(match["w"] or 0) * 7 + int(match["d"] or 0)
        exact = timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))
        if days == 0 and exact == timedelta(0):
            raise ValueError(f"{text!r} is zero; a lead time must be before the start")
        return cls(days=days, exact=exact, code=code)

    def before(self, start: datetime, zone: ZoneInfo) -> datetime:
        """The instant ``self`` before ``start`` (aware), in UTC."""
        moment = start.astimezone(zone)
        if self.days:
            naive = moment.replace(tzinfo=None) - timedelta(days=self.days)
            # fold=0: an ambiguous wall time is its first occurrence; one in the
            # spring gap is read with the offset from before the jump, which puts
            # it just after the jump (02:30 -> 03:30).
            moment = naive.replace(tzinfo=zone, fold=0)
        # Exact hours count elapsed time, so subtract in UTC, not on the wall clock.
        return moment.astimezone(UTC) - self.exact
