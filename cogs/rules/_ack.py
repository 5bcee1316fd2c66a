"""The "I have read and accept" button: under the published document and in /rules.

The custom_id names only the kind of document (``vcp:rules:ack:house_rules``);
the guild comes from the press itself, and every press asks the database which
version is current and whether acknowledgement is still switched on. A press
always accepts the latest version: the message it sits on is edited to that
version whenever one is published.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import discord

from cogs.rules._ids import FEATURE
from cogs.rules._published import published_rules
from cogs.rules._words import kind_inline, reader_locale
from vcpbot import access, custom_ids
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.i18n import t
from vcpbot.interactions import report_error, send_private
from vcpbot.services import rules
from vcpbot.services.rules import Language, RulesKind

log = logging.getLogger(__name__)


def ack_label(languages: Iterable[Language]) -> str:
    """In every language the document is published in: the channel is read by all."""
    return " / ".join(t("rules.ack.button", lang) for lang in languages)


def ack_view(kind: RulesKind, languages: Iterable[Language]) -> discord.ui.View:
    # No timeout, and only dynamic items: discord.py keeps nothing per message for it.
    view = discord.ui.View(timeout=None)
    view.add_item(AckButton(kind.value, ack_label(languages)))
    return view


class AckButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "ack"),
):
    """Records that the member accepts the current version, and grants the configured role."""

    def __init__(self, kind: str, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or t("rules.ack.button", "en"),
                style=discord.ButtonStyle.success,
                custom_id=custom_ids.build(FEATURE, "ack", kind),
            )
        )
        self.kind = kind

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> AckButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._accept(interaction)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)

    async def _accept(self, interaction: Interaction) -> None:
        guild_id = access.in_guild(interaction)
        try:
            kind = RulesKind(self.kind)
        except ValueError:
            raise NotFound("rules.error.not_published") from None
        bot = bot_of(interaction)
        document = rules.acknowledgeable(await published_rules(bot, guild_id), kind)
        # The role first: one the bot cannot give leaves nothing recorded. Outside the
        # transaction, so no write lock waits for Discord; taken back if the record fails.
        role, granted = await _grant(interaction, document.ack_role_id)
        try:
            async with bot.db.sessions.begin() as session:
                result = await rules.acknowledge_published(
                    session, document=document, user_id=interaction.user.id, now=bot.clock()
                )
        except BaseException:
            if granted and role is not None:
                await _take_back(interaction, role)
            raise
        locale = reader_locale(interaction)
        what = kind_inline(kind, locale)
        if result.recorded:
            reply = t("rules.ack.done", locale, kind_inline=what, version=result.version)
        else:
            when = discord.utils.format_dt(result.acknowledged_at, "D")
            reply = t(
                "rules.ack.already", locale, kind_inline=what, version=result.version, date=when
            )
        if role is not None:
            reply += " " + t("rules.ack.role", locale, role=role.mention)
        await send_private(interaction, reply)


async def _grant(interaction: Interaction, role_id: int | None) -> tuple[discord.Role | None, bool]:
    """The role that comes with accepting, and whether it was given just now."""
    if role_id is None:
        return None, False
    member = interaction.user
    guild = interaction.guild
    role = guild.get_role(role_id) if guild is not None else None
    if role is None or not isinstance(member, discord.Member):
        raise InvalidInput("rules.error.ack_role_failed")
    if any(r.id == role.id for r in member.roles):
        return role, False
    try:
        await member.add_roles(role, reason="vcpbot: accepted the rules")
    except discord.Forbidden:
        raise InvalidInput("rules.error.ack_role_failed") from None
    except discord.HTTPException as exc:
        log.info("rules: could not give the acceptance role (HTTP %s)", exc.status)
        raise InvalidInput("rules.error.ack_role_busy") from None
    return role, True


async def _take_back(interaction: Interaction, role: discord.Role) -> None:
    """The acceptance was not recorded: neither is the role kept."""
    member = interaction.user
    if not isinstance(member, discord.Member):
        return
    try:
        await member.remove_roles(role, reason="vcpbot: the acceptance could not be recorded")
    except discord.HTTPException as exc:
        log.warning("rules: could not take back an acceptance role (HTTP %s)", exc.status)
