"""``/my-case``: the reporter follows their case by receipt, anywhere, and only they see it.

The receipt lives in this view's memory for the length of the conversation and
is checked again by the service on every action; it is never put in a custom_id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from cogs.escalation._common import (
    SessionForm,
    SessionView,
    bot_of,
    label,
    paragraph,
    receipt_not_found,
    unlock,
)
from cogs.escalation._conversation import PagedView, byline_for, pages
from cogs.escalation._report import refuse_keeping_text
from cogs.escalation._reporter import for_reporter
from vcpbot.i18n import Locale, category_label, t
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import Author, ReporterView

if TYPE_CHECKING:
    from cogs.escalation._cog import EscalationCog


def _names(locale: Locale) -> dict[Author, str]:
    return {
        Author.REPORTER: t("escalation.author.you", locale),
        Author.VCP: t("escalation.author.vcp", locale),
        Author.TEAM: t("escalation.author.team", locale),
    }


class CaseView(PagedView):
    """Status, the conversation, and Reply / Close my case / notices."""

    wording = staticmethod(for_reporter)

    def __init__(
        self,
        cog: EscalationCog,
        *,
        receipt: str,
        case: ReporterView,
        locale: Locale,
        note: str | None = None,
    ) -> None:
        byline = byline_for(_names(locale), t("escalation.author.summary", locale), locale)
        super().__init__(cog, locale=locale, conversation=pages(case.messages, byline, locale))
        self.receipt = receipt
        self.case = case
        self.note = note
        if case.awaiting_choice:
            self.button(
                t("escalation.case.to_team", locale),
                "to-team",
                self._to_team,
                style=discord.ButtonStyle.primary,
            )
        if not case.closed:
            self.button(
                t("escalation.case.reply", locale),
                "reply",
                self._reply,
                style=discord.ButtonStyle.secondary
                if case.awaiting_choice
                else discord.ButtonStyle.primary,
            )
            self.button(t("escalation.case.close", locale), "close", self._close)
            if case.notices:
                self.button(t("escalation.case.stop", locale), "stop", self._stop)
            else:
                self.button(t("escalation.case.notify", locale), "notify", self._notify)
        self.add_pager()

    def header(self) -> str:
        locale, case = self.locale, self.case
        lines = [self.note] if self.note else []
        lines.append("**" + t("escalation.case.title", locale, code=case.code) + "**")
        lines.append(
            t(
                "escalation.case.summary",
                locale,
                route=label("route", case.route, locale),
                category=category_label(case.category, locale),
                urgency=label("urgency", case.urgency, locale),
                status=label("status", case.status, locale),
                date=case.created_on,
            )
        )
        if case.awaiting_choice and case.undelivered is not None:
            lines.append(t(f"escalation.case.undelivered.{case.undelivered.value}", locale))
        elif case.forwarded:
            key = "sent_to_team" if case.undelivered else "forwarded"
            lines.append(t(f"escalation.case.{key}", locale))
        if case.closed:
            days = self.cog.require_config().policy.retention_days
            lines.append(
                t("escalation.case.closed_note", locale, days=t("common.days", locale, count=days))
            )
        else:
            lines.append(t(_notices_key(case), locale))
        return "\n".join(lines)

    def again(self, case: ReporterView, note: str | None) -> dict[str, Any]:
        return CaseView(
            self.cog, receipt=self.receipt, case=case, locale=self.locale, note=note
        ).render()

    async def _reply(self, interaction: discord.Interaction) -> None:
        self.cog.require_config()
        await interaction.response.send_modal(ReporterReplyForm(self, locale_of(interaction)))

    async def _close(self, interaction: discord.Interaction) -> None:
        days = self.cog.require_config().policy.retention_days
        await interaction.response.edit_message(
            content=t(
                "escalation.case.close_ask",
                self.locale,
                days=t("common.days", self.locale, count=days),
            ),
            embeds=[],
            view=CloseAsk(self),
        )

    async def _to_team(self, interaction: discord.Interaction) -> None:
        self.cog.require_config()
        await interaction.response.edit_message(
            content=t("escalation.case.to_team_ask", self.locale), embeds=[], view=ToTeamAsk(self)
        )

    async def _notify(self, interaction: discord.Interaction) -> None:
        await self._notices(interaction, enabled=True)

    async def _stop(self, interaction: discord.Interaction) -> None:
        await self._notices(interaction, enabled=False)

    async def _notices(self, interaction: discord.Interaction, *, enabled: bool) -> None:
        config = self.cog.require_config()
        await interaction.response.defer()
        unlocked = await unlock(interaction, config, self.receipt)
        async with bot_of(interaction).db.sessions.begin() as session:
            case = await escalation.set_notices(
                session, config=config, unlocked=unlocked, enabled=enabled
            )
        key = "escalation.notices.on" if enabled else "escalation.notices.off"
        await show(interaction, self, case, t(key, self.locale))


def _notices_key(case: ReporterView) -> str:
    if case.notices:
        return "escalation.case.notices_on"
    return "escalation.case.notices_lost" if case.notices_lost else "escalation.case.notices_off"


async def show(
    interaction: discord.Interaction, view: CaseView, case: ReporterView | None, note: str
) -> None:
    """Redraw the case message after an action, or say it is no longer there."""
    if case is None:
        await interaction.edit_original_response(
            content=receipt_not_found(view.cog.require_config(), view.locale),
            embeds=[],
            view=None,
        )
        return
    await interaction.edit_original_response(**view.again(case, note), allowed_mentions=NO_MENTIONS)


class CloseAsk(SessionView):
    """Closing cannot be undone by the reporter, so it is asked once."""

    wording = staticmethod(for_reporter)

    def __init__(self, case_view: CaseView) -> None:
        super().__init__(case_view.cog)
        self.case_view = case_view
        locale = case_view.locale
        self.button(
            t("escalation.case.close_yes", locale),
            "close-yes",
            self._yes,
            style=discord.ButtonStyle.danger,
        )
        self.button(t("escalation.case.close_no", locale), "close-no", self._no)

    async def _yes(self, interaction: discord.Interaction) -> None:
        config = self.cog.require_config()
        await interaction.response.defer()
        bot = bot_of(interaction)
        unlocked = await unlock(interaction, config, self.case_view.receipt)
        async with bot.db.sessions.begin() as session:
            case = await escalation.reporter_close(
                session, config=config, unlocked=unlocked, now=bot.clock()
            )
        self.cog.kick()
        await show(
            interaction,
            self.case_view,
            case,
            t("escalation.case.closed_now", self.case_view.locale),
        )

    async def _no(self, interaction: discord.Interaction) -> None:
        view = self.case_view
        await interaction.response.edit_message(
            **view.again(view.case, t("escalation.case.kept_open", view.locale))
        )


class ToTeamAsk(SessionView):
    """The member chose their VCPs; the team reads it only if they say so here."""

    wording = staticmethod(for_reporter)

    def __init__(self, case_view: CaseView) -> None:
        super().__init__(case_view.cog)
        self.case_view = case_view
        locale = case_view.locale
        self.button(
            t("escalation.case.to_team_yes", locale),
            "to-team-yes",
            self._yes,
            style=discord.ButtonStyle.primary,
        )
        self.button(t("escalation.case.to_team_no", locale), "to-team-no", self._no)

    async def _yes(self, interaction: discord.Interaction) -> None:
        config = self.cog.require_config()
        await interaction.response.defer()
        bot = bot_of(interaction)
        unlocked = await unlock(interaction, config, self.case_view.receipt)
        async with bot.db.sessions.begin() as session:
            case = await escalation.reporter_send_to_team(
                session, config=config, unlocked=unlocked, now=bot.clock()
            )
        self.cog.kick()
        note = t("escalation.case.to_team_done", self.case_view.locale)
        await show(interaction, self.case_view, case, note)

    async def _no(self, interaction: discord.Interaction) -> None:
        view = self.case_view
        await interaction.response.edit_message(
            **view.again(view.case, t("escalation.case.kept_as_is", view.locale))
        )


class ReporterReplyForm(SessionForm):
    wording = staticmethod(for_reporter)

    def __init__(self, case_view: CaseView, locale: Locale) -> None:
        super().__init__(
            case_view.cog, title=t("escalation.case.reply_title", locale), action="rreply"
        )
        self.case_view = case_view
        self.text = paragraph("text")
        self.add_item(
            discord.ui.Label(
                text=t("escalation.case.reply_label", locale),
                description=t("escalation.case.reply_hint", locale),
                component=self.text,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # Opened from the reporter's own /my-case message, which is redrawn in place.
        await interaction.response.defer()
        bot = bot_of(interaction)
        try:
            config = self.cog.require_config()
            unlocked = await unlock(interaction, config, self.case_view.receipt)
            async with bot.db.sessions.begin() as session:
                case = await escalation.reporter_reply(
                    session, config=config, unlocked=unlocked, text=self.text.value, now=bot.clock()
                )
        except Exception as exc:  # nothing was saved: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.text.value, for_reporter)
            return
        self.cog.kick()
        await show(
            interaction, self.case_view, case, t("escalation.case.replied", self.case_view.locale)
        )


async def open_by_receipt(
    interaction: discord.Interaction, cog: EscalationCog, receipt: str
) -> None:
    """``/my-case receipt:``. A miss is recorded and committed, then only "not found" is said."""
    config = cog.require_config()
    # A typo in the format is told at once, and costs no attempt.
    escalation.normalise_receipt(receipt)
    await interaction.response.defer(ephemeral=True, thinking=True)
    unlocked = await unlock(interaction, config, receipt)
    async with bot_of(interaction).db.sessions.begin() as session:
        case = await escalation.open_case(session, config=config, unlocked=unlocked)
    locale = locale_of(interaction)
    if case is None:
        await send_private(interaction, receipt_not_found(config, locale))
        return
    view = CaseView(cog, receipt=receipt, case=case, locale=locale)
    await interaction.followup.send(
        **view.render(), ephemeral=True, wait=True, allowed_mentions=NO_MENTIONS
    )
