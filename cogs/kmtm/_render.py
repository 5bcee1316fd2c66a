"""Periods and releases as people see them: embeds, the table, file names."""

from __future__ import annotations

import re
from datetime import date

import discord

from vcpbot.db.kmtm import Dimension
from vcpbot.i18n import Locale, t
from vcpbot.services.disclosure import Marker
from vcpbot.services.kmtm import PeriodView
from vcpbot.services.kmtm_report import (
    Report,
    format_rate,
    released_otherwise,
    row_label,
    row_shown,
    shown,
)

# An embed description holds 4096 characters; the rest is for the code fence and a note.
TABLE_MAX = 3900
NO_RATE = "–"


def periods_embed(
    periods: list[PeriodView], today: date, locale: Locale, *, grace_days: int
) -> discord.Embed:
    lines = [
        t(
            "kmtm.period.line",
            locale,
            name=discord.utils.escape_markdown(p.name),
            start=p.start_date,
            end=p.end_date,
            status=t(
                f"kmtm.period.status.{p.status(today, grace_days=grace_days).value}",
                locale,
                until=p.late_until(grace_days),
            ),
        )
        for p in periods
    ]
    return discord.Embed(
        title=t("kmtm.period.list_title", locale),
        description="\n".join(lines) if lines else t("kmtm.period.none", locale),
        colour=discord.Colour.teal(),
    )


def table(report: Report, locale: Locale) -> str:
    """The published numbers as a fixed-width table; hidden cells show the marker.

    Numbers come first and labels last, so on a narrow screen a long label wraps at
    the end of its line instead of pushing its number onto the next one.
    """
    year = report.dimension is Dimension.YEAR
    header = [t("kmtm.report.count_axis", locale)]
    if year:
        header.append(t("kmtm.report.rate_column", locale))
    header.append(t(f"kmtm.dimension.{report.dimension.value}", locale))
    rows = []
    for row in report.rows:
        cells = [row_shown(report, row, locale)]
        if year:
            rate = row.rate_per_1000
            cells.append(NO_RATE if rate is None else format_rate(rate, locale))
        # A backtick in an association's name would end the code block early.
        rows.append([*cells, row_label(report, row, locale).replace("`", "'")])
    footer = None
    if report.total is not None:
        footer = [shown(report, report.total, locale), t("kmtm.report.total", locale)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    if footer:
        widths[0] = max(widths[0], len(footer[0]))

    def line(cells: list[str]) -> str:
        numbers = [cell.rjust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
        return "  ".join([*numbers, cells[-1]])

    rule = "  ".join("-" * width for width in widths) + "  " + "-" * len(header[-1])
    lines = [line(header), rule, *(line(r) for r in rows)]
    if footer:
        lines += [rule, line(footer)]
    return "\n".join(lines)


def notes(report: Report, locale: Locale) -> list[str]:
    """How to read the table: the marker, the rule, rounding, the release date."""
    found = [t("kmtm.marker.legend", locale, k=report.k)]
    if report.total is Marker.SUPPRESSED:
        found.append(
            t("kmtm.marker.total_legend", locale, min_contributors=report.min_contributors)
        )
    by_whole = report.dimension in (Dimension.ASSOCIATION, Dimension.YEAR)
    key = "kmtm.report.rule_association" if by_whole else "kmtm.report.rule"
    found.append(t(key, locale, k=report.k, min_contributors=report.min_contributors))
    if any(
        isinstance(r.value, int) and r.rate_per_1000 is None
        for r in report.rows
        if report.dimension is Dimension.YEAR
    ):
        found.append(f"{NO_RATE}: {t('kmtm.report.no_rate', locale)}")
    if report.rounded:
        found.append(t("kmtm.report.rounded", locale))
    earlier = released_otherwise(report, locale)
    if earlier:
        found.append(t("kmtm.report.year_as_released", locale, periods=earlier))
    found.append(t("kmtm.report.released", locale, date=report.released_on))
    if report.settings_differ:
        found.append(t("kmtm.report.earlier_settings", locale))
    return found


def report_embed(report: Report, locale: Locale, *, image: str | None) -> discord.Embed:
    body = table(report, locale)
    if len(body) > TABLE_MAX:
        body = body[: body.rfind("\n", 0, TABLE_MAX)] + "\n…"
        extra = "\n" + t("kmtm.report.table_cut", locale)
    else:
        extra = ""
    embed = discord.Embed(
        title=t(f"kmtm.report.title.{report.dimension.value}", locale, period=report.period_name),
        description=f"```\n{body}\n```{extra}",
        colour=discord.Colour.teal(),
    )
    embed.add_field(
        name=t("kmtm.report.notes_title", locale), value="\n".join(notes(report, locale))[:1024]
    )
    if image is not None:
        embed.set_image(url=f"attachment://{image}")
    return embed


def file_name(report: Report, extension: str) -> str:
    """``kmtm-2026-category.png``: ASCII, from the period's name and the breakdown."""
    slug = re.sub(r"[^a-z0-9]+", "-", report.period_name.casefold()).strip("-") or "period"
    return f"{slug}-{report.dimension.value.replace('_', '-')}.{extension}"
