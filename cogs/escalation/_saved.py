"""Reply, started from a saved reply: when the handler's desk keeps saved replies, Reply
first offers them (Blank first), and the choice opens the Reply form prefilled in the
reporter's language, to change freely before sending.

The picker answers only the handler, and every choice asks again who is acting: the
saved reply must be their own desk's. The Reply form itself checks the case again when
it is sent, as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

from cogs.escalation._access import acting_handler
from cogs.escalation._host import EscalationHost
from cogs.escalation._sessions import SessionView
from vcpbot import limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.limits import clip
from vcpbot.services import snippets
from vcpbot.services.escalation import CaseCard, Handler
from vcpbot.services.snippets import Snippet, SnippetList

# One option is Blank; with the reporter's language unknown, each saved reply is offered
# in both languages.
PICK_MAX = limits.SELECT_OPTIONS_MAX - 1
BLANK = "blank"
LANGUAGES = ("nl", "en")

FormFor = Callable[[str], discord.ui.Modal]  # the Reply form, prefilled with this text


async def offer_saved_replies(
    interaction: Interaction,
    cog: EscalationHost,
    *,
    handler: Handler,
    card: CaseCard,
    form: FormFor,
) -> bool:
    """Show the picker and say True; False when the desk keeps no saved replies."""
    per_language = 1 if card.language in LANGUAGES else len(LANGUAGES)
    async with bot_of(interaction).db.reading.begin() as session:
        found = await snippets.list_snippets(
            session, desk=handler.association_id, limit=PICK_MAX // per_language
        )
    if not found.snippets:
        return False
    picker = SavedReplyPicker(
        cog, found=found, language=card.language, locale=locale_of(interaction), form=form
    )
    await send_private(interaction, picker.content(card.code), view=picker)
    return True


def _language_name(language: str, locale: Locale) -> str:
    return t(f"snippets.language.{language}", locale)


def _preview(text: str) -> str:
    return clip(" ".join(text.split()), limits.SELECT_OPTION_TEXT_MAX)


class SavedReplyPicker(SessionView):
    """Blank, then the desk's saved replies by name, in the reporter's language."""

    def __init__(
        self,
        cog: EscalationHost,
        *,
        found: SnippetList,
        language: str | None,
        locale: Locale,
        form: FormFor,
    ) -> None:
        super().__init__(cog)
        self.found, self.language, self.locale, self.form = found, language, locale, form
        self.pick: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=self.custom_id("snip-pick"),
            placeholder=clip(t("snippets.pick.placeholder", locale), limits.PLACEHOLDER_MAX),
            options=self._options(),
        )
        self.pick.callback = self._picked  # type: ignore[method-assign,assignment]  # as SessionView.button does
        self.add_item(self.pick)

    def _options(self) -> list[discord.SelectOption]:
        options = [
            discord.SelectOption(
                label=t("snippets.pick.blank", self.locale),
                description=t("snippets.pick.blank_hint", self.locale),
                value=BLANK,
            )
        ]
        for snippet in self.found.snippets:
            options += self._offers(snippet)
        return options

    def _offers(self, snippet: Snippet) -> list[discord.SelectOption]:
        if self.language in LANGUAGES:
            text = snippet.text(self.language)
            return [
                discord.SelectOption(
                    label=snippet.name, value=str(snippet.id), description=_preview(text)
                )
            ]
        return [
            discord.SelectOption(
                label=f"{snippet.name} ({_language_name(language, self.locale)})",
                value=f"{snippet.id}:{language}",
                description=_preview(snippet.text(language)),
            )
            for language in LANGUAGES
        ]

    def content(self, code: str) -> str:
        lines = [t("snippets.pick.intro", self.locale, code=code)]
        if self.language in LANGUAGES:
            name = _language_name(self.language, self.locale)
            lines.append(t("snippets.pick.reads", self.locale, language=name))
        else:
            lines.append(t("snippets.pick.unknown_language", self.locale))
        if self.found.cut:
            lines.append(
                t(
                    "snippets.pick.cut",
                    self.locale,
                    shown=len(self.found.snippets),
                    total=self.found.total,
                )
            )
        return "\n\n".join(lines)

    async def _picked(self, interaction: Interaction) -> None:
        choice = self.pick.values[0] if self.pick.values else BLANK
        text = "" if choice == BLANK else await self._text_of(interaction, choice)
        await interaction.response.send_modal(self.form(text))

    async def _text_of(self, interaction: Interaction, choice: str) -> str:
        """Who is acting, asked again: only their own desk's saved reply opens."""
        snippet_id, _, language = choice.partition(":")
        async with bot_of(interaction).db.reading.begin() as session:
            handler = await acting_handler(interaction, session)
            snippet = await snippets.snippet_by_id(
                session, desk=handler.association_id, snippet_id=int(snippet_id)
            )
        return snippet.text(language or self.language or "en")
