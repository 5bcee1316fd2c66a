"""/snippets: the saved replies a desk keeps (add, edit, remove, list).

A desk is the UM team in the hub, or an association's VCPs in its own server: the same
people who may press the buttons on a case card (``acting_handler``), asked again on every
command, form and button. Everything answers only the person who acted.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.escalation._access import acting_handler
from cogs.escalation._host import EscalationHost, host_of
from cogs.escalation._report import refuse_keeping_text
from cogs.escalation._sessions import SessionForm, SessionView, paragraph
from vcpbot import access, limits
from vcpbot.access import Audience
from vcpbot.bot_types import Bot, Interaction, bot_of
from vcpbot.i18n import Locale, t
from vcpbot.i18n.translator import L
from vcpbot.interactions import locale_of, send_private
from vcpbot.limits import clip
from vcpbot.services import snippets
from vcpbot.services.snippets import SNIPPET_NAME_MAX, SNIPPET_TEXT_MAX, Snippet

LISTED_TEXT = 90  # characters of each text that /snippets list shows


async def desk_of(interaction: Interaction) -> int | None:
    """The acting handler's desk (None: the UM team); refused for anyone else."""
    async with bot_of(interaction).db.reading.begin() as session:
        handler = await acting_handler(interaction, session)
    return handler.association_id


def _escaped(text: str) -> str:
    return discord.utils.escape_markdown(text)


class SnippetForm(SessionForm):
    """A saved reply's name and its two texts; ``snippet`` is the one being changed."""

    def __init__(self, host: EscalationHost, locale: Locale, snippet: Snippet | None) -> None:
        action = "snip-edit" if snippet else "snip-add"
        title = t("snippets.form.edit_title" if snippet else "snippets.form.add_title", locale)
        super().__init__(host, title=title, action=action)
        self.locale, self.snippet = locale, snippet
        self.name: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="name", max_length=SNIPPET_NAME_MAX
        )
        self.text_nl = paragraph("text_nl", limit=SNIPPET_TEXT_MAX)
        self.text_en = paragraph("text_en", limit=SNIPPET_TEXT_MAX)
        for key, field in (("name", self.name), ("nl", self.text_nl), ("en", self.text_en)):
            self.add_item(
                discord.ui.Label(
                    text=t(f"snippets.form.{key}", locale),
                    description=clip(
                        t(f"snippets.form.{key}_hint", locale), limits.LABEL_DESCRIPTION_MAX
                    ),
                    component=field,
                )
            )
        if snippet is not None:
            self.name.default = snippet.name
            self.text_nl.default, self.text_en.default = snippet.text_nl, snippet.text_en

    def written(self) -> str:
        return "\n\n".join((self.name.value, self.text_nl.value, self.text_en.value))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        try:
            async with bot.db.sessions.begin() as session:
                handler = await acting_handler(interaction, session)
                saved = await self._save(session, handler.association_id)
        except Exception as exc:  # nothing was kept: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.written())
            return
        done = "snippets.edited" if self.snippet else "snippets.added"
        await send_private(interaction, t(done, self.locale, name=_escaped(saved.name)))

    async def _save(self, session: Any, desk: int | None) -> Snippet:
        texts = {"name": self.name.value, "text_nl": self.text_nl.value}
        texts["text_en"] = self.text_en.value
        if self.snippet is None:
            return await snippets.add_snippet(session, desk=desk, **texts)
        return await snippets.edit_snippet(session, desk=desk, snippet_id=self.snippet.id, **texts)


class RemoveAsk(SessionView):
    """Removing a saved reply is its own, confirmed choice."""

    def __init__(self, host: EscalationHost, snippet: Snippet, locale: Locale) -> None:
        super().__init__(host)
        self.snippet, self.locale = snippet, locale
        self.button(
            t("snippets.remove.yes", locale), "snip-rm", self._yes, style=discord.ButtonStyle.danger
        )
        self.button(t("snippets.remove.no", locale), "snip-keep", self._no)

    async def _yes(self, interaction: Interaction) -> None:
        async with bot_of(interaction).db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            gone = await snippets.remove_snippet(
                session, desk=handler.association_id, snippet_id=self.snippet.id
            )
        text = t("snippets.removed", self.locale, name=_escaped(gone.name))
        await interaction.response.edit_message(content=text, view=None)

    async def _no(self, interaction: Interaction) -> None:
        text = t("snippets.remove.kept", self.locale, name=_escaped(self.snippet.name))
        await interaction.response.edit_message(content=text, view=None)


def listing(found: tuple[Snippet, ...], locale: Locale, *, team: bool) -> str:
    """The desk's saved replies, each with the start of both texts, within one message."""
    if not found:
        return t("snippets.list.empty", locale)
    head = t("snippets.list.team" if team else "snippets.list.vcps", locale, count=len(found))
    lines = [head]
    for snippet in found:
        nl = _escaped(clip(" ".join(snippet.text_nl.split()), LISTED_TEXT))
        en = _escaped(clip(" ".join(snippet.text_en.split()), LISTED_TEXT))
        lines.append(t("snippets.list.line", locale, name=_escaped(snippet.name), nl=nl, en=en))
    return limits.clip_lines(
        lines,
        limits.MESSAGE_CONTENT_MAX,
        lambda more: t("snippets.list.more", locale, count=more),
    )


class SnippetsCog(commands.Cog):
    """The commands; the forms and the picker live in ``_snippets`` and ``_saved``."""

    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot

    group = app_commands.Group(
        name=L("cmd.snippets.name"), description=L("cmd.snippets.description"), guild_only=True
    )

    @access.audience(Audience.HANDLERS)
    @group.command(name=L("cmd.snippets.add.name"), description=L("cmd.snippets.add.description"))
    async def add(self, interaction: Interaction) -> None:
        await desk_of(interaction)
        form = SnippetForm(host_of(self.bot), locale_of(interaction), None)
        await interaction.response.send_modal(form)

    @access.audience(Audience.HANDLERS)
    @group.command(name=L("cmd.snippets.edit.name"), description=L("cmd.snippets.edit.description"))
    @app_commands.describe(name=L("cmd.snippets.name_option"))
    @app_commands.rename(name=L("cmd.snippets.opt.name"))
    async def edit(
        self, interaction: Interaction, name: app_commands.Range[str, 1, SNIPPET_NAME_MAX]
    ) -> None:
        snippet = await self._find(interaction, name)
        form = SnippetForm(host_of(self.bot), locale_of(interaction), snippet)
        await interaction.response.send_modal(form)

    @access.audience(Audience.HANDLERS)
    @group.command(
        name=L("cmd.snippets.remove.name"), description=L("cmd.snippets.remove.description")
    )
    @app_commands.describe(name=L("cmd.snippets.name_option"))
    @app_commands.rename(name=L("cmd.snippets.opt.name"))
    async def remove(
        self, interaction: Interaction, name: app_commands.Range[str, 1, SNIPPET_NAME_MAX]
    ) -> None:
        snippet = await self._find(interaction, name)
        locale = locale_of(interaction)
        ask = t("snippets.remove.ask", locale, name=_escaped(snippet.name))
        await send_private(interaction, ask, view=RemoveAsk(host_of(self.bot), snippet, locale))

    @access.audience(Audience.HANDLERS)
    @group.command(name=L("cmd.snippets.list.name"), description=L("cmd.snippets.list.description"))
    async def list_(self, interaction: Interaction) -> None:
        async with self.bot.db.reading.begin() as session:
            handler = await acting_handler(interaction, session)
            found = await snippets.list_snippets(session, desk=handler.association_id)
        text = listing(found.snippets, locale_of(interaction), team=handler.is_team)
        await send_private(interaction, text)

    @edit.autocomplete("name")
    @remove.autocomplete("name")
    async def name_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The desk's names containing what was typed; nothing for anyone else."""
        try:
            async with self.bot.db.reading.begin() as session:
                handler = await acting_handler(interaction, session)
                found = await snippets.list_snippets(
                    session,
                    desk=handler.association_id,
                    limit=limits.AUTOCOMPLETE_CHOICES_MAX,
                    starting=current,
                )
        except Exception:  # not a handler here (or no network yet): nothing to suggest
            return []
        return [app_commands.Choice(name=s.name, value=s.name) for s in found.snippets]

    async def _find(self, interaction: Interaction, name: str) -> Snippet:
        async with self.bot.db.reading.begin() as session:
            handler = await acting_handler(interaction, session)
            return await snippets.find_snippet(session, desk=handler.association_id, name=name)
