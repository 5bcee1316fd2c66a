"""Reply and Forward on a case card: a form, answered privately in a new message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from cogs.escalation._common import SessionForm, acting_handler, bot_of, paragraph, peek_case
from cogs.escalation._report import refuse_keeping_text
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseStatus, Handler

if TYPE_CHECKING:
    from cogs.escalation._cog import EscalationCog


class HandlerForm(SessionForm):
    """One paragraph about one case; answered with a new private message, never on the card."""

    def __init__(
        self,
        cog: EscalationCog,
        *,
        token: str,
        action: str,
        title: str,
        field: str,
        hint: str,
    ) -> None:
        super().__init__(cog, title=title, action=action)
        self.case_token = token
        self.text = paragraph("text")
        self.add_item(discord.ui.Label(text=field, description=hint, component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # Opened from a card everyone in the channel sees: answer privately, in a new message.
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        try:
            config = self.cog.require_config()
            async with bot.db.sessions.begin() as session:
                handler = await acting_handler(interaction, session)
                reply = await self.save(session, config, handler, bot.clock())
        except Exception as exc:  # nothing was saved: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.text.value)
            return
        self.cog.kick()
        await send_private(interaction, reply)

    async def save(self, session: Any, config: Any, handler: Handler, now: Any) -> str:
        raise NotImplementedError


class ReplyForm(HandlerForm):
    def __init__(self, cog: EscalationCog, token: str, code: str, locale: Locale) -> None:
        super().__init__(
            cog,
            token=token,
            action="treply",
            title=t("escalation.team.reply_title", locale, code=code),
            field=t("escalation.team.reply_label", locale),
            hint=t("escalation.team.reply_hint", locale),
        )
        self.locale = locale

    async def save(self, session: Any, config: Any, handler: Handler, now: Any) -> str:
        card = await escalation.reply(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            text=self.text.value,
            now=now,
        )
        return t("escalation.team.replied", self.locale, code=card.code)


class ForwardForm(HandlerForm):
    def __init__(self, cog: EscalationCog, token: str, code: str, locale: Locale) -> None:
        super().__init__(
            cog,
            token=token,
            action="fwd",
            title=t("escalation.vcp.forward_title", locale, code=code),
            field=t("escalation.vcp.forward_label", locale),
            hint=t("escalation.vcp.forward_hint", locale),
        )
        self.locale = locale

    async def save(self, session: Any, config: Any, handler: Handler, now: Any) -> str:
        card = await escalation.forward_case(
            session,
            config=config,
            handler=handler,
            case_ref=self.case_token,
            summary=self.text.value,
            now=now,
        )
        return t("escalation.vcp.forwarded", self.locale, code=card.code)


async def press_reply(interaction: discord.Interaction, cog: EscalationCog, token: str) -> None:
    _, card = await peek_case(interaction, cog, token)
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    await interaction.response.send_modal(ReplyForm(cog, token, card.code, locale_of(interaction)))


async def press_forward(interaction: discord.Interaction, cog: EscalationCog, token: str) -> None:
    handler, card = await peek_case(interaction, cog, token)
    if handler.is_team:
        raise NotAllowed("escalation.error.forward_vcps_only")
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    await interaction.response.send_modal(
        ForwardForm(cog, token, card.code, locale_of(interaction))
    )
