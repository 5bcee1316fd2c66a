"""A case's conversation as embeds, in pages that fit Discord's limits, shown only to one person."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord

from cogs.escalation._host import EscalationHost
from cogs.escalation._sessions import SessionView
from vcpbot import limits
from vcpbot.bot_types import Interaction
from vcpbot.i18n import Locale, t
from vcpbot.services.escalation import Author, MessageView

DESCRIPTION_ROOM = 4000  # Discord allows 4096; the rest is room for escaping
PAGE_CHARS = 5500  # of the 6000 characters a message's embeds may hold together
COLOURS = {
    Author.REPORTER: discord.Colour.blurple(),
    Author.VCP: discord.Colour.gold(),
    Author.TEAM: discord.Colour.green(),
}

Byline = Callable[[MessageView], str]
Page = list[discord.Embed]


def _chunks(text: str, size: int = DESCRIPTION_ROOM) -> list[str]:
    """Relayed text with markdown shown as typed, in pieces that fit an embed."""
    escaped = discord.utils.escape_markdown(text)
    pieces = []
    while escaped:
        cut = min(len(escaped), size)
        # Never split an escape from the character it escapes.
        trailing = len(escaped[:cut]) - len(escaped[:cut].rstrip("\\"))
        if cut < len(escaped) and trailing % 2:
            cut -= 1
        pieces.append(escaped[:cut])
        escaped = escaped[cut:]
    return pieces or [""]


def pinned_embed(title: str, text: str) -> discord.Embed:
    """Something shown above every page (a question waiting for the reporter's answer)."""
    return discord.Embed(
        title=title[: limits.EMBED_TITLE_MAX],
        description=_chunks(text)[0],
        colour=discord.Colour.gold(),
    )


def pages(
    messages: Sequence[MessageView],
    byline: Byline,
    locale: Locale,
    *,
    pinned: Sequence[discord.Embed] = (),
) -> list[Page]:
    """Oldest first; every page, with ``pinned`` above it, within one Discord message."""
    result: list[Page] = []
    reserved = sum(len(e.title or "") + len(e.description or "") for e in pinned)
    room, embeds = PAGE_CHARS - reserved, limits.MESSAGE_EMBEDS_MAX - len(pinned)
    page: Page = []
    used = 0
    for message in messages:
        title = byline(message)[: limits.EMBED_TITLE_MAX]
        for piece in _chunks(message.text, min(DESCRIPTION_ROOM, room - limits.EMBED_TITLE_MAX)):
            embed = discord.Embed(
                title=title, description=piece, colour=COLOURS.get(message.author)
            )
            size = len(title) + len(piece)
            if page and (used + size > room or len(page) >= embeds):
                result.append(page)
                page, used = [], 0
            page.append(embed)
            used += size
    if page:
        result.append(page)
    result = result or [[discord.Embed(description=t("escalation.conversation.empty", locale))]]
    return [[*pinned, *each] for each in result]


def byline_for(
    names: dict[Author, str], summary: str, locale: Locale
) -> Callable[[MessageView], str]:
    """Who wrote it, and when; a forwarding VCP's summary and reason say what they are."""
    reason = t("escalation.author.urgent_reason", locale)

    def byline(message: MessageView) -> str:
        author = summary if message.summary else names[message.author]
        if message.urgent_reason:
            author = reason
        return t("escalation.conversation.byline", locale, author=author, date=message.on)

    return byline


class PagedView(SessionView):
    """Earlier / Later through a conversation held for this view's short life."""

    def __init__(self, cog: EscalationHost, *, locale: Locale, conversation: list[Page]) -> None:
        super().__init__(cog)
        self.locale = locale
        self.conversation = conversation
        self.page = len(conversation) - 1  # the newest messages first
        self.earlier: discord.ui.Button[Any] | None = None
        self.later: discord.ui.Button[Any] | None = None

    def add_pager(self) -> None:
        if len(self.conversation) < 2:
            return
        self.earlier = self.button(t("escalation.case.earlier", self.locale), "earlier", self._back)
        self.later = self.button(t("escalation.case.later", self.locale), "later", self._forward)
        self._enable()

    def _enable(self) -> None:
        if self.earlier is not None and self.later is not None:
            self.earlier.disabled = self.page == 0
            self.later.disabled = self.page == len(self.conversation) - 1

    def header(self) -> str:
        raise NotImplementedError

    def page_note(self) -> str:
        if len(self.conversation) < 2:
            return ""
        return "\n" + t(
            "escalation.case.page", self.locale, page=self.page + 1, pages=len(self.conversation)
        )

    def render(self) -> dict[str, Any]:
        self._enable()
        return {
            "content": self.header() + self.page_note(),
            "embeds": self.conversation[self.page],
            "view": self,
        }

    async def _back(self, interaction: Interaction) -> None:
        self.page = max(self.page - 1, 0)
        await interaction.response.edit_message(**self.render())

    async def _forward(self, interaction: Interaction) -> None:
        self.page = min(self.page + 1, len(self.conversation) - 1)
        await interaction.response.edit_message(**self.render())
