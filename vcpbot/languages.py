"""Remembering, from their interactions, the language of the people the bot writes to.

Every interaction carries the person's Discord language. For the direct
messages the bot sends later (intervisie invitations and reminders, join
decisions, escalation notices) it keeps that language per person
(``vcpbot.services.languages``), but only for people it may write to: anyone
acting in the UM team's hub, board members (Manage Server or Administrator
where they act) and VCPs (registered, or holding their association's VCP
role). A student who only reads /help or /rules leaves nothing behind, and
reading /help, /rules or /privacy stores nothing for anyone, as those commands
promise. Nothing in anonymous escalation is ever recorded (its commands, buttons
and forms): a write at the moment someone reports could be set beside the
report, in the database's log of changes if nowhere else.

Cheap on every interaction: two read-cache lookups (``vcpbot.readcache``), and a
database write only when someone's language changes. The press that confirms
``/privacy delete-my-data`` is never recorded, so the erasure is not undone by
the very interaction that asked for it.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from vcpbot import access, custom_ids
from vcpbot.db import Database
from vcpbot.i18n import Locale, catalog, reader_locale
from vcpbot.readcache import ReadCache
from vcpbot.services import languages
from vcpbot.settings import Settings

log = logging.getLogger(__name__)

# The delete-my-data confirmation (cogs/help): it erases this very row.
ERASE_CUSTOM_ID = "vcp:privacy:erase"
# Commands that promise to store nothing about whoever uses them (their English names).
STORES_NOTHING = frozenset({"help", "rules", "privacy info", "privacy delete-my-data"})
# Anonymous escalation, reporters and handlers alike: its commands (their English names,
# as Discord registers them) and custom_id features.
ESCALATION_COMMANDS = frozenset(
    catalog().text(f"cmd.{key}.name", "en")
    for key in ("report", "my_case", "open_cases", "anonymous")
)
ESCALATION_FEATURES = frozenset({"esc", "esc-s"})


class LanguageMemory:
    """What the bot remembers of the languages it writes in (the bot makes one)."""

    def __init__(self, reads: ReadCache, db: Database, settings: Settings) -> None:
        self.reads, self.db, self.settings = reads, db, settings

    async def saw(self, interaction: discord.Interaction) -> None:
        """Keep the language of ``interaction``'s person, if the bot may write to them."""
        if interaction.user.bot or _stores_nothing(interaction):
            return
        if not await self._writes_to(interaction):
            return
        locale: Locale = reader_locale(interaction.locale.value)
        user_id = interaction.user.id
        kept = await self.reads.get(
            ("language", user_id), languages.TABLES, lambda: self._kept(user_id)
        )
        if kept == locale:
            return
        async with self.db.sessions.begin() as session:
            await languages.remember(session, user_id=user_id, locale=locale)

    async def _writes_to(self, interaction: discord.Interaction) -> bool:
        guild_id = interaction.guild_id
        if guild_id is not None:
            if guild_id == self.settings.hub_guild_id:
                return True
            permissions = interaction.permissions
            if permissions.manage_guild or permissions.administrator:
                return True
        roster = await self.reads.get(("vcp-roster",), languages.ROSTER_TABLES, self._roster)
        if interaction.user.id in roster.user_ids:
            return True
        return guild_id is not None and access.has_role(interaction, roster.roles.get(guild_id))

    async def _kept(self, user_id: int) -> Locale | None:
        async with self.db.reading.begin() as session:
            return await languages.remembered(session, user_id=user_id)

    async def _roster(self) -> languages.Roster:
        async with self.db.reading.begin() as session:
            return await languages.vcp_roster(session)


def _stores_nothing(interaction: discord.Interaction) -> bool:
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id") or "")
    if custom_id:
        parts = custom_id.split(":")
        feature = parts[1] if len(parts) > 1 and parts[0] == custom_ids.PREFIX else None
        return custom_id == ERASE_CUSTOM_ID or feature in ESCALATION_FEATURES
    command = interaction.command
    if command is None:
        return False
    name = command.qualified_name
    return name in STORES_NOTHING or name.split(" ")[0] in ESCALATION_COMMANDS
