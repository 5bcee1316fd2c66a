"""The floor of our stack: a bare discord.py bot answering with a fixed ephemeral message.

It answers ``/help``, ``/rules`` and any button press alike. The commands have
the same names and options as the ones under test, so the emulator sends it the
same payloads, but it touches no database and renders nothing.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

ANSWER = "ok"


def create_baseline_bot(**discord_options: Any) -> commands.Bot:
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=_intents(),
        help_command=None,
        **discord_options,
    )

    @bot.tree.command(name="help", description="Fixed answer")
    async def help_command(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    @bot.tree.command(name="rules", description="Fixed answer")
    async def rules_command(
        interaction: discord.Interaction,
        article: app_commands.Range[int, 1, 99] | None = None,
        search: str | None = None,
    ) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    @bot.listen("on_interaction")
    async def on_button(interaction: discord.Interaction) -> None:
        # A button press no view claims: the same fixed answer.
        if interaction.type is discord.InteractionType.component:
            await interaction.response.send_message(ANSWER, ephemeral=True)

    return bot


def _intents() -> discord.Intents:
    # No privileged intents, as the emulated application has none.
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    return intents
