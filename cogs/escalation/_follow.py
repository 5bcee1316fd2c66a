"""``/my-case``: the reporter follows their case by receipt, anywhere, and only they see it.

The receipt lives in this view's memory for the length of the conversation and
is checked again by the service on every action; it is never put in a custom_id.
When a VCP asks whether the case may go to the UM team, the question, with the
summary the team would read, waits here above the conversation until the member
answers: Yes, Only with my words left out, or No.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._access import unlock
from cogs.escalation._choice_words import REPORTER, in_words
from cogs.escalation._choices import ChoicesView
from cogs.escalation._confirm import Action, ConfirmAsk, ReporterReplyForm
from cogs.escalation._conversation import PagedView, byline_for, pages, pinned_embed
from cogs.escalation._evidence import show_reporter_files
from cogs.escalation._host import EscalationHost
from cogs.escalation._reporter import for_reporter
from cogs.escalation._words import label, receipt_not_found
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, category_label, t
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import Answer, Author, Consent, EscalationConfig, ReporterView

PRIMARY, SECONDARY = discord.ButtonStyle.primary, discord.ButtonStyle.secondary
# What /my-case says about passing a member's case on, once it is decided.
CONSENT_LINES = {
    Consent.DECLINED: "escalation.case.consent.declined",
    Consent.WITHDRAWN: "escalation.case.consent.withdrawn",
    Consent.YES: "escalation.case.consent.yes",
    Consent.WITHOUT_WORDS: "escalation.case.consent.without_words",
    Consent.URGENT: "escalation.case.consent.urgent",
}


def _names(locale: Locale) -> dict[Author, str]:
    return {
        Author.REPORTER: t("escalation.author.you", locale),
        Author.VCP: t("escalation.author.vcp", locale),
        Author.TEAM: t("escalation.author.team", locale),
    }


def _pinned(case: ReporterView, locale: Locale) -> list[discord.Embed]:
    if case.question is None:
        return []
    return [pinned_embed(t("escalation.case.question_title", locale), case.question)]


class CaseView(PagedView):
    """Status, a question waiting for an answer, the conversation, and Reply / Close my
    case / notices / Your choices."""

    wording = staticmethod(for_reporter)

    def __init__(
        self,
        cog: EscalationHost,
        *,
        receipt: str,
        case: ReporterView,
        locale: Locale,
        note: str | None = None,
    ) -> None:
        byline = byline_for(_names(locale), t("escalation.author.summary", locale), locale)
        shown = in_words(case.messages, locale, REPORTER)
        conversation = pages(shown, byline, locale, pinned=_pinned(case, locale))
        super().__init__(cog, locale=locale, conversation=conversation)
        self.receipt = receipt
        self.case = case
        self.note = note
        if case.question is not None and not case.closed:
            self._answer_buttons()
        if case.awaiting_choice:
            self.button(
                t("escalation.case.to_team", locale), "to-team", self._to_team, style=PRIMARY
            )
        if not case.closed:
            waiting = case.awaiting_choice or case.question is not None
            reply = t("escalation.case.reply", locale)
            self.button(reply, "reply", self._reply, style=SECONDARY if waiting else PRIMARY)
            self.button(t("escalation.case.close", locale), "close", self._close)
            self._notice_buttons()
        self.button(t("choices.open", locale), "choices", self._choices)
        self.button(t("evidence.files", locale), "files", self._files)
        self.add_pager()

    def _answer_buttons(self) -> None:
        locale = self.locale
        self.button(t("escalation.case.answer_yes", locale), "yes", self._yes, style=PRIMARY)
        self.button(t("escalation.case.answer_without", locale), "without", self._without)
        self.button(t("escalation.case.answer_no", locale), "no", self._no)

    def _notice_buttons(self) -> None:
        locale, case = self.locale, self.case
        if not case.notices:
            self.button(t("escalation.case.notify", locale), "notify", self._notify)
            return
        self.button(t("escalation.case.stop", locale), "stop", self._stop)
        detail = "escalation.case.detail_off" if case.notice_detail else "escalation.case.detail_on"
        self.button(t(detail, locale), "detail", self._detail)

    # --- what it says ------------------------------------------------------------------

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
        situation = self._situation()
        if situation:
            lines.append(situation)
        if case.closed and case.deleted_on is not None:
            lines.append(t("escalation.case.closed_note", locale, date=case.deleted_on))
        elif not case.closed:
            lines.append(t(_notices_key(case), locale))
        return "\n".join(lines)

    def _situation(self) -> str:
        """Where the case stands: a question to answer, undelivered, forwarded, decided."""
        locale, case = self.locale, self.case
        if case.question is not None and not case.closed:
            return t("escalation.case.question", locale)
        if case.awaiting_choice and case.undelivered is not None:
            return t(f"escalation.case.undelivered.{case.undelivered.value}", locale)
        if case.forwarded and case.consent is None:
            return t(
                "escalation.case.sent_to_team" if case.undelivered else "escalation.case.forwarded",
                locale,
            )
        if case.consent in CONSENT_LINES and (case.forwarded or not case.closed):
            return t(CONSENT_LINES[case.consent], locale)
        return ""

    def again(self, case: ReporterView, note: str | None) -> dict[str, Any]:
        return CaseView(
            self.cog, receipt=self.receipt, case=case, locale=self.locale, note=note
        ).render()

    # --- acting on it --------------------------------------------------------------------

    async def redraw(self, interaction: Interaction, case: ReporterView | None, note: str) -> None:
        """Redraw the case message after an action, or say it is no longer there."""
        if case is None:
            await interaction.edit_original_response(
                content=receipt_not_found(self.cog.require_config(), self.locale),
                embeds=[],
                view=None,
            )
            return
        await interaction.edit_original_response(
            **self.again(case, note), allowed_mentions=NO_MENTIONS
        )

    async def run(self, interaction: Interaction, action: Action, note: str) -> None:
        """Check the receipt again, do ``action`` in one short transaction, redraw."""
        config = self.cog.require_config()
        await interaction.response.defer()
        bot = bot_of(interaction)
        unlocked = await unlock(interaction, config, self.receipt)
        async with bot.db.sessions.begin() as session:
            case = await action(session, config, unlocked, bot.clock())
        self.cog.kick()
        await self.redraw(interaction, case, note)

    async def _ask(self, interaction: Interaction, question: str, view: Any) -> None:
        self.cog.require_config()
        await interaction.response.edit_message(content=question, embeds=[], view=view)

    async def _reply(self, interaction: Interaction) -> None:
        self.cog.require_config()
        await interaction.response.send_modal(ReporterReplyForm(self, locale_of(interaction)))

    async def _files(self, interaction: Interaction) -> None:
        await show_reporter_files(
            interaction,
            self.cog,
            receipt=self.receipt,
            code=self.case.code,
            closed=self.case.closed,
        )

    async def _close(self, interaction: Interaction) -> None:
        config = self.cog.require_config()
        today = self.cog.bot.clock().astimezone(config.zone).date()
        until = today + timedelta(days=config.policy.retention_days)
        view = ConfirmAsk(
            self,
            yes="escalation.case.close_yes",
            no="escalation.case.close_no",
            action=_closing,
            done="escalation.case.closed_now",
            kept="escalation.case.kept_open",
            style=discord.ButtonStyle.danger,
        )
        await self._ask(interaction, t("escalation.case.close_ask", self.locale, date=until), view)

    async def _choices(self, interaction: Interaction) -> None:
        view = ChoicesView(self)
        await self._ask(interaction, view.text(), view)

    async def _to_team(self, interaction: Interaction) -> None:
        view = ConfirmAsk(
            self,
            yes="escalation.case.to_team_yes",
            no="escalation.case.to_team_no",
            action=_to_team,
            done="escalation.case.to_team_done",
            kept="escalation.case.kept_as_is",
        )
        await self._ask(interaction, t("escalation.case.to_team_ask", self.locale), view)

    async def _yes(self, interaction: Interaction) -> None:
        await self._confirm_answer(interaction, Answer.YES, "yes")

    async def _without(self, interaction: Interaction) -> None:
        await self._confirm_answer(interaction, Answer.WITHOUT_WORDS, "without")

    async def _confirm_answer(self, interaction: Interaction, answer: Answer, key: str) -> None:
        """Passing it on cannot be undone: said once more, exactly, before it happens."""
        view = ConfirmAsk(
            self,
            yes="escalation.case.confirm_go",
            no="escalation.case.confirm_back",
            action=partial(_answering, answer),
            done=f"escalation.case.answered_{key}",
            kept="escalation.case.question_waits",
        )
        await self._ask(interaction, t(f"escalation.case.confirm_{key}", self.locale), view)

    async def _no(self, interaction: Interaction) -> None:
        note = t("escalation.case.answered_no", self.locale)
        await self.run(interaction, partial(_answering, Answer.NO), note)

    async def _notify(self, interaction: Interaction) -> None:
        await self.run(
            interaction, partial(_notices, True), t("escalation.notices.on", self.locale)
        )

    async def _stop(self, interaction: Interaction) -> None:
        note = t("escalation.notices.off", self.locale)
        await self.run(interaction, partial(_notices, False), note)

    async def _detail(self, interaction: Interaction) -> None:
        detailed = not self.case.notice_detail
        key = "escalation.notices.detailed" if detailed else "escalation.notices.short"
        await self.run(interaction, partial(_detail, detailed), t(key, self.locale))


# --- what the buttons do, each in the caller's transaction ----------------------------------


async def _closing(
    session: AsyncSession, config: EscalationConfig, unlocked: escalation.Unlocked, now: datetime
) -> ReporterView | None:
    return await escalation.reporter_close(session, config=config, unlocked=unlocked, now=now)


async def _to_team(
    session: AsyncSession, config: EscalationConfig, unlocked: escalation.Unlocked, now: datetime
) -> ReporterView | None:
    return await escalation.reporter_send_to_team(
        session, config=config, unlocked=unlocked, now=now
    )


async def _answering(
    answer: Answer,
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: escalation.Unlocked,
    now: datetime,
) -> ReporterView | None:
    return await escalation.answer_consent(
        session, config=config, unlocked=unlocked, answer=answer, now=now
    )


async def _notices(
    enabled: bool,
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: escalation.Unlocked,
    now: datetime,
) -> ReporterView | None:
    return await escalation.set_notices(session, config=config, unlocked=unlocked, enabled=enabled)


async def _detail(
    detailed: bool,
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: escalation.Unlocked,
    now: datetime,
) -> ReporterView | None:
    return await escalation.set_notice_detail(
        session, config=config, unlocked=unlocked, detailed=detailed
    )


def _notices_key(case: ReporterView) -> str:
    if case.notices:
        return (
            "escalation.case.notices_detailed"
            if case.notice_detail
            else "escalation.case.notices_on"
        )
    return "escalation.case.notices_lost" if case.notices_lost else "escalation.case.notices_off"


async def open_by_receipt(interaction: Interaction, cog: EscalationHost, receipt: str) -> None:
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
