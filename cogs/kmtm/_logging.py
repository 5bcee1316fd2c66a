"""Logging a contact: the form, the "Log a contact" panel button, and Undo.

The form is one modal with the three choices (category in a select, relation
and follow-up as radio buttons), so a contact is logged in a few steps and in
one interaction. The panel button's custom_id (``vcp:kmtm:log``) carries
nothing; the Undo button's carries only the opaque token of the in-memory
``UndoBook``. Every open, submit and press checks again that the person is a
registered VCP of an association in the network.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import discord

from cogs.kmtm._checks import require_open_period, require_vcp, today
from cogs.kmtm._host import undo_book
from cogs.kmtm._ids import FEATURE
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Bot, Interaction, bot_of
from vcpbot.db.kmtm import Category, FollowUp, Relation
from vcpbot.errors import Conflict
from vcpbot.i18n import Locale, bilingual, category_hint, category_label, t
from vcpbot.interactions import locale_of, report_error, send_private
from vcpbot.modals import ExpiringModal
from vcpbot.services import kmtm
from vcpbot.services.kmtm import LoggedContact

log = logging.getLogger(__name__)

FORM_SECONDS = 30 * 60


class LogForm(ExpiringModal):
    """Category, relation of the other person, follow-up: nothing typed, nothing else asked.

    The contact counts toward the period named in the title, and nowhere else: a form
    opened in a period's grace window says so above the questions.
    """

    def __init__(self, bot: Bot, *, period: kmtm.PeriodView, locale: Locale) -> None:
        super().__init__(
            title=limits.clip(
                t("kmtm.form.title", locale, period=period.name), limits.MODAL_TITLE_MAX
            ),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "form", secrets.token_urlsafe(9)),
        )
        self.bot = bot
        self.period_id = period.id
        grace_days = bot.settings.kmtm.grace_days
        if period.status(today(bot), grace_days=grace_days) is kmtm.PeriodStatus.LATE:
            self.add_item(discord.ui.TextDisplay(late_note(period, grace_days, locale)))
        self.category: discord.ui.Select[LogForm] = discord.ui.Select(
            custom_id="category",
            placeholder=t("kmtm.form.category_placeholder", locale),
            options=[
                discord.SelectOption(
                    label=category_label(c, locale),
                    value=c.value,
                    description=category_hint(c, locale),
                )
                for c in Category
            ],
        )
        self.relation: discord.ui.RadioGroup[LogForm] = discord.ui.RadioGroup(
            custom_id="relation",
            options=[
                discord.RadioGroupOption(label=t(f"kmtm.relation.{r.value}", locale), value=r.value)
                for r in Relation
            ],
        )
        self.follow_up: discord.ui.RadioGroup[LogForm] = discord.ui.RadioGroup(
            custom_id="follow_up",
            options=[
                discord.RadioGroupOption(
                    label=t(f"kmtm.follow_up.{f.value}", locale), value=f.value
                )
                for f in FollowUp
            ],
        )
        for component, label in (
            (self.category, "category"),
            (self.relation, "relation"),
            (self.follow_up, "follow_up"),
        ):
            self.add_item(
                discord.ui.Label(
                    text=t(f"kmtm.form.{label}", locale),
                    description=t(f"kmtm.form.{label}_hint", locale),
                    component=component,
                )
            )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        bot = self.bot
        # Acknowledged before anything is counted: when the bot is too busy to answer in
        # Discord's 3 seconds, nothing is counted and the VCP can simply log again; once
        # counted, the follow-up (15 minutes) always reaches them. Otherwise a contact
        # could be counted without the VCP seeing it, and logged twice.
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = bot.clock()
        await require_vcp(interaction, bot)  # before the write: a kept copy, no lock
        async with bot.db.sessions.begin() as session:
            contact = await kmtm.log_contact(
                session,
                guild_id=access.in_guild(interaction),
                category=self.category.values[0] if self.category.values else "",
                relation=self.relation.value or "",
                follow_up=self.follow_up.value or "",
                now=now,
                zone=bot.settings.zone,
                grace_days=bot.settings.kmtm.grace_days,
                period_id=self.period_id,
            )
        # SQLite's WAL would keep this commit's pages, in order, until a checkpoint.
        bot.db.wal.soon()
        # Issued after the commit: a token never stands for a contact that was not counted.
        token = undo_book(bot).issue(contact, actor_id=interaction.user.id, now=now)
        locale = locale_of(interaction)
        await send_private(
            interaction,
            confirmation(contact, locale, minutes=bot.settings.kmtm.undo_minutes),
            view=undo_view(token, locale),
        )

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


def late_note(period: kmtm.PeriodView, grace_days: int, locale: Locale) -> str:
    """Above the questions, after a period's last day: which period, and until when."""
    return t(
        "kmtm.form.late",
        locale,
        period=period.name,
        end=period.end_date,
        until=period.late_until(grace_days),
    )


def confirmation(contact: LoggedContact, locale: Locale, *, minutes: int) -> str:
    """What was counted, so a slip is noticed while it can still be taken back."""
    chosen = t(
        "kmtm.logged.what",
        locale,
        category=category_label(contact.category, locale),
        relation=t(f"kmtm.relation.{contact.relation.value}", locale),
        follow_up=t(f"kmtm.follow_up.{contact.follow_up.value}", locale),
    )
    logged = t("kmtm.logged", locale, period=contact.period_name, count=minutes)
    return f"{logged}\n> {chosen}"


async def open_form(interaction: Interaction) -> None:
    """``/kmtm log`` and the panel button: check first, then show the form."""
    bot = bot_of(interaction)
    await require_vcp(interaction, bot)
    # Only reads: on SQLite it must not queue for the write lock behind the submits.
    async with bot.db.reading.begin() as session:
        period = await require_open_period(bot, session)
    await interaction.response.send_modal(
        LogForm(bot, period=period, locale=locale_of(interaction))
    )


# --- the panel -----------------------------------------------------------------------


def panel(association_name: str) -> tuple[discord.Embed, discord.ui.View]:
    """The message an admin posts once; its button keeps working after restarts.

    In both languages: the VCPs who read it may each prefer another one.
    """
    embed = discord.Embed(
        title=bilingual("kmtm.panel.title", between=" · "),
        description=bilingual("kmtm.panel.body", association=association_name),
        colour=discord.Colour.teal(),
    )
    embed.set_footer(text=bilingual("kmtm.panel.footer", between="\n"))
    # No timeout, and only dynamic items: discord.py keeps nothing per message for it.
    view = discord.ui.View(timeout=None)
    view.add_item(LogButton())
    return embed, view


class LogButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "log", opaque=False),
):
    """The "Log a contact" button on the panel: opens the form, for registered VCPs only."""

    def __init__(self, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or bilingual("kmtm.panel.button", between=" / "),
                style=discord.ButtonStyle.primary,
                custom_id=custom_ids.build(FEATURE, "log"),
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> LogButton:
        return cls(item.label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await open_form(interaction)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


# --- undo ----------------------------------------------------------------------------


def undo_view(token: str, locale: Locale) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(UndoButton(token, t("kmtm.undo.button", locale)))
    return view


class UndoButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "undo"),
):
    """Takes the contact just logged back, once, by the VCP who logged it, within the window."""

    def __init__(self, token: str, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or t("kmtm.undo.button", "en"),
                style=discord.ButtonStyle.secondary,
                custom_id=custom_ids.build(FEATURE, "undo", token),
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> UndoButton:
        return cls(match["token"], item.label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._undo(interaction)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)

    async def _undo(self, interaction: Interaction) -> None:
        bot = bot_of(interaction)
        await require_vcp(interaction, bot)
        async with bot.db.sessions.begin() as session:
            # Taken before the counters change: a double click finds nothing the second time.
            contact = undo_book(bot).take(self.token, actor_id=interaction.user.id, now=bot.clock())
            if contact is None:
                raise Conflict("kmtm.error.undo_expired")
            await kmtm.undo_contact(
                session,
                period_id=contact.period_id,
                association_id=contact.association_id,
                category=contact.category,
                relation=contact.relation,
                follow_up=contact.follow_up,
            )
        bot.db.wal.soon()
        await interaction.response.edit_message(
            content=t("kmtm.undone", locale_of(interaction)), view=None
        )
