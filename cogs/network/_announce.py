"""/network announce: the coordinator's form, the preview, Send; and the delivery report.

Nothing is stored until Send: the draft lives in the preview's buttons (this process's
memory), so a preview left alone, cancelled or lost in a restart leaves nothing behind.
Every step re-checks the coordinator role in the hub, and every reply is private.
"""

from __future__ import annotations

import secrets
from typing import Any

import discord

from cogs.network._host import AnnounceHost
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.errors import InvalidInput
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, report_error, send_private, text
from vcpbot.modals import ExpiringModal
from vcpbot.services import announce
from vcpbot.services.announce import AnnouncementSettings, Draft, Reach, Report, State

FEATURE = "announce"
FORM_SECONDS = 15 * 60  # an interaction's token lives 15 minutes; so does the preview
PREVIEW_REFERENCE = "…"  # each copy's own reference replaces it
_NOT_SENT = (State.OPTED_OUT, State.NO_CHANNEL)


def post_embed(draft: Draft, locale: str, reference: str) -> discord.Embed:
    """The announcement as an association's channel shows it, in that association's language."""
    lang: Locale = "nl" if locale == "nl" else "en"
    embed = discord.Embed(
        title=draft.title, description=draft.text(lang), colour=discord.Colour.blurple()
    )
    embed.set_footer(text=t("announce.post.footer", lang, reference=reference))
    return embed


def carries(message: discord.Message, reference: str) -> bool:
    """Is this the bot's copy with this reference (from an earlier, interrupted attempt)?"""
    return any((embed.footer.text or "").endswith(" " + reference) for embed in message.embeds)


class AnnounceForm(ExpiringModal):
    """Title, Dutch text, English text; filled in again with the draft when editing."""

    def __init__(self, host: AnnounceHost, *, draft: Draft | None, locale: Locale) -> None:
        super().__init__(
            title=limits.clip(t("announce.form.title", locale), limits.MODAL_TITLE_MAX),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "form", secrets.token_urlsafe(9)),
        )
        self.host = host
        self.title_input = self._field("title", announce.TITLE_MAX, draft, locale)
        self.nl = self._field("nl", limits.TEXT_INPUT_MAX, draft, locale)
        self.en = self._field("en", limits.TEXT_INPUT_MAX, draft, locale)

    def _field(
        self, name: str, limit: int, draft: Draft | None, locale: Locale
    ) -> discord.ui.TextInput[Any]:
        current = {"title": draft.title, "nl": draft.text_nl, "en": draft.text_en} if draft else {}
        field: discord.ui.TextInput[AnnounceForm] = discord.ui.TextInput(
            custom_id=name,
            style=discord.TextStyle.short if name == "title" else discord.TextStyle.paragraph,
            max_length=limit,
            default=current.get(name) or None,
            placeholder=None if name == "title" else t(f"announce.form.{name}_placeholder", locale),
        )
        self.add_item(
            discord.ui.Label(text=t(f"announce.form.{name}_label", locale), component=field)
        )
        return field

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        draft = Draft(self.title_input.value, self.nl.value, self.en.value)
        await show_preview(self.host, interaction, draft)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


async def open_form(host: AnnounceHost, interaction: Interaction, draft: Draft | None) -> None:
    """The coordinator's form, as the first response (a form cannot follow a deferral)."""
    async with host.bot.db.reading.begin() as session:
        await access.require_coordinator(interaction, session)
    form = AnnounceForm(host, draft=draft, locale=locale_of(interaction))
    await interaction.response.send_modal(form)


async def show_preview(host: AnnounceHost, interaction: Interaction, raw: Draft) -> None:
    """The announcement exactly as each language's associations will see it, who gets it,
    and Send; or, when a field is empty or too long, why, with Edit to fix it."""
    locale = locale_of(interaction)
    async with host.bot.db.reading.begin() as session:
        await access.require_coordinator(interaction, session)
        reach = await announce.reach(session)
    try:
        draft = announce.check_draft(title=raw.title, text_nl=raw.text_nl, text_en=raw.text_en)
    except InvalidInput as refused:
        view = PreviewView(host, raw, interaction.user.id, locale, sendable=False)
        await send_private(interaction, t(refused.key, locale, **refused.params), view=view)
        return
    view = PreviewView(host, draft, interaction.user.id, locale, sendable=reach.total > 0)
    embeds = [post_embed(draft, lang, PREVIEW_REFERENCE) for lang in ("nl", "en")]
    await send_private(interaction, _preview_text(reach, locale), embeds=embeds, view=view)


def _preview_text(reach: Reach, locale: Locale) -> str:
    lines = [t("announce.preview.intro", locale), ""]
    if reach.dutch:
        lines.append(t("announce.preview.dutch", locale, count=reach.dutch))
    if reach.english:
        lines.append(t("announce.preview.english", locale, count=reach.english))
    if reach.opted_out:
        lines.append(t("announce.preview.opted_out", locale, names=list(reach.opted_out)))
    if reach.no_channel:
        lines.append(t("announce.preview.no_channel", locale, names=list(reach.no_channel)))
    closing = "announce.preview.confirm" if reach.total else "announce.preview.nobody"
    lines += ["", t(closing, locale)]
    return limits.clip("\n".join(lines), limits.MESSAGE_CONTENT_MAX)


class PreviewView(discord.ui.View):
    """Send, Edit and Don't send under a preview; only its coordinator can press them."""

    def __init__(
        self, host: AnnounceHost, draft: Draft, user_id: int, locale: Locale, *, sendable: bool
    ) -> None:
        super().__init__(timeout=FORM_SECONDS)
        self.host, self.draft, self.user_id = host, draft, user_id
        token = secrets.token_urlsafe(9)
        actions = [("send", discord.ButtonStyle.primary, self._send)] if sendable else []
        actions += [
            ("edit", discord.ButtonStyle.secondary, self._edit),
            ("cancel", discord.ButtonStyle.secondary, self._cancel),
        ]
        for action, style, callback in actions:
            button: discord.ui.Button[PreviewView] = discord.ui.Button(
                label=t(f"announce.button.{action}", locale),
                style=style,
                custom_id=custom_ids.build(FEATURE, action, token),
            )
            button.callback = callback  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback
            self.add_item(button)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def _send(self, interaction: Interaction) -> None:
        self.stop()
        bot = self.host.bot
        async with bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            reach = await announce.reach(session)
            await announce.send_announcement(session, draft=self.draft, now=bot.clock())
        self.host.kick_announcements()
        done = t("announce.sent", locale_of(interaction), count=reach.total)
        await interaction.response.edit_message(content=done, embeds=[], view=None)

    async def _edit(self, interaction: Interaction) -> None:
        self.stop()
        await open_form(self.host, interaction, self.draft)

    async def _cancel(self, interaction: Interaction) -> None:
        self.stop()
        text = t("announce.cancelled", locale_of(interaction))
        await interaction.response.edit_message(content=text, embeds=[], view=None)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


async def show_report(host: AnnounceHost, interaction: Interaction, *, refresh: bool) -> None:
    """How the latest announcement went: arrived, did not arrive and why, not sent."""
    locale = locale_of(interaction)
    async with host.bot.db.reading.begin() as session:
        await access.require_coordinator(interaction, session)
        found = await announce.report(session)
    if found is None:
        await send_private(interaction, t("announce.report.none", locale))
        return
    embed = report_embed(found, locale)
    view = ReportView(host, interaction.user.id, locale)
    if refresh:
        await interaction.response.edit_message(embed=embed, view=view)
        return
    await send_private(interaction, embed=embed, view=view)


def report_embed(report: Report, locale: Locale) -> discord.Embed:
    title = t("announce.report.title", locale, title=report.title)
    when = discord.utils.format_dt(report.sent_at, "f")
    embed = discord.Embed(
        title=limits.clip(title, limits.EMBED_TITLE_MAX),
        description=t("announce.report.sent_at", locale, when=when),
    )
    delivered = [line.association for line in report.having(State.DELIVERED)]
    failed = [_why(line, locale) for line in report.having(State.FAILED)]
    not_sent = [_why(line, locale) for line in report.lines if line.state in _NOT_SENT]
    pending = [line.association for line in report.having(State.PENDING)]
    for key, lines in (
        ("failed", failed),
        ("pending", pending),
        ("not_sent", not_sent),
        ("delivered", delivered),
    ):
        if lines:
            embed.add_field(
                name=t(f"announce.report.{key}", locale, count=len(lines)),
                value=limits.clip_lines(
                    lines,
                    limits.FIELD_VALUE_MAX,
                    lambda n: t("announce.report.more", locale, count=n),
                ),
                inline=False,
            )
    return embed


def _why(line: announce.ReportLine, locale: Locale) -> str:
    reason = line.reason.value if line.reason is not None else line.state.value
    why = t(f"announce.reason.{reason}", locale)
    return t("announce.report.line", locale, association=line.association, why=why)


class ReportView(discord.ui.View):
    """Refresh, for a report read while copies are still on their way."""

    def __init__(self, host: AnnounceHost, user_id: int, locale: Locale) -> None:
        super().__init__(timeout=FORM_SECONDS)
        self.host, self.user_id = host, user_id
        button: discord.ui.Button[ReportView] = discord.ui.Button(
            label=t("announce.report.refresh", locale),
            custom_id=custom_ids.build(FEATURE, "refresh", secrets.token_urlsafe(9)),
        )
        button.callback = self._reload  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback
        self.add_item(button)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def _reload(self, interaction: Interaction) -> None:
        self.stop()
        await show_report(self.host, interaction, refresh=True)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


def announcement_choice(interaction: Interaction, chosen: AnnouncementSettings) -> str:
    """What the board's choice means: where announcements arrive and who is mentioned, or
    that none come; and a warning when the bot may not post in the chosen channel."""
    if chosen.opted_out or chosen.channel_id is None:
        return text(interaction, "announce.setup.off")
    channel = f"<#{chosen.channel_id}>"
    lines = [text(interaction, "announce.setup.on", channel=channel)]
    if chosen.role_id is not None:
        lines.append(text(interaction, "announce.setup.role", role=f"<@&{chosen.role_id}>"))
    else:
        lines.append(text(interaction, "announce.setup.no_role"))
    guild = interaction.guild
    found = guild.get_channel(chosen.channel_id) if guild is not None else None
    if guild is not None and found is not None:
        allowed = found.permissions_for(guild.me)
        if not (allowed.view_channel and allowed.send_messages and allowed.embed_links):
            lines.append(text(interaction, "announce.setup.cannot_post", channel=channel))
    return "\n".join(lines)
