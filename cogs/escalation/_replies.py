"""The forms on a case card: Reply, Close (with a last message), and for a member's case
the VCPs' question to the member and, for acute danger only, Forward now.

Each form is answered privately in a new message, never on the card, and a refusal
hands back what the person wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._access import acting_handler, peek_case
from cogs.escalation._host import EscalationHost
from cogs.escalation._hub import tell_hub
from cogs.escalation._report import refuse_keeping_text
from cogs.escalation._saved import offer_saved_replies
from cogs.escalation._sessions import SessionForm, SessionView, paragraph
from cogs.escalation._words import label
from vcpbot import limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.limits import clip
from vcpbot.services import escalation
from vcpbot.services.escalation import (
    HANDLER_OUTCOMES,
    CaseCard,
    CaseStatus,
    EscalationConfig,
    Handler,
)

REASON_MAX = 500
SUMMARY_MAX = 1500


class HandlerForm(SessionForm):
    """One paragraph about one case, after whatever ``before`` holds; answered with a new
    private message, never on the card."""

    def __init__(
        self,
        cog: EscalationHost,
        *,
        token: str,
        action: str,
        title: str,
        field: str,
        hint: str,
        before: tuple[discord.ui.Item[Any], ...] = (),
        required: bool = True,
        limit: int = escalation.TEXT_MAX,
    ) -> None:
        super().__init__(cog, title=title, action=action)
        self.case_token = token
        for item in before:
            self.add_item(item)
        self.text = paragraph("text", required=required, limit=limit)
        self.add_item(
            discord.ui.Label(
                text=field,
                description=clip(hint, limits.LABEL_DESCRIPTION_MAX),
                component=self.text,
            )
        )

    def written(self) -> str:
        """What to hand back if the form is refused."""
        return self.text.value

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        # Opened from a card everyone in the channel sees: answer privately, in a new message.
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        try:
            config = self.cog.require_config()
            async with bot.db.sessions.begin() as session:
                handler = await acting_handler(interaction, session)
                reply = await self.save(session, config, handler, bot.clock())
        except Exception as exc:  # nothing was saved: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.written())
            return
        self.cog.kick()
        await send_private(interaction, reply)
        await self.after()

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        raise NotImplementedError

    async def after(self) -> None:
        """After the commit: anything the team's log should hear."""


class ReplyForm(HandlerForm):
    def __init__(
        self, cog: EscalationHost, token: str, code: str, locale: Locale, prefill: str = ""
    ) -> None:
        super().__init__(
            cog,
            token=token,
            action="treply",
            title=t("escalation.team.reply_title", locale, code=code),
            field=t("escalation.team.reply_label", locale),
            hint=t("escalation.team.reply_hint", locale),
        )
        self.locale = locale
        self.text.default = prefill or None  # a saved reply to start from (``_saved``)

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        card = await escalation.reply(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            text=self.text.value,
            now=now,
        )
        return t("escalation.team.replied", self.locale, code=card.code)


class CloseForm(HandlerForm):
    """The outcome, and a last message for the reporter: needed when nobody has answered
    them yet, so no case closes in silence."""

    def __init__(self, cog: EscalationHost, card: CaseCard, locale: Locale) -> None:
        days = t("common.days", locale, count=cog.require_config().policy.retention_days)
        self.outcome: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="outcome",
            placeholder=t("escalation.form.pick", locale),
            options=[
                discord.SelectOption(label=label("outcome", o, locale), value=o.value)
                for o in HANDLER_OUTCOMES
            ],
        )
        hint = "optional" if card.replied else "needed"
        super().__init__(
            cog,
            token=card.token,
            action="tclose",
            title=t("escalation.team.close_title", locale, code=card.code),
            field=t("escalation.team.close_message", locale),
            hint=t(f"escalation.team.close_message_{hint}", locale),
            before=(
                discord.ui.TextDisplay(
                    t("escalation.team.close_ask", locale, code=card.code, days=days)
                ),
                discord.ui.Label(text=t("escalation.team.outcome", locale), component=self.outcome),
            ),
            required=not card.replied,
        )
        self.locale = locale

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        card = await escalation.close_case(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            outcome=self.outcome.values[0] if self.outcome.values else "",
            message=self.text.value or None,
            now=now,
        )
        outcome = label("outcome", card.outcome, self.locale) if card.outcome else ""
        return t("escalation.team.closed", self.locale, code=card.code, outcome=outcome)


class AskForm(HandlerForm):
    """The VCPs ask the member, in /my-case, whether their case may go to the UM team."""

    def __init__(self, cog: EscalationHost, token: str, code: str, locale: Locale) -> None:
        super().__init__(
            cog,
            token=token,
            action="ask",
            title=t("escalation.vcp.ask_title", locale, code=code),
            field=t("escalation.vcp.forward_label", locale),
            hint=t("escalation.vcp.forward_hint", locale),
            before=(discord.ui.TextDisplay(t("escalation.vcp.ask_explain", locale)),),
            limit=SUMMARY_MAX,
        )
        self.locale = locale

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        card = await escalation.ask_consent(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            summary=self.text.value,
            now=now,
        )
        return t("escalation.vcp.asked", self.locale, code=card.code)


class UrgentForm(HandlerForm):
    """Acute danger: why it cannot wait, and the summary the team reads first."""

    def __init__(self, cog: EscalationHost, token: str, code: str, locale: Locale) -> None:
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason", style=discord.TextStyle.short, max_length=REASON_MAX
        )
        super().__init__(
            cog,
            token=token,
            action="urgent",
            title=t("escalation.vcp.urgent_title", locale, code=code),
            field=t("escalation.vcp.forward_label", locale),
            hint=t("escalation.vcp.urgent_summary_hint", locale),
            before=(
                discord.ui.Label(
                    text=t("escalation.vcp.urgent_reason_label", locale),
                    description=t("escalation.vcp.urgent_reason_hint", locale),
                    component=self.reason,
                ),
            ),
        )
        self.locale = locale
        self.code = code

    def written(self) -> str:
        return f"{self.reason.value}\n\n{self.text.value}"

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        card = await escalation.forward_urgently(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            reason=self.reason.value,
            summary=self.text.value,
            now=now,
        )
        self.code = card.code
        return t("escalation.vcp.urgent_done", self.locale, code=card.code)

    async def after(self) -> None:
        # By case code only: no name, no id, no reason (that stays in the sealed case).
        bot = self.cog.bot
        line = t("escalation.log.urgent_forward", bot.settings.default_locale, code=self.code)
        await tell_hub(bot, line)


class UrgentAsk(SessionView):
    """Forward now is its own, confirmed choice: only for acute danger."""

    def __init__(self, cog: EscalationHost, token: str, code: str, locale: Locale) -> None:
        super().__init__(cog)
        self.case_token, self.code, self.locale = token, code, locale
        self.button(
            t("escalation.vcp.urgent_yes", locale),
            "urgent-yes",
            self._yes,
            style=discord.ButtonStyle.danger,
        )
        self.button(t("escalation.vcp.urgent_no", locale), "urgent-no", self._no)

    async def _yes(self, interaction: Interaction) -> None:
        self.cog.require_config()
        form = UrgentForm(self.cog, self.case_token, self.code, locale_of(interaction))
        await interaction.response.send_modal(form)

    async def _no(self, interaction: Interaction) -> None:
        await interaction.response.edit_message(
            content=t("escalation.team.nothing_changed", self.locale), view=None
        )


async def _open_member_case(interaction: Interaction, cog: EscalationHost, token: str) -> CaseCard:
    """The VCPs' own case, still open: refused before anyone starts writing."""
    handler, card = await peek_case(interaction, cog, token)
    if handler.is_team:
        raise NotAllowed("escalation.error.forward_vcps_only")
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    return card


async def press_reply(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    """The Reply form; first the picker when the handler's desk keeps saved replies."""
    handler, card = await peek_case(interaction, cog, token)
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    locale = locale_of(interaction)

    def form(prefill: str = "") -> ReplyForm:
        return ReplyForm(cog, token, card.code, locale, prefill)

    if not await offer_saved_replies(interaction, cog, handler=handler, card=card, form=form):
        await interaction.response.send_modal(form())


async def press_close(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    _, card = await peek_case(interaction, cog, token)
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    await interaction.response.send_modal(CloseForm(cog, card, locale_of(interaction)))


async def press_ask(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    card = await _open_member_case(interaction, cog, token)
    if card.consent is escalation.Consent.ASKED:
        raise Conflict("escalation.error.question_pending")
    await interaction.response.send_modal(AskForm(cog, token, card.code, locale_of(interaction)))


async def press_withdraw(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    async with bot.db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        card = await escalation.withdraw_consent(
            session, config=cog.require_config(), handler=handler, case_ref=token, now=bot.clock()
        )
    cog.kick()
    await send_private(
        interaction, t("escalation.vcp.withdrawn", locale_of(interaction), code=card.code)
    )


async def press_urgent(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    card = await _open_member_case(interaction, cog, token)
    locale = locale_of(interaction)
    await send_private(
        interaction,
        t("escalation.vcp.urgent_ask", locale, code=card.code),
        view=UrgentAsk(cog, token, card.code, locale),
    )
