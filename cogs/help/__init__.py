"""/help: who to talk to and what happens next; /privacy: what the bot keeps, and deleting it."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.help._cog import HelpCog

    await bot.add_cog(HelpCog(bot))
