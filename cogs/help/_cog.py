"""Findability first: /help works for anyone, anywhere, in their own language, and tells
each person what they can use; /privacy says what the bot keeps and deletes it."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.help._contact import ContactForm
from cogs.help._menu import Entry, Place, Reader, entries, menu, names_locale
from cogs.help._procedure import procedure_message
from cogs.help._render import Where, help_message
from cogs.help._welcome import greet
from vcpbot import access
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction
from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.interactions import NO_MENTIONS, ReportingView, locale_of, send_private, text
from vcpbot.services import escalation, network
from vcpbot.services.help import (
    Contact,
    HelpResources,
    Procedure,
    contact_of,
    load_help_resources,
    load_procedure,
)
from vcpbot.services.privacy import erase_user

log = logging.getLogger(__name__)

PRIVACY_CONFIRM_SECONDS = 120
# One section per feature that stores anything; each feature adds its own.
PRIVACY_SECTIONS = (
    "network",
    "languages",
    "rules",
    "intervisie",
    "escalation",
    "case_extras",
    "kmtm",
    "help",
)


async def take_back_vcp_roles(
    bot: Bot, user_id: int, roles: list[network.VcpRole]
) -> tuple[list[str], list[str]]:
    """Remove the VCP role where the person held it: (associations done, associations not)."""
    taken, kept = [], []
    for role in roles:
        guild = bot.get_guild(role.guild_id)
        try:
            if guild is None:  # not on this process's shards, or the bot left
                raise LookupError(role.guild_id)
            member = guild.get_member(user_id) or await guild.fetch_member(user_id)
            if all(r.id != role.role_id for r in member.roles):
                continue
            await member.remove_roles(
                discord.Object(id=role.role_id), reason="vcpbot: left the VCP registry"
            )
        except discord.NotFound:
            continue  # no longer in that server: no role to take back
        except (discord.HTTPException, LookupError):
            kept.append(role.association_name)
        else:
            taken.append(role.association_name)
    return taken, kept


def erase_summary(locale: Locale, removed: list[str], taken: list[str], kept: list[str]) -> str:
    lines = [t(key, locale) for key in dict.fromkeys(removed)]
    lines += [
        t("privacy.removed.vcp_role", locale, association=discord.utils.escape_markdown(name))
        for name in taken
    ]
    if lines:
        listing = "\n".join(f"• {line}" for line in lines)
        body = t("privacy.delete.done", locale, removed=listing)
    else:
        body = t("privacy.delete.nothing", locale)
    if kept:
        names = [discord.utils.escape_markdown(name) for name in kept]
        body += "\n\n" + t("privacy.delete.role_kept", locale, associations=names)
    return body


class ConfirmErase(ReportingView):
    """Delete-my-data asks once more; only the person who asked can press."""

    def __init__(self, bot: Bot, user_id: int, locale: Locale) -> None:
        super().__init__(timeout=PRIVACY_CONFIRM_SECONDS)
        self.bot = bot
        self.user_id = user_id
        self.confirm.label = t("privacy.delete.confirm", locale)
        self.cancel.label = t("privacy.delete.cancel", locale)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(style=discord.ButtonStyle.danger, custom_id="vcp:privacy:erase")
    async def confirm(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        # Deferred: taking VCP roles back is a request to Discord per association.
        await interaction.response.defer()
        async with self.bot.db.sessions.begin() as session:
            roles = await network.vcp_roles_of(session, user_id=interaction.user.id)
            removed = await erase_user(session, interaction.user.id)
        self.stop()
        # Only the registry made them a VCP; the role would still open the VCPs' channel.
        taken, kept = await take_back_vcp_roles(self.bot, interaction.user.id, roles)
        body = erase_summary(locale_of(interaction), removed, taken, kept)
        await interaction.edit_original_response(content=body, view=None)

    @discord.ui.button(style=discord.ButtonStyle.secondary, custom_id="vcp:privacy:keep")
    async def cancel(self, interaction: Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=text(interaction, "privacy.delete.cancelled"), view=None
        )


# What /help reads from the database, kept between interactions (vcpbot.readcache).
HELP_TABLES = (
    "associations",
    "vcps",
    "escalation_member_routes",
    "help_contacts",
    "hub_config",
)


@dataclass(frozen=True)
class HelpFacts:
    """What every member of one server reads alike; who the asker is, is decided apart."""

    hub: network.Hub | None = None
    association: network.AssociationView | None = None
    vcps: tuple[network.VcpView, ...] = ()  # those who chose to be named
    registered: frozenset[int] = frozenset()  # every registered VCP's user id
    anonymous_route: bool = False
    contact: Contact | None = None


# Answers already written, over all servers (a few kinds of reader each: a few KiB each).
ANSWERS_KEPT = 512
Answer = tuple[str, discord.Embed]


class HelpCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot
        self._entries: tuple[int, list[Entry]] = (-1, [])
        # Members ask /help as others like them did: the answer written from these facts
        # for this kind of reader, kept while the server's facts are the same object
        # (the read cache makes new facts whenever a table they come from changes).
        self._answers: OrderedDict[Hashable, tuple[HelpFacts, Answer]] = OrderedDict()

    @cached_property
    def resources(self) -> HelpResources:
        settings = self.bot.settings
        return load_help_resources(settings.resolve_path(settings.help_resources_file))

    @cached_property
    def procedure_text(self) -> Procedure:
        settings = self.bot.settings
        return load_procedure(settings.resolve_path(settings.procedure_file))

    async def cog_load(self) -> None:
        # Fail at start-up, not in front of a student, when a file is broken.
        _ = self.resources
        _ = self.procedure_text
        # Announced from the start: the hub's process changes these (suspending an
        # association) without ever having served /help itself.
        self.bot.db.changes.watch(HELP_TABLES)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await greet(self.bot, guild)

    @access.audience(Audience.EVERYONE)
    @app_commands.command(name=L("cmd.help.name"), description=L("cmd.help.description"))
    async def help(self, interaction: Interaction) -> None:
        locale = locale_of(interaction)
        place = self._place(interaction)
        facts = HelpFacts()
        if interaction.guild_id is not None:
            guild_id = interaction.guild_id
            facts = await self.bot.reads.get(
                ("help", guild_id), HELP_TABLES, lambda: self._facts(guild_id, place)
            )
        reader = await self._reader(interaction, place, facts)
        names = names_locale(interaction)
        key = (interaction.guild_id, reader, names, locale, len(self._commands()))
        kept = self._answers.get(key)
        if kept is not None and kept[0] is facts:
            self._answers.move_to_end(key)
            answer = kept[1]
        else:
            answer = self._answer(facts, place, reader, names, locale)
            self._answers[key] = (facts, answer)
            if len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        first_line, embed = answer
        await send_private(interaction, first_line, embed=embed)

    def _answer(
        self, facts: HelpFacts, place: Place, reader: Reader, names: Locale, locale: Locale
    ) -> Answer:
        usable = menu(self._commands(), reader, names=names, prose=locale)
        where = Where(
            in_dm=place is Place.DM,
            in_hub=place is Place.HUB,
            association=facts.association,
            vcps=facts.vcps,
            anonymous_route=facts.anonymous_route,
            contact=facts.contact,
        )
        return help_message(locale, self.resources, where, usable)

    @access.audience(Audience.EVERYONE)
    @app_commands.command(name=L("cmd.procedure.name"), description=L("cmd.procedure.description"))
    async def procedure(self, interaction: Interaction) -> None:
        message = procedure_message(self.procedure_text, locale_of(interaction))
        await send_private(interaction, **message)

    def _place(self, interaction: Interaction) -> Place:
        if interaction.guild_id is None:
            return Place.DM
        if interaction.guild_id == self.bot.settings.hub_guild_id:
            return Place.HUB
        return Place.ASSOCIATION

    async def _facts(self, guild_id: int, place: Place) -> HelpFacts:
        async with self.bot.db.reading.begin() as session:
            if place is Place.HUB:
                return HelpFacts(hub=await network.get_hub(session, guild_id=guild_id))
            association = await network.association_for_guild(session, guild_id=guild_id)
            if association is None or not association.in_network:
                return HelpFacts(association=association)
            vcps = await network.vcps_of(session, guild_id=guild_id)
            route = await escalation.member_route(session, association_id=association.id)
            contact = await contact_of(session, association_id=association.id)
        return HelpFacts(
            association=association,
            vcps=tuple(v for v in vcps if v.listed),
            registered=frozenset(v.user_id for v in vcps),
            anonymous_route=route.enabled,
            contact=contact,
        )

    async def _reader(self, interaction: Interaction, place: Place, facts: HelpFacts) -> Reader:
        permissions = interaction.permissions
        association = facts.association
        if place is Place.ASSOCIATION:
            # The registry decides who is a VCP; the role only where Discord grants by it.
            standing = access.VcpStanding(
                registered=interaction.user.id in facts.registered,
                has_role=association is not None
                and access.has_role(interaction, association.vcp_role_id),
            )
            return Reader(
                place,
                permissions,
                association_exists=association is not None,
                in_network=association is not None and association.in_network,
                registered_vcp=standing.registered,
                vcp_role=standing.has_role,
                member_route=facts.anonymous_route,
            )
        # In a DM or the hub: a VCP of any association finds their intervisie there.
        async with self.bot.db.reading.begin() as session:
            roles = await network.vcp_roles_of(session, user_id=interaction.user.id)
        hub = facts.hub
        coordinator = hub is not None and access.has_role(interaction, hub.coordinator_role_id)
        team = coordinator or (hub is not None and access.has_role(interaction, hub.team_role_id))
        return Reader(
            place, permissions, registered_vcp=bool(roles), team=team, coordinator=coordinator
        )

    def _commands(self) -> list[Entry]:
        # The tree is fixed once the cogs are loaded; its size keys out a reload.
        tree = self.bot.tree.get_commands()
        if self._entries[0] != len(tree):
            self._entries = (
                len(tree),
                entries([c for c in tree if not isinstance(c, app_commands.ContextMenu)]),
            )
        return self._entries[1]

    # --- what the board adds to /help ---------------------------------------------------

    help_admin = app_commands.Group(
        name=L("cmd.help_admin.name"),
        description=L("cmd.help_admin.description"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @access.audience(Audience.NETWORK_BOARD)
    @help_admin.command(
        name=L("cmd.help_admin.contact.name"), description=L("cmd.help_admin.contact.description")
    )
    async def contact(self, interaction: Interaction) -> None:
        guild_id = access.in_association_guild(interaction)
        access.require_manage_guild(interaction)
        async with self.bot.db.sessions.begin() as session:
            association = await network.require_in_network(session, guild_id=guild_id)
            current = await contact_of(session, association_id=association.id)
        form = ContactForm(self.bot, current=current, locale=locale_of(interaction))
        await interaction.response.send_modal(form)

    # --- /privacy -------------------------------------------------------------------------

    privacy = app_commands.Group(
        name=L("cmd.privacy.name"), description=L("cmd.privacy.description")
    )

    @access.audience(Audience.EVERYONE)
    @privacy.command(name=L("cmd.privacy.info.name"), description=L("cmd.privacy.info.description"))
    async def privacy_info(self, interaction: Interaction) -> None:
        locale = locale_of(interaction)
        embed = discord.Embed(
            title=t("privacy.info.title", locale), description=t("privacy.info.intro", locale)
        )
        # Figures some sections quote from the deployment's settings.
        retention = self.bot.settings.escalation.retention_days
        details = {"retention": t("common.days", locale, count=retention)}
        for feature in PRIVACY_SECTIONS:
            embed.add_field(
                name=t(f"privacy.info.{feature}.title", locale),
                value=t(f"privacy.info.{feature}.body", locale, **details),
                inline=False,
            )
        statement = self.bot.settings.privacy_statement_url
        closing = t("privacy.info.delete_hint", locale)
        if statement:
            closing += "\n" + t("privacy.info.statement", locale, url=statement)
        embed.add_field(name=t("privacy.info.rights.title", locale), value=closing, inline=False)
        await send_private(interaction, embed=embed)

    @access.audience(Audience.EVERYONE)
    @privacy.command(
        name=L("cmd.privacy.delete.name"), description=L("cmd.privacy.delete.description")
    )
    async def privacy_delete(self, interaction: Interaction) -> None:
        locale = locale_of(interaction)
        await interaction.response.send_message(
            t("privacy.delete.ask", locale),
            view=ConfirmErase(self.bot, interaction.user.id, locale),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
