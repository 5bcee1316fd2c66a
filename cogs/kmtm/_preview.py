"""The private preview of a KMTM report, and its "Post in #channel" and "Cancel" buttons.

``/kmtm report`` shows the table and the chart to the coordinator alone (an ephemeral
message). The preview counts as a release (see ``vcpbot.services.kmtm._preview``): the
numbers are in the ledger before the coordinator sees them, and the preview says so.
Only the Post button puts the report in the channel, as a message the team sees, and
it posts the very embed and chart bytes that were previewed. Each press checks again,
from the database, that the presser is the coordinator, and the in-memory token
(the opaque part of the custom_id) works only for the coordinator who asked, once.

The report is for the team's channel, so it is written in the hub's language (the
deployment's ``default_locale``, as every post in the hub), and the preview shows it
in that language: what is posted is what was seen. What is said to the coordinator
alone (the words above the report, the buttons, what a press answers) is in their
own language, and when that differs from the hub's, the preview says in which
language the team will read the report.
"""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import discord

from cogs.kmtm._host import preview_book
from cogs.kmtm._ids import FEATURE
from cogs.kmtm._render import file_name, report_embed
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import Conflict
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS, locale_of, report_error, send_private
from vcpbot.services.kmtm import Preview, Report, alt_text, render_png


async def show_preview(interaction: Interaction, released: Report) -> None:
    """The report for the coordinator's eyes only, with the buttons (after a deferral)."""
    bot = bot_of(interaction)
    reader = locale_of(interaction)
    hub: Locale = bot.settings.default_locale
    chart = await asyncio.to_thread(render_png, released, locale=hub)
    preview = Preview(
        report=released,
        locale=hub,
        chart=chart,
        alt_text=alt_text(released, locale=hub),
        channel_id=interaction.channel_id or 0,
    )
    token = preview_book(bot).issue(preview, actor_id=interaction.user.id, now=bot.clock())
    channel = getattr(interaction.channel, "name", None) or "…"
    await send_private(
        interaction,
        _intro(preview, reader),
        embed=_embed(preview),
        file=_chart_file(preview),
        view=_buttons(token, reader, channel),
    )


def _intro(preview: Preview, reader: Locale) -> str:
    """What the coordinator reads above the report, in their language."""
    intro = t(
        "kmtm.preview.intro",
        reader,
        channel=f"<#{preview.channel_id}>",
        period=preview.report.period_name,
    )
    if reader != preview.locale:
        intro += " " + t(f"kmtm.preview.language.{preview.locale}", reader)
    return intro


def _embed(preview: Preview) -> discord.Embed:
    return report_embed(preview.report, preview.locale, image=file_name(preview.report, "png"))


def _chart_file(preview: Preview) -> discord.File:
    return discord.File(
        io.BytesIO(preview.chart),
        filename=file_name(preview.report, "png"),
        description=preview.alt_text,
    )


def _buttons(token: str, locale: Locale, channel: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    post = t("kmtm.preview.post", locale, channel=channel)
    if len(post) > limits.BUTTON_LABEL_MAX:
        post = post[: limits.BUTTON_LABEL_MAX - 1] + "…"
    view.add_item(PreviewButton("post", token, post))
    view.add_item(PreviewButton("cancel", token, t("kmtm.preview.cancel", locale)))
    return view


class PreviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "post|cancel"),
):
    """Post the previewed report in its channel, or drop it; for its coordinator, once."""

    def __init__(self, action: str, token: str, label: str | None = None) -> None:
        style = discord.ButtonStyle.primary if action == "post" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or t(f"kmtm.preview.{action}", "en", channel=""),
                style=style,
                custom_id=custom_ids.build(FEATURE, action, token),
            )
        )
        self.action = action
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> PreviewButton:
        return cls(match["action"], match["token"], item.label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._press(interaction)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)

    async def _press(self, interaction: Interaction) -> None:
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        # Checked before the token is taken: a refused press leaves the preview postable.
        preview = preview_book(bot).take(self.token, actor_id=interaction.user.id, now=bot.clock())
        if preview is None:
            raise Conflict("kmtm.preview.expired")
        locale = locale_of(interaction)
        if self.action == "cancel":
            cancelled = t("kmtm.preview.cancelled", locale, period=preview.report.period_name)
            await interaction.response.edit_message(content=cancelled, view=None)
            return
        await interaction.response.defer()
        # A followup without the ephemeral flag: the channel sees it, as the report
        # command's answer did before previews (no channel permission needed).
        await interaction.followup.send(
            embed=_embed(preview), file=_chart_file(preview), allowed_mentions=NO_MENTIONS
        )
        posted = t("kmtm.preview.posted", locale, channel=f"<#{preview.channel_id}>")
        await interaction.edit_original_response(content=posted, view=None)
