"""Long answers as pages: embeds cut between words, packed within Discord's limits.

A page is a list of embeds that fits one message (at most 10 embeds and 6000
characters). Private answers with more than one page get Previous/Next
buttons; the pages are computed once, so paging never reads the database.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from cogs.rules._ids import FEATURE
from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS, ReportingView, keep_nothing
from vcpbot.services import rules

# A description holds 4096 characters; the margin leaves room for a notice line.
DESCRIPTION_PAGE = 4000
# Room for the "Page 2 of 5" footer the pager adds.
PAGER_MARGIN = 100
# Ephemeral messages can be edited for 15 minutes; stop a little before.
PAGER_SECONDS = 14 * 60

Page = list[discord.Embed]


def text_embeds(
    title: str | None,
    text: str,
    *,
    continued: str | None = None,
    colour: discord.Colour | None = None,
) -> list[discord.Embed]:
    """One embed per page of ``text`` (cut between words); the first carries the title."""
    pages = rules.paginate(text, DESCRIPTION_PAGE) or [""]
    embeds = []
    for index, page in enumerate(pages):
        heading = title if index == 0 else (continued or title)
        embeds.append(
            discord.Embed(
                title=limits.clip(heading, limits.EMBED_TITLE_MAX, at_space=True)
                if heading
                else None,
                description=page or None,
                colour=colour,
            )
        )
    return embeds


def pack(embeds: list[discord.Embed], *, margin: int = 0) -> list[Page]:
    """Embeds in order, packed into as few messages as Discord's limits allow."""
    pages: list[Page] = []
    current: Page = []
    used = 0
    for embed in embeds:
        size = len(embed)
        full = (
            len(current) == limits.MESSAGE_EMBEDS_MAX
            or used + size > limits.EMBEDS_TOTAL_MAX - margin
        )
        if current and full:
            pages.append(current)
            current, used = [], 0
        current.append(embed)
        used += size
    if current:
        pages.append(current)
    return pages


class Pager(ReportingView):
    """Previous/Next over pages computed in advance; only the person who asked sees it."""

    def __init__(self, pages: list[Page], locale: Locale) -> None:
        super().__init__(timeout=PAGER_SECONDS)
        self.pages = pages
        self.index = 0
        self._edit: Callable[..., Awaitable[Any]] | None = None
        for number, page in enumerate(pages, start=1):
            footer = t("rules.page.footer", locale, page=number, pages=len(pages))
            last = page[-1]
            if last.footer.text:
                footer = f"{last.footer.text} · {footer}"
            last.set_footer(text=footer)
        token = secrets.token_urlsafe(9)
        self.previous: discord.ui.Button[Pager] = discord.ui.Button(
            label=t("rules.page.previous", locale),
            custom_id=custom_ids.build(FEATURE, "prev", token),
            style=discord.ButtonStyle.secondary,
        )
        self.next: discord.ui.Button[Pager] = discord.ui.Button(
            label=t("rules.page.next", locale),
            custom_id=custom_ids.build(FEATURE, "next", token),
            style=discord.ButtonStyle.secondary,
        )
        self.previous.callback = self._go_back  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.next.callback = self._go_on  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.add_item(self.previous)
        self.add_item(self.next)
        self._show_position()

    def _show_position(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1

    async def _go_back(self, interaction: Interaction) -> None:
        await self._show(interaction, self.index - 1)

    async def _go_on(self, interaction: Interaction) -> None:
        await self._show(interaction, self.index + 1)

    async def _show(self, interaction: Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._show_position()
        await interaction.response.edit_message(embeds=self.pages[self.index], view=self)

    async def on_timeout(self) -> None:
        if self._edit is not None:
            with contextlib.suppress(discord.HTTPException):
                await self._edit(view=None)


async def send_pages(
    interaction: Interaction,
    pages: list[Page],
    locale: Locale,
    *,
    content: str | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """A private answer: one message, with Previous/Next when there is more than one page.

    ``view`` (buttons without timeout) is for a one-page answer; a pager takes its place.
    """
    kwargs: dict[str, Any] = {
        "content": content,
        "allowed_mentions": NO_MENTIONS,
        "ephemeral": True,
    }
    pager = Pager(pages, locale) if len(pages) > 1 else None
    if pager is not None:
        kwargs["view"] = pager
    elif view is not None:
        kwargs["view"] = keep_nothing(view)
    embeds = pages[0] if pages else []
    if interaction.response.is_done():
        message = await interaction.followup.send(embeds=embeds, wait=True, **kwargs)
        edit: Callable[..., Awaitable[Any]] = message.edit
    else:
        await interaction.response.send_message(embeds=embeds, **kwargs)
        edit = interaction.edit_original_response
    if pager is not None:
        pager._edit = edit
