"""/help: who to talk to and what happens next; /privacy: what the bot keeps, and deleting it."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from cogs.help._cog import HelpCog

    await bot.add_cog(HelpCog(bot))
