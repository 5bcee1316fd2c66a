"""``/intervisie template``: the coordinator keeps a session's title, length, place and
agenda under a name, lists and removes those templates, and plans from one. Planning
from a template opens the ordinary plan form with those fields filled in; from there
everything goes as ``/intervisie plan``."""

from __future__ import annotations

import discord
from discord import app_commands

from cogs.intervisie import _render as render
from cogs.intervisie._form import Audience, FormValues
from cogs.intervisie._host import IntervisieHost
from cogs.intervisie._planning import Planner
from vcpbot import access, limits
from vcpbot.bot_types import Interaction
from vcpbot.errors import UserError
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import intervisie
from vcpbot.services.intervisie import TemplateView


def duration_text(minutes: int) -> str:
    """``1:30``: how the plan form reads a length back (``when.parse_duration``)."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}"


def form_values(template: TemplateView) -> FormValues:
    """The plan form as the template fills it; the date is left for the coordinator."""
    # A room as written; an online meeting's https link reads back as online.
    return FormValues(
        title=template.title,
        duration=duration_text(template.duration_minutes),
        location=template.location.text,
        agenda=template.agenda or "",
    )


def template_line(template: TemplateView, locale: Locale) -> str:
    return t(
        "intervisie.template.entry",
        locale,
        name=render.escape(template.name),
        title=render.escape(template.title),
        duration=t("intervisie.template.minutes", locale, count=template.duration_minutes),
        location=render.escape(template.location.text),
    )


class TemplateDesk:
    """The template commands; planning from one hands over to the planner's form."""

    def __init__(self, cog: IntervisieHost, planner: Planner) -> None:
        self.cog = cog
        self.planner = planner

    async def save(self, interaction: Interaction, session_id: int, name: str) -> None:
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            saved = await intervisie.save_template(
                session, name=name, session_id=session_id, now=self.cog.bot.clock()
            )
        locale = locale_of(interaction)
        await send_private(
            interaction, t("intervisie.template.saved", locale, line=template_line(saved, locale))
        )

    async def show_list(self, interaction: Interaction) -> None:
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            templates = await intervisie.list_templates(session)
        locale = locale_of(interaction)
        embed = discord.Embed(title=t("intervisie.template.list.title", locale))
        if templates:
            lines = [template_line(tpl, locale) for tpl in templates]
            embed.description = limits.clip("\n".join(lines), limits.EMBED_DESCRIPTION_MAX)
            embed.set_footer(text=t("intervisie.template.list.footer", locale))
        else:
            embed.description = t("intervisie.template.list.empty", locale)
        await send_private(interaction, embed=embed)

    async def remove(self, interaction: Interaction, name: str) -> None:
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            removed = await intervisie.remove_template(session, name=name)
        await send_private(
            interaction,
            t(
                "intervisie.template.removed",
                locale_of(interaction),
                name=render.escape(removed.name),
            ),
        )

    async def use(self, interaction: Interaction, name: str, audience: Audience) -> None:
        """The plan form, filled in from the template and open to changes."""
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            template = await intervisie.template_named(session, name=name)
        form = self.planner.form(interaction, audience, form_values(template))
        await interaction.response.send_modal(form)

    async def choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Template names containing what the coordinator typed; nothing for anyone else."""
        try:
            async with self.cog.bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                templates = await intervisie.list_templates(session)
        except UserError:
            return []
        wanted = current.strip().casefold()
        return [
            app_commands.Choice(name=tpl.name, value=tpl.name)
            for tpl in templates
            if wanted in tpl.name.casefold()
        ][: limits.AUTOCOMPLETE_CHOICES_MAX]
