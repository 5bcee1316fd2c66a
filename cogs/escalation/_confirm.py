"""What the reporter is asked once more in /my-case, and the form they reply with.

Closing their case, sending it to the team themselves, and passing it on when a
VCP asks cannot be undone, so each is confirmed on the same private message; the
reply form hands back what they wrote when it is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import discord

from cogs.escalation._access import unlock
from cogs.escalation._host import EscalationHost
from cogs.escalation._report import refuse_keeping_text
from cogs.escalation._reporter import for_reporter
from cogs.escalation._sessions import SessionForm, SessionView, paragraph
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, t
from vcpbot.services import escalation
from vcpbot.services.escalation import ReporterView

# (session, config, unlocked receipt, now) -> the case as the reporter now sees it.
Action = Callable[[Any, Any, escalation.Unlocked, Any], Awaitable[ReporterView | None]]


class ReporterScreen(Protocol):
    """The reporter's /my-case message (``_follow.CaseView``), as these parts use it."""

    cog: EscalationHost
    receipt: str
    case: ReporterView
    locale: Locale

    def again(self, case: ReporterView, note: str | None) -> dict[str, Any]: ...

    async def run(self, interaction: Interaction, action: Action, note: str) -> None: ...

    async def redraw(
        self, interaction: Interaction, case: ReporterView | None, note: str
    ) -> None: ...


class ConfirmAsk(SessionView):
    """One question before something the reporter cannot undo; "no" changes nothing."""

    wording = staticmethod(for_reporter)

    def __init__(
        self,
        screen: ReporterScreen,
        *,
        yes: str,
        no: str,
        action: Action,
        done: str,
        kept: str,
        style: discord.ButtonStyle = discord.ButtonStyle.primary,
    ) -> None:
        super().__init__(screen.cog)
        self.screen, self.action, self.done, self.kept = screen, action, done, kept
        self.button(t(yes, screen.locale), "confirm-yes", self._yes, style=style)
        self.button(t(no, screen.locale), "confirm-no", self._no)

    async def _yes(self, interaction: Interaction) -> None:
        await self.screen.run(interaction, self.action, t(self.done, self.screen.locale))

    async def _no(self, interaction: Interaction) -> None:
        screen = self.screen
        note = t(self.kept, screen.locale)
        await interaction.response.edit_message(**screen.again(screen.case, note))


class ReporterReplyForm(SessionForm):
    wording = staticmethod(for_reporter)

    def __init__(self, screen: ReporterScreen, locale: Locale) -> None:
        super().__init__(
            screen.cog, title=t("escalation.case.reply_title", locale), action="rreply"
        )
        self.screen = screen
        self.text = paragraph("text")
        self.add_item(
            discord.ui.Label(
                text=t("escalation.case.reply_label", locale),
                description=t("escalation.case.reply_hint", locale),
                component=self.text,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        # Opened from the reporter's own /my-case message, which is redrawn in place.
        await interaction.response.defer()
        bot = bot_of(interaction)
        try:
            config = self.cog.require_config()
            unlocked = await unlock(interaction, config, self.screen.receipt)
            async with bot.db.sessions.begin() as session:
                case = await escalation.reporter_reply(
                    session, config=config, unlocked=unlocked, text=self.text.value, now=bot.clock()
                )
        except Exception as exc:  # nothing was saved: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.text.value, for_reporter)
            return
        self.cog.kick()
        await self.screen.redraw(
            interaction, case, t("escalation.case.replied", self.screen.locale)
        )
