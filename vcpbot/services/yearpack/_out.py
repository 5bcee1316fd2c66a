"""The year pack in words and as one workbook: the summary lines and a sheet per part.

Shows only what the releases publish: a hidden count is KMTM's marker, a share is
"too few to show" unless both of its numbers are published, trained VCPs "not
tracked yet" while training is not tracked, and a KMTM period without a release
"not released". The KMTM and case sheets are those of ``/kmtm export`` and
``/cases report``, so the same release reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import replace

from vcpbot.i18n import Locale, t
from vcpbot.services import escalation, kmtm
from vcpbot.services.disclosure import Marker
from vcpbot.services.spreadsheet import Sheet, Value, write_xlsx
from vcpbot.services.yearpack._types import Attendance, KmtmPeriodPack, YearPack


def title(pack: YearPack, locale: Locale) -> str:
    """The heading: which year."""
    return t("yearpack.title", locale, year=pack.year)


def count_text(value: int | Marker | None, k: int, locale: Locale) -> str:
    """A count as released: the number, KMTM's marker, "fewer than k", or "not tracked yet"."""
    if value is None:
        return t("yearpack.not_tracked", locale)
    if value is Marker.FEWER_THAN_K:
        return t("kmtm.report.fewer_than", locale, k=k)
    if isinstance(value, Marker):
        return t("kmtm.marker", locale)
    return str(value)


def share_text(attendance: Attendance, locale: Locale) -> str:
    """Attended as a share of the recorded invitations, or "too few to show"."""
    if attendance.share_percent is None:
        return t("yearpack.share_hidden", locale)
    return t("yearpack.share", locale, percent=attendance.share_percent)


def kmtm_total(entry: KmtmPeriodPack, locale: Locale) -> str:
    """A period's released total, or "not released"."""
    if entry.reports is None:
        return t("yearpack.kmtm.not_released", locale)
    report = entry.reports[0]
    return kmtm.shown(report, report.total, locale)


def summary(pack: YearPack, locale: Locale) -> list[str]:
    """The short message: one line per part, the same numbers as the workbook."""
    network, coverage, attendance = pack.network, pack.coverage, pack.attendance
    k = attendance.k
    lines = [
        t(
            "yearpack.summary.network",
            locale,
            associations=network.associations,
            vcps=network.vcps,
            trained=count_text(network.trained_vcps, k, locale),
        ),
        t(
            "yearpack.summary.intervisie",
            locale,
            sessions=attendance.sessions,
            invited=count_text(attendance.invited, k, locale),
            share=share_text(attendance, locale),
        ),
        t(
            "yearpack.summary.rules",
            locale,
            code=coverage.code_of_conduct,
            house=coverage.house_rules,
            associations=coverage.associations,
        ),
    ]
    if not pack.kmtm:
        lines.append(t("yearpack.summary.kmtm_none", locale))
    for entry in pack.kmtm:
        shown = kmtm_total(entry, locale)
        lines.append(t("yearpack.summary.kmtm", locale, period=_kmtm_name(entry), total=shown))
    lines.append(escalation.figures_total_line(pack.cases, locale))
    return lines


def notes(pack: YearPack, locale: Locale) -> list[str]:
    """How to read the pack: the markers, the registry at the year's end, the releases."""
    attendance = pack.attendance
    found = [
        t("kmtm.marker.legend", locale, k=attendance.k),
        t("yearpack.note.registry", locale, year=pack.year),
        t("yearpack.note.attendance", locale, k=attendance.k),
        t("yearpack.note.kmtm", locale),
        t("yearpack.note.cases", locale),
        t("kmtm.report.released", locale, date=attendance.released_on),
    ]
    if pack.network.trained_vcps is None:
        found.insert(2, t("yearpack.note.training", locale))
    return found


# --- the workbook ------------------------------------------------------------


def export_xlsx(pack: YearPack, *, locale: Locale) -> bytes:
    """One workbook: network, intervisie, rules, KMTM (an index and each release), cases."""
    sheets = [_network(pack, locale), _intervisie(pack, locale), _rules(pack, locale)]
    sheets.append(_kmtm_index(pack, locale))
    for entry in pack.kmtm:
        if entry.reports is None:
            continue
        for sheet in kmtm.export_sheets(entry.reports, locale=locale):
            sheets.append(replace(sheet, title=f"{_kmtm_name(entry)} {sheet.title}"))
    cases = t("yearpack.sheet.cases", locale)
    for sheet in escalation.figures_sheets(pack.cases, locale=locale):
        sheets.append(replace(sheet, title=f"{cases} {sheet.title}"))
    return write_xlsx(sheets)


def _kmtm_name(entry: KmtmPeriodPack) -> str:
    """The period's name, with "KMTM" before it unless the name already says so."""
    name = entry.period.name
    return name if "kmtm" in name.casefold() else f"KMTM {name}"


def _value(value: int | Marker | None, k: int, locale: Locale) -> Value:
    return value if isinstance(value, int) else count_text(value, k, locale)


def _sheet(pack: YearPack, part: str, rows: list[list[Value]], locale: Locale) -> Sheet:
    name = t(f"yearpack.sheet.{part}", locale)
    return Sheet(
        title=name,
        heading=[title(pack, locale), name],
        header=[t("yearpack.column.what", locale), t("yearpack.column.value", locale)],
        rows=rows,
        notes=notes(pack, locale),
    )


def _network(pack: YearPack, locale: Locale) -> Sheet:
    network = pack.network
    rows: list[list[Value]] = [
        [t("yearpack.row.associations", locale), network.associations],
        [t("yearpack.row.vcps", locale), network.vcps],
        [
            t("yearpack.row.trained", locale),
            _value(network.trained_vcps, pack.attendance.k, locale),
        ],
    ]
    return _sheet(pack, "network", rows, locale)


def _intervisie(pack: YearPack, locale: Locale) -> Sheet:
    a, k = pack.attendance, pack.attendance.k
    share: Value = a.share_percent if a.share_percent is not None else share_text(a, locale)
    rows: list[list[Value]] = [
        [t("yearpack.row.sessions", locale), a.sessions],
        [t("yearpack.row.invited", locale), _value(a.invited, k, locale)],
        [t("yearpack.row.attended", locale), _value(a.attended, k, locale)],
        [t("yearpack.row.absent", locale), _value(a.absent, k, locale)],
        [t("yearpack.row.not_recorded", locale), _value(a.not_recorded, k, locale)],
        [t("yearpack.row.share", locale), share],
    ]
    return _sheet(pack, "intervisie", rows, locale)


def _rules(pack: YearPack, locale: Locale) -> Sheet:
    c = pack.coverage
    rows: list[list[Value]] = [
        [t("yearpack.row.associations", locale), c.associations],
        [t("yearpack.row.code_of_conduct", locale), c.code_of_conduct],
        [t("yearpack.row.house_rules", locale), c.house_rules],
        [t("yearpack.row.both", locale), c.both],
    ]
    return _sheet(pack, "rules", rows, locale)


def _kmtm_index(pack: YearPack, locale: Locale) -> Sheet:
    rows: list[list[Value]] = []
    for entry in pack.kmtm:
        total: Value = kmtm_total(entry, locale)
        if entry.reports is not None and isinstance(entry.reports[0].total, int):
            total = entry.reports[0].total
        rows.append([entry.period.name, total])
    if not rows:
        rows.append([t("yearpack.summary.kmtm_none", locale), None])
    sheet = _sheet(pack, "kmtm", rows, locale)
    return replace(
        sheet, header=[t("yearpack.column.period", locale), t("yearpack.column.total", locale)]
    )
