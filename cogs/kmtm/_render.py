"""Periods and releases as people see them: embeds, the table, the export's files."""

from __future__ import annotations

import io
import re
from datetime import date

import discord

from vcpbot import limits
from vcpbot.db.kmtm import Dimension
from vcpbot.i18n import Locale, t
from vcpbot.services import kmtm
from vcpbot.services.kmtm import (
    NO_RATE,
    PeriodView,
    Report,
    format_rate,
    heading,
    notes,
    row_label,
    row_shown,
    shown,
    title,
)

# An embed description holds 4096 characters; the rest is for the heading, the code
# fence and a note.
TABLE_MAX = 3700


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


def report_embed(report: Report, locale: Locale, *, image: str | None) -> discord.Embed:
    body = table(report, locale)
    if len(body) > TABLE_MAX:
        body = body[: body.rfind("\n", 0, TABLE_MAX)] + "\n…"
        extra = "\n" + t("kmtm.report.table_cut", locale)
    else:
        extra = ""
    above = discord.utils.escape_markdown(" · ".join(heading(report, locale)))
    embed = discord.Embed(
        title=title(report, locale),
        description=f"{above}\n```\n{body}\n```{extra}",
        colour=discord.Colour.teal(),
    )
    embed.add_field(
        name=t("kmtm.report.notes_title", locale),
        value="\n".join(notes(report, locale))[: limits.FIELD_VALUE_MAX],
    )
    if image is not None:
        embed.set_image(url=f"attachment://{image}")
    return embed


def file_name(report: Report, extension: str, *, whole_period: bool = False) -> str:
    """``kmtm-2026-category.png``: ASCII, from the period's name and the breakdown
    (``kmtm-2026.xlsx`` for the whole period)."""
    slug = re.sub(r"[^a-z0-9]+", "-", report.period_name.casefold()).strip("-") or "period"
    if whole_period:
        return f"{slug}.{extension}"
    return f"{slug}-{report.dimension.value.replace('_', '-')}.{extension}"


def export_files(reports: list[Report], asked: Report, locale: Locale) -> list[discord.File]:
    """The export: the workbook of the period, the asked table as CSV, its chart as SVG.

    Each file carries a description (Discord's alt text) in the coordinator's language.
    """
    workbook = kmtm.export_xlsx(reports, locale=locale, active=asked.dimension)
    return [
        discord.File(
            io.BytesIO(workbook),
            filename=file_name(asked, "xlsx", whole_period=True),
            description=t("kmtm.export.xlsx_alt", locale, period=asked.period_name),
        ),
        discord.File(
            io.BytesIO(kmtm.export_csv(asked, locale=locale)),
            filename=file_name(asked, "csv"),
            description=t("kmtm.export.csv_alt", locale, title=title(asked, locale)),
        ),
        discord.File(
            io.BytesIO(kmtm.render_svg(asked, locale=locale)),
            filename=file_name(asked, "svg"),
            description=kmtm.alt_text(asked, locale=locale),
        ),
    ]
