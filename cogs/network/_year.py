"""``/network year year:``: the year in one pack, for the coordinator, privately.

Discord glue only: the figures come from ``vcpbot.services.yearpack`` (release-safe,
through the ledgers), read after the coordinator check; the workbook is written off
the event loop; the reply is ephemeral from the first response, in the reader's
language, and the coordinator decides where the file goes next.
"""

from __future__ import annotations

import asyncio
import io

import discord

from vcpbot import access, limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import yearpack
from vcpbot.services.yearpack import YearPack


async def send_year_pack(bot: Bot, interaction: Interaction, year: int) -> None:
    """Check, gather (releasing what was not released yet), then answer privately."""
    settings = bot.settings.kmtm
    async with bot.db.sessions.begin() as session:
        await access.require_coordinator(interaction, session)
        pack = await yearpack.year_pack(
            session,
            year=year,
            k=settings.k,
            min_contributors=settings.min_contributors,
            round_to_5=settings.round_to_5,
            now=bot.clock(),
            zone=bot.settings.zone,
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    locale = locale_of(interaction)
    data = await asyncio.to_thread(yearpack.export_xlsx, pack, locale=locale)
    await send_private(
        interaction,
        t("yearpack.files", locale),
        embed=year_embed(pack, locale),
        file=discord.File(
            io.BytesIO(data),
            filename=f"year-{pack.year}.xlsx",
            description=t("yearpack.xlsx_alt", locale, year=pack.year),
        ),
    )


def year_embed(pack: YearPack, locale: Locale) -> discord.Embed:
    """The summary: one line per part, then how to read it."""
    lines = [discord.utils.escape_markdown(line) for line in yearpack.summary(pack, locale)]
    embed = discord.Embed(
        title=limits.clip(yearpack.title(pack, locale), limits.EMBED_TITLE_MAX),
        description=limits.clip(
            t("yearpack.intro", locale, year=pack.year) + "\n\n" + "\n".join(lines),
            limits.EMBED_DESCRIPTION_MAX,
        ),
        colour=discord.Colour.teal(),
    )
    fields: list[str] = []
    for whole in yearpack.notes(pack, locale):  # as few fields as fit, never cut mid-note
        note = limits.clip(whole, limits.FIELD_VALUE_MAX)
        if fields and len(fields[-1]) + 1 + len(note) <= limits.FIELD_VALUE_MAX:
            fields[-1] += "\n" + note
        else:
            fields.append(note)
    for n, value in enumerate(fields):
        name = t("kmtm.report.notes_title", locale) if n == 0 else "\u200b"
        embed.add_field(name=name, value=value, inline=False)
    return embed
