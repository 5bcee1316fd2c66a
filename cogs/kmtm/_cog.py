"""/kmtm: periods and reports (coordinator, hub), member counts and the panel
(association admins), and logging (VCPs).

A report is first shown to the coordinator alone, as a preview with "Post in
#channel" and "Cancel" (``_preview``); only the button posts it, in the hub channel
where it was asked for, for the UM team to read together. The preview is already a
release: the coordinator has seen the numbers, so the ledger records them then, and
every later report or export of the period gives the same ones. The export (a
workbook of the whole period, the table as CSV, the chart as SVG) is private to the
coordinator, who decides where the files go next.

The chart goes with the report as a 300 dpi PNG, which Discord previews and which
prints sharply; the SVG goes with the export, because Discord shows an SVG only as a
download, and whoever makes a poster or a report works from the coordinator's files.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.kmtm._audience import outsiders
from cogs.kmtm._checks import today
from cogs.kmtm._host import COG_NAME
from cogs.kmtm._logging import open_form, panel
from cogs.kmtm._preview import show_preview
from cogs.kmtm._render import export_files, periods_embed
from vcpbot import access, limits
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.db.kmtm import Dimension
from vcpbot.errors import InvalidInput, UserError
from vcpbot.i18n.translator import L
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private, text
from vcpbot.services import kmtm, network, when
from vcpbot.services.kmtm import PERIOD_NAME_MAX, PreviewBook, UndoBook

DATE_TEXT_MAX = 40
BY_CHOICES = [
    app_commands.Choice(name=L(f"kmtm.dimension.{d.value}"), value=d.value) for d in Dimension
]


class KmtmCog(commands.Cog, name=COG_NAME):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot
        # In memory only, one per process: see vcpbot.services.kmtm._undo.
        self.undo = UndoBook(window=timedelta(minutes=self.bot.settings.kmtm.undo_minutes))
        # Previews waiting for Post or Cancel, in memory only: see vcpbot.services.kmtm._preview.
        self.previews = PreviewBook()

    async def cog_load(self) -> None:
        # Every log reads who is a VCP from a kept copy (_checks.require_vcp); another
        # process that registers or removes a VCP must announce it from the start.
        self.bot.db.changes.watch(network.STANDING_TABLES)

    # No default permissions: VCPs, admins and the coordinator each use part of it,
    # and every command checks who may act.
    kmtm_group = app_commands.Group(
        name=L("cmd.kmtm.name"), description=L("cmd.kmtm.description"), guild_only=True
    )
    period = app_commands.Group(
        name=L("cmd.kmtm.period.name"),
        description=L("cmd.kmtm.period.description"),
        parent=kmtm_group,
    )

    # --- periods (coordinator) -------------------------------------------------------

    @access.audience(Audience.COORDINATOR)
    @period.command(
        name=L("cmd.kmtm.period.create.name"), description=L("cmd.kmtm.period.create.description")
    )
    @app_commands.describe(
        name=L("cmd.kmtm.period.param_name"),
        start=L("cmd.kmtm.period.start"),
        end=L("cmd.kmtm.period.end"),
    )
    @app_commands.rename(
        name=L("cmd.kmtm.opt.name"), start=L("cmd.kmtm.opt.start"), end=L("cmd.kmtm.opt.end")
    )
    async def period_create(
        self,
        interaction: Interaction,
        name: app_commands.Range[str, 1, PERIOD_NAME_MAX],
        start: app_commands.Range[str, 1, DATE_TEXT_MAX],
        end: app_commands.Range[str, 1, DATE_TEXT_MAX],
    ) -> None:
        day = today(self.bot)
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            created = await kmtm.create_period(
                session,
                name=name,
                start_date=when.parse_date(start, today=day),
                end_date=when.parse_date(end, today=day),
            )
        await send_private(
            interaction,
            text(
                interaction,
                "kmtm.period.created",
                name=created.name,
                start=created.start_date,
                end=created.end_date,
                late_until=created.late_until(self.bot.settings.kmtm.grace_days),
            ),
        )

    @access.audience(Audience.COORDINATOR)
    @period.command(
        name=L("cmd.kmtm.period.close.name"), description=L("cmd.kmtm.period.close.description")
    )
    @app_commands.describe(name=L("cmd.kmtm.period.which"))
    @app_commands.rename(name=L("cmd.kmtm.opt.name"))
    async def period_close(self, interaction: Interaction, name: str) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            closed = await kmtm.close_period(
                session, name=name, now=self.bot.clock(), zone=self.bot.settings.zone
            )
        await send_private(
            interaction, text(interaction, "kmtm.period.closed_now", name=closed.name)
        )

    @access.audience(Audience.COORDINATOR)
    @period.command(
        name=L("cmd.kmtm.period.list.name"), description=L("cmd.kmtm.period.list.description")
    )
    async def period_list(self, interaction: Interaction) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            periods = await kmtm.list_periods(session)
        embed = periods_embed(
            periods,
            today(self.bot),
            locale_of(interaction),
            grace_days=self.bot.settings.kmtm.grace_days,
        )
        await send_private(interaction, embed=embed)

    # --- member counts and the panel (association admins) -----------------------------

    def _admin(self, interaction: Interaction) -> int:
        """Default permissions are only a hint a guild can change: check every time."""
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        return guild_id

    @access.audience(Audience.NETWORK_BOARD)
    @kmtm_group.command(
        name=L("cmd.kmtm.members.name"), description=L("cmd.kmtm.members.description")
    )
    @app_commands.describe(period=L("cmd.kmtm.period.which"), count=L("cmd.kmtm.members.count"))
    @app_commands.rename(period=L("cmd.kmtm.opt.period"), count=L("cmd.kmtm.opt.count"))
    async def members(self, interaction: Interaction, period: str, count: int) -> None:
        guild_id = self._admin(interaction)
        async with self.bot.db.sessions.begin() as session:
            saved = await kmtm.set_member_count(
                session, guild_id=guild_id, period_name=period, members=count
            )
        await send_private(
            interaction,
            text(
                interaction,
                "kmtm.members.saved",
                association=saved.association_name,
                count=saved.members,
                period=saved.period_name,
            ),
        )

    @access.audience(Audience.NETWORK_BOARD)
    @kmtm_group.command(name=L("cmd.kmtm.panel.name"), description=L("cmd.kmtm.panel.description"))
    async def post_panel(self, interaction: Interaction) -> None:
        guild_id = self._admin(interaction)
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise InvalidInput("kmtm.error.panel_channel")
        async with self.bot.db.sessions.begin() as session:
            association = await network.require_in_network(session, guild_id=guild_id)
            vcp_ids = {v.user_id for v in await network.vcps_of(session, guild_id=guild_id)}
        embed, view = panel(association.name)
        mention = getattr(channel, "mention", "")
        bot_may = interaction.app_permissions
        if not (bot_may.view_channel and bot_may.send_messages and bot_may.embed_links):
            raise InvalidInput("kmtm.error.panel_forbidden", channel=mention)
        try:
            await channel.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            raise InvalidInput("kmtm.error.panel_forbidden", channel=mention) from None
        reply = text(interaction, "kmtm.panel.posted", channel=mention)
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            others = outsiders(channel, vcp_role_id=association.vcp_role_id, vcp_ids=vcp_ids)
            if others:
                reply += "\n\n" + text(
                    interaction, "kmtm.panel.visible", channel=mention, who=others
                )
        await send_private(interaction, reply)

    # --- logging (VCPs) -------------------------------------------------------------

    @access.audience(Audience.VCPS)
    @kmtm_group.command(name=L("cmd.kmtm.log.name"), description=L("cmd.kmtm.log.description"))
    async def log_contact(self, interaction: Interaction) -> None:
        await open_form(interaction)

    # --- reports (coordinator) --------------------------------------------------------

    def _asked(self, period: str, by: str) -> dict[str, Any]:
        """A release request with the deployment's settings."""
        settings = self.bot.settings.kmtm
        return {
            "period_name": period,
            "dimension": by,
            "k": settings.k,
            "min_contributors": settings.min_contributors,
            "round_to_5": settings.round_to_5,
            "year_periods": settings.year_periods,
            "now": self.bot.clock(),
            "zone": self.bot.settings.zone,
        }

    async def _release(self, interaction: Interaction, period: str, by: str) -> kmtm.Report:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            return await kmtm.report(session, **self._asked(period, by))

    async def _release_all(
        self, interaction: Interaction, period: str, by: str
    ) -> list[kmtm.Report]:
        """Every breakdown of the period (and the year table when that is asked for)."""
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            return await kmtm.period_reports(session, **self._asked(period, by))

    @access.audience(Audience.COORDINATOR)
    @kmtm_group.command(
        name=L("cmd.kmtm.report.name"), description=L("cmd.kmtm.report.preview_description")
    )
    @app_commands.describe(period=L("cmd.kmtm.period.which"), by=L("cmd.kmtm.report.by"))
    @app_commands.choices(by=BY_CHOICES)
    @app_commands.rename(period=L("cmd.kmtm.opt.period"), by=L("cmd.kmtm.opt.by"))
    async def report(
        self, interaction: Interaction, period: str, by: app_commands.Choice[str]
    ) -> None:
        released = await self._release(interaction, period, by.value)
        # Checked and released before answering; drawing the chart can take a moment.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await show_preview(interaction, released)

    @access.audience(Audience.COORDINATOR)
    @kmtm_group.command(
        name=L("cmd.kmtm.export.name"), description=L("cmd.kmtm.export.files_description")
    )
    @app_commands.describe(period=L("cmd.kmtm.period.which"), by=L("cmd.kmtm.report.by"))
    @app_commands.choices(by=BY_CHOICES)
    @app_commands.rename(period=L("cmd.kmtm.opt.period"), by=L("cmd.kmtm.opt.by"))
    async def export(
        self, interaction: Interaction, period: str, by: app_commands.Choice[str]
    ) -> None:
        reports = await self._release_all(interaction, period, by.value)
        await interaction.response.defer(ephemeral=True, thinking=True)
        locale = locale_of(interaction)
        [asked] = [r for r in reports if r.dimension.value == by.value]
        files = await asyncio.to_thread(export_files, reports, asked, locale)
        await send_private(
            interaction,
            text(interaction, "kmtm.export.files", period=asked.period_name),
            files=files,
        )

    # --- period names as you type ---------------------------------------------------

    @period_close.autocomplete("name")
    @report.autocomplete("period")
    @export.autocomplete("period")
    @members.autocomplete("period")
    async def _period_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        command = interaction.command.name if interaction.command else ""
        try:
            async with self.bot.db.sessions.begin() as session:
                if command == "members":  # association admins, in their own server
                    access.in_association_guild(interaction)
                    access.require_manage_guild(interaction)
                else:  # periods, reports and exports are the coordinator's alone
                    await access.require_coordinator(interaction, session)
                periods = await kmtm.list_periods(session)
        except UserError:
            return []
        if command in ("report", "export"):
            periods = [p for p in periods if p.closed]
        elif command == "close":
            periods = [p for p in periods if not p.closed]
        wanted = current.strip().casefold()
        return [
            app_commands.Choice(name=p.name, value=p.name)
            for p in periods
            if wanted in p.name.casefold()
        ][: limits.AUTOCOMPLETE_CHOICES_MAX]
