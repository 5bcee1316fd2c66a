"""Ephemeral views and forms bound to one conversation with one person (a session token)."""

from __future__ import annotations

from typing import Any

import discord

from cogs.escalation._host import EscalationHost
from cogs.escalation._ids import SESSION
from vcpbot import custom_ids
from vcpbot.interactions import Wording, report_error
from vcpbot.limits import MODAL_TITLE_MAX, PLACEHOLDER_MAX, clip
from vcpbot.modals import ExpiringModal
from vcpbot.services import escalation

VIEW_SECONDS = 15 * 60  # as long as Discord lets us edit an ephemeral reply
FORM_SECONDS = 60 * 60  # writing about something difficult can take a while


class SessionView(discord.ui.View):
    """An ephemeral message's buttons, bound to one conversation; errors answered calmly
    (in a reporter's words where ``wording`` is ``for_reporter``)."""

    wording: Wording | None = None

    def __init__(self, cog: EscalationHost, *, timeout: float = VIEW_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self.cog = cog
        self.token = cog.sessions.new()

    def custom_id(self, action: str) -> str:
        return custom_ids.build(SESSION, action, self.token)

    def button(
        self,
        label: str,
        action: str,
        callback: Any,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> discord.ui.Button[Any]:
        item: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=self.custom_id(action)
        )
        item.callback = callback  # type: ignore[method-assign]  # discord.py's way to set one item's callback
        self.add_item(item)
        return item

    async def on_timeout(self) -> None:
        self.cog.sessions.close(self.token)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error, self.wording)


class SessionForm(ExpiringModal):
    """A modal bound to one conversation; its custom_id is new for every opening."""

    wording: Wording | None = None

    def __init__(self, cog: EscalationHost, *, title: str, action: str) -> None:
        self.cog = cog
        self.token = cog.sessions.new()
        super().__init__(
            title=clip(title, MODAL_TITLE_MAX),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(SESSION, action, self.token),
        )

    async def on_timeout(self) -> None:
        self.cog.sessions.close(self.token)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error, self.wording)


def paragraph(
    custom_id: str,
    *,
    placeholder: str | None = None,
    required: bool = True,
    limit: int = escalation.TEXT_MAX,
) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph,
        max_length=limit,
        required=required,
        placeholder=clip(placeholder, PLACEHOLDER_MAX) if placeholder else None,
    )
