"""The bot as the cogs see it, and the interaction over it, typed the way discord.py's
own examples type theirs (``discord.Interaction[MyBot]``).

A cog annotates ``bot: Bot`` and ``interaction: Interaction`` and the type checker knows
``interaction.client.db``, ``.clock`` and ``.settings``; ``bot_of`` gives the same
where discord.py's own signature leaves the client open. Nothing is imported from
``vcpbot.bot`` at run time, so any module may import this one without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, Union, cast

import discord

if TYPE_CHECKING:
    from vcpbot.bot import ShardedVCPBot, VCPBot

__all__ = ["Bot", "Interaction", "bot_of"]

# The plain and the sharded bot share everything a cog uses (vcpbot.bot.VCPBotBase).
Bot: TypeAlias = Union["VCPBot", "ShardedVCPBot"]  # quoted: a | of strings fails at run time
Interaction: TypeAlias = discord.Interaction[Bot]


def bot_of(interaction: discord.Interaction[Any]) -> Bot:
    """The bot, from an interaction that discord.py types over any client (the callback of a
    view, a form or a persistent button): in this process the client is always ours."""
    return cast(Bot, interaction.client)
