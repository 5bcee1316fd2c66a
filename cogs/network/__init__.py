"""The network: the hub, associations joining by approval, the VCP registry."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from cogs.network._cog import NetworkCog
    from cogs.network._join import JoinDecisionButton

    bot.add_dynamic_items(JoinDecisionButton)
    await bot.add_cog(NetworkCog(bot))
