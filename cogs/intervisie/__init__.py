"""Intervisie: the coordinator plans sessions, VCPs answer by DM, reminders go out."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from cogs.intervisie._cog import IntervisieCog
    from cogs.intervisie._rsvp import RsvpButton

    bot.add_dynamic_items(RsvpButton)
    await bot.add_cog(IntervisieCog(bot))
