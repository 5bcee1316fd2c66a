"""Findability first: /help works for anyone, anywhere, in their own language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private, text
from vcpbot.services import escalation, network
from vcpbot.services.help_resources import HelpResources, Resource, load_help_resources
from vcpbot.services.privacy import erase_user

log = logging.getLogger(__name__)

PRIVACY_CONFIRM_SECONDS = 120
# One section per feature that stores anything; each feature adds its own.
PRIVACY_SECTIONS = ("network", "languages", "rules", "intervisie", "escalation", "kmtm", "help")


def _resource_line(resource: Resource, locale: Locale) -> str:
    parts = [f"**{resource.name(locale)}**: {resource.detail(locale)}"]
    extras = [p for p in (resource.phone, resource.url) if p]
    if resource.hours is not None:
        extras.append(resource.hours(locale))
    if extras:
        parts.append(" · ".join(extras))
    return "\n".join(parts)


def help_embed(
    locale: Locale,
    resources: HelpResources,
    association: network.AssociationView | None,
    vcps: list[network.VcpView],
    *,
    in_dm: bool,
    anonymous_route: bool = False,
) -> discord.Embed:
    embed = discord.Embed(
        title=t("help.title", locale),
        description=t("help.intro", locale),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(
        name=t("help.vcps.title", locale),
        value=_vcp_section(locale, association, vcps, in_dm=in_dm, anonymous=anonymous_route),
        inline=False,
    )
    team = [_resource_line(resources.um_team, locale)]
    team += [_resource_line(r, locale) for r in resources.um_contacts]
    embed.add_field(name=t("help.um.title", locale), value="\n".join(team)[:1024], inline=False)
    embed.add_field(
        name=t("help.after.title", locale), value=t("help.after.body", locale), inline=False
    )
    external = "\n".join(_resource_line(r, locale) for r in resources.external)
    embed.add_field(name=t("help.external.title", locale), value=external[:1024], inline=False)
    embed.set_footer(text=t("help.footer", locale))
    return embed


def _localised(value: app_commands.locale_str | str, locale: Locale) -> str:
    key = value.extras.get("key") if isinstance(value, app_commands.locale_str) else None
    return t(key, locale) if key else str(value)


def command_list(commands: list[app_commands.Command | app_commands.Group], locale: Locale) -> str:
    """Every top-level command with its description, in the reader's language.

    Built from the live command tree, so it can never name a command that does not exist.
    """
    lines = [
        f"`/{_localised(c._locale_name or c.name, locale)}` · "
        f"{_localised(c._locale_description or c.description, locale)}"
        for c in sorted(commands, key=lambda c: c.name)
    ]
    return "\n".join(lines)[:1024]


def _vcp_section(
    locale: Locale,
    association: network.AssociationView | None,
    vcps: list[network.VcpView],
    *,
    in_dm: bool,
    anonymous: bool = False,
) -> str:
    if in_dm:
        return t("help.vcps.in_dm", locale)
    if association is None or not association.in_network:
        return t("help.vcps.not_in_network", locale)
    name = discord.utils.escape_markdown(association.name)
    # Members can reach the VCPs without being named when the association turned that on.
    route = "\n" + t("help.vcps.anonymous", locale) if anonymous else ""
    if not vcps:
        return t("help.vcps.none_listed", locale, association=name) + route
    names = [f"**{discord.utils.escape_markdown(v.display_name)}** (<@{v.user_id}>)" for v in vcps]
    return (t("help.vcps.listed", locale, association=name, names=names) + route)[:1024]


class ConfirmErase(discord.ui.View):
    """Delete-my-data asks once more; only the person who asked can press."""

    def __init__(self, bot: Any, user_id: int, locale: Locale) -> None:
        super().__init__(timeout=PRIVACY_CONFIRM_SECONDS)
        self.bot = bot
        self.user_id = user_id
        self.confirm.label = t("privacy.delete.confirm", locale)
        self.cancel.label = t("privacy.delete.cancel", locale)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(style=discord.ButtonStyle.danger, custom_id="vcp:privacy:erase")
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        async with self.bot.db.sessions.begin() as session:
            removed = await erase_user(session, interaction.user.id)
        self.stop()
        locale = locale_of(interaction)
        if removed:
            listing = "\n".join(f"• {t(key, locale)}" for key in dict.fromkeys(removed))
            body = t("privacy.delete.done", locale, removed=listing)
        else:
            body = t("privacy.delete.nothing", locale)
        await interaction.response.edit_message(content=body, view=None)

    @discord.ui.button(style=discord.ButtonStyle.secondary, custom_id="vcp:privacy:keep")
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=text(interaction, "privacy.delete.cancelled"), view=None
        )


# What /help reads from the database, kept between interactions (vcpbot.readcache).
HELP_TABLES = ("associations", "vcps", "escalation_member_routes")


@dataclass(frozen=True)
class HelpFacts:
    association: network.AssociationView | None = None
    vcps: tuple[network.VcpView, ...] = ()
    anonymous_route: bool = False


class HelpCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot: Any = bot
        self._command_lists: dict[tuple[Locale, int], str] = {}

    @cached_property
    def resources(self) -> HelpResources:
        settings = self.bot.settings
        return load_help_resources(settings.resolve_path(settings.help_resources_file))

    async def cog_load(self) -> None:
        # Fail at start-up, not in front of a student, when the file is broken.
        _ = self.resources
        # Announced from the start: the hub's process changes these (suspending an
        # association) without ever having served /help itself.
        self.bot.db.changes.watch(HELP_TABLES)

    @app_commands.command(name=L("cmd.help.name"), description=L("cmd.help.description"))
    async def help(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction)
        facts = HelpFacts()
        if interaction.guild_id is not None:
            guild_id = interaction.guild_id
            facts = await self.bot.reads.get(
                ("help", guild_id), HELP_TABLES, lambda: self._facts(guild_id)
            )
        embed = help_embed(
            locale,
            self.resources,
            facts.association,
            list(facts.vcps),
            in_dm=interaction.guild_id is None,
            anonymous_route=facts.anonymous_route,
        )
        embed.add_field(
            name=t("help.commands.title", locale),
            value=self._command_list(locale),
            inline=False,
        )
        await send_private(interaction, embed=embed)

    async def _facts(self, guild_id: int) -> HelpFacts:
        async with self.bot.db.reading.begin() as session:
            association = await network.association_for_guild(session, guild_id=guild_id)
            if association is None or not association.in_network:
                return HelpFacts(association)
            vcps = await network.vcps_of(session, guild_id=guild_id, listed_only=True)
            route = await escalation.member_route(session, association_id=association.id)
        return HelpFacts(association, tuple(vcps), route.enabled)

    def _command_list(self, locale: Locale) -> str:
        # The tree is fixed once the cogs are loaded; its size keys out a reload.
        commands = self.bot.tree.get_commands()
        key = (locale, len(commands))
        if key not in self._command_lists:
            self._command_lists[key] = command_list(commands, locale)
        return self._command_lists[key]

    privacy = app_commands.Group(
        name=L("cmd.privacy.name"), description=L("cmd.privacy.description")
    )

    @privacy.command(name=L("cmd.privacy.info.name"), description=L("cmd.privacy.info.description"))
    async def privacy_info(self, interaction: discord.Interaction) -> None:
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

    @privacy.command(
        name=L("cmd.privacy.delete.name"), description=L("cmd.privacy.delete.description")
    )
    async def privacy_delete(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction)
        await interaction.response.send_message(
            t("privacy.delete.ask", locale),
            view=ConfirmErase(self.bot, interaction.user.id, locale),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
