"""/my-case's "Your choices": let the handlers know who I am, ask for a call, take back
what nobody read yet, download my conversation, reopen my case.

Everything here happens on the reporter's own ephemeral /my-case message, after they
read exactly who will see what; nothing changes until they confirm. The receipt
stays in the case view's memory and is checked again by the service on every action.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._access import unlock
from cogs.escalation._choice_words import file_name, transcript, who_sees
from cogs.escalation._confirm import ConfirmAsk, ReporterScreen
from cogs.escalation._reporter import for_reporter
from cogs.escalation._sessions import SessionForm, SessionView
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import t
from vcpbot.interactions import NO_MENTIONS, locale_of
from vcpbot.services import escalation
from vcpbot.services.escalation import EscalationConfig, ReporterView

PRIMARY = discord.ButtonStyle.primary


def today_of(screen: ReporterScreen) -> date:
    config = screen.cog.require_config()
    return screen.cog.bot.clock().astimezone(config.zone).date()


def may_reopen(case: ReporterView, today: date) -> bool:
    return case.closed and case.deleted_on is not None and case.deleted_on > today


class ChoicesView(SessionView):
    """What the reporter may choose now, each said in one line, and Back."""

    wording = staticmethod(for_reporter)

    def __init__(self, screen: ReporterScreen) -> None:
        super().__init__(screen.cog)
        self.screen = screen
        case, locale = screen.case, screen.locale
        self.lines = [
            "**" + t("choices.title", locale, code=case.code) + "**",
            t("choices.intro", locale),
        ]
        who = who_sees(case, locale)
        if not case.closed:
            self._offer("reveal", self._reveal, who=who)
            self._offer("contact", self._contact)
            if case.choice_unread or case.choice_read:
                self._offer("take_back", self._take_back)
        self._offer("download", self._download)
        if may_reopen(case, today_of(screen)):
            self._offer("reopen", self._reopen, who=who, date=case.deleted_on)
        self.button(t("choices.back", locale), "back", self._back)

    def _offer(self, name: str, callback: Callable[..., Any], **values: Any) -> None:
        self.lines.append(t(f"choices.line.{name}", self.screen.locale, **values))
        self.button(t(f"choices.{name}", self.screen.locale), name, callback)

    def text(self) -> str:
        return "\n".join(self.lines)

    async def _ask(self, interaction: Interaction, text: str, view: discord.ui.View) -> None:
        await interaction.response.edit_message(
            content=text, embeds=[], view=view, allowed_mentions=NO_MENTIONS
        )

    async def _back(self, interaction: Interaction) -> None:
        screen = self.screen
        await interaction.response.edit_message(**screen.again(screen.case, None))

    async def _reveal(self, interaction: Interaction) -> None:
        screen, user = self.screen, interaction.user
        ask = t(
            "choices.reveal_ask",
            screen.locale,
            who=who_sees(screen.case, screen.locale),
            mention=user.mention,
            name=discord.utils.escape_markdown(user.name),
        )
        view = ConfirmAsk(
            screen,
            yes="choices.reveal_yes",
            no="choices.not_now",
            action=partial(_revealing, user.name),
            done="choices.revealed",
            kept="escalation.case.kept_as_is",
        )
        await self._ask(interaction, ask, view)

    async def _contact(self, interaction: Interaction) -> None:
        self.screen.cog.require_config()
        await interaction.response.send_modal(ContactForm(self.screen))

    async def _reopen(self, interaction: Interaction) -> None:
        screen = self.screen
        view = ConfirmAsk(
            screen,
            yes="choices.reopen_yes",
            no="choices.not_now",
            action=_reopening,
            done="choices.reopened",
            kept="escalation.case.kept_as_is",
        )
        ask = t("choices.reopen_ask", screen.locale, who=who_sees(screen.case, screen.locale))
        await self._ask(interaction, ask, view)

    async def _take_back(self, interaction: Interaction) -> None:
        await take_back(interaction, self.screen)

    async def _download(self, interaction: Interaction) -> None:
        await download(interaction, self.screen)


class ContactForm(SessionForm):
    """How to reach me, when suits me; then, before anything is sent, who will read it."""

    wording = staticmethod(for_reporter)

    def __init__(self, screen: ReporterScreen) -> None:
        locale = screen.locale
        super().__init__(screen.cog, title=t("choices.contact_title", locale), action="contact")
        self.screen = screen
        self.how = _short("how", required=True)
        self.when = _short("when", required=False)
        for key, field in (("contact_how", self.how), ("contact_when", self.when)):
            self.add_item(
                discord.ui.Label(
                    text=t(f"choices.{key}", locale),
                    description=t(f"choices.{key}_hint", locale),
                    component=field,
                )
            )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        screen, locale = self.screen, self.screen.locale
        how, when = self.how.value, self.when.value or ""
        ask = t(
            "choices.contact_ask",
            locale,
            who=who_sees(screen.case, locale),
            how=discord.utils.escape_markdown(how),
            when=discord.utils.escape_markdown(when)
            if when.strip()
            else t("choices.when_unsaid", locale),
        )
        view = ConfirmAsk(
            screen,
            yes="choices.contact_yes",
            no="choices.not_now",
            action=partial(_asking_for_contact, how, when),
            done="choices.contact_sent",
            kept="escalation.case.kept_as_is",
        )
        # Opened from the reporter's own /my-case message, which shows the question in place.
        await interaction.response.defer()
        await interaction.edit_original_response(
            content=ask, embeds=[], view=view, allowed_mentions=NO_MENTIONS
        )


def _short(custom_id: str, *, required: bool) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.short,
        max_length=escalation.CONTACT_MAX,
        required=required,
    )


class StayAnonymousView(SessionView):
    """A choice already read cannot be unread: say so, and offer to ask for anonymity."""

    wording = staticmethod(for_reporter)

    def __init__(self, screen: ReporterScreen) -> None:
        super().__init__(screen.cog)
        self.screen = screen
        self.button(t("choices.anonymous", screen.locale), "anon", self._anonymous, style=PRIMARY)
        self.button(t("choices.back", screen.locale), "back", self._back)

    async def _anonymous(self, interaction: Interaction) -> None:
        note = t("choices.anonymous_done", self.screen.locale)
        await self.screen.run(interaction, _staying_anonymous, note)

    async def _back(self, interaction: Interaction) -> None:
        screen = self.screen
        await interaction.response.edit_message(**screen.again(screen.case, None))


async def take_back(interaction: Interaction, screen: ReporterScreen) -> None:
    """Delete what no handler has read yet; if something was read, say so kindly."""
    config = screen.cog.require_config()
    await interaction.response.defer()
    bot = bot_of(interaction)
    unlocked = await unlock(interaction, config, screen.receipt)
    async with bot.db.sessions.begin() as session:
        taken = await escalation.take_back_choices(session, config=config, unlocked=unlocked)
    if taken is None:
        await screen.redraw(interaction, None, "")
        return
    screen.cog.kick()
    if taken.removed == 0 and taken.read:
        await interaction.edit_original_response(
            content=t("choices.already_read", screen.locale),
            embeds=[],
            view=StayAnonymousView(screen),
        )
        return
    key = "choices.taken_back_some" if taken.read else "choices.taken_back"
    if taken.removed == 0:
        key = "choices.nothing_to_take_back"
    await screen.redraw(interaction, taken.view, t(key, screen.locale))


async def download(interaction: Interaction, screen: ReporterScreen) -> None:
    """The conversation as a text file, sent only to them; made in memory, never on disk."""
    config = screen.cog.require_config()
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    unlocked = await unlock(interaction, config, screen.receipt)
    async with bot.db.sessions.begin() as session:
        case = await escalation.open_case(session, config=config, unlocked=unlocked)
    locale = locale_of(interaction)
    if case is None:
        await screen.redraw(interaction, None, "")
        return
    text = transcript(case, locale, bot.clock().astimezone(config.zone).date())
    upload = discord.File(io.BytesIO(text.encode("utf-8")), filename=file_name(case, locale))
    await interaction.followup.send(
        t("choices.download_ready", locale),
        file=upload,
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


# --- what the confirmations do, each in the caller's transaction -------------------------


async def _revealing(
    name: str,
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: escalation.Unlocked,
    now: datetime,
) -> ReporterView | None:
    return await escalation.reveal_identity(
        session, config=config, unlocked=unlocked, name=name, now=now
    )


async def _asking_for_contact(
    how: str,
    when: str,
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: escalation.Unlocked,
    now: datetime,
) -> ReporterView | None:
    return await escalation.ask_for_contact(
        session, config=config, unlocked=unlocked, how=how, when=when, now=now
    )


async def _staying_anonymous(
    session: AsyncSession, config: EscalationConfig, unlocked: escalation.Unlocked, now: datetime
) -> ReporterView | None:
    return await escalation.stay_anonymous(session, config=config, unlocked=unlocked, now=now)


async def _reopening(
    session: AsyncSession, config: EscalationConfig, unlocked: escalation.Unlocked, now: datetime
) -> ReporterView | None:
    return await escalation.reopen_case(session, config=config, unlocked=unlocked, now=now)
