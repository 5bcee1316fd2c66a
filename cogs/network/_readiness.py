"""Readiness as people see it: the coordinator's table and workbook, a board's own line.

Rendering only; the lines come from ``vcpbot.services.readiness``, which never reads
anything about reports or KMTM contacts, so nothing here can show them.
"""

from __future__ import annotations

import io
from datetime import datetime

import discord

from vcpbot import limits
from vcpbot.i18n import Locale, formats, t
from vcpbot.services.disclosure import Rule
from vcpbot.services.readiness import TERM_DAYS, Acknowledgements, Readiness, RulesLine
from vcpbot.services.spreadsheet import Sheet, Value, write_xlsx


def _rules(line: RulesLine, locale: Locale) -> str:
    document = t(f"network.readiness.rules.{line.kind.value}", locale)
    if line.version_date is None:
        return t("network.readiness.rules.none", locale, document=document)
    shown = t(
        "network.readiness.rules.published",
        locale,
        document=document,
        date=formats.day(line.version_date, locale),
    )
    return f"{shown}, {_ack(line.acknowledgements, locale)}"


def _ack(acks: Acknowledgements | None, locale: Locale) -> str:
    if acks is None or not acks.enabled:
        return t("network.readiness.ack.off", locale)
    if acks.percent is None:
        return t("network.readiness.ack.small", locale)
    return t("network.readiness.ack.percent", locale, percent=acks.percent)


def line_text(line: Readiness, locale: Locale) -> str:
    """One association's line, a few short rows, in the reader's language."""
    route = "on" if line.member_route else "off"
    rows = [
        _vcps(line, locale),
        _rules(line.code_of_conduct, locale),
        _rules(line.house_rules, locale),
        " · ".join(
            (
                t(f"network.readiness.help.{'set' if line.help_contact else 'missing'}", locale),
                t(
                    f"network.readiness.panel.{'posted' if line.panel_posted else 'missing'}",
                    locale,
                ),
                t(f"network.readiness.route.{route}", locale),
            )
        ),
        _attendance(line, locale),
        _quiet(line, locale),
        _gaps(line, locale),
    ]
    return "\n".join(rows)


def _vcps(line: Readiness, locale: Locale) -> str:
    """``VCP's: 3, getraind: 2``: trained means a training that has not expired."""
    vcps = t("network.readiness.vcps", locale, count=line.vcps)
    if not line.vcps:
        return vcps
    return f"{vcps}, {t('network.readiness.trained', locale, count=line.trained)}"


def _attendance(line: Readiness, locale: Locale) -> str:
    if line.attendance_percent is None:
        return t("network.readiness.attendance.none", locale)
    return t("network.readiness.attendance", locale, percent=line.attendance_percent)


def _quiet(line: Readiness, locale: Locale) -> str:
    if line.days_quiet is None:
        return t("network.readiness.quiet.none", locale)
    return t("network.readiness.quiet", locale, count=line.days_quiet)


def _gaps(line: Readiness, locale: Locale) -> str:
    if not line.gaps:
        return t("network.readiness.gaps.none", locale)
    names = ", ".join(t(f"network.readiness.gap.{gap.value}", locale) for gap in line.gaps)
    return t("network.readiness.gaps", locale, gaps=names)


def readiness_embed(lines: list[Readiness], locale: Locale) -> discord.Embed:
    """The coordinator's view: one field per association, those needing attention first."""
    embed = discord.Embed(title=t("network.readiness.title", locale))
    if not lines:
        embed.description = t("network.readiness.empty", locale)
        return embed
    embed.description = t("network.readiness.intro", locale)
    # Room for the "more in the spreadsheet" field, within Discord's total for an embed.
    budget = limits.EMBEDS_TOTAL_MAX - len(embed.title or "") - len(embed.description) - 200
    shown = 0
    for line in lines:
        name = limits.clip(line.name, limits.FIELD_NAME_MAX)
        value = limits.clip(line_text(line, locale), limits.FIELD_VALUE_MAX)
        budget -= len(name) + len(value)
        if budget < 0 or shown == limits.EMBED_FIELDS_MAX - 1:
            break
        embed.add_field(name=name, value=value, inline=False)
        shown += 1
    if shown < len(lines):
        embed.add_field(
            name="…",
            value=t("network.readiness.more", locale, count=len(lines) - shown),
            inline=False,
        )
    return embed


def status_embed(line: Readiness, locale: Locale) -> discord.Embed:
    """A board's own line, with the next step for every gap."""
    embed = discord.Embed(
        title=limits.clip(
            t("network.setup_status.title", locale, association=line.name), limits.EMBED_TITLE_MAX
        ),
        description=line_text(line, locale),
    )
    steps = [f"• {t(f'network.readiness.next.{gap.value}', locale)}" for gap in line.gaps]
    embed.add_field(
        name=t("network.setup_status.next", locale),
        value=limits.clip(
            "\n".join(steps) or t("network.setup_status.all_done", locale),
            limits.FIELD_VALUE_MAX,
        ),
        inline=False,
    )
    embed.set_footer(text=t("network.setup_status.privacy", locale))
    return embed


COLUMNS = (
    "association",
    "vcps",
    "code_of_conduct",
    "code_of_conduct_ack",
    "house_rules",
    "house_rules_ack",
    "help_contact",
    "panel",
    "member_route",
    "attendance",
    "days_quiet",
    "gaps",
    "trained",
)


def _yes(value: bool, locale: Locale) -> str:
    return t(f"network.readiness.xlsx.{'yes' if value else 'no'}", locale)


def _sheet_rules(line: RulesLine, locale: Locale) -> tuple[Value, Value]:
    if line.version_date is None:
        return t("network.readiness.xlsx.not_published", locale), None
    acks = line.acknowledgements
    if acks is None or not acks.enabled:
        ack: Value = t("network.readiness.xlsx.off", locale)
    elif acks.percent is None:
        ack = t("network.readiness.xlsx.small", locale)
    else:
        ack = acks.percent
    return formats.day(line.version_date, locale), ack


def sheet_row(line: Readiness, locale: Locale) -> list[Value]:
    """One association in the workbook, in the order of ``COLUMNS``."""
    gaps = ", ".join(t(f"network.readiness.gap.{gap.value}", locale) for gap in line.gaps)
    return [
        line.name,
        line.vcps,
        *_sheet_rules(line.code_of_conduct, locale),
        *_sheet_rules(line.house_rules, locale),
        _yes(line.help_contact, locale),
        _yes(line.panel_posted, locale),
        _yes(line.member_route, locale),
        line.attendance_percent,
        line.days_quiet,
        gaps,
        line.trained,
    ]


def readiness_file(lines: list[Readiness], locale: Locale, now: datetime) -> discord.File:
    """The workbook: every association, the same lines as the embed."""
    sheet = Sheet(
        title=t("network.readiness.xlsx.title", locale),
        heading=(
            t("network.readiness.xlsx.title", locale),
            t("network.readiness.xlsx.as_of", locale, date=formats.day(now.date(), locale)),
        ),
        header=[t(f"network.readiness.xlsx.col.{c}", locale) for c in COLUMNS],
        rows=[sheet_row(line, locale) for line in lines],
        notes=(
            t("network.readiness.xlsx.note_ack", locale, count=Rule().k),
            t("network.readiness.xlsx.note_attendance", locale, count=TERM_DAYS),
            t("network.readiness.xlsx.note_trained", locale),
        ),
    )
    return discord.File(
        io.BytesIO(write_xlsx([sheet])),
        filename=f"readiness-{now:%Y%m%d}.xlsx",
        description=t("network.readiness.xlsx_alt", locale),
    )
