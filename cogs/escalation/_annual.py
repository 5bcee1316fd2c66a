"""``/cases report year:``: the UM team's yearly figures, privately, as a table, chart and workbook.

For the team and the coordinator, in the hub only. The first report of a year is
its release (``vcpbot.services.escalation.year_figures``): the numbers are recorded
and every later report shows the same ones. The reply is ephemeral from the first
response and goes to the person who asked, in their language; they decide where the
files go next. The numbers come first (read only after the check), the chart and
the workbook are drawn off the event loop.
"""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from vcpbot import access, limits
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import YearFigures

YEAR_MIN, YEAR_MAX = 2020, 2100


class CaseReportCog(commands.Cog, name="CaseReportCog"):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot

    cases = app_commands.Group(
        name=L("cmd.cases.name"), description=L("cmd.cases.description"), guild_only=True
    )

    @access.audience(Audience.TEAM)
    @cases.command(name=L("cmd.cases.report.name"), description=L("cmd.cases.report.description"))
    @app_commands.describe(year=L("cmd.cases.report.year"))
    @app_commands.rename(year=L("cmd.cases.opt.year"))
    async def report(
        self, interaction: Interaction, year: app_commands.Range[int, YEAR_MIN, YEAR_MAX]
    ) -> None:
        settings = self.bot.settings.kmtm
        async with self.bot.db.sessions.begin() as session:
            await access.require_team(interaction, session)
            figures = await escalation.year_figures(
                session,
                year=year,
                k=settings.k,
                min_contributors=settings.min_contributors,
                round_to_5=settings.round_to_5,
                now=self.bot.clock(),
                zone=self.bot.settings.zone,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        locale = locale_of(interaction)
        files = await asyncio.to_thread(_files, figures, locale)
        await send_private(
            interaction,
            t("casereport.files", locale),
            embed=figures_embed(figures, locale),
            files=files,
        )


def figures_embed(figures: YearFigures, locale: Locale) -> discord.Embed:
    """Each breakdown as a small fixed-width table; the notes below."""
    parts = [discord.utils.escape_markdown(escalation.figures_total_line(figures, locale))]
    for table in figures.tables:
        lines = escalation.figures_table_lines(figures, table, locale)
        name = escalation.figures_breakdown_name(table.breakdown, locale)
        parts.append(f"**{name}**\n```\n" + "\n".join(lines) + "\n```")
    embed = discord.Embed(
        title=escalation.figures_title(figures, locale),
        description="\n".join(parts)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.teal(),
    )
    for n, value in enumerate(_packed(escalation.figures_notes(figures, locale))):
        embed.add_field(
            name=t("kmtm.report.notes_title", locale) if n == 0 else "\u200b", value=value
        )
    embed.set_image(url=f"attachment://{_name(figures, 'png')}")
    return embed


def _packed(notes: list[str]) -> list[str]:
    """The notes in as few fields as fit Discord's field limit, never cut mid-note."""
    fields: list[str] = []
    for whole in notes:
        note = whole[: limits.FIELD_VALUE_MAX]
        if fields and len(fields[-1]) + 1 + len(note) <= limits.FIELD_VALUE_MAX:
            fields[-1] += "\n" + note
        else:
            fields.append(note)
    return fields


def _name(figures: YearFigures, extension: str) -> str:
    return f"cases-{figures.year}.{extension}"


def _files(figures: YearFigures, locale: Locale) -> list[discord.File]:
    return [
        discord.File(
            io.BytesIO(escalation.figures_png(figures, locale=locale)),
            filename=_name(figures, "png"),
            description=escalation.figures_alt_text(figures, locale=locale),
        ),
        discord.File(
            io.BytesIO(escalation.figures_xlsx(figures, locale=locale)),
            filename=_name(figures, "xlsx"),
            description=t("casereport.xlsx_alt", locale, year=figures.year),
        ),
    ]
