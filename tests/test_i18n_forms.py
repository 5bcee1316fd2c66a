"""Plurals, dates, numbers and lists as each language writes them (Babel, CLDR).

A reader never sees "1 people", "session(s)" or a bare 07-12 that could be July:
every text with a count has a form per plural category, chosen by CLDR's rules,
and every date is written with its month as a word.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcpbot.i18n import catalog, formats
from vcpbot.i18n.catalog import LOCALES, Catalog
from vcpbot.services.when import parse_date

ROOT = Path(__file__).resolve().parents[1]

# "session(s)", "artikel(en)", "genodigde(n)", "week/weken": a plural hedged instead of chosen.
HEDGED_PLURAL = re.compile(r"\w\((?:s|en|n|e|es)\)|\bweek/weken\b|\bweek\(s\)")
NUMERIC_DAY_MONTH = re.compile(r"(?<![\d:])\d{1,2}[-/.]\d{1,2}(?![\d:])")
MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "en": "January February March April May June July August September October November December",
}


def _all_texts():
    for locale in LOCALES:
        yield from ((locale, k, v) for k, v in catalog().entries[locale].items())


def test_no_text_hedges_a_plural_in_brackets() -> None:
    hedged = [f"{loc}:{key}" for loc, key, value in _all_texts() if HEDGED_PLURAL.search(value)]
    assert hedged == []


def test_no_text_puts_a_number_before_a_plural_noun_without_plural_forms() -> None:
    """ "{people} people", "{count} sessions": only a text with plural forms may do that.

    (Characters are left out: every such number is a length limit fixed in code, two
    or more, or a length beyond one.)"""
    counted = re.compile(
        r"\{(\w+)\} (people|personen|sessions?|bijeenkomst(en)?|invitees?|genodigden?|"
        r"articles?|artikel(en)?|days?|dagen|hours?|minutes?|minuten|weeks?|weken|"
        r"members?|leden|cases?|meldingen|messages?|berichten|seconds?|seconden|"
        r"working days?|werkdagen|commands?|opdrachten|contacts?|contacten)\b"
    )
    found = [
        f"{loc}:{key}"
        for loc, key, value in _all_texts()
        if catalog().plurals[loc].get(key.rpartition("_")[0]) is None and counted.search(value)
    ]
    assert found == []


def test_a_count_chooses_the_plural_form_by_the_languages_rules() -> None:
    cat = Catalog(
        {
            "nl": {"x.items_one": "één ding", "x.items_other": "{count} dingen"},
            "en": {"x.items_one": "one thing", "x.items_other": "{count} things"},
        }
    )
    assert cat.text("x.items", "en", count=1) == "one thing"
    assert cat.text("x.items", "en", count=0) == "0 things"
    assert cat.text("x.items", "nl", count=2) == "2 dingen"
    assert cat.text("x.items", "nl", count=12000) == "12.000 dingen"
    assert cat.text("x.items", "en", count=12000) == "12,000 things"
    assert cat.has("x.items")


def _sample(name: str) -> object:
    return {"count": 3, "date": date(2026, 12, 7), "until": date(2027, 1, 31)}.get(
        name, f"<{name}>"
    )


@settings(max_examples=60, deadline=None)
@given(count=st.integers(min_value=0, max_value=10**7), locale=st.sampled_from(LOCALES))
def test_every_plural_key_renders_the_right_form_for_every_count(count, locale) -> None:
    for base, forms in catalog().plurals[locale].items():
        names = set().union(*(Catalog.placeholders(f) for f in forms.values())) - {"count"}
        params = {name: _sample(name) for name in names}
        text = catalog().text(base, locale, count=count, **params)
        assert "{" not in text and "}" not in text, (base, text)
        chosen = forms[formats.plural_category(count, locale)]
        assert text == chosen.format_map(formats.localise({"count": count, **params}, locale))
        if "{count}" in chosen:
            assert formats.number(count, locale) in text
        if count == 1:
            assert chosen == forms["one"], (base, locale)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _date_fields(key: str, template: str) -> set[str]:
    """The placeholders of ``key`` that hold a day: ``date`` and ``until`` everywhere,
    ``start`` and ``end`` in the KMTM and intervisie periods."""
    names = {"date", "until"}
    if key.startswith(("kmtm.", "intervisie.attendance.", "intervisie.export.")):
        names |= {"start", "end"}
    return _fields(template) & names


DATED = {
    locale: {
        key: fields
        for key, template in catalog().entries[locale].items()
        if (fields := _date_fields(key, template))
    }
    for locale in LOCALES
}


def test_the_dated_texts_are_found() -> None:
    assert {"kmtm.report.released", "kmtm.period.line", "rules.ack.already"} <= set(DATED["en"])


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    locale=st.sampled_from(LOCALES),
)
def test_every_date_is_written_with_its_month_as_a_word_and_reads_back(day, locale) -> None:
    written = formats.day(day, locale)
    month = MONTHS[locale].split()[day.month - 1]
    assert f"{day.day} {month} {day.year}" in written
    assert not NUMERIC_DAY_MONTH.search(written)
    # The bot reads back what it writes, weekday and all.
    assert parse_date(written, today=date(2000, 1, 1)) == day
    # Every text with a day in it writes the day that way, in both catalogs.
    for key, fields in DATED[locale].items():
        params = {name: _sample(name) for name in _fields(catalog().entries[locale][key])}
        params |= dict.fromkeys(fields, day)
        if key in catalog().plurals[locale] or key.rpartition("_")[0] in catalog().plurals[locale]:
            continue
        text = catalog().text(key, locale, **params)
        assert text.count(written) >= len(fields), (key, text)


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis takes naive bounds)
        max_value=datetime(2099, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    locale=st.sampled_from(LOCALES),
)
def test_a_moment_is_its_day_in_words_and_its_time(moment, locale) -> None:
    written = formats.moment(moment, locale)
    assert formats.day(moment.date(), locale) in written
    assert f"{moment:%H:%M}" in written
    assert not NUMERIC_DAY_MONTH.search(written.replace(f"{moment:%H:%M}", ""))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "maandag 7 december 2026"),
        ("en", "Monday 7 December 2026"),
    ],
)
def test_dates_in_prose(locale, expected) -> None:
    assert formats.day(date(2026, 12, 7), locale) == expected
    assert formats.moment(datetime(2026, 12, 7, 19, 30, tzinfo=UTC), locale) == f"{expected}, 19:30"
    assert formats.clock(time(9, 5), locale) == "09:05"


def test_numbers_and_lists_as_each_language_writes_them() -> None:
    assert formats.number(1234.5, "nl") == "1.234,5"
    assert formats.number(1234.5, "en") == "1,234.5"
    assert formats.one_decimal(12, "nl") == "12,0"
    assert formats.one_decimal(3.14159, "en") == "3.1"
    assert formats.items(["Sanne", "Ahmed", "Lotte"], "nl") == "Sanne, Ahmed en Lotte"
    assert formats.items(["Sanne", "Ahmed", "Lotte"], "en") == "Sanne, Ahmed and Lotte"
    assert formats.items([date(2026, 12, 7), date(2026, 12, 14)], "en") == (
        "Monday 7 December 2026 and Monday 14 December 2026"
    )


def test_identifiers_keep_their_digits() -> None:
    written = formats.localise({"id": 12345, "version": 1200, "count": 12345}, "nl")
    assert written == {"id": 12345, "version": 1200, "count": "12.345"}


# Code that writes a day and month as digits for a reader (CSV files, for machines,
# use ISO 8601, which is never read as a month first; so do calendar files and their
# names, the runtime key's day pseudonym, a keyed hash that no one reads, and the
# backup manifest's time, ISO 8601 in UTC for the operator's tools).
NUMERIC_FORMATS = re.compile(r"%d-%m|%d/%m|%m-%d|\.isoformat\(\)|format_dt\([^)]*[\"']d[\"']\)")
MACHINE_READABLE = {
    "vcpbot/services/intervisie/_attendance.py",
    "vcpbot/runtime_key.py",
    "vcpbot/services/intervisie/_calendar.py",
    "vcpbot/backup.py",
}


def test_no_code_writes_a_date_as_digits_for_a_reader() -> None:
    found = []
    for folder in ("cogs", "vcpbot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative in MACHINE_READABLE or "/emulator/" in relative:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if NUMERIC_FORMATS.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


ERRORS = {"UserError", "InvalidInput", "NotAllowed", "WrongPlace", "NotFound", "Conflict"}


def _raised_texts():
    """(where, key, parameter names) for every ``InvalidInput("key", a=..)`` in the code."""
    import ast

    for folder in ("cogs", "vcpbot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                first = node.args[0]
                if name not in ERRORS or not isinstance(first, ast.Constant):
                    continue
                if any(k.arg is None for k in node.keywords):
                    continue  # **params: checked where they are built
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                yield where, first.value, {k.arg for k in node.keywords}


def test_every_error_the_code_raises_fills_in_its_text() -> None:
    """An error names a catalog key and exactly the values its text needs (a plural
    text a ``count``): "1 people" and a KeyError in front of a student are both bugs."""
    wrong = []
    for where, key, names in _raised_texts():
        if not catalog().has(key):
            wrong.append(f"{where}: no text {key!r}")
            continue
        for locale in LOCALES:
            forms = catalog().plurals[locale].get(key)
            templates = forms.values() if forms else [catalog().entries[locale][key]]
            needed = set().union(*(Catalog.placeholders(t) for t in templates))
            if forms:
                needed.add("count")
            if needed - names:
                wrong.append(f"{where}: {key} needs {sorted(needed - names)}")
    assert sorted(set(wrong)) == []
