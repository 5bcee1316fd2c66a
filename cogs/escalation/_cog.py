"""Slash commands and timers of anonymous escalation: /report, /my-case, /open-cases, and the
board's /anonymous-contact (Dutch clients: /melden, /mijn-melding, /open-meldingen,
/anoniem-contact; docs/style-nl.md says why)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.escalation._access import acting_handler, require_association_guild
from cogs.escalation._cards import case_list
from cogs.escalation._follow import open_by_receipt
from cogs.escalation._hub import tell_hub
from cogs.escalation._ids import SESSION_ID, OpenSessions
from cogs.escalation._outbox import Courier
from cogs.escalation._report import panel_message, start_report
from cogs.escalation._reporter import for_reporter
from vcpbot import access
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import InvalidInput
from vcpbot.i18n import t
from vcpbot.i18n.translator import L
from vcpbot.interactions import (
    NO_MENTIONS,
    locale_of,
    send_private,
    text,
    worded,
)
from vcpbot.logs import safe_traceback
from vcpbot.runtime_key import directory_problems
from vcpbot.services import escalation, network
from vcpbot.services.escalation import EscalationConfig, EscalationUnavailable

log = logging.getLogger(__name__)

JOB_OUTBOX = "escalation:outbox"
JOB_NUDGES = "escalation:nudges"
JOB_UPKEEP = "escalation:upkeep"
JOB_UPKEEP_SOON = "escalation:upkeep-after-start"
# What another process says to the leader when it queued outbox rows (vcpbot.leadership).
WAKE_OUTBOX = "outbox"
NUDGE_INTERVAL_S = 120.0  # the urgent clock counts hours; a nudge a few minutes late is fine
UPKEEP_INTERVAL_S = 24 * 60 * 60.0
UPKEEP_AFTER_START_S = 60.0  # a bot restarted often must still purge on time


class EscalationCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot
        self.sessions = OpenSessions()
        self.config: EscalationConfig | None
        # Why anonymous reporting is off (a catalog key for the hub's log), once said.
        self.unavailable: str | None = None
        try:
            self.config = EscalationConfig.from_settings(self.bot.settings)
        except EscalationUnavailable as exc:
            # Loaded all the same, so every command can say so calmly.
            self.config = None
            why = exc.__cause__ or "escalation keys are not configured"
            log.warning("%s: anonymous escalation is unavailable", why)
            cause = "runtime" if exc.__cause__ is not None else "keys"
            self.unavailable = f"escalation.log.unavailable_{cause}"
        else:
            for problem in directory_problems(self.bot.settings.runtime_directory):
                log.warning("%s", problem)
        self.courier = Courier(self) if self.config is not None else None
        self._waking: set[asyncio.Task[None]] = set()

    def require_config(self) -> EscalationConfig:
        if self.config is None:
            raise EscalationUnavailable()
        return self.config

    def kick(self) -> None:
        """Deliver what a commit just queued (cards, notices) now, not at the next tick.

        Only the leading process delivers, so the outbox has one worker; another
        process wakes the leader instead.
        """
        if self.courier is None:
            return
        if self.bot.leads:
            self.courier.kick()
            return
        task = asyncio.get_running_loop().create_task(self.bot.wake_leader(WAKE_OUTBOX))
        self._waking.add(task)
        task.add_done_callback(self._waking.discard)

    # --- timers ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        if self.config is None:
            return
        # The jobs fire only while this process leads (vcpbot.leadership).
        scheduler = self.bot.scheduler
        poll = self.bot.settings.escalation.outbox_poll_seconds
        scheduler.every(JOB_OUTBOX, poll, self._outbox_tick)
        scheduler.every(JOB_NUDGES, NUDGE_INTERVAL_S, self.check_overdue)
        scheduler.every(JOB_UPKEEP, UPKEEP_INTERVAL_S, self.upkeep)
        if self.bot.leads:
            await self.lead_taken()

    async def lead_taken(self) -> None:
        """This process now leads: the outbox, nudges and retention are its work."""
        if self.config is None:
            await self.say_unavailable()
            return
        self.bot.scheduler.at(
            JOB_UPKEEP_SOON,
            datetime.now(UTC) + timedelta(seconds=UPKEEP_AFTER_START_S),
            self.upkeep,
        )
        if self.courier is not None:
            self.courier.take_over()
        self.kick()

    async def lead_lost(self) -> None:
        # At once: the next leader releases and takes over the rows this process leased.
        if self.courier is not None:
            await self.courier.stop()

    async def leader_woken(self, topic: str) -> None:
        if topic == WAKE_OUTBOX:
            self.kick()

    async def cog_unload(self) -> None:
        for job in (JOB_OUTBOX, JOB_NUDGES, JOB_UPKEEP, JOB_UPKEEP_SOON):
            self.bot.scheduler.cancel(job)
        if self.courier is not None:
            await self.courier.stop()
        for task in list(self._waking):
            task.cancel()

    async def _outbox_tick(self) -> None:
        if self.courier is not None:
            self.courier.tick()

    async def check_overdue(self) -> None:
        """Scheduled every few minutes: nudge whoever holds a case past its clock."""
        try:
            async with self.bot.db.sessions.begin() as session:
                nudged = await escalation.queue_overdue_nudges(
                    session, config=self.require_config(), now=self.bot.clock()
                )
        except Exception as exc:  # the next run tries again
            log.error("escalation: overdue check failed\n%s", safe_traceback(exc))
            return
        if nudged:
            self.kick()

    async def upkeep(self) -> None:
        """Scheduled daily: purge what outlived retention, nudge, look for patterns."""
        try:
            async with self.bot.db.sessions.begin() as session:
                done = await escalation.daily_upkeep(
                    session, config=self.require_config(), now=self.bot.clock()
                )
            if done.purged.cases:
                await escalation.compact_sqlite(self.bot.db)
        except Exception as exc:  # the next run tries again
            log.error("escalation: daily upkeep failed\n%s", safe_traceback(exc))
            return
        self.kick()

    async def say_unavailable(self) -> None:
        """Once per start, the leader tells the hub's log channel why reporting is off; a
        reporter is only told to go elsewhere (``_reporter``)."""
        if self.unavailable is None or not self.bot.leads or not self.bot.is_ready():
            return
        key, self.unavailable = self.unavailable, None
        await tell_hub(self.bot, t(key, self.bot.settings.default_locale))

    @commands.Cog.listener()
    async def on_escalation_outbox(self) -> None:
        """Another cog queued escalation work in its own commit (``bot.dispatch``): deliver
        it now rather than at the next sweep, without the cogs importing each other."""
        self.kick()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.leads:
            self.kick()  # whatever waited while the bot was away
            await self.say_unavailable()

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """A press or form from a conversation this process no longer holds: say so."""
        if interaction.type not in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        ):
            return
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        match = SESSION_ID.fullmatch(custom_id)
        if match is None or self.sessions.is_open(match["token"]):
            return
        if interaction.response.is_done():
            return
        try:
            await send_private(interaction, text(interaction, "escalation.error.expired"))
        except discord.HTTPException as exc:
            log.info("could not tell someone their form had expired (HTTP %s)", exc.status)

    # --- the reporter ------------------------------------------------------------------

    @access.audience(Audience.REPORTERS)
    @worded(for_reporter)
    @app_commands.command(name=L("cmd.report.name"), description=L("cmd.report.description"))
    @app_commands.guild_only()
    async def report(self, interaction: Interaction) -> None:
        await start_report(interaction, self)

    @access.audience(Audience.EVERYONE)
    @worded(for_reporter)
    @app_commands.command(name=L("cmd.my_case.name"), description=L("cmd.my_case.description"))
    @app_commands.describe(receipt=L("cmd.my_case.receipt"))
    @app_commands.rename(receipt=L("cmd.my_case.opt.receipt"))
    async def my_case(
        self, interaction: Interaction, receipt: app_commands.Range[str, 1, 100]
    ) -> None:
        await open_by_receipt(interaction, self, receipt)

    # --- the handlers --------------------------------------------------------------------

    @access.audience(Audience.HANDLERS)
    @app_commands.command(
        name=L("cmd.open_cases.name"), description=L("cmd.open_cases.description")
    )
    @app_commands.guild_only()
    async def open_cases(self, interaction: Interaction) -> None:
        config = self.require_config()
        async with self.bot.db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            cards = await escalation.list_open_cases(
                session, config=config, handler=handler, now=self.bot.clock()
            )
        embed = case_list(
            cards,
            locale_of(interaction),
            in_hub=handler.is_team,
            guild_id=access.in_guild(interaction),
        )
        await send_private(interaction, embed=embed)

    # --- association admins ---------------------------------------------------------------

    admin = app_commands.Group(
        name=L("cmd.anonymous.name"),
        description=L("cmd.anonymous.description"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def _association(self, interaction: Interaction) -> network.AssociationView:
        self.require_config()
        guild_id = require_association_guild(interaction)
        access.require_manage_guild(interaction)
        async with self.bot.db.sessions.begin() as session:
            return await network.require_in_network(session, guild_id=guild_id)

    @access.audience(Audience.NETWORK_BOARD)
    @admin.command(
        name=L("cmd.anonymous.panel.name"), description=L("cmd.anonymous.panel.description")
    )
    @app_commands.describe(channel=L("cmd.anonymous.panel.channel"))
    @app_commands.rename(channel=L("cmd.anonymous.opt.channel"))
    async def panel(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        association = await self._association(interaction)
        usable(interaction, channel)
        try:
            await channel.send(**panel_message(), allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            raise InvalidInput(
                "escalation.error.channel_unusable", channel=channel.mention
            ) from None
        # For readiness: the route is findable (the message itself is Discord's).
        async with self.bot.db.sessions.begin() as session:
            await network.record_panel(
                session,
                association_id=association.id,
                actor_id=interaction.user.id,
                now=self.bot.clock(),
            )
        await send_private(
            interaction, text(interaction, "escalation.panel.posted", channel=channel.mention)
        )

    @access.audience(Audience.NETWORK_BOARD)
    @admin.command(
        name=L("cmd.anonymous.member_route.name"),
        description=L("cmd.anonymous.member_route.description"),
    )
    @app_commands.describe(
        enabled=L("cmd.anonymous.member_route.enabled"),
        channel=L("cmd.anonymous.member_route.channel"),
    )
    @app_commands.rename(
        enabled=L("cmd.anonymous.opt.enabled"), channel=L("cmd.anonymous.opt.channel")
    )
    async def member_route(
        self,
        interaction: Interaction,
        enabled: bool,
        channel: discord.TextChannel | None = None,
    ) -> None:
        association = await self._association(interaction)
        if enabled and channel is not None:
            usable(interaction, channel)
        async with self.bot.db.sessions.begin() as session:
            await escalation.set_member_route(
                session,
                association_id=association.id,
                enabled=enabled,
                channel_id=channel.id if channel is not None else None,
                now=self.bot.clock(),
                zone=self.bot.settings.zone,
            )
        if not enabled or channel is None:  # enabling without a channel was refused above
            await send_private(interaction, text(interaction, "escalation.member_route.off"))
            return
        reply = text(interaction, "escalation.member_route.on", channel=channel.mention)
        if channel.permissions_for(channel.guild.default_role).view_channel:
            reply += "\n\n" + text(
                interaction, "escalation.member_route.public", channel=channel.mention
            )
        await send_private(interaction, reply)


def usable(interaction: Interaction, channel: discord.TextChannel) -> None:
    """The bot must be able to post in a channel before anything depends on it."""
    me = interaction.guild.me if interaction.guild else None
    permissions = channel.permissions_for(me) if me is not None else None
    if permissions is None or not (permissions.view_channel and permissions.send_messages):
        raise InvalidInput("escalation.error.channel_unusable", channel=channel.mention)
