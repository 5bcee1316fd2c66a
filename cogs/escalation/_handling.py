"""The buttons on a case card: the UM team in the hub, an association's VCPs on member cases.

A card's custom_ids carry only its random card token. Every press asks again
who is acting (the team role in the hub, the VCP role in the association's
server) and the service decides what that handler may see and do; whatever
the card's buttons say, a case the presser may not see is "not found".
"""

from __future__ import annotations

import re
from typing import Any

import discord

from cogs.escalation._access import acting_handler
from cogs.escalation._cards import association_text, consent_text, route_text
from cogs.escalation._choice_words import HANDLER, in_words
from cogs.escalation._conversation import PagedView, byline_for, pages
from cogs.escalation._decisions import press_block
from cogs.escalation._desk import open_desk
from cogs.escalation._evidence import show_case_files
from cogs.escalation._host import EscalationHost, host_of
from cogs.escalation._ids import FEATURE
from cogs.escalation._replies import (
    press_ask,
    press_close,
    press_reply,
    press_urgent,
    press_withdraw,
)
from cogs.escalation._words import label, status_text
from vcpbot import custom_ids
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, category_label, t
from vcpbot.interactions import NO_MENTIONS, locale_of, report_error, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import (
    Author,
    CaseCard,
    CaseDetail,
    CaseStatus,
    Consent,
    Handler,
    Place,
)

# "fwd" asks the member first (cards posted before consent existed carry it too).
ACTIONS = ("ack", "open", "reply", "close", "block", "fwd", "wdraw", "urgent")
BUTTON_KEYS = {
    "ack": "escalation.button.ack",
    "open": "escalation.button.open",
    "reply": "escalation.button.reply",
    "close": "escalation.button.close",
    "block": "escalation.button.block",
    "fwd": "escalation.button.forward",
    "wdraw": "escalation.button.withdraw",
    "urgent": "escalation.button.urgent",
}
BUTTON_STYLES = {
    "ack": discord.ButtonStyle.success,
    "open": discord.ButtonStyle.primary,
    "close": discord.ButtonStyle.secondary,
    "block": discord.ButtonStyle.danger,
    "urgent": discord.ButtonStyle.danger,
}


def card_actions(card: CaseCard, place: Place) -> list[str]:
    """What the card offers; the service still decides on every press."""
    if place is Place.ASSOCIATION and card.forwarded:
        return ["open"]  # the UM team has it now; the VCPs can still read what they had
    if card.status is CaseStatus.CLOSED:
        return ["open", "block"] if place is Place.HUB else ["open"]
    actions = ["ack"] if card.status in (CaseStatus.NEW, CaseStatus.FORWARDED) else []
    actions += ["open", "reply"]
    if place is Place.HUB:
        return [*actions, "close", "block"]
    asked = card.consent is Consent.ASKED
    return [*actions, "wdraw" if asked else "fwd", "urgent", "close"]


def card_view(card: CaseCard, place: Place, locale: Locale) -> discord.ui.View:
    # No timeout, and only dynamic items: discord.py keeps nothing per card.
    view = discord.ui.View(timeout=None)
    for action in card_actions(card, place):
        view.add_item(CardButton(action, card.token, locale))
    return view


class CardButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "|".join(ACTIONS)),
):
    def __init__(self, action: str, token: str, locale: Locale = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t(BUTTON_KEYS[action], locale),
                style=BUTTON_STYLES.get(action, discord.ButtonStyle.secondary),
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
    ) -> CardButton:
        return cls(match["action"], match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = host_of(bot_of(interaction))
            cog.require_config()
            await PRESSES[self.action](interaction, cog, self.token)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


# --- Acknowledge, Open ------------------------------------------------------------------


async def _acknowledge(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    async with bot.db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        card = await escalation.acknowledge(
            session, config=cog.require_config(), handler=handler, case_ref=token, now=bot.clock()
        )
    cog.kick()
    await send_private(
        interaction, t("escalation.team.acknowledged", locale_of(interaction), code=card.code)
    )


def _handler_names(locale: Locale) -> dict[Author, str]:
    return {
        Author.REPORTER: t("escalation.author.reporter", locale),
        Author.VCP: t("escalation.author.vcp", locale),
        Author.TEAM: t("escalation.author.team", locale),
    }


class DetailView(PagedView):
    """Open: the conversation as this handler may see it, only to the one who pressed."""

    def __init__(
        self,
        cog: EscalationHost,
        *,
        detail: CaseDetail,
        handler: Handler,
        locale: Locale,
        token: str = "",
        files: int = 0,
    ) -> None:
        byline = byline_for(_handler_names(locale), t("escalation.author.summary", locale), locale)
        shown = in_words(detail.messages, locale, HANDLER)
        super().__init__(cog, locale=locale, conversation=pages(shown, byline, locale))
        self.card = detail.card
        self.handler = handler
        if files:
            self.button(t("evidence.files_count", locale, count=files), "files", self._files)
        self.card_token = token
        self.add_pager()

    async def _files(self, interaction: Interaction) -> None:
        await show_case_files(interaction, self.cog, token=self.card_token, code=self.card.code)

    def header(self) -> str:
        card, locale = self.card, self.locale
        lines = [
            "**" + t("escalation.card.title", locale, code=card.code) + "**",
            t(
                "escalation.detail.summary",
                locale,
                route=route_text(card, locale),
                category=category_label(card.category, locale),
                urgency=label("urgency", card.urgency, locale),
                status=status_text(card.status, card.outcome, locale),
                date=card.created_on,
            ),
        ]
        if self.handler.is_team:
            # The VCPs know their own association; the team sees it only if allowed.
            lines.append(
                t(
                    "escalation.detail.association",
                    locale,
                    association=association_text(card, locale),
                )
            )
        if not self.handler.is_team and card.forwarded:
            lines.append(t("escalation.detail.vcp_forwarded", locale))
        elif not self.handler.is_team and consent_text(card, locale):
            lines.append(consent_text(card, locale))
        return "\n".join(lines)


async def _open(interaction: Interaction, cog: EscalationHost, token: str) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    async with bot.db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        detail = await escalation.read_case(
            session, config=cog.require_config(), handler=handler, case_ref=token, now=bot.clock()
        )
        files = await escalation.case_file_count(session, handler=handler, case_ref=token)
        desk = await open_desk(interaction, session, cog, handler, detail.card)
    view = DetailView(
        cog, detail=detail, handler=handler, locale=locale_of(interaction), token=token, files=files
    )
    await interaction.followup.send(
        **view.render(), ephemeral=True, wait=True, allowed_mentions=NO_MENTIONS
    )
    await desk.send(interaction)


PRESSES = {
    "ack": _acknowledge,
    "open": _open,
    "reply": press_reply,
    "close": press_close,
    "block": press_block,
    "fwd": press_ask,
    "wdraw": press_withdraw,
    "urgent": press_urgent,
}
