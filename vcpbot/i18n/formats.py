"""Dates, times, numbers, lists and plural forms the way each language writes them (CLDR).

Babel carries the Unicode CLDR data, so nothing here is hand-rolled: Dutch gets
"maandag 7 december 2026", "1.234,5" and "a, b en c"; English (British, as the
university writes it) gets "Monday 7 December 2026", "1,234.5" and "a, b and c".
A date is always written with its month as a word, so 07-12 is never read as July.

``localise`` is what ``t()`` applies to every placeholder value, so callers pass
plain ``date``, ``datetime``, ``time``, numbers and lists and never format them
themselves. The Babel ``Locale`` objects and the patterns are built once per
process: ``t()`` runs on every interaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from babel import Locale as CldrLocale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

Language = Literal["nl", "en"]

# The CLDR locale behind each language: British English, as the university writes it.
CLDR = {"nl": "nl", "en": "en_GB"}

DAY_PATTERN = "EEEE d MMMM y"  # maandag 7 december 2026 / Monday 7 December 2026
SHORT_DAY_PATTERN = "EEE d MMM"  # ma 7 dec / Mon 7 Dec
CLOCK_PATTERN = "HH:mm"  # 19:30, both languages

# Placeholders that name something rather than count it: written as they are
# (no thousands separator), even when the value is a number.
IDENTIFIERS = frozenset(
    {
        "id",
        "code",
        "reference",
        "version",
        "current",
        "latest",
        "previous",
        "number",
        "year",
        "line",
        "first_line",
        "position",
    }
)


@cache
def cldr(language: Language) -> CldrLocale:
    return CldrLocale.parse(CLDR[language])


def plural_category(count: float, language: Language) -> str:
    """CLDR's plural category for ``count``: ``one`` or ``other`` in Dutch and English."""
    return cldr(language).plural_form(abs(count))


def plural_categories(language: Language) -> frozenset[str]:
    """Every category the language's plural rules can choose (always with ``other``)."""
    return frozenset(cldr(language).plural_form.tags) | {"other"}


def day(value: dt.date, language: Language) -> str:
    """``maandag 7 december 2026`` / ``Monday 7 December 2026``."""
    return format_date(value, DAY_PATTERN, locale=cldr(language))


def short_day(value: dt.date, language: Language) -> str:
    """``ma 7 dec`` / ``Mon 7 Dec``: for buttons and lists where space is short."""
    return format_date(value, SHORT_DAY_PATTERN, locale=cldr(language))


def clock(value: dt.time | dt.datetime, language: Language) -> str:
    """``19:30``: the 24-hour clock both languages use here."""
    return format_time(value, CLOCK_PATTERN, locale=cldr(language))


@cache
def _moment_pattern(language: Language) -> str:
    """CLDR's way to join a date and a time (``{1}, {0}`` in both languages today)."""
    return str(cldr(language).datetime_formats["full"])


def moment(value: dt.datetime, language: Language) -> str:
    """``maandag 7 december 2026, 19:30`` on the datetime's own clock (pass it local)."""
    return _moment_pattern(language).format(clock(value, language), day(value.date(), language))


def short_moment(value: dt.datetime, language: Language) -> str:
    """``ma 7 dec, 19:30`` / ``Mon 7 Dec, 19:30``."""
    return _moment_pattern(language).format(
        clock(value, language), short_day(value.date(), language)
    )


def number(value: float | Decimal, language: Language) -> str:
    """``1.234,5`` / ``1,234.5``."""
    if type(value) is int and -1000 < value < 1000:
        return str(value)  # the same in every language; spares Babel on the hot path
    return format_decimal(value, locale=cldr(language))


def one_decimal(value: float, language: Language) -> str:
    """``12,5`` / ``12.5``: a rate, always with one decimal."""
    return format_decimal(value, "#,##0.0", locale=cldr(language))


def items(values: list[Any] | tuple[Any, ...], language: Language) -> str:
    """``a, b en c`` / ``a, b and c``; each item written as ``localise`` writes it."""
    if not values:
        return ""
    written = [_value(v, language) for v in values]
    return format_list(written, locale=cldr(language))


def _value(value: Any, language: Language) -> Any:
    kind = type(value)
    if kind is str:
        return value
    writer = _WRITERS.get(kind)
    return writer(value, language) if writer is not None else value


_WRITERS: dict[type, Callable[[Any, Language], str]] = {
    dt.date: day,
    dt.datetime: moment,
    dt.time: clock,
    int: number,
    float: number,
    Decimal: number,
    list: items,
    tuple: items,
}


def localise(params: Mapping[str, Any], language: Language) -> Mapping[str, Any]:
    """Placeholder values as the language writes them; identifiers (``IDENTIFIERS``) as is.

    Text stays text, so the common case (only strings) returns ``params`` untouched.
    """
    written: dict[str, Any] | None = None
    for name, value in params.items():
        if type(value) is str or name in IDENTIFIERS:
            continue
        if written is None:
            written = dict(params)
        written[name] = _value(value, language)
    return params if written is None else written
