"""Close (with an outcome) and Block sender on a case card: asked once, privately."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from cogs.escalation._common import SessionView, acting_handler, bot_of, label, peek_case
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import HANDLER_OUTCOMES, CaseStatus

if TYPE_CHECKING:
    from cogs.escalation._cog import EscalationCog


class OutcomeView(SessionView):
    def __init__(self, cog: EscalationCog, token: str, locale: Locale) -> None:
        super().__init__(cog)
        self.case_token = token
        self.locale = locale
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=self.custom_id("outcome"),
            placeholder=t("escalation.team.outcome", locale),
            options=[
                discord.SelectOption(label=label("outcome", o, locale), value=o.value)
                for o in HANDLER_OUTCOMES
            ],
        )
        select.callback = self._chosen
        self.select = select
        self.add_item(select)

    async def _chosen(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            card = await escalation.close_case(
                session,
                config=self.cog.require_config(),
                handler=handler,
                case_ref=self.case_token,
                outcome=self.select.values[0],
                now=bot.clock(),
            )
        self.cog.kick()
        outcome = label("outcome", card.outcome, self.locale) if card.outcome else ""
        await interaction.edit_original_response(
            content=t("escalation.team.closed", self.locale, code=card.code, outcome=outcome),
            view=None,
        )


async def press_close(interaction: discord.Interaction, cog: EscalationCog, token: str) -> None:
    _, card = await peek_case(interaction, cog, token)
    if card.status is CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    locale = locale_of(interaction)
    await send_private(
        interaction,
        t("escalation.team.close_ask", locale, code=card.code),
        view=OutcomeView(cog, token, locale),
    )


class BlockAsk(SessionView):
    def __init__(self, cog: EscalationCog, token: str, code: str, locale: Locale) -> None:
        super().__init__(cog)
        self.case_token = token
        self.code = code
        self.locale = locale
        self.button(
            t("escalation.team.block_yes", locale),
            "block-yes",
            self._yes,
            style=discord.ButtonStyle.danger,
        )
        self.button(t("escalation.team.block_no", locale), "block-no", self._no)

    async def _yes(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            await escalation.block_sender(
                session,
                config=self.cog.require_config(),
                handler=handler,
                case_ref=self.case_token,
                now=bot.clock(),
            )
        await interaction.edit_original_response(
            content=t("escalation.team.blocked", self.locale, code=self.code), view=None
        )

    async def _no(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(
            content=t("escalation.team.nothing_changed", self.locale), view=None
        )


async def press_block(interaction: discord.Interaction, cog: EscalationCog, token: str) -> None:
    handler, card = await peek_case(interaction, cog, token)
    if not handler.is_team:
        raise NotAllowed("escalation.error.block_team_only")
    locale = locale_of(interaction)
    await send_private(
        interaction,
        t("escalation.team.block_ask", locale, code=card.code),
        view=BlockAsk(cog, token, card.code, locale),
    )
