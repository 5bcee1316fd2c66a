"""Block sender on a case card: asked once, privately."""

from __future__ import annotations

import discord

from cogs.escalation._access import acting_handler, peek_case
from cogs.escalation._host import EscalationHost
from cogs.escalation._sessions import SessionView
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import NotAllowed
from vcpbot.i18n import Locale, t
from vcpbot.interactions import locale_of, send_private
from vcpbot.services import escalation


class BlockAsk(SessionView):
    def __init__(self, cog: EscalationHost, token: str, code: str, locale: Locale) -> None:
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

    async def _yes(self, interaction: Interaction) -> None:
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

    async def _no(self, interaction: Interaction) -> None:
        await interaction.response.edit_message(
            content=t("escalation.team.nothing_changed", self.locale), view=None
        )


async def press_block(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    handler, card = await peek_case(interaction, cog, token)
    if not handler.is_team:
        raise NotAllowed("escalation.error.block_team_only")
    locale = locale_of(interaction)
    await send_private(
        interaction,
        t("escalation.team.block_ask", locale, code=card.code),
        view=BlockAsk(cog, token, card.code, locale),
    )
