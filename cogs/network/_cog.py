"""Slash commands of the network: /hub, /setup, /network, /vcp; announcements to the network
(/network announce, /network announcements, /setup-announcements) and their delivery."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from cogs.network._announce import announcement_choice, open_form, show_report
from cogs.network._announce_outbox import AnnounceCourier
from cogs.network._join import (
    change_notice,
    post_request,
    setup_change_reply,
    withdraw_request,
)
from cogs.network._readiness import readiness_embed, readiness_file, status_embed
from cogs.network._registry import change_registry, manageable
from cogs.network._render import association_table, audit_table, vcp_list
from cogs.network._year import send_year_pack
from vcpbot import access
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.errors import InvalidInput, NotAllowed, NotFound, UserError
from vcpbot.i18n.translator import L
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private, text
from vcpbot.services import announce, network, readiness

log = logging.getLogger(__name__)

JOB_ANNOUNCEMENTS = "network:announcements"
# The years /network year accepts (a year that is over is checked by the service).
YEAR_MIN, YEAR_MAX = 2020, 2100
# What another process says to the leader when it queued announcements (vcpbot.leadership).
WAKE_ANNOUNCEMENTS = "announcements"


class NetworkCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot
        self.courier = AnnounceCourier(self)
        self._waking: set[asyncio.Task[None]] = set()

    # --- the announcements' delivery, in the leading process ------------------------

    def kick_announcements(self) -> None:
        """Deliver what Send just queued; another process wakes the leader instead."""
        if self.bot.leads:
            self.courier.kick()
            return
        task = asyncio.get_running_loop().create_task(self.bot.wake_leader(WAKE_ANNOUNCEMENTS))
        self._waking.add(task)
        task.add_done_callback(self._waking.discard)

    async def cog_load(self) -> None:
        # The job fires only while this process leads (vcpbot.leadership); the escalation
        # outbox's poll interval is the deployment's "how often outboxes are looked at".
        poll = self.bot.settings.escalation.outbox_poll_seconds
        self.bot.scheduler.every(JOB_ANNOUNCEMENTS, poll, self._announcements_tick)
        if self.bot.leads:
            await self.lead_taken()

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel(JOB_ANNOUNCEMENTS)
        await self.courier.stop()
        for task in list(self._waking):
            task.cancel()

    async def lead_taken(self) -> None:
        """This process now leads: copies another leader had claimed go out (once) from here."""
        self.courier.take_over()
        self.courier.kick()

    async def lead_lost(self) -> None:
        await self.courier.stop()

    async def leader_woken(self, topic: str) -> None:
        if topic == WAKE_ANNOUNCEMENTS:
            self.courier.kick()

    async def _announcements_tick(self) -> None:
        self.courier.tick()

    @commands.Cog.listener("on_ready")
    async def _deliver_when_ready(self) -> None:
        if self.bot.leads:
            self.courier.kick()  # whatever waited while the bot was away

    hub = app_commands.Group(
        name=L("cmd.hub.name"),
        description=L("cmd.hub.description"),
        guild_only=True,
        default_permissions=discord.Permissions(administrator=True),
    )
    network_group = app_commands.Group(
        name=L("cmd.network.name"),
        description=L("cmd.network.description"),
        guild_only=True,
    )
    vcp = app_commands.Group(
        name=L("cmd.vcp.name"), description=L("cmd.vcp.description"), guild_only=True
    )

    # --- /hub setup ------------------------------------------------------------

    @access.audience(Audience.HUB_ADMIN)
    @hub.command(name=L("cmd.hub.setup.name"), description=L("cmd.hub.setup.description"))
    @app_commands.describe(
        escalations=L("cmd.hub.setup.escalations"),
        team_role=L("cmd.hub.setup.team_role"),
        coordinator_role=L("cmd.hub.setup.coordinator_role"),
        log_channel=L("cmd.hub.setup.log_channel"),
    )
    @app_commands.rename(
        escalations=L("cmd.hub.setup.opt.escalations"),
        team_role=L("cmd.hub.setup.opt.team_role"),
        coordinator_role=L("cmd.hub.setup.opt.coordinator_role"),
        log_channel=L("cmd.hub.setup.opt.log_channel"),
    )
    async def hub_setup(
        self,
        interaction: Interaction,
        escalations: discord.TextChannel,
        team_role: discord.Role,
        coordinator_role: discord.Role,
        log_channel: discord.TextChannel,
    ) -> None:
        access.in_hub(interaction)
        access.require_administrator(interaction)
        async with self.bot.db.sessions.begin() as session:
            await network.configure_hub(
                session,
                guild_id=access.in_guild(interaction),
                escalations_channel_id=escalations.id,
                team_role_id=team_role.id,
                coordinator_role_id=coordinator_role.id,
                log_channel_id=log_channel.id,
                actor_id=interaction.user.id,
                now=self.bot.clock(),
            )
        reply = text(
            interaction,
            "network.hub.saved",
            escalations=escalations.mention,
            team=team_role.mention,
            coordinator=coordinator_role.mention,
            log=log_channel.mention,
        )
        if escalations.permissions_for(escalations.guild.default_role).view_channel:
            # Cards carry no text, but codes, categories and associations are for the team.
            reply += "\n\n" + text(
                interaction, "network.hub.escalations_public", channel=escalations.mention
            )
        await send_private(interaction, reply)

    # --- /setup (association) ----------------------------------------------------

    @access.audience(Audience.BOARD)
    @app_commands.command(name=L("cmd.setup.name"), description=L("cmd.setup.description"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        name=L("cmd.setup.name_param"),
        short_name=L("cmd.setup.short_name"),
        language=L("cmd.setup.language"),
        vcp_role=L("cmd.setup.vcp_role"),
        rules_channel=L("cmd.setup.rules_channel"),
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name=L("cmd.setup.language.nl"), value="nl"),
            app_commands.Choice(name=L("cmd.setup.language.en"), value="en"),
        ]
    )
    @app_commands.rename(
        name=L("cmd.setup.opt.name"),
        short_name=L("cmd.setup.opt.short_name"),
        language=L("cmd.setup.opt.language"),
        vcp_role=L("cmd.setup.opt.vcp_role"),
        rules_channel=L("cmd.setup.opt.rules_channel"),
    )
    async def setup_association(
        self,
        interaction: Interaction,
        name: app_commands.Range[str, 1, network.NAME_MAX],
        short_name: app_commands.Range[str, 1, network.SHORT_NAME_MAX],
        language: app_commands.Choice[str],
        vcp_role: discord.Role,
        rules_channel: discord.TextChannel | None = None,
    ) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        manageable(interaction, vcp_role)
        hub_id = self.bot.settings.hub_guild_id
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.reading.begin() as session:
            hub = await network.get_hub(session, guild_id=hub_id) if hub_id else None
            if hub is None:
                raise NotFound("network.error.hub_not_configured")
            draft = await network.draft_join(
                session,
                guild_id=guild_id,
                name=name,
                short_name=short_name,
                locale=language.value,
                vcp_role_id=vcp_role.id,
                rules_channel_id=rules_channel.id if rules_channel else None,
                requested_by=interaction.user.id,
            )
        result = await self._save_setup(interaction, hub, draft)
        key = "network.setup.requested" if result.new_request else "network.setup.updated"
        reply = text(interaction, key, name=result.association.name)
        if result.coordinator_should_see:
            # After the commit: the change stands (and is in the audit log) either way.
            told = await self._tell_coordinator(hub, result, interaction)
            reply += "\n\n" + setup_change_reply(interaction, result, vcp_role, told=told)
        await send_private(interaction, reply)

    async def _save_setup(
        self, interaction: Interaction, hub: network.Hub, draft: network.JoinDraft
    ) -> network.SetupResult:
        """A new request's card is posted first, outside any transaction: if the hub cannot
        be reached, nothing is saved; if the save fails, the card is taken back."""
        card = None
        if draft.new_request:
            guild = interaction.guild
            card = await post_request(
                self.bot, hub, draft, guild.name if guild else str(draft.guild_id)
            )
        try:
            async with self.bot.db.sessions.begin() as session:
                return await network.save_join(
                    session,
                    draft=draft,
                    now=self.bot.clock(),
                    card=network.RequestCard(card.channel.id, card.id) if card else None,
                )
        except BaseException:
            if card is not None:
                await withdraw_request(card)
            raise

    async def _tell_coordinator(
        self, hub: network.Hub, result: network.SetupResult, interaction: Interaction
    ) -> bool:
        """A short notice in the hub's network log: who counts as VCP, or the name, changed."""
        notice = change_notice(result, interaction.guild, self.bot.settings.default_locale)
        try:
            found = self.bot.get_channel(hub.log_channel_id)
            if found is None:
                found = await self.bot.fetch_channel(hub.log_channel_id)
            channel = cast(discord.abc.Messageable, found)  # /hub setup took a text channel
            await channel.send(notice, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not post an association's change in the hub (HTTP %s)", exc.status)
            return False
        return True

    # --- /setup-status (association) ----------------------------------------------

    @access.audience(Audience.NETWORK_BOARD)
    @app_commands.command(
        name=L("cmd.setup_status.name"), description=L("cmd.setup_status.description")
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def setup_status(self, interaction: Interaction) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        members = interaction.guild.member_count if interaction.guild else None
        async with self.bot.db.sessions.begin() as session:
            await network.require_in_network(session, guild_id=guild_id)
            line = await readiness.readiness_of(
                session, guild_id=guild_id, now=self.bot.clock(), members=members
            )
        if line is None:
            raise NotAllowed("network.error.not_in_network")
        await send_private(interaction, embed=status_embed(line, locale_of(interaction)))

    # --- /setup-announcements (association) ----------------------------------------

    @access.audience(Audience.REGISTRY_BOARD)
    @app_commands.command(
        name=L("cmd.setup_announcements.name"),
        description=L("cmd.setup_announcements.description"),
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        receive=L("cmd.setup_announcements.receive"),
        channel=L("cmd.setup_announcements.channel"),
        role=L("cmd.setup_announcements.role"),
    )
    @app_commands.rename(
        receive=L("cmd.setup_announcements.opt.receive"),
        channel=L("cmd.setup_announcements.opt.channel"),
        role=L("cmd.setup_announcements.opt.role"),
    )
    async def setup_announcements(
        self,
        interaction: Interaction,
        receive: bool,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        if role is not None and role.is_default():
            raise InvalidInput("announce.error.everyone_role")
        async with self.bot.db.sessions.begin() as session:
            chosen = await announce.set_announcements(
                session,
                guild_id=guild_id,
                receive=receive,
                channel_id=channel.id if channel else None,
                role_id=role.id if role else None,
                actor_id=interaction.user.id,
                now=self.bot.clock(),
            )
        await send_private(interaction, announcement_choice(interaction, chosen))

    # --- /network (coordinator) ---------------------------------------------------

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.announce.name"), description=L("cmd.network.announce.description")
    )
    async def network_announce(self, interaction: Interaction) -> None:
        await open_form(self, interaction, None)

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.announcements.name"),
        description=L("cmd.network.announcements.description"),
    )
    async def network_announcements(self, interaction: Interaction) -> None:
        await show_report(self, interaction, refresh=False)

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.list.name"), description=L("cmd.network.list.description")
    )
    async def network_list(self, interaction: Interaction) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            associations = await network.list_associations(session)
        await send_private(interaction, embed=association_table(interaction, associations))

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.vcps.name"), description=L("cmd.network.vcps.description")
    )
    async def network_vcps(self, interaction: Interaction) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            vcps = await network.all_vcps(session)
        await send_private(interaction, embed=vcp_list(interaction, vcps, by_association=True))

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.audit.name"), description=L("cmd.network.audit.description")
    )
    async def network_audit(self, interaction: Interaction) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            entries = await network.audit_log(session)
        await send_private(interaction, embed=audit_table(interaction, entries))

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.readiness.name"),
        description=L("cmd.network.readiness.description"),
    )
    async def network_readiness(self, interaction: Interaction) -> None:
        now = self.bot.clock()
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            lines = await readiness.readiness(session, now=now, members=self._member_counts())
        locale = locale_of(interaction)
        await send_private(
            interaction,
            embed=readiness_embed(lines, locale),
            file=readiness_file(lines, locale, now),
        )

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.year.name"), description=L("cmd.network.year.description")
    )
    @app_commands.describe(year=L("cmd.network.year.year"))
    @app_commands.rename(year=L("cmd.network.opt.year"))
    async def network_year(
        self, interaction: Interaction, year: app_commands.Range[int, YEAR_MIN, YEAR_MAX]
    ) -> None:
        await send_year_pack(self.bot, interaction, year)

    def _member_counts(self) -> dict[int, int | None]:
        """Each server's member count as Discord reports it: the rates' denominator."""
        return {guild.id: guild.member_count for guild in self.bot.guilds}

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.suspend.name"), description=L("cmd.network.suspend.description")
    )
    @app_commands.describe(association=L("cmd.network.association"))
    @app_commands.rename(association=L("cmd.network.opt.association"))
    async def network_suspend(self, interaction: Interaction, association: str) -> None:
        await self._set_suspended(interaction, association, suspended=True)

    @access.audience(Audience.COORDINATOR)
    @network_group.command(
        name=L("cmd.network.reinstate.name"), description=L("cmd.network.reinstate.description")
    )
    @app_commands.describe(association=L("cmd.network.association"))
    @app_commands.rename(association=L("cmd.network.opt.association"))
    async def network_reinstate(self, interaction: Interaction, association: str) -> None:
        await self._set_suspended(interaction, association, suspended=False)

    async def _set_suspended(self, interaction: Interaction, name: str, *, suspended: bool) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            association = await network.set_suspended(
                session,
                name=name,
                suspended=suspended,
                actor_id=interaction.user.id,
                now=self.bot.clock(),
            )
        key = "network.suspended" if suspended else "network.reinstated"
        await send_private(interaction, text(interaction, key, name=association.name))

    @network_suspend.autocomplete("association")
    @network_reinstate.autocomplete("association")
    async def _association_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Every association, pending and rejected ones too: for the coordinator's eyes only.
        try:
            async with self.bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                names = await network.association_names(session, prefix=current)
        except UserError:
            return []
        return [app_commands.Choice(name=n, value=n) for n in names]

    # --- /vcp (association admins; listing by the VCP) ----------------------------

    @access.audience(Audience.REGISTRY_BOARD)
    @vcp.command(name=L("cmd.vcp.add.name"), description=L("cmd.vcp.add.description"))
    @app_commands.describe(member=L("cmd.vcp.member"))
    @app_commands.rename(member=L("cmd.vcp.opt.member"))
    async def vcp_add(self, interaction: Interaction, member: discord.Member) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        if member.bot:
            raise InvalidInput("network.error.bot_cannot_be_vcp")
        await change_registry(self.bot, interaction, member, guild_id, add=True)
        await send_private(
            interaction, text(interaction, "network.vcp.added", member=member.mention)
        )

    @access.audience(Audience.REGISTRY_BOARD)
    @vcp.command(name=L("cmd.vcp.remove.name"), description=L("cmd.vcp.remove.description"))
    @app_commands.describe(member=L("cmd.vcp.member"))
    @app_commands.rename(member=L("cmd.vcp.opt.member"))
    async def vcp_remove(self, interaction: Interaction, member: discord.Member) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        await change_registry(self.bot, interaction, member, guild_id, add=False)
        await send_private(
            interaction, text(interaction, "network.vcp.removed", member=member.mention)
        )

    @access.audience(Audience.REGISTRY_BOARD)
    @vcp.command(name=L("cmd.vcp.list.name"), description=L("cmd.vcp.list.description"))
    async def vcp_list(self, interaction: Interaction) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        async with self.bot.db.sessions.begin() as session:
            vcps = await network.vcps_of(session, guild_id=guild_id)
        await send_private(interaction, embed=vcp_list(interaction, vcps, by_association=False))

    @access.audience(Audience.VCPS)
    @vcp.command(name=L("cmd.vcp.listing.name"), description=L("cmd.vcp.listing.description"))
    @app_commands.describe(listed=L("cmd.vcp.listing.listed"))
    @app_commands.rename(listed=L("cmd.vcp.listing.opt.listed"))
    async def vcp_listing(self, interaction: Interaction, listed: bool) -> None:
        guild_id = access.in_association_guild(interaction)
        async with self.bot.db.sessions.begin() as session:
            await network.set_listed(
                session,
                guild_id=guild_id,
                user_id=interaction.user.id,
                listed=listed,
                display_name=interaction.user.display_name,
                now=self.bot.clock(),
            )
        key = "network.vcp.now_listed" if listed else "network.vcp.now_unlisted"
        await send_private(interaction, text(interaction, key))

    # --- the bot joins or leaves a guild -----------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        async with self.bot.db.sessions.begin() as session:
            if await network.set_present(session, guild_id=guild.id, present=False):
                log.info("the bot left an association's guild; marked inactive")

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        async with self.bot.db.sessions.begin() as session:
            if await network.set_present(session, guild_id=guild.id, present=True):
                log.info("the bot was re-added to an association's guild; marked active")
